package vault

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// Attack 5 of issue 11: what the bundle signature did not cover. Bob
// re-encrypts a bundle alice sent him alone to carol; alice signs a bundle
// whose exporter recipient is not hers; alice leaves her audit head out
// after sending one. The first two are refused, the last warned about.
func TestAttackUnsignedRecipients(t *testing.T) {
	vs := members(t, "alice", "bob", "carol")
	alice, bob, carol := vs[0], vs[1], vs[2]
	ctx := context.Background()
	ids, err := alice.Add(ctx, []Input{sharedInput("A", "for bob only")})
	if err != nil {
		t.Fatal(err)
	}

	// Re-encrypted by bob to carol.
	plain, err := bundlefmt.Decrypt(bytes.NewReader(bundleTo(t, alice, "bob", ids[0])), bob.member.Identity)
	if err != nil {
		t.Fatal(err)
	}
	var redirected bytes.Buffer
	w, err := age.Encrypt(&redirected, carol.member.Identity.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	w.Close()
	before := vaultDigest(t, carol)
	if _, err := carol.Import(ctx, &redirected); !errors.Is(err, ErrNotAddressed) {
		t.Fatalf("alice's bundle re-encrypted by bob: err=%v, want ErrNotAddressed", err)
	}
	if vaultDigest(t, carol) != before {
		t.Fatal("a refused import changed the vault")
	}

	// The exporter's recipient is not alice's on the roster.
	other, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	wrong := forgedBundle(t, alice, bob, func(b *bundlefmt.Body) { b.Exporter.Recipient = other.Recipient().String() },
		forgedRevisionSpans(t, alice, goodRecord()))
	before = vaultDigest(t, bob)
	if _, err := bob.Import(ctx, bytes.NewReader(wrong)); !errors.Is(err, ErrUnknownSigner) {
		t.Fatalf("alice's bundle under another recipient: err=%v, want ErrUnknownSigner", err)
	}
	if vaultDigest(t, bob) != before {
		t.Fatal("a refused import changed the vault")
	}

	// A bundle with an audit head, then one without.
	if rep, err := bob.Import(ctx, bytes.NewReader(bundleTo(t, alice, "bob"))); err != nil || len(rep.Warnings) != 0 {
		t.Fatalf("first bundle: %+v, %v", rep, err)
	}
	headless := forgedBundle(t, alice, bob, func(b *bundlefmt.Body) { b.AuditHead = nil }, forgedRevisionSpans(t, alice, goodRecord()))
	rep, err := bob.Import(ctx, bytes.NewReader(headless))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "no audit log head") {
		t.Fatalf("warnings %q, want one about the missing audit head", rep.Warnings)
	}
}

var _ = io.Discard
