package vault

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// Attacks on issues 11 and 12 by a roster member who sends bundles.

// sendAs encrypts body, signed by from's member, to the member to.
func sendAs(t *testing.T, from, to *Vault, body *bundlefmt.Body) []byte {
	t.Helper()
	_, c, _ := to.Card()
	r, err := age.ParseHybridRecipient(c.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := bundlefmt.Encrypt(&buf, body, from.member.SigningKey, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// signRedaction signs d with key and returns it as a bundle record.
func signRedaction(d *redaction, key ed25519.PrivateKey) bundlefmt.Redaction {
	d.AuthorKey = []byte(key.Public().(ed25519.PublicKey))
	body, _ := json.Marshal(d)
	return bundlefmt.Redaction{Body: body, Sig: ed25519.Sign(key, append([]byte(redactionDomain), body...))}
}

// A roster member (mallory) writes a revision "by alice" (alice's name and
// key, no valid signature of hers) that says something alice never said,
// and a redaction of her own whose result is that content: the revision is
// taken as verified "through its redaction", becomes the head, and check
// says ok. A redaction must only vouch for what it put in place of what it
// removed.
//
// format 3: the forged revision comes redacted in format 3, its hole's
// commitment and the salts made up; the author's signature must still
// verify over what it keeps. Before format 3 a redacted revision was
// verified by its redaction alone, and this one was taken.
// format 2 over format 3: the forged revision is of format 2, whose
// redaction still vouches for all of it (THREAT-MODEL.md), saved over
// alice's format 3 revision: no tvault makes one, and it is refused.
func TestAttackRedactionForgesRevision(t *testing.T) {
	ctx := context.Background()
	for _, format := range []string{"format 3", "format 2 over format 3"} {
		t.Run(format, func(t *testing.T) {
			vs := members(t, "alice", "bob", "mallory")
			alice, bob, mallory := vs[0], vs[1], vs[2]
			ids, err := alice.Add(ctx, []Input{sharedInput("River", "They took my brother away in March.")})
			if err != nil {
				t.Fatal(err)
			}
			importInto(t, bob, bundleTo(t, alice, "bob"))
			importInto(t, mallory, bundleTo(t, alice, "mallory"))
			view, _ := mallory.Get(ids[0])
			heads, err := mallory.headRevisions(ctx, view.Interview.ID)
			if err != nil || len(heads) != 1 {
				t.Fatal(heads, err)
			}
			fake := *heads[0]
			fake.Parents = []string{heads[0].ID}
			at, _ := time.Parse(time.RFC3339Nano, heads[0].CreatedAt)
			fake.CreatedAt = at.Add(time.Minute).UTC().Format(time.RFC3339Nano)
			fake.Record = cloneInterview(heads[0].Record)
			fake.Record.Testimony = "I made all of it up; nobody was taken."
			body, testimony, err := fake.storedBody()
			if err != nil {
				t.Fatal(err)
			}
			rec := bundlefmt.Revision{Body: body, Sig: make([]byte, ed25519.SignatureSize)}
			if format == "format 3" {
				// Redacted in format 3: a description where something
				// was removed, and salts for the rest.
				testimony = "[a word] " + testimony
				p := &revisionProof{Holes: []proofHole{{Part: "testimony", Offset: 0, Length: len("[a word]"), Leaves: [][]byte{make([]byte, 32)}}}}
				items, err := leafItems(body, testimony, p.Holes)
				if err != nil {
					t.Fatal(err)
				}
				p.Salts = make([]byte, saltSize*(len(items)-1))
				if fake.ID, err = idV3(body, testimony, p); err != nil {
					t.Fatal(err)
				}
				rec.Proof, _ = json.Marshal(p)
				rec.Sig = ed25519.Sign(mallory.member.SigningKey, []byte(revisionDomainV3+fake.ID))
			} else {
				// Any ID but the one these bytes hash to: a revision that
				// hashes to its ID is redacted on arrival, one that does
				// not is taken as redacted already.
				fake.ID = revisionID(body, testimony+" ")
			}
			rec.ID, rec.Testimony = fake.ID, testimony
			d := &redaction{Interview: view.Interview.ID, Field: "testimony", With: "[a word]", RedactedAt: fake.CreatedAt, Author: "mallory",
				Revisions: []redactedRevision{{ID: fake.ID, After: contentHash(body, testimony), Edits: []redactEdit{{Part: "testimony", Offset: 0, Length: 1}}}}}
			h, err := mallory.bundleHeader(ctx)
			if err != nil {
				t.Fatal(err)
			}
			h.Revisions = []bundlefmt.Revision{rec}
			h.Redactions = []bundlefmt.Redaction{signRedaction(d, mallory.member.SigningKey)}
			before := vaultDigest(t, bob)
			_, err = bob.Import(ctx, bytes.NewReader(sendAs(t, mallory, bob, h)))
			t.Logf("bob refuses: %v", err)
			if err == nil {
				got, _ := bob.Get(ids[0])
				t.Errorf("a revision in alice's name that alice never signed was imported; bob now reads %q", got.Testimony)
				if res, err := bob.Check(ctx); err == nil {
					ok := true
					for _, r := range res {
						ok = ok && r.OK
					}
					if ok {
						t.Error("and check says every revision verifies")
					}
				}
			}
			if vaultDigest(t, bob) != before {
				t.Error("the forged revision changed bob's vault")
			}
		})
	}
}

// A roster member's redaction puts words of her own in place of a passage
// (a With that is not a [description]), or inserts them where nothing was
// removed (a range of length 0): the revision then says something else,
// and check says ok. Every honest redaction replaces text by "[…]".
func TestAttackRedactionRewritesText(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		with   string
		offset func(testimony string) (int, int)
	}{
		{"words of her own", "nobody was taken", func(s string) (int, int) {
			i := strings.Index(s, "They took my brother away")
			return i, len("They took my brother away")
		}},
		{"an insertion", "[never]", func(s string) (int, int) {
			return strings.Index(s, "took"), 0
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			vs := members(t, "alice", "bob", "mallory")
			alice, bob, mallory := vs[0], vs[1], vs[2]
			ids, err := alice.Add(ctx, []Input{sharedInput("River", "They took my brother away in March.")})
			if err != nil {
				t.Fatal(err)
			}
			importInto(t, bob, bundleTo(t, alice, "bob"))
			importInto(t, mallory, bundleTo(t, alice, "mallory"))
			view, _ := mallory.Get(ids[0])
			heads, _ := mallory.headRevisions(ctx, view.Interview.ID)
			var body []byte
			var testimony string
			if err := mallory.conn.QueryRowContext(ctx, `SELECT body, testimony FROM revisions WHERE id = ?`, heads[0].ID).Scan(&body, &testimony); err != nil {
				t.Fatal(err)
			}
			off, n := c.offset(testimony)
			edits := []redactEdit{{Part: "testimony", Offset: off, Length: n}}
			b, tt, err := applyEdits(body, testimony, edits, c.with)
			if err != nil {
				t.Fatal(err)
			}
			d := &redaction{Interview: view.Interview.ID, Field: "testimony", With: c.with, RedactedAt: time.Now().UTC().Format(time.RFC3339Nano), Author: "mallory",
				Revisions: []redactedRevision{{ID: heads[0].ID, After: contentHash(b, tt), Edits: edits}}}
			h, err := mallory.bundleHeader(ctx)
			if err != nil {
				t.Fatal(err)
			}
			h.Redactions = []bundlefmt.Redaction{signRedaction(d, mallory.member.SigningKey)}
			before := vaultDigest(t, bob)
			if _, err := bob.Import(ctx, bytes.NewReader(sendAs(t, mallory, bob, h))); err == nil {
				got, _ := bob.Get(ids[0])
				t.Errorf("the redaction was applied; bob now reads %q", got.Testimony)
			}
			if vaultDigest(t, bob) != before {
				t.Error("the refused redaction changed bob's vault")
			}
		})
	}
}

// impostorV2 writes to a file a version 2 bundle of about size bytes that
// names alice (her card is handed out: name, recipient and signing key are
// public) as its exporter, signed by no one: a stranger's.
func impostorV2(t *testing.T, alice *Vault, to age.Recipient, size int64) string {
	t.Helper()
	_, card, err := alice.Card()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "impostor-v2.tvb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	aw, err := age.Encrypt(f, to)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(aw, 1<<20)
	exporter, _ := json.Marshal(bundlefmt.Member{Name: card.Name, Recipient: card.Recipient, SigningKey: card.SigningKey})
	rec := `{"id":"` + strings.Repeat("a", 64) + `","body":{"interview":"0123456789abcdef"},"testimony":"` +
		strings.Repeat("x", 800) + `","sig":"` + base64.StdEncoding.EncodeToString(make([]byte, 64)) + `"}`
	w.WriteString("tvault bundle v2\n{\"exporter\":" + string(exporter) + `,"recipients":["` + to.(fmt.Stringer).String() + `"],"created_at":"","tombstones":[],"sealed":[],"revisions":[`)
	for i := range size / int64(len(rec)+1) {
		if i > 0 {
			w.WriteString(",")
		}
		w.WriteString(rec)
	}
	w.WriteString("]}\n" + base64.StdEncoding.EncodeToString(make([]byte, 64)) + "\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := aw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// A stranger's version 2 bundle that names a roster member as exporter
// (the exporter of a version 2 bundle is signed only at its end) gets past
// the signer check, and its whole body line is read into memory (up to
// MaxSize, 4 GiB) before the signature is found bad: attack 1 of issue 11,
// by an impostor. It must cost what a stranger's bundle costs.
func TestAttackImpostorV2Bundle(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large bundle")
	}
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	path := impostorV2(t, alice, bob.member.Identity.Recipient(), strangerSize())
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before := vaultDigest(t, bob)
	r := &countingReader{r: f}
	// The heap in use, sampled while the import runs.
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base, peak := m.HeapAlloc, m.HeapAlloc
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	_, err = bob.Import(context.Background(), r)
	elapsed := time.Since(start)
	close(done)
	<-sampled
	grew := int64(peak) - int64(base)
	t.Logf("refused in %v, heap grew by %d MB at most, %d KiB of the file read (%v)", elapsed.Round(time.Millisecond), grew>>20, r.n>>10, err)
	if err == nil {
		t.Error("the impostor's bundle was imported")
	}
	if grew > 32<<20 {
		t.Errorf("the heap grew by %d MB before a bundle its named exporter never signed was refused, want flat memory", grew>>20)
	}
	if vaultDigest(t, bob) != before {
		t.Error("a refused import changed the vault")
	}
}

// A roster member floods the team's list of sensitive terms: each bundle
// may carry MaxTerms entries, but nothing bounds what a vault keeps, so two
// bundles of new terms leave bob's vault with more than MaxTerms, and every
// bundle bob sends after is refused by every teammate: the team's
// exchange stops. A vault never holds more entries than a bundle may carry.
func TestAttackTermsFlood(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "mallory")
	alice, bob, mallory := vs[0], vs[1], vs[2]
	at := time.Now().UTC().Format(time.RFC3339Nano)
	for _, batch := range []string{"a", "b"} {
		h, err := mallory.bundleHeader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range MaxTerms*2/3 + 1 {
			h.Terms = append(h.Terms, bundlefmt.Term{Term: fmt.Sprintf("flood %s %d", batch, i), At: at})
		}
		bob.Import(ctx, bytes.NewReader(sendAs(t, mallory, bob, h)))
	}
	entries, err := bob.termEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > MaxTerms {
		t.Errorf("bob's vault keeps %d term entries, more than the %d a bundle may carry", len(entries), MaxTerms)
	}
	if _, err := bob.Add(ctx, []Input{sharedInput("River", "A testimony.")}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Import(ctx, bytes.NewReader(bundleTo(t, bob, "alice"))); err != nil {
		t.Errorf("bob's next bundle to alice: %v", err)
	}
}

// A roster member removes the team's sensitive terms with a time far in
// the future: the removal wins over every addition anyone can make until
// that date, so the team can never list the term again (an addition typed
// now loses to it at the next bundle from her, and at every teammate's).
// Entries dated ahead of the importer's clock wait until their time.
func TestAttackTermsFutureRemoval(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "mallory")
	alice, bob, mallory := vs[0], vs[1], vs[2]
	if err := alice.AddTerms("Village Nine"); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	h, err := mallory.bundleHeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.Terms = []bundlefmt.Term{{Term: "Village Nine", At: "9999-01-01T00:00:00Z", Removed: true}}
	forged := sendAs(t, mallory, bob, h)
	bob.Import(ctx, bytes.NewReader(forged))
	// Bob lists it again; mallory's bundles keep coming.
	if err := bob.AddTerms("Village Nine"); err != nil {
		t.Fatal(err)
	}
	bob.Import(ctx, bytes.NewReader(forged))
	wantTerms(t, "bob", bob, "Village Nine")
}

// Alice redacts a name; bob takes it; later bob removes alice from his
// roster (she left the team). Her redaction was taken while she was on it,
// as her revisions were: check must not call bob's vault damaged for it.
func TestAttackRedactorRemovedBreaksCheck(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "carol")
	alice, bob, carol := vs[0], vs[1], vs[2]
	id := leakedInterview(t, alice)
	if _, err := alice.Redact(ctx, id, RedactOptions{Text: leak}); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	importInto(t, carol, bundleTo(t, alice, "carol"))
	mustCheck(t, "bob, alice on the roster", bob)
	if err := bob.RemoveMember("alice"); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, "bob, alice removed", bob)
	// A teammate's bundle carries alice's redaction again, with the
	// revisions it names: taken, as it was before.
	if _, err := carol.Add(ctx, []Input{sharedInput("Lake", "Another testimony.")}); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, carol, "bob"))
	// Nothing new of alice's is: a redaction she orders now, forwarded
	// by carol, is refused.
	if _, err := alice.Redact(ctx, id, RedactOptions{Text: "Officers"}); err != nil {
		t.Fatal(err)
	}
	importInto(t, carol, bundleTo(t, alice, "carol"))
	before := vaultDigest(t, bob)
	if _, err := bob.Import(ctx, bytes.NewReader(bundleTo(t, carol, "bob"))); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("a redaction alice ordered after bob removed her, forwarded by carol: %v, want ErrUnknownSigner", err)
	}
	if vaultDigest(t, bob) != before {
		t.Error("the refused bundle changed bob's vault")
	}
	mustCheck(t, "bob, at the end", bob)
}
