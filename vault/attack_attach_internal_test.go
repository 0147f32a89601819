package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
)

// forgeAttachments commits, in v, a revision of interview id whose
// attachment records are edit's result, signed with v's member key: what a
// teammate with a modified tvault can put in a bundle.
// With sibling, the revision's parent is the head's parent: a branch
// beside the head, not after it.
func forgeAttachments(t *testing.T, v *Vault, id string, sibling bool, edit func([]Attachment) []Attachment) {
	t.Helper()
	ctx := context.Background()
	heads, err := v.headRevisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if sibling {
		p, err := v.parentRevision(ctx, nil, heads[0].Parents[0])
		if err != nil || p == nil {
			t.Fatal(err)
		}
		heads = []*Revision{p}
	}
	prev := mergeHeads(heads)
	key := []byte(v.member.SigningKey.Public().(ed25519.PublicKey))
	rev := &Revision{Interview: id, Author: v.member.Name, CreatedAt: time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano),
		AuthorKey: key, Sealed: slices.Clone(prev.Sealed), SpanCount: prev.SpanCount, Record: prev.Record}
	for _, h := range heads {
		rev.Parents = append(rev.Parents, h.ID)
	}
	rev.Record.Attachments = edit(slices.Clone(prev.Record.Attachments))
	rec, err := newRevisionRecord(v.member.SigningKey, rev)
	if err != nil {
		t.Fatal(err)
	}
	ch := &change{Revisions: []revisionRecord{rec}}
	if err := v.commit(ch); err != nil {
		t.Fatal(err)
	}
	// The forger's bundle carries no file (its own would not match the
	// forged record, and export would refuse to send it).
	if _, err := v.conn.ExecContext(ctx, `DELETE FROM kv WHERE ns = ?`, blobNS); err != nil {
		t.Fatal(err)
	}
}

// A teammate's bundle carries a revision that rewrites the record of an
// attachment this vault holds (same ID: another hash, another signer, "alice"
// as the name) or drops it. The chain of custody is append-only: the signed
// record made on arrival is the evidence, and no later revision may change
// or remove it. Before the fix the import took the forged record, so the
// evidence file was reported damaged (its hash no longer matched) and its
// proof named the forger's statement; or the attachment vanished from the
// interview.
func TestAttackBundleRewritesAttachmentRecord(t *testing.T) {
	rewrite := func(b *Vault, l []Attachment) []Attachment {
		sum := sha256.Sum256([]byte("forged bytes"))
		l[0].SHA256, l[0].Size = hex.EncodeToString(sum[:]), 12
		l[0].AttachedByKey = []byte(b.member.SigningKey.Public().(ed25519.PublicKey))
		st, _ := l[0].Statement()
		l[0].Sig = ed25519.Sign(b.member.SigningKey, st)
		return l
	}
	var mine []Attachment // the record made on arrival, for the sibling case
	for _, tc := range []struct {
		name    string
		sibling bool
		edit    func(*Vault, []Attachment) []Attachment
	}{
		// A branch beside the head that adds an attachment with the same
		// ID, newer, so that a merge preferred it.
		{"sibling with the same ID", true, func(b *Vault, _ []Attachment) []Attachment {
			return rewrite(b, slices.Clone(mine))
		}},
		{"rewritten", false, rewrite},
		{"dropped", false, func(*Vault, []Attachment) []Attachment { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, _ := crypto.NewIdentity()
			mk := func(name string) *Vault {
				v, err := Create(filepath.Join(t.TempDir(), name), CreateOptions{Name: name, Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { v.Close() })
				return v
			}
			a, b := mk("alice"), mk("bob")
			ca, _, _ := a.Card()
			cb, _, _ := b.Card()
			if _, err := a.AddMember(cb); err != nil {
				t.Fatal(err)
			}
			if _, err := b.AddMember(ca); err != nil {
				t.Fatal(err)
			}
			in := Input{}
			in.Pseudonym, in.Testimony, in.Consent.Share = "River", "They came at night.", true
			ids, err := a.Add(ctx, []Input{in})
			if err != nil {
				t.Fatal(err)
			}
			evidence := []byte("the summons, as handed over")
			rep, err := a.Attach(ctx, ids[0], bytes.NewReader(evidence), AttachOptions{Description: "a summons"})
			if err != nil {
				t.Fatal(err)
			}
			move := func(from, to *Vault, name string) error {
				var buf bytes.Buffer
				if _, err := from.Export(ctx, &buf, ExportOptions{To: []string{name}}); err != nil {
					t.Fatal(err)
				}
				_, err := to.Import(ctx, &buf)
				return err
			}
			mine = []Attachment{rep.Attachment}
			if err := move(a, b, "bob"); err != nil {
				t.Fatal(err)
			}
			forgeAttachments(t, b, ids[0], tc.sibling, func(l []Attachment) []Attachment { return tc.edit(b, l) })
			_ = move(b, a, "alice") // refused, or taken without the forgery: either holds

			list, err := a.Attachments(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].ID != rep.Attachment.ID || list[0].SHA256 != rep.Attachment.SHA256 || !bytes.Equal(list[0].Sig, rep.Attachment.Sig) {
				t.Fatalf("after the import the interview lists %d attachments; the signed record made on arrival is gone or changed", len(list))
			}
			var out bytes.Buffer
			if _, err := a.ReadAttachment(ctx, rep.Attachment.ID, &out, ReadOptions{}); err != nil || !bytes.Equal(out.Bytes(), evidence) {
				t.Fatalf("the evidence no longer reads: %v", err)
			}
			if _, problems, err := a.checkBlobs(ctx); err != nil || len(problems) > 0 {
				t.Fatalf("check: %v %s", err, strings.Join(problems, "; "))
			}
		})
	}
}
