package vault_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
	"github.com/tvault/tvault/vault"
)

// forgedChange is what the adversary writes: a change of custodian.
type forgedChange struct {
	Custodian string `json:"custodian"`
}

// coerce is the border: the adversary decrypts the passphrase slot with the
// passphrase they were given, and keeps the vault key V.
func coerce(t *testing.T, dir string, p []byte) *age.HybridIdentity {
	t.Helper()
	slot, err := os.ReadFile(filepath.Join(dir, "keys", "passphrase-1.age"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := crypto.OpenSlot(slot, p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// appendForgedFrame appends to the newest journal a frame that changes the
// custodian, chained after the frames there (the adversary counts them by
// their headers and hashes the last one), encrypted to r. With mac it is a
// TVJ2 frame tagged with mac, without a TVJ1 frame.
func appendForgedFrame(t *testing.T, dir string, r age.Recipient, mac []byte, custodian string) {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
	if len(logs) == 0 {
		t.Fatal("no journal to append to")
	}
	path := logs[len(logs)-1]
	gen, _ := journal.ParseName(filepath.Base(path))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := journal.New(dir, gen)
	for off := 0; off < len(data); {
		h := journal.HeaderLen
		if string(data[off:off+4]) == "TVJ2" {
			h = journal.AuthHeaderLen
		}
		n := h + int(binary.BigEndian.Uint64(data[off+4:off+12]))
		sum := sha256.Sum256(data[off : off+n])
		l.Seq++
		l.Head = hex.EncodeToString(sum[:])
		l.Size += int64(n)
		off += n
	}
	l.MAC = mac
	buf, err := journal.Encode(l, r, &forgedChange{Custodian: custodian})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(buf)
	f.Close()
}

// TestCustodianSwapAfterRekey is attack 1 of issue 10: a coerced passphrase
// gives the adversary V; the interviewer runs passwd (or rekey); later the
// adversary, with write access to the folder only, appends a journal frame
// to V's recipient that makes their key the custodian. The vault must
// refuse it as damage, and keep opening once the frame is gone.
func TestCustodianSwapAfterRekey(t *testing.T) {
	newPass := []byte("a brand new passphrase")
	for _, how := range []string{"passwd", "rekey"} {
		for _, form := range []string{"untagged", "tagged with the old key"} {
			t.Run(how+"/"+form, func(t *testing.T) {
				v, _ := MustCreate(t)
				if _, err := v.Add(context.Background(), []vault.Input{input("Before", "testimony before the border")}); err != nil {
					t.Fatal(err)
				}
				dir := v.Dir()
				oldV := coerce(t, dir, passphrase)

				current := passphrase
				var err error
				if how == "passwd" {
					_, err = v.ChangePassphrase(context.Background(), newPass)
					current = newPass
				} else {
					_, err = v.Rekey(context.Background(), passphrase)
				}
				if err != nil {
					t.Fatal(err)
				}
				// A save after the rekey, so that there is a journal of the
				// new generation to append to.
				if _, err := v.Add(context.Background(), []vault.Input{input("After", "testimony after the border")}); err != nil {
					t.Fatal(err)
				}
				v.Close()
				logs, _ := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
				good, _ := os.ReadFile(logs[len(logs)-1])

				adversary, _ := crypto.NewIdentity()
				var mac []byte
				if form != "untagged" {
					mac = vault.StoreMACForTesting(oldV)
				}
				appendForgedFrame(t, dir, oldV.Recipient(), mac, adversary.Recipient().String())

				for _, ro := range []bool{true, false} {
					_, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: ro}, vault.PassphraseIdentity(current))
					if !errors.Is(err, vault.ErrDamaged) {
						t.Fatalf("read-only %v: err=%v, want ErrDamaged", ro, err)
					}
				}
				// The old passphrase opens nothing either.
				if how == "passwd" {
					os.WriteFile(logs[len(logs)-1], good, 0o600)
					if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrWrongPassphrase) {
						t.Fatalf("old passphrase: err=%v, want ErrWrongPassphrase", err)
					}
				}
				// Without the forged frame, the vault is whole.
				os.WriteFile(logs[len(logs)-1], good, 0o600)
				v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(current))
				if err != nil {
					t.Fatal(err)
				}
				defer v2.Close()
				if got := v2.Custodian().String(); got == adversary.Recipient().String() {
					t.Fatal("the adversary is the custodian")
				}
				if list, _ := v2.List(context.Background()); len(list) != 2 {
					t.Fatalf("%d interviews, want 2", len(list))
				}
			})
		}
	}
}

// TestStoreAuthenticity: without a rekey, someone who knows the data key's
// or V's recipient but holds no secret cannot add a frame or replace the
// snapshot: age would open them, the tags refuse them.
func TestStoreAuthenticity(t *testing.T) {
	v, _ := MustCreate(t)
	if _, err := v.Add(context.Background(), []vault.Input{input("One", "testimony one")}); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()
	V := coerce(t, dir, passphrase) // the test's view: which recipients to use
	D := vault.DataKeysForTesting(dir, V)[0]
	logs, _ := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
	good, _ := os.ReadFile(logs[0])
	snap, _ := os.ReadFile(filepath.Join(dir, "vault.age"))
	stranger, _ := crypto.NewIdentity()
	randomKey := make([]byte, 32)
	rand.Read(randomKey)

	for name, forge := range map[string]func(){
		"frame to D, untagged":  func() { appendForgedFrame(t, dir, D.Recipient(), nil, stranger.Recipient().String()) },
		"frame to D, wrong tag": func() { appendForgedFrame(t, dir, D.Recipient(), randomKey, stranger.Recipient().String()) },
		"frame to V, wrong tag": func() { appendForgedFrame(t, dir, V.Recipient(), randomKey, stranger.Recipient().String()) },
		"snapshot to D, not the same": func() {
			os.WriteFile(filepath.Join(dir, "vault.age"), mustEncrypt(t, []byte("SQLite format 3\x00"), D.Recipient()), 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			forge()
			defer os.WriteFile(logs[0], good, 0o600)
			defer os.WriteFile(filepath.Join(dir, "vault.age"), snap, 0o600)
			if _, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase)); !errors.Is(err, vault.ErrDamaged) {
				t.Fatalf("err=%v, want ErrDamaged", err)
			}
		})
	}
	v2, err := vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	v2.Close()
}

func mustEncrypt(t *testing.T, plain []byte, r age.Recipient) []byte {
	t.Helper()
	ct, err := crypto.Encrypt(plain, r)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// TestDataKeyRetired: each checkpoint writes the new data key over the file
// retired two generations ago, in place and of the same size, and overwrites
// the one it retires with random bytes: the previous generation's snapshot
// and journal open with no key the vault still has.
func TestDataKeyRetired(t *testing.T) {
	v, _ := MustCreate(t)
	dir := v.Dir()
	V := coerce(t, dir, passphrase)
	var size int64
	for i := range 4 {
		if _, err := v.Add(context.Background(), []vault.Input{input("P", "testimony of generation")}); err != nil {
			t.Fatal(err)
		}
		oldSnap, _ := os.ReadFile(filepath.Join(dir, "vault.age"))
		oldD := vault.DataKeysForTesting(dir, V)
		if len(oldD) != 1 {
			t.Fatalf("%d data keys open, want 1", len(oldD))
		}
		if err := v.Checkpoint(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"data-A.age", "data-B.age"} {
			st, err := os.Stat(filepath.Join(dir, "keys", name))
			if err != nil {
				if i == 0 && name == "data-B.age" {
					t.Fatal("the first checkpoint wrote no data-B.age")
				}
				continue
			}
			if size == 0 {
				size = st.Size()
			}
			if st.Size() != size {
				t.Fatalf("%s is %d bytes, want %d", name, st.Size(), size)
			}
		}
		ds := vault.DataKeysForTesting(dir, V)
		if len(ds) != 1 || ds[0].Recipient().String() == oldD[0].Recipient().String() {
			t.Fatalf("after checkpoint %d: %d data keys open, or the old one", i, len(ds))
		}
		if _, err := crypto.OpenOwn(ds[0], oldSnap); err == nil {
			t.Fatal("the new data key opens the old snapshot")
		}
	}
	if size == 0 {
		t.Fatal("no data key file")
	}
}

// TestOldFormatMigrates: a vault written before data keys (no data key
// files, snapshot and TVJ1 frames to V) opens, takes saves in its format,
// and its next checkpoint writes the new one.
func TestOldFormatMigrates(t *testing.T) {
	v, _ := MustCreate(t)
	if _, err := v.Add(context.Background(), []vault.Input{input("Old", "old format testimony")}); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()
	V := coerce(t, dir, passphrase)
	D := vault.DataKeysForTesting(dir, V)[0]
	// Rewrite the store as the old format: the snapshot to V, the frames
	// TVJ1 to V, no data key files.
	snap, _ := os.ReadFile(filepath.Join(dir, "vault.age"))
	image, err := crypto.OpenOwn(D, snap)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "vault.age"), mustEncrypt(t, image, V.Recipient()), 0o600)
	logs, _ := filepath.Glob(filepath.Join(dir, "journal", "*.log"))
	data, _ := os.ReadFile(logs[0])
	var out []byte
	l := journal.New(dir, 0)
	for off := 0; off < len(data); {
		n := int(binary.BigEndian.Uint64(data[off+4 : off+12]))
		plain, err := crypto.OpenOwn(D, data[off+journal.AuthHeaderLen:off+journal.AuthHeaderLen+n])
		if err != nil {
			t.Fatal(err)
		}
		ct := mustEncrypt(t, plain, V.Recipient())
		frame := append(journal.Header(len(ct)), ct...)
		out = append(out, frame...)
		sum := sha256.Sum256(frame)
		l.Head = hex.EncodeToString(sum[:])
		off += journal.AuthHeaderLen + n
	}
	os.WriteFile(logs[0], out, 0o600)
	os.Remove(filepath.Join(dir, "keys", "data-A.age"))
	// The slot as tvault wrote it then: without the data key mark
	// (slotmark.go), which a slot with it would find missing.
	slot, err := crypto.SealSlot(V, passphrase, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "keys", "passphrase-1.age"), slot, 0o600)

	v, err = vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatalf("the old format does not open: %v", err)
	}
	if _, err := v.Add(context.Background(), []vault.Input{input("Still old", "saved in the old format")}); err != nil {
		t.Fatal(err)
	}
	if len(vault.DataKeysForTesting(dir, V)) != 0 {
		t.Fatal("a save wrote a data key; only a checkpoint should")
	}
	if err := v.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.Close()
	if len(vault.DataKeysForTesting(dir, V)) != 1 {
		t.Fatal("the checkpoint did not write the new format")
	}
	v, err = vault.Open(context.Background(), dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if list, _ := v.List(context.Background()); len(list) != 2 {
		t.Fatalf("%d interviews after migration, want 2", len(list))
	}
}
