package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

func TestRotateCustodian(t *testing.T) {
	v, oldC := MustCreate(t)
	in := input("Lin Qiao", "Officers came to {{Jiangxi|the home province}}.")
	in.Identity = &vault.Identity{Name: "Zhou Canary"}
	ids, err := v.Add(context.Background(), []vault.Input{in, input("No identity", "plain")})
	if err != nil {
		t.Fatal(err)
	}
	// A later edit adds a span: both items must be carried over.
	edit := input("Lin Qiao", "Officers came to {{#1|the home province}} and {{Nanchang|a city}}.")
	edit.ID = ids[0]
	v.Add(context.Background(), []vault.Input{edit})

	newC, _ := crypto.NewIdentity()
	stranger, _ := crypto.NewIdentity()
	if _, err := v.RotateCustodian(context.Background(), stranger, newC.Recipient(), nil); !errors.Is(err, vault.ErrWrongCustodianKey) {
		t.Fatalf("rotation with the wrong old key: err=%v", err)
	}
	rep, err := v.RotateCustodian(context.Background(), oldC, newC.Recipient(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interviews != 1 || rep.Retired != 2 {
		t.Fatalf("report %+v", rep)
	}
	v = MustReopen(t, v)
	if got := v.Custodian().String(); got != newC.Recipient().String() {
		t.Fatal("the vault still seals to the old custodian")
	}
	r, err := v.Reveal(context.Background(), ids[0], newC)
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity == nil || r.Identity.Name != "Zhou Canary" || len(r.Spans) != 2 || r.Spans[1].Secret != "Nanchang" {
		t.Fatalf("after rotation: %+v", r)
	}
	if _, err := v.Reveal(context.Background(), ids[0], oldC); !errors.Is(err, vault.ErrWrongCustodianKey) {
		t.Fatalf("old key: err=%v, want ErrWrongCustodianKey", err)
	}
	// Nothing in the vault opens with the old key: try it on every age file
	// inside every file of the folder, the snapshot decrypted.
	dir := v.Dir()
	v.Close()
	slot, _ := os.ReadFile(filepath.Join(dir, "keys", "passphrase-1.age"))
	vid, _ := crypto.OpenSlot(slot, passphrase)
	snap, _ := os.ReadFile(filepath.Join(dir, "vault.age"))
	image, err := crypto.OpenOwn(vault.DataKeysForTesting(dir, vid)[0], snap)
	if err != nil {
		t.Fatal(err)
	}
	found, opened := 0, 0
	for i := 0; ; {
		j := bytes.Index(image[i:], []byte("age-encryption.org/v1\n"))
		if j < 0 {
			break
		}
		found++
		if _, err := crypto.Unseal(oldC, image[i+j:]); err == nil || !errors.Is(err, crypto.ErrWrongKey) {
			if err == nil {
				opened++
			}
		}
		i += j + 1
	}
	if found == 0 {
		t.Fatal("no sealed item found in the image; the check proves nothing")
	}
	if opened != 0 {
		t.Fatalf("%d sealed items still open with the old custodian key", opened)
	}
}
