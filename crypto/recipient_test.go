package crypto_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"
	"github.com/tvault/tvault/crypto"
)

func TestRecipientSlot(t *testing.T) {
	v := mustIdentity(t)
	x, _ := age.GenerateX25519Identity()
	pq := mustIdentity(t)
	for _, tc := range []struct {
		name   string
		r      age.Recipient
		id     age.Identity
		stanza string
	}{
		{"X25519", x.Recipient(), x, "X25519"},
		{"Hybrid", pq.Recipient(), pq, "mlkem768x25519"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			slot, err := crypto.SealRecipientSlot(v, tc.r, now)
			if err != nil {
				t.Fatal(err)
			}
			types, err := crypto.StanzaTypes(slot)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(types, ","), tc.stanza; got != want {
				t.Fatalf("StanzaTypes=%q, want %q", got, want)
			}
			got, err := crypto.OpenRecipientSlot(slot, mustIdentity(t), tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != v.String() {
				t.Fatal("slot opened to a different identity")
			}
			if _, err := crypto.OpenRecipientSlot(slot, mustIdentity(t)); !errors.Is(err, crypto.ErrWrongKey) {
				t.Fatalf("err=%v, want ErrWrongKey", err)
			}
			bad := append([]byte{}, slot...)
			bad[len(bad)-2] ^= 1
			if _, err := crypto.OpenRecipientSlot(bad, tc.id); !errors.Is(err, crypto.ErrDamaged) {
				t.Fatalf("err=%v, want ErrDamaged", err)
			}
		})
	}
}

func TestParseAnyRecipient(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	pq := mustIdentity(t)
	for _, tc := range []struct {
		in   string
		want string // the Go type
	}{
		{pq.Recipient().String(), "*age.HybridRecipient"},
		{x.Recipient().String(), "*age.X25519Recipient"},
		{plugin.EncodeRecipient("yubikey", make([]byte, 33)), "*plugin.Recipient"},
		{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEJ/Yf8Wc3GnB6N2w2a3B7XvJ8CwqKsKf6W1NKtqkG2v", "*agessh.Ed25519Recipient"},
	} {
		r, err := crypto.ParseAnyRecipient(tc.in, nil)
		if err != nil {
			t.Fatalf("%.20s…: %v", tc.in, err)
		}
		if got := fmt.Sprintf("%T", r); got != tc.want {
			t.Fatalf("%.20s…: %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"", "nonsense", "age1xyz", x.String()} {
		if _, err := crypto.ParseAnyRecipient(in, nil); err == nil {
			t.Fatalf("%.20s…: accepted", in)
		} else if strings.Contains(err.Error(), "AGE-SECRET") {
			t.Fatalf("the error holds the key: %v", err)
		}
	}
}

func TestParseIdentityFile(t *testing.T) {
	x, _ := age.GenerateX25519Identity()
	pq := mustIdentity(t)
	file := fmt.Sprintf("# keys\n%s\n\n%s\n%s\n", x, pq, plugin.EncodeIdentity("yubikey", make([]byte, 16)))
	ids, err := crypto.ParseIdentityFile([]byte(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ids), 3; got != want {
		t.Fatalf("len(ids)=%d, want %d", got, want)
	}
	for _, bad := range []string{"", "# nothing\n", "AGE-SECRET-KEY-1NOTAKEY\n", "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n"} {
		_, err := crypto.ParseIdentityFile([]byte(bad), nil)
		if err == nil {
			t.Fatalf("%q: accepted", bad)
		}
		if strings.Contains(err.Error(), "NOTAKEY") {
			t.Fatalf("the error holds the key: %v", err)
		}
	}
}
