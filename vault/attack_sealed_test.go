package vault_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/vault"
)

// Whoever has the laptop and the vault passphrase cannot open a sealed
// attachment, but its readable record carries the SHA-256 and size of the
// original. An authority holding a copy of a document (the summons it sent,
// the passport page it issued) hashes its copies and learns which one is
// sealed in which interview: the person is identified without the
// custodian key. The hash of a sealed original must not be in the
// readable tier (nor in the bundles that carry it to every teammate).
func TestAttackSealedAttachmentHashConfirmsDocument(t *testing.T) {
	ctx := context.Background()
	v, _ := MustCreate(t)
	ids, err := v.Add(ctx, []vault.Input{input("P", "testimony")})
	if err != nil {
		t.Fatal(err)
	}
	summons := []byte("SUMMONS No. 2019-0417 to TANG MEILIN, Fuzhou Public Security Bureau")
	rep, err := v.Attach(ctx, ids[0], bytes.NewReader(summons), vault.AttachOptions{Description: "a summons", Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	v = MustReopen(t, v) // the passphrase only
	list, err := v.Attachments(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(summons)
	for _, a := range list {
		if a.ID == rep.Attachment.ID && a.SHA256 == hex.EncodeToString(sum[:]) {
			t.Error("the readable record of a sealed attachment confirms a known copy by its SHA-256")
		}
	}
}

// Someone with write access to the vault folder, and no passphrase, swaps a
// sealed blob for another file encrypted to the custodian (whose recipient
// is public): age alone accepts it, since it authenticates the file but not
// who made it. Only the hash recorded on arrival tells; it must be checked
// when the custodian opens the attachment, and nothing served.
func TestAttackSealedBlobSwappedForAnotherFile(t *testing.T) {
	ctx := context.Background()
	v, custodian := MustCreate(t)
	ids, err := v.Add(ctx, []vault.Input{input("P", "testimony")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v.Attach(ctx, ids[0], strings.NewReader("the real passport page"), vault.AttachOptions{Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	blobs, _ := filepath.Glob(filepath.Join(v.Dir(), "blobs", "*.age"))
	if len(blobs) != 1 {
		t.Fatalf("%d blobs", len(blobs))
	}
	var forged bytes.Buffer
	w, err := age.Encrypt(&forged, custodian.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "a forged passport page")
	w.Close()
	if err := os.WriteFile(blobs[0], forged.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err = v.ReadAttachment(ctx, rep.Attachment.ID, &out, vault.ReadOptions{Custodian: custodian})
	if !errors.Is(err, vault.ErrDamaged) || out.Len() != 0 {
		t.Fatalf("a swapped sealed blob was served: %v, %q", err, out.String())
	}
}
