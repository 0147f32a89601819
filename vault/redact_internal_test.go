package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
	"github.com/tvault/tvault/internal/coerced"
)

const leak = "Zhou Wei"

// inSegments reports whether the search indexes' segments hold token,
// even marked deleted. Hangul sorts after Han and Latin, so a Hangul token
// that shares no first character with another is stored whole, not cut by
// the prefix compression of the terms before it (search_internal_test.go).
func inSegments(t *testing.T, v *Vault, token string) bool {
	t.Helper()
	var n int
	if err := v.conn.QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM testimony_fts_data WHERE instr(block, CAST(?1 AS BLOB)) > 0) +
		(SELECT count(*) FROM cjk_fts_data WHERE instr(block, CAST(?1 AS BLOB)) > 0)`, token).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// passphraseOpens returns everything the vault passphrase opens of the vault
// in dir: the snapshot and every journal frame, read with age alone.
func passphraseOpens(t *testing.T, dir string) []byte {
	t.Helper()
	slots, _ := filepath.Glob(filepath.Join(dir, "keys", "passphrase-*.age"))
	var all [][]byte
	for _, s := range slots {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		id, err := crypto.OpenSlot(data, []byte("correct horse battery staple"))
		if err != nil {
			t.Fatal(err)
		}
		parts, err := coerced.Open(dir, id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, parts...)
	}
	if len(all) == 0 {
		t.Fatal("no slot opened")
	}
	return bytes.Join(all, nil)
}

// leakedInterview adds to v an interview whose testimony, location and a
// relative's relation hold the leaked name, in two revisions, and returns
// its ID.
func leakedInterview(t *testing.T, v *Vault) string {
	t.Helper()
	ctx := context.Background()
	in := sharedInput("River", "Officers took "+leak+" away. Later "+leak+" came back. {{secret place|a village}} 警察带走了周伟。 김철수.")
	in.Location = "near " + leak + "'s house"
	in.Relatives = []Relative{{Relation: "cousin of " + leak, Harms: []string{"detained"}}}
	ids, err := v.Add(ctx, []Input{in})
	if err != nil {
		t.Fatal(err)
	}
	view, err := v.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	edit := Input{Interview: view.Interview}
	edit.ID, edit.Testimony = ids[0], view.Marked
	edit.Testimony += "\nA second session; " + leak + " was there."
	if _, err := v.Add(ctx, []Input{edit}); err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func mustCheck(t *testing.T, who string, v *Vault) []CheckResult {
	t.Helper()
	res, err := v.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !r.OK {
			t.Errorf("%s: check %s fails: %s", who, r.What, r.Details)
		}
	}
	return res
}

func importInto(t *testing.T, to *Vault, bundle []byte) *ImportReport {
	t.Helper()
	rep, err := to.Import(context.Background(), bytes.NewReader(bundle))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// After a redaction and an exchange with a teammate, neither vault,
// decrypted with its passphrase, holds the redacted text, and check
// verifies both; a teammate's draft of the interview is scrubbed too. A
// third member who never saw the redaction sends the old revision later:
// it is stored redacted.
func TestRedactExchange(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := vs[0], vs[1], vs[2], vs[3]
	id := leakedInterview(t, alice)
	importInto(t, bob, bundleTo(t, alice, "bob"))
	importInto(t, carol, bundleTo(t, alice, "carol"))
	// Bob was editing it.
	view, _ := bob.Get(id)
	draft := Input{Interview: view.Interview}
	draft.ID, draft.Testimony = "", view.Marked
	draft.Testimony += " Bob's note on " + leak + "."
	if err := bob.SaveDraft("draft-bob", id, draft); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*Vault{alice, bob} {
		if !bytes.Contains(passphraseOpens(t, v.Dir()), []byte(leak)) || !inSegments(t, v, "김철수") || !inSegments(t, v, "김철") {
			t.Fatal("the leak is not in the store and the indexes before the redaction: the test proves nothing")
		}
	}

	rep, err := alice.Redact(ctx, id[:8], RedactOptions{Text: leak, With: "a relative's name"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"周伟", "김철수"} {
		if _, err := alice.Redact(ctx, id, RedactOptions{Text: name, Field: "testimony", With: "a relative's name"}); err != nil {
			t.Fatal(err)
		}
	}
	if rep.Revisions != 2 || rep.Places != 9 {
		t.Errorf("report %+v, want 2 revisions, 9 places", rep)
	}
	ir := importInto(t, bob, bundleTo(t, alice, "bob"))
	if ir.Redactions != 3 {
		t.Errorf("bob's import brought %d redactions, want 3", ir.Redactions)
	}
	// Dave gets the redaction with an unrelated interview only, then the
	// old revisions from Carol, who never saw the redaction.
	other, err := alice.Add(ctx, []Input{sharedInput("Other", "unrelated")})
	if err != nil {
		t.Fatal(err)
	}
	importInto(t, dave, bundleTo(t, alice, "dave", other[0]))
	if _, err := carol.Add(ctx, []Input{sharedInput("Carol's", "new work")}); err != nil {
		t.Fatal(err)
	}
	importInto(t, dave, bundleTo(t, carol, "dave"))
	// And Carol's bundle to Alice, who redacted: not brought back either.
	importInto(t, alice, bundleTo(t, carol, "alice"))

	for _, m := range []struct {
		name string
		v    *Vault
	}{{"alice", alice}, {"bob", bob}, {"dave", dave}} {
		got, err := m.v.Get(id)
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if !strings.Contains(got.Testimony, "[a relative's name] away") || !strings.Contains(got.Location, "[a relative's name]") {
			t.Errorf("%s shows testimony %q, location %q", m.name, got.Testimony, got.Location)
		}
		for _, r := range got.Revisions {
			if r.RedactedBy != "alice" {
				t.Errorf("%s: revision %s shows redacted by %q, want alice", m.name, short(r.ID), r.RedactedBy)
			}
		}
		if hits, _ := m.v.Search(ctx, "Zhou"); len(hits) != 0 {
			t.Errorf("%s: search finds the redacted name", m.name)
		}
		if hits, _ := m.v.Search(ctx, "relative's name"); len(hits) != 1 {
			t.Errorf("%s: search finds %d interviews by the description, want 1", m.name, len(hits))
		}
		res := mustCheck(t, m.name, m.v)
		if !strings.Contains(res[4].Details+res[3].Details+res[5].Details, "redacted") {
			t.Errorf("%s: check does not say revisions were verified through a redaction: %+v", m.name, res)
		}
		if all := passphraseOpens(t, m.v.Dir()); bytes.Contains(all, []byte(leak)) || bytes.Contains(all, []byte("周伟")) || bytes.Contains(all, []byte("김철수")) {
			t.Errorf("%s: the vault passphrase still opens the redacted name", m.name)
		}
		if hits, _ := m.v.Search(ctx, "周伟"); len(hits) != 0 {
			t.Errorf("%s: search finds the redacted Chinese name", m.name)
		}
		if inSegments(t, m.v, "김철수") || inSegments(t, m.v, "김철") {
			t.Errorf("%s: the search indexes' segments still hold the redacted name", m.name)
		}
	}
	// Bob's draft keeps his work, without the name.
	drafts, err := bob.Drafts()
	if err != nil || len(drafts) != 1 {
		t.Fatalf("bob's drafts: %d, %v", len(drafts), err)
	}
	if d := drafts[0].Record.Testimony; strings.Contains(d, leak) || !strings.Contains(d, "Bob's note on [a relative's name].") {
		t.Errorf("bob's draft reads %q", d)
	}
	// The audit event names the interview and field, never the text.
	events, _ := alice.Audit(ctx)
	found := false
	for _, e := range events {
		b, _ := json.Marshal(e)
		if bytes.Contains(b, []byte(leak)) {
			t.Errorf("an audit event holds the name: %s", b)
		}
		found = found || (e.Kind == EventRedact && e.Subject == id && strings.Contains(e.Details, "field all, 2 revisions"))
	}
	if !found {
		t.Error("no redact event in the audit log")
	}
	// Reopened, the vaults still verify (the journal replays the redaction).
	dir := alice.Dir()
	alice.Close()
	re, err := Open(ctx, dir, OpenOptions{}, PassphraseIdentity([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	mustCheck(t, "alice reopened", re)
}

// The record itself holds neither the text nor a hash of it alone.
func TestRedactionRecordHoldsNoText(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice := vs[0]
	id := leakedInterview(t, alice)
	if _, err := alice.Redact(context.Background(), id, RedactOptions{Text: leak}); err != nil {
		t.Fatal(err)
	}
	recs, _, err := loadRedactions(context.Background(), alice.conn)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d redactions, %v", len(recs), err)
	}
	if bytes.Contains(recs[0].Body, []byte(leak)) || bytes.Contains(recs[0].Body, []byte("Zhou")) {
		t.Errorf("the redaction holds the text: %s", recs[0].Body)
	}
}

// A redaction of a passage the interview does not hold is refused, and so
// are bad options; neither changes anything nor repeats the passage.
func TestRedactRefused(t *testing.T) {
	vs := members(t, "alice")
	alice := vs[0]
	id := leakedInterview(t, alice)
	for _, c := range []struct {
		opts RedactOptions
		want error
	}{
		{RedactOptions{Text: "Absent Name"}, ErrNotFound},
		{RedactOptions{Text: leak, Field: "mode"}, ErrInvalid},
		{RedactOptions{}, ErrInvalid},
		{RedactOptions{Text: leak, With: "a {{x}}"}, ErrInvalid},
		{RedactOptions{Text: "secret place"}, ErrNotFound}, // sealed, not in the store
		{RedactOptions{Text: "village"}, ErrInvalid},       // inside a span's marker
	} {
		_, err := alice.Redact(context.Background(), id, c.opts)
		if !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.opts, err, c.want)
		}
		if err != nil && c.opts.Text != "" && strings.Contains(err.Error(), c.opts.Text) {
			t.Errorf("the error repeats the passage: %v", err)
		}
	}
	if recs, _, _ := loadRedactions(context.Background(), alice.conn); len(recs) != 0 {
		t.Errorf("%d redactions stored after refusals", len(recs))
	}
}

// A whole field: location, in every revision.
func TestRedactField(t *testing.T) {
	vs := members(t, "alice")
	alice := vs[0]
	id := leakedInterview(t, alice)
	rep, err := alice.Redact(context.Background(), id, RedactOptions{Field: "location", With: "a place"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Revisions != 2 {
		t.Errorf("report %+v", rep)
	}
	got, _ := alice.Get(id)
	if got.Location != "[a place]" || !strings.Contains(got.Testimony, leak) {
		t.Errorf("location %q, testimony %q", got.Location, got.Testimony)
	}
	mustCheck(t, "alice", alice)
	// And then the name in what is left, a second redaction on top.
	if _, err := alice.Redact(context.Background(), id, RedactOptions{Text: leak}); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, "alice", alice)
}

// forgedRedaction is a bundle from alice to bob carrying alice's interviews
// and one redaction, made with sign, not by Redact.
func forgedRedaction(t *testing.T, alice, bob *Vault, id string, signer ed25519.PrivateKey, tamper bool, mutate ...func(*redaction)) []byte {
	t.Helper()
	ctx := context.Background()
	d, _, err := alice.planRedaction(ctx, id, &RedactOptions{Text: leak})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mutate {
		m(d)
	}
	d.AuthorKey = []byte(signer.Public().(ed25519.PublicKey))
	body, _ := json.Marshal(d)
	sig := ed25519.Sign(signer, append([]byte(redactionDomain), body...))
	if tamper {
		body = bytes.Replace(body, []byte(`"field":"all"`), []byte(`"field":"any"`), 1)
	}
	h, err := alice.bundleHeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.Redactions = []bundlefmt.Redaction{{Body: body, Sig: sig}}
	_, c, _ := bob.Card()
	r, err := age.ParseHybridRecipient(c.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := bundlefmt.Encrypt(&buf, h, alice.member.SigningKey, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A forged redaction, by someone off the roster or with a bad signature, is
// refused and changes nothing.
func TestRedactionForged(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	id := leakedInterview(t, alice)
	importInto(t, bob, bundleTo(t, alice, "bob"))
	_, stranger, _ := ed25519.GenerateKey(nil)
	for _, c := range []struct {
		name   string
		signer ed25519.PrivateKey
		tamper bool
		want   error
	}{
		{"off roster", stranger, false, ErrUnknownSigner},
		{"bad signature", alice.member.SigningKey, true, ErrDamaged},
	} {
		before := vaultDigest(t, bob)
		_, err := bob.Import(context.Background(), bytes.NewReader(forgedRedaction(t, alice, bob, id, c.signer, c.tamper)))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if vaultDigest(t, bob) != before {
			t.Errorf("%s: the refused bundle changed bob's vault", c.name)
		}
		got, _ := bob.Get(id)
		if !strings.Contains(got.Testimony, leak) {
			t.Errorf("%s: the forged redaction was applied", c.name)
		}
	}
	// Signed by a member, but changing more than text: the time of a
	// revision, with the hash it gives.
	before := vaultDigest(t, bob)
	shape := func(d *redaction) {
		rr := &d.Revisions[0]
		var body []byte
		var testimony string
		if err := alice.conn.QueryRowContext(context.Background(), `SELECT body, testimony FROM revisions WHERE id = ?`, rr.ID).Scan(&body, &testimony); err != nil {
			t.Fatal(err)
		}
		at := bytes.Index(body, []byte(`"created_at":"`)) + len(`"created_at":"`)
		rr.Edits = []redactEdit{{Part: "body", Offset: at, Length: 4}}
		b, tt, err := applyEdits(body, testimony, rr.Edits, d.With)
		if err != nil {
			t.Fatal(err)
		}
		rr.After = contentHash(b, tt)
		d.Revisions = d.Revisions[:1]
	}
	if _, err := bob.Import(context.Background(), bytes.NewReader(forgedRedaction(t, alice, bob, id, alice.member.SigningKey, false, shape))); !errors.Is(err, ErrDamaged) {
		t.Errorf("a redaction of more than text: %v, want damaged", err)
	}
	if vaultDigest(t, bob) != before {
		t.Error("the refused redaction of more than text changed bob's vault")
	}

	// The same record honestly signed by alice is taken.
	if rep := importInto(t, bob, forgedRedaction(t, alice, bob, id, alice.member.SigningKey, false)); rep.Redactions != 1 {
		t.Errorf("honest redaction: %+v", rep)
	}
	mustCheck(t, "bob", bob)
}

// BenchmarkRedact redacts a name from one interview of a vault of 2,000
// (5 KB of testimony each): the redaction, and the checkpoint that rewrites
// the vault without it.
func BenchmarkRedact(b *testing.B) {
	ctx := context.Background()
	c, err := crypto.NewIdentity()
	if err != nil {
		b.Fatal(err)
	}
	v, err := Create(filepath.Join(b.TempDir(), "v"), CreateOptions{Name: "alice", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	const n = 2000
	inputs := make([]Input, n)
	filler := strings.Repeat("The officers came again and asked about the family. ", 100)
	for i := range inputs {
		inputs[i] = sharedInput(fmt.Sprintf("P%d", i), fmt.Sprintf("%s Name%04d was there.", filler, i))
	}
	ids, err := v.Add(ctx, inputs)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := v.Redact(ctx, ids[i%n], RedactOptions{Text: fmt.Sprintf("Name%04d", i%n)}); err != nil {
			b.Fatal(err)
		}
	}
}

// check verifies a redacted revision through its redaction: the
// redaction's signature, its author on the roster, and the stored content
// hashing to what it names. Each altered, check fails.
func TestCheckRedacted(t *testing.T) {
	ctx := context.Background()
	failsRevisions := func(v *Vault) bool {
		res, err := v.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.What == "revisions" {
				return !r.OK
			}
		}
		t.Fatal("no revisions line")
		return false
	}
	t.Run("content", func(t *testing.T) {
		alice := members(t, "alice")[0]
		id := leakedInterview(t, alice)
		if _, err := alice.Redact(ctx, id, RedactOptions{Text: leak}); err != nil {
			t.Fatal(err)
		}
		if failsRevisions(alice) {
			t.Fatal("check fails an honest redaction")
		}
		if _, err := alice.conn.ExecContext(ctx, `UPDATE revisions SET testimony = testimony || 'x' WHERE interview = ?`, id); err != nil {
			t.Fatal(err)
		}
		if !failsRevisions(alice) {
			t.Error("check passes a redacted revision altered after its redaction")
		}
	})
	t.Run("signature", func(t *testing.T) {
		alice := members(t, "alice")[0]
		id := leakedInterview(t, alice)
		if _, err := alice.Redact(ctx, id, RedactOptions{Text: leak}); err != nil {
			t.Fatal(err)
		}
		recs, _, _ := loadRedactions(ctx, alice.conn)
		bad := storedRedaction{Seq: 1, Body: recs[0].Body, Sig: make([]byte, ed25519.SignatureSize)}
		value, _ := json.Marshal(bad)
		if _, err := alice.conn.ExecContext(ctx, `UPDATE kv SET value = ? WHERE ns = ?`, value, redactionNS); err != nil {
			t.Fatal(err)
		}
		if !failsRevisions(alice) {
			t.Error("check passes a revision redacted by a redaction with a bad signature")
		}
	})
	t.Run("off roster", func(t *testing.T) {
		alice := members(t, "alice")[0]
		id := leakedInterview(t, alice)
		d, _, err := alice.planRedaction(ctx, id, &RedactOptions{Text: leak})
		if err != nil {
			t.Fatal(err)
		}
		_, stranger, _ := ed25519.GenerateKey(nil)
		d.AuthorKey = []byte(stranger.Public().(ed25519.PublicKey))
		body, _ := json.Marshal(d)
		sig := ed25519.Sign(stranger, append([]byte(redactionDomain), body...))
		// Planted: what someone holding the passphrase could write.
		if err := alice.commit(&change{Redactions: []redactionRecord{{Body: body, Sig: sig}}}); err != nil {
			t.Fatal(err)
		}
		if !failsRevisions(alice) {
			t.Error("check passes a revision redacted by someone off the roster")
		}
	})
}

// A redaction made before its author rotated their member key still
// travels: from the author's next bundle, and forwarded by a teammate to
// one who has it already; check verifies it after the rotation.
func TestRedactionAcrossKeyRotation(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "carol")
	alice, bob, carol := vs[0], vs[1], vs[2]
	id := leakedInterview(t, alice)
	importInto(t, bob, bundleTo(t, alice, "bob"))
	importInto(t, carol, bundleTo(t, alice, "carol"))
	if _, err := alice.Redact(ctx, id, RedactOptions{Text: leak}); err != nil {
		t.Fatal(err)
	}
	importInto(t, carol, bundleTo(t, alice, "carol"))
	if _, err := alice.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	importInto(t, carol, bundleTo(t, bob, "carol"))
	for _, m := range []struct {
		name string
		v    *Vault
	}{{"alice", alice}, {"bob", bob}, {"carol", carol}} {
		got, err := m.v.Get(id)
		if err != nil || strings.Contains(got.Testimony, leak) {
			t.Errorf("%s: %v, or the name is back", m.name, err)
		}
		mustCheck(t, m.name, m.v)
	}
}
