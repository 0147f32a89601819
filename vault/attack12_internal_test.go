package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/bundlefmt"
)

// Attacks on revision format 3 and redactions (issue 12, second review).

// A roster member (mallory) writes a format 2 revision "by alice" that
// says something alice never said, with a redaction of her own whose
// result is that content: a redacted format 1 or 2 revision is vouched for
// by its redaction alone (THREAT-MODEL.md, the known gap). The gap is said
// not to reach interviews saved since format 3, because a format 1 or 2
// revision over a format 3 one is refused; but the forged revision need not
// be over one: as a second root of alice's format 3 interview, or over a
// parent nobody has, it becomes a head beside alice's, in her name.
func TestAttackFormat2BesideFormat3(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		parents func(head string) []string
	}{
		{"a second root", func(string) []string { return []string{} }},
		{"over a missing parent", func(string) []string { return []string{strings.Repeat("ab", 32)} }},
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
			heads, err := mallory.headRevisions(ctx, view.Interview.ID)
			if err != nil || len(heads) != 1 {
				t.Fatal(heads, err)
			}
			fake := *heads[0]
			fake.Parents = c.parents(heads[0].ID)
			at, _ := time.Parse(time.RFC3339Nano, heads[0].CreatedAt)
			fake.CreatedAt = at.Add(time.Minute).UTC().Format(time.RFC3339Nano)
			fake.Record = cloneInterview(heads[0].Record)
			fake.Record.Testimony = "I made all of it up; nobody was taken."
			body, testimony, err := fake.storedBody()
			if err != nil {
				t.Fatal(err)
			}
			fake.ID = revisionID(body, testimony+" ") // not the hash of its bytes: "redacted"
			rec := bundlefmt.Revision{ID: fake.ID, Body: body, Testimony: testimony, Sig: make([]byte, ed25519.SignatureSize)}
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
				t.Errorf("a format 2 revision in alice's name that alice never signed was imported beside her format 3 one; bob now reads %q (%d heads)", got.Testimony, got.Heads)
			}
			if vaultDigest(t, bob) != before {
				t.Error("the forged revision changed bob's vault")
			}
			// A vault that took one before import refused it: check says so.
			mustCheck(t, "bob", bob)
			if _, err := bob.conn.ExecContext(ctx, `INSERT INTO revisions (id, interview, body, testimony, sig) VALUES (?, ?, ?, ?, ?)`,
				rec.ID, view.Interview.ID, string(body), testimony, rec.Sig); err != nil {
				t.Fatal(err)
			}
			if _, err := bob.conn.ExecContext(ctx, `INSERT INTO kv (ns, key, value) VALUES (?, ?, ?)`, redactionNS, "x",
				mustJSON(t, storedRedaction{Seq: 1, Body: h.Redactions[0].Body, Sig: h.Redactions[0].Sig})); err != nil {
				t.Fatal(err)
			}
			res, err := bob.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.What == "revisions" && r.OK {
					t.Errorf("check passes a vault holding the forged revision: %s", r.Details)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Alice and Bob each redact a different name from the same revision before
// they exchange: both redactions apply to the revision as signed (Before
// empty). Each vault applies its own; the teammate's then finds the
// revision already redacted and applies nothing, silently: the name the
// teammate removed stays, readable and searchable, in both vaults.
func TestAttackConcurrentRedactions(t *testing.T) {
	for _, bobs := range []string{"Kunmingcity", "took Zhouwei"} {
		t.Run(bobs, func(t *testing.T) { concurrentRedactions(t, bobs) })
	}
}

func concurrentRedactions(t *testing.T, bobs string) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := vs[0], vs[1], vs[2], vs[3]
	ids, err := alice.Add(ctx, []Input{sharedInput("River", "Officers took Zhouwei to Kunmingcity in March.")})
	if err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	importInto(t, carol, bundleTo(t, alice, "carol"))
	if _, err := alice.Redact(ctx, ids[0], RedactOptions{Text: "Zhouwei", Field: "testimony", With: "a name"}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Redact(ctx, ids[0], RedactOptions{Text: bobs, Field: "testimony", With: "a city"}); err != nil {
		t.Fatal(err)
	}
	_, errA := alice.Import(ctx, bytes.NewReader(bundleTo(t, bob, "alice")))
	_, errB := bob.Import(ctx, bytes.NewReader(bundleTo(t, alice, "bob")))
	// Carol has the revision as signed and gets every redaction from
	// Alice; Dave gets both redactions first, then the revision from Carol,
	// who never saw them; then Alice and Bob exchange again.
	fromCarol := bundleTo(t, carol, "dave")
	_, errC := carol.Import(ctx, bytes.NewReader(bundleTo(t, alice, "carol")))
	other, err := alice.Add(ctx, []Input{sharedInput("Other", "unrelated")})
	if err != nil {
		t.Fatal(err)
	}
	importInto(t, dave, bundleTo(t, alice, "dave", other[0]))
	_, errD := dave.Import(ctx, bytes.NewReader(fromCarol))
	if errA == nil && errB == nil {
		_, errA = alice.Import(ctx, bytes.NewReader(bundleTo(t, bob, "alice")))
		_, errB = bob.Import(ctx, bytes.NewReader(bundleTo(t, alice, "bob")))
	}
	for _, m := range []struct {
		name string
		v    *Vault
		err  error
	}{{"alice", alice, errA}, {"bob", bob, errB}, {"carol", carol, errC}, {"dave", dave, errD}} {
		if m.err != nil {
			t.Errorf("%s's import: %v", m.name, m.err)
			continue
		}
		got, err := m.v.Get(ids[0])
		if err != nil {
			t.Fatal(err)
		}
		all := passphraseOpens(t, m.v.Dir())
		for _, name := range []string{"Zhouwei", bobs} {
			if strings.Contains(got.Testimony, name) || bytes.Contains(all, []byte(name)) {
				t.Errorf("%s: %s, redacted by a teammate, is still in the vault; the testimony reads %q", m.name, name, got.Testimony)
			}
		}
		mustCheck(t, m.name, m.v)
		if a, _ := alice.Get(ids[0]); a.Testimony != got.Testimony {
			t.Errorf("%s reads %q, alice %q", m.name, got.Testimony, a.Testimony)
		}
	}
}

// A name that occurs many times in a long testimony: a redaction with one
// edit per occurrence. Redacting, applying and importing it took time in
// the product of the edits and the words (each edit scanned every word):
// 20,000 occurrences in a 140 KB testimony took about a minute on a
// laptop core, and a member's bundle could so hold up a teammate's import.
// It must be about linear.
func TestAttackRedactManyEdits(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	ids, err := alice.Add(ctx, []Input{sharedInput("River", strings.Repeat("Zhouwei x ", 20000))})
	if err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	start := time.Now()
	rep, err := alice.Redact(ctx, ids[0], RedactOptions{Text: "Zhouwei", Field: "testimony", With: "a name"})
	if err != nil {
		t.Fatal(err)
	}
	redact := time.Since(start)
	start = time.Now()
	importInto(t, bob, bundleTo(t, alice, "bob"))
	imp := time.Since(start)
	t.Logf("%d places: redact %v, import %v", rep.Places, redact, imp)
	if redact > 5*time.Second || imp > 5*time.Second {
		t.Errorf("redact took %v, import %v: want a few seconds at most", redact, imp)
	}
	if got, _ := bob.Get(ids[0]); strings.Contains(got.Testimony, "Zhouwei") {
		t.Error("not redacted")
	}
}

// A member's format 3 revision whose body holds, in a field of its own
// (unknown fields are kept), objects nested thousands deep under long
// keys: the scan for readable fields built each value's path by
// concatenation, so memory grew with the depth squared times the key
// length (a 5 MB body, 5,000 deep under 1 KB keys, wanted over 12 GB: the
// importer ran out of memory before any signature was checked).
func TestAttackDeepBodyPaths(t *testing.T) {
	const depth, key = 1000, 1000
	k := strings.Repeat("k", key)
	body := `{"interview":"0123456789abcdef","x":` + strings.Repeat(`{"`+k+`":`, depth) + `1` + strings.Repeat(`}`, depth) + `}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := readableRanges(body); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 20*uint64(len(body)) {
		t.Errorf("scanning a %d KB body allocated %d MB", len(body)>>10, got>>20)
	}
}

// A member redacts one word of a teammate's format 3 revision with a
// "description" that closes its bracket, says something, and opens one
// again: "[a name] said he made it all up. [a name]". It is one valid
// description ("[…]", one line, no { } |), so alice's revision, as bob
// reads it, says "Officers took [a name] said he made it all up. [a name]
// away." — words alice never wrote, between what look like two
// redactions. A bidi override in a description (U+202E) turns the
// author's words after it around on screen. A description holds no
// bracket but at its ends, and no invisible format character.
func TestAttackDescriptionReadsAsText(t *testing.T) {
	ctx := context.Background()
	for name, with := range map[string]string{
		"brackets":      "a name] said he made it all up. [a name",
		"bidi override": "a name\u202e",
	} {
		t.Run(name, func(t *testing.T) {
			vs := members(t, "alice", "bob", "mallory")
			alice, bob, mallory := vs[0], vs[1], vs[2]
			ids, err := alice.Add(ctx, []Input{sharedInput("River", "Officers took Zhouwei away.")})
			if err != nil {
				t.Fatal(err)
			}
			importInto(t, bob, bundleTo(t, alice, "bob"))
			importInto(t, mallory, bundleTo(t, alice, "mallory"))
			var rev, testimony string
			var body []byte
			if err := mallory.conn.QueryRowContext(ctx, `SELECT id, body, testimony FROM revisions`).Scan(&rev, &body, &testimony); err != nil {
				t.Fatal(err)
			}
			// Mallory's own tvault would refuse the description; she signs
			// the redaction herself.
			w := "[" + with + "]"
			edits := []redactEdit{{Part: "testimony", Offset: strings.Index(testimony, "Zhouwei"), Length: len("Zhouwei")}}
			b, tt, err := applyEdits(body, testimony, edits, w)
			if err != nil {
				t.Fatal(err)
			}
			d := &redaction{Interview: ids[0], Field: "testimony", With: w, RedactedAt: time.Now().UTC().Format(time.RFC3339Nano), Author: "mallory",
				Revisions: []redactedRevision{{ID: rev, After: contentHash(b, tt), Edits: edits}}}
			h, err := mallory.bundleHeader(ctx)
			if err != nil {
				t.Fatal(err)
			}
			h.Redactions = []bundlefmt.Redaction{signRedaction(d, mallory.member.SigningKey)}
			if _, err := bob.Import(ctx, bytes.NewReader(sendAs(t, mallory, bob, h))); err == nil {
				got, _ := bob.Get(ids[0])
				t.Errorf("bob took it and reads alice's testimony as %q", got.Testimony)
			}
			if _, err := mallory.Redact(ctx, ids[0], RedactOptions{Text: "Zhouwei", Field: "testimony", With: with}); err == nil {
				t.Error("tvault redact took the description")
			}
		})
	}
}

// A member strips the proof of a teammate's format 3 revision that another
// teammate does not hold yet and sends it with new text as a "redacted
// format 2" revision, vouched for by a redaction of her own, together with
// its genuine format 3 child. Its ID hashes to nothing either way, but its
// author signed it as format 3 ("tvault revision v3"), and a redacted
// format 1 or 2 revision must carry its author's format 1 or 2 signature
// (signedAsOld). Before, bob took it.
func TestAttackStrippedProof(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "mallory")
	alice, bob, mallory := vs[0], vs[1], vs[2]
	ids, err := alice.Add(ctx, []Input{sharedInput("River", "They took my brother away in March.")})
	if err != nil {
		t.Fatal(err)
	}
	view, _ := alice.Get(ids[0])
	edit := Input{Interview: view.Interview}
	edit.ID, edit.Testimony = ids[0], view.Marked+" He came back."
	if _, err := alice.Add(ctx, []Input{edit}); err != nil {
		t.Fatal(err)
	}
	importInto(t, mallory, bundleTo(t, alice, "mallory"))
	revs, err := mallory.History(ctx, ids[0], 0)
	if err != nil || len(revs) != 2 {
		t.Fatal(len(revs), err)
	}
	h, err := mallory.bundleHeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revs {
		var rec bundlefmt.Revision
		var proof []byte
		if err := mallory.conn.QueryRowContext(ctx, `SELECT id, body, testimony, sig, proof FROM revisions WHERE id = ?`, r.ID).Scan(&rec.ID, &rec.Body, &rec.Testimony, &rec.Sig, &proof); err != nil {
			t.Fatal(err)
		}
		rec.Proof = proof
		if len(r.Parents) == 0 {
			rec.Proof = nil
			rec.Testimony = "I made all of it up; nobody was taken."
			d := &redaction{Interview: ids[0], Field: "testimony", With: "[a word]", RedactedAt: time.Now().UTC().Format(time.RFC3339Nano), Author: "mallory",
				Revisions: []redactedRevision{{ID: rec.ID, After: contentHash(rec.Body, rec.Testimony), Edits: []redactEdit{{Part: "testimony", Offset: 0, Length: 1}}}}}
			h.Redactions = append(h.Redactions, signRedaction(d, mallory.member.SigningKey))
		}
		h.Revisions = append(h.Revisions, rec)
	}
	if _, err := bob.Import(ctx, bytes.NewReader(sendAs(t, mallory, bob, h))); err == nil {
		t.Error("bob took alice's first revision with mallory's text")
	}
}

// A member's redacted format 3 revision of a million one-letter words:
// verifying it (on every core at once, before the author is checked
// against the roster) held every leaf and hole in a list, and redacting it
// a salt and a commitment per leaf on the heap, so that a 16 MB testimony
// (the most a revision may hold) wanted about 3.5 GB to verify and 10 GB to
// redact. Memory must stay a small multiple of the text.
func TestAttackLeafMemory(t *testing.T) {
	alice := members(t, "alice")[0]
	r := &Revision{Interview: "0123456789abcdef", Parents: []string{}, Author: "alice", CreatedAt: "2026-12-03T00:00:00Z", Sealed: []string{}}
	r.AuthorKey = []byte(alice.member.SigningKey.Public().(ed25519.PublicKey))
	r.Record.Testimony = "Zhouwei " + strings.Repeat("a ", 1<<19)
	rec, err := newRevisionRecord(alice.member.SigningKey, r)
	if err != nil {
		t.Fatal(err)
	}
	size := uint64(len(rec.Testimony))
	allocated := func(f func()) uint64 {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		f()
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	var b, p []byte
	var tt string
	red := allocated(func() {
		b, tt, p, err = redactV3(rec.ID, rec.Body, rec.Testimony, rec.Proof, []redactEdit{{Part: "testimony", Offset: 0, Length: 7}}, "[x]")
	})
	if err != nil {
		t.Fatal(err)
	}
	ver := allocated(func() { _, err = verifyRevision(rec.ID, b, tt, p, rec.Sig) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d KB of testimony: redacting allocated %d MB, verifying %d MB", size>>10, red>>20, ver>>20)
	if ver > 40*size || red > 150*size {
		t.Errorf("redacting allocated %dx the testimony, verifying %dx: want at most 150x and 40x", red/size, ver/size)
	}
}

// The legitimate case the refusal above must keep: an interview begun in
// format 2, continued in format 3, redacted through both, sent to a new
// teammate who never held it. The format 2 revision is vouched for by its
// redaction and is in the history of the format 3 one: taken.
func TestRedactedFormat2UnderFormat3Taken(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "carol")
	alice, bob, carol := vs[0], vs[1], vs[2]
	rec := Interview{Pseudonym: "River", InterviewedOn: "2026-11-01", Language: "en", Mode: "in-person",
		Testimony: "Officers took Zhouwei away.", Tags: []string{}, Relatives: []Relative{}}
	rec.Consent.Record, rec.Consent.Quote, rec.Consent.Share = true, true, true
	r1 := forgedRevision(t, alice.member.SigningKey, "alice", rec)
	r1.Testimony = rec.Testimony
	var err error
	var rv Revision
	if err = json.Unmarshal(r1.Body, &rv); err != nil {
		t.Fatal(err)
	}
	rv.SpanCount = 0
	rv.Record.Testimony = rec.Testimony
	if rv.ID, err = rv.computeID(); err != nil {
		t.Fatal(err)
	}
	body, testimony, _ := rv.storedBody()
	r1 = bundlefmt.Revision{ID: rv.ID, Body: body, Testimony: testimony, Sig: signRevision(alice.member.SigningKey, rv.ID)}
	if _, err := bob.Import(ctx, bytes.NewReader(forgedBundle(t, alice, bob, nil, r1))); err != nil {
		t.Fatal(err)
	}
	view, err := bob.Get(rv.Interview)
	if err != nil {
		t.Fatal(err)
	}
	edit := Input{Interview: view.Interview}
	edit.ID, edit.Testimony = rv.Interview, view.Marked+" He came back."
	if _, err := bob.Add(ctx, []Input{edit}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Redact(ctx, rv.Interview, RedactOptions{Text: "Zhouwei", Field: "testimony", With: "a name"}); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.Import(ctx, bytes.NewReader(bundleTo(t, bob, "carol"))); err != nil {
		t.Fatalf("carol refuses the redacted history: %v", err)
	}
	mustCheck(t, "carol", carol)
	got, err := carol.Get(rv.Interview)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Testimony, "Zhouwei") || len(got.Revisions) != 2 {
		t.Errorf("carol reads %q in %d revisions", got.Testimony, len(got.Revisions))
	}
}

// A member plants, while on the roster, a redaction naming a revision no
// vault holds yet: a format 2 revision "by alice" of a new interview, its
// content whatever she likes (a redacted format 2 revision is vouched for
// by its redaction alone). Bob takes the redaction and then removes her.
// She hands the revision to carol, who has not removed her; carol's next
// bundle brings it to bob, with the redaction bob already holds: a
// removed member's new words arrive in a teammate's name. A removed
// member's redaction still verifies what it redacted here, but vouches for
// no format 1 or 2 revision new to the vault.
func TestAttackRemovedMemberPlantedRedaction(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob", "carol", "mallory")
	alice, bob, carol, mallory := vs[0], vs[1], vs[2], vs[3]
	rec := Interview{Pseudonym: "River", InterviewedOn: "2026-11-01", Language: "en", Mode: "in-person",
		Testimony: "I made all of it up; nobody was taken.", Tags: []string{}, Relatives: []Relative{}}
	rec.Consent.Record, rec.Consent.Quote, rec.Consent.Share = true, true, true
	// A real format 2 revision of alice's, from before format 3, that bob
	// does not hold: it keeps its ID and alice's signature (a redacted
	// format 1 or 2 revision must, signedAsOld), with mallory's words.
	orig := rec
	orig.Testimony = "They took my brother away in March."
	real := forgedRevision(t, alice.member.SigningKey, "alice", orig)
	var rv Revision
	if err := json.Unmarshal(real.Body, &rv); err != nil {
		t.Fatal(err)
	}
	rv.SpanCount = 0
	body, _, err := rv.storedBody()
	if err != nil {
		t.Fatal(err)
	}
	fake := bundlefmt.Revision{ID: real.ID, Body: body, Testimony: rec.Testimony, Sig: real.Sig}
	d := &redaction{Interview: rv.Interview, Field: "testimony", With: "[a word]", RedactedAt: time.Now().UTC().Format(time.RFC3339Nano), Author: "mallory",
		Revisions: []redactedRevision{{ID: fake.ID, After: contentHash(fake.Body, fake.Testimony), Edits: []redactEdit{{Part: "testimony", Offset: 0, Length: 1}}}}}
	bomb := signRedaction(d, mallory.member.SigningKey)
	h, err := mallory.bundleHeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.Redactions = []bundlefmt.Redaction{bomb}
	importInto(t, bob, sendAs(t, mallory, bob, h))
	if err := bob.RemoveMember("mallory"); err != nil {
		t.Fatal(err)
	}
	h.Revisions = []bundlefmt.Revision{fake}
	importInto(t, carol, sendAs(t, mallory, carol, h))
	before := vaultDigest(t, bob)
	if _, err := bob.Import(ctx, bytes.NewReader(bundleTo(t, carol, "bob"))); err == nil {
		if got, err := bob.Get(rv.Interview); err == nil {
			t.Errorf("bob took, after removing mallory, her revision in alice's name: %q", got.Testimony)
		}
	}
	if vaultDigest(t, bob) != before {
		t.Error("the refused bundle changed bob's vault")
	}
}

// The import that carries a teammate's redaction over one applied here is
// replayed from the journal after a crash before its checkpoint: the
// vault opens, the redacted text is not back, and check verifies.
func TestConcurrentRedactionsReplay(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	ids, err := alice.Add(ctx, []Input{sharedInput("River", "Officers took Zhouwei to Kunmingcity in March.")})
	if err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	if _, err := alice.Redact(ctx, ids[0], RedactOptions{Text: "Zhouwei", Field: "testimony", With: "a name"}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Redact(ctx, ids[0], RedactOptions{Text: "Kunmingcity", Field: "testimony", With: "a city"}); err != nil {
		t.Fatal(err)
	}
	fromBob := bundleTo(t, bob, "alice")
	// The checkpoint after the import fails: the snapshot's name is taken
	// by a folder, as if the laptop died before it.
	dir := alice.Dir()
	snap := filepath.Join(dir, snapshotName)
	if err := os.Rename(snap, snap+".kept"); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(snap, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = alice.Import(ctx, bytes.NewReader(fromBob))
	t.Logf("import: %v", err)
	alice.Close()
	if err := os.RemoveAll(snap); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(snap+".kept", snap); err != nil {
		t.Fatal(err)
	}
	re, err := Open(ctx, dir, OpenOptions{}, PassphraseIdentity([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	got, err := re.Get(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Testimony, "Zhouwei") || strings.Contains(got.Testimony, "Kunmingcity") {
		t.Errorf("after the replay alice reads %q", got.Testimony)
	}
	mustCheck(t, "alice after the replay", re)
}

// A redaction of a format 3 revision cut off before its checkpoint is
// replayed from the journal at the next open: the revision verifies by
// its author's signature and the redaction, and the name is not back.
func TestRedactReplay(t *testing.T) {
	ctx := context.Background()
	alice := members(t, "alice")[0]
	ids, err := alice.Add(ctx, []Input{sharedInput("River", "Officers took Zhouwei away.")})
	if err != nil {
		t.Fatal(err)
	}
	dir := alice.Dir()
	snap := filepath.Join(dir, snapshotName)
	if err := alice.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(snap, snap+".kept"); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(snap, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = alice.Redact(ctx, ids[0], RedactOptions{Text: "Zhouwei", Field: "testimony", With: "a name"})
	t.Logf("redact: %v", err)
	alice.Close()
	os.RemoveAll(snap)
	if err := os.Rename(snap+".kept", snap); err != nil {
		t.Fatal(err)
	}
	re, err := Open(ctx, dir, OpenOptions{}, PassphraseIdentity([]byte("correct horse battery staple")))
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	if got, err := re.Get(ids[0]); err != nil || strings.Contains(got.Testimony, "Zhouwei") {
		t.Fatalf("after the replay: %v", err)
	}
	mustCheck(t, "alice after the replay", re)
}
