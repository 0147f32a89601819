package vault_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

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
