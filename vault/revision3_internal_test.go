package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
)

func leafWords(s string, escapes bool) []string {
	var out []string
	eachWord(s, escapes, func(a, b int) { out = append(out, s[a:b]) })
	return out
}

func TestEachWord(t *testing.T) {
	for _, c := range []struct {
		in      string
		escapes bool
		want    []string
	}{
		{"Officers took Zhou Wei away.", false, []string{"Officers", " ", "took", " ", "Zhou", " ", "Wei", " ", "away", "."}},
		{"警察带走了周伟。", false, []string{"警", "察", "带", "走", "了", "周", "伟", "。"}},
		{"김철수, née Müller", false, []string{"김철수", ", ", "née", " ", "Müller"}},
		{`a\n\u003cb\\c`, true, []string{"a", `\n`, `\u003c`, "b", `\\`, "c"}},
		{`a\nb`, false, []string{"a", `\`, "nb"}},
		{`x\`, true, []string{"x", `\`}},
	} {
		if got := leafWords(c.in, c.escapes); !slices.Equal(got, c.want) {
			t.Errorf("leafWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// The words of a slice cut at word bounds are the words between them:
	// a verifier cuts the kept text of a redacted revision around its holes.
	for _, s := range []string{"They took my brother, 周伟, away in March 2019.", `near Zhou\u0027s \"house\"\n`} {
		var bounds []int
		eachWord(s, true, func(a, b int) { bounds = append(bounds, a) })
		bounds = append(bounds, len(s))
		all := leafWords(s, true)
		for i := range bounds {
			for j := i; j < len(bounds); j++ {
				if got := leafWords(s[bounds[i]:bounds[j]], true); !slices.Equal(got, all[i:j]) && !(len(got) == 0 && i == j) {
					t.Fatalf("words of %q = %q, want %q", s[bounds[i]:bounds[j]], got, all[i:j])
				}
			}
		}
	}
}

// A format 3 revision redacted keeps its ID and its author's signature,
// however many times it is redacted, and across chunks of salts.
func TestRedactV3(t *testing.T) {
	ctx := context.Background()
	alice := members(t, "alice")[0]
	long := strings.Repeat("Nothing to hide here. ", 100) // more than a chunk of leaves
	in := sharedInput("River", long+"Officers took Zhou Wei away. 警察带走了周伟。"+long)
	in.Location = "near Zhou Wei's house"
	in.Relatives = []Relative{{Relation: "cousin of Zhou Wei", Harms: []string{"detained"}}}
	ids, err := alice.Add(ctx, []Input{in})
	if err != nil {
		t.Fatal(err)
	}
	var id, testimony string
	var body, proof, sig []byte
	if err := alice.conn.QueryRowContext(ctx, `SELECT id, body, testimony, proof, sig FROM revisions`).Scan(&id, &body, &testimony, &proof, &sig); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, field string }{{"Zhou", ""}, {"伟", "testimony"}, {"Wei", ""}} {
		if _, err := alice.Redact(ctx, ids[0], RedactOptions{Text: c.text, Field: c.field, With: "a name"}); err != nil {
			t.Fatal(c.text, err)
		}
		var b, tt, p []byte
		if err := alice.conn.QueryRowContext(ctx, `SELECT body, testimony, proof FROM revisions WHERE id = ?`, id).Scan(&b, &tt, &p); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b)+string(tt), c.text) {
			t.Fatalf("%q still stored", c.text)
		}
		if _, err := verifyRevision(id, b, string(tt), p, sig); err != nil {
			t.Fatalf("after redacting %q: %v", c.text, err)
		}
		var rp revisionProof
		json.Unmarshal(p, &rp)
		if rp.Seed != nil || len(rp.Keys) == 0 || len(rp.Salts) == 0 {
			t.Fatalf("redacted proof: seed %v, %d keys, %d salts", rp.Seed != nil, len(rp.Keys), len(rp.Salts)/saltSize)
		}
	}
	got, _ := alice.Get(ids[0])
	if strings.Contains(got.Testimony, "Zhou") || !strings.Contains(got.Testimony, "Officers took [a name] [a name] away") || !strings.Contains(got.Testimony, "带走了周[a name]") {
		t.Errorf("testimony after redaction: %q", got.Testimony[len(long):len(got.Testimony)-len(long)])
	}
	mustCheck(t, "alice", alice)
	// A whole field that holds a description already: its hole goes into
	// the new one.
	if _, err := alice.Redact(ctx, ids[0], RedactOptions{Field: "location", With: "a town"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := alice.Get(ids[0]); got.Location != "[a town]" {
		t.Errorf("location = %q", got.Location)
	}
	mustCheck(t, "alice", alice)
}

// A passage that is part of a word is widened to the whole word in a
// format 3 revision.
func TestRedactV3WholeWords(t *testing.T) {
	ctx := context.Background()
	alice := members(t, "alice")[0]
	ids, err := alice.Add(ctx, []Input{sharedInput("River", "ZhouWei and Zhou came.")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Redact(ctx, ids[0], RedactOptions{Text: "Zhou", Field: "testimony", With: "a name"}); err != nil {
		t.Fatal(err)
	}
	got, _ := alice.Get(ids[0])
	if got.Testimony != "[a name] and [a name] came." {
		t.Errorf("testimony = %q", got.Testimony)
	}
	mustCheck(t, "alice", alice)
}

// guessConfirmed reports whether what a holder of a redacted revision
// (stored content, proof, ID) can compute confirms that guess is what
// each "[a name]" replaced: the format 2 ID of the text with the guess put
// back, or a removed leaf's commitment under any salt the holder has (with
// seed, those of every leaf).
func guessConfirmed(t *testing.T, id string, body []byte, testimony string, proof []byte, guess string, seed []byte) bool {
	t.Helper()
	desc := "[a name]"
	b := bytes.ReplaceAll(body, jsonText(desc), jsonText(guess))
	tt := strings.ReplaceAll(testimony, desc, guess)
	if revisionID(b, tt) == id {
		return true
	}
	if len(proof) == 0 {
		return false
	}
	p, err := parseProof(id, proof)
	if err != nil {
		t.Fatal(err)
	}
	var salts [][]byte
	for i := 0; i+saltSize <= len(p.Salts); i += saltSize {
		salts = append(salts, p.Salts[i:i+saltSize])
	}
	streams := [][]byte{}
	for _, k := range p.Keys {
		streams = append(streams, chunkSalts(k.Key))
	}
	for j := range 4 {
		if seed != nil {
			streams = append(streams, chunkSalts(chunkKeyOf(seed, j)))
		}
	}
	for _, s := range streams {
		for i := 0; i < len(s); i += saltSize {
			salts = append(salts, s[i:i+saltSize])
		}
	}
	// A hole is confirmed if each of its leaves is the commitment of the
	// guess's word at its place under some salt.
	guessed := leafWords(guess, false)
	for _, h := range p.Holes {
		if len(h.Leaves) != len(guessed) {
			continue
		}
		all := true
		for i, c := range h.Leaves {
			one := false
			for _, s := range salts {
				if got := leafCommit(s, guessed[i]); bytes.Equal(got[:], c) {
					one = true
					break
				}
			}
			all = all && one
		}
		if all {
			return true
		}
	}
	return false
}

// A redacted revision's stored bytes, its ID and everything a bundle
// carries confirm no guess of the name it lost: a right guess and a wrong
// one are told apart by nothing (with a format 2 revision, the ID is the
// hash of the original text and confirms the right one). The check has
// teeth: given the seed the redaction dropped, it confirms the right guess.
func TestRedactedRevisionConfirmsNoGuess(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	in := sharedInput("River", "Officers took "+leak+" away. Later "+leak+" came back.")
	in.Location = "near " + leak
	ids, err := alice.Add(ctx, []Input{in})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	var proofBefore []byte
	if err := alice.conn.QueryRowContext(ctx, `SELECT id, proof FROM revisions`).Scan(&id, &proofBefore); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Redact(ctx, ids[0], RedactOptions{Text: leak, With: "a name"}); err != nil {
		t.Fatal(err)
	}
	bundle := bundleTo(t, alice, "bob")
	plain, err := bundlefmt.Decrypt(bytes.NewReader(bundle), bob.member.Identity)
	if err != nil {
		t.Fatal(err)
	}
	body, err := bundlefmt.Parse(bytes.NewReader(plain), nil)
	if err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundle)
	wrong := "Wang Fang"
	for _, guess := range []string{leak, wrong} {
		sum := sha256.Sum256([]byte(guess))
		for _, needle := range []string{guess, hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:])} {
			if bytes.Contains(plain, []byte(needle)) {
				t.Errorf("the bundle holds %q", needle)
			}
		}
	}
	var seen []bool
	for _, guess := range []string{leak, wrong} {
		confirmed := false
		for _, r := range body.Revisions {
			confirmed = confirmed || guessConfirmed(t, r.ID, r.Body, r.Testimony, r.Proof, guess, nil)
		}
		var b, tt, p []byte
		if err := bob.conn.QueryRowContext(ctx, `SELECT body, testimony, proof FROM revisions WHERE id = ?`, id).Scan(&b, &tt, &p); err != nil {
			t.Fatal(err)
		}
		confirmed = confirmed || guessConfirmed(t, id, b, string(tt), p, guess, nil)
		seen = append(seen, confirmed)
	}
	if seen[0] || seen[1] {
		t.Errorf("confirmed: right guess %v, wrong guess %v; want neither", seen[0], seen[1])
	}
	// Teeth: with the seed the redaction dropped, the right guess shows.
	var p revisionProof
	json.Unmarshal(proofBefore, &p)
	r := body.Revisions[0]
	if !guessConfirmed(t, r.ID, r.Body, r.Testimony, r.Proof, leak, p.Seed) || guessConfirmed(t, r.ID, r.Body, r.Testimony, r.Proof, wrong, p.Seed) {
		t.Error("with the seed, the check does not tell the right guess from the wrong one")
	}
}

// redactedSample returns a stored format 3 revision of alice's, redacted.
func redactedSample(t testing.TB, alice *Vault) (id string, body []byte, testimony string, proof, sig []byte) {
	t.Helper()
	ctx := context.Background()
	in := sharedInput("River", "Officers took "+leak+" away.")
	in.Location = "near " + leak
	ids, err := alice.Add(ctx, []Input{in})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Redact(ctx, ids[0], RedactOptions{Text: leak, With: "a name"}); err != nil {
		t.Fatal(err)
	}
	if err := alice.conn.QueryRowContext(ctx, `SELECT id, body, testimony, proof, sig FROM revisions`).Scan(&id, &body, &testimony, &proof, &sig); err != nil {
		t.Fatal(err)
	}
	return id, body, testimony, proof, sig
}

// A malformed or dishonest proof is refused as damage, never a panic.
func TestVerifyV3Refuses(t *testing.T) {
	alice := members(t, "alice")[0]
	id, body, testimony, proof, sig := redactedSample(t, alice)
	if _, err := verifyRevision(id, body, testimony, proof, sig); err != nil {
		t.Fatal(err)
	}
	var p revisionProof
	if err := json.Unmarshal(proof, &p); err != nil {
		t.Fatal(err)
	}
	at := strings.Index(testimony, "[a name]")
	for name, c := range map[string]struct {
		edit      func(p *revisionProof)
		testimony string
	}{
		"huge length":       {edit: func(p *revisionProof) { p.Holes[len(p.Holes)-1].Length = 1 << 62 }},
		"offset past end":   {edit: func(p *revisionProof) { p.Holes[len(p.Holes)-1].Offset = 1 << 40 }},
		"hole in frame":     {edit: func(p *revisionProof) { p.Holes[0].Offset = 1 }},
		"huge chunk key":    {edit: func(p *revisionProof) { p.Keys = append(p.Keys, chunkKey{Chunk: 1 << 60, Key: make([]byte, 32)}) }},
		"salts cut":         {edit: func(p *revisionProof) { p.Salts = p.Salts[:len(p.Salts)-saltSize] }},
		"salts added":       {edit: func(p *revisionProof) { p.Salts = append(p.Salts, make([]byte, saltSize)...) }},
		"salts odd":         {edit: func(p *revisionProof) { p.Salts = p.Salts[:len(p.Salts)-1] }},
		"leaf short":        {edit: func(p *revisionProof) { p.Holes[0].Leaves[0] = p.Holes[0].Leaves[0][:31] }},
		"leaf dropped":      {edit: func(p *revisionProof) { p.Holes[0].Leaves = p.Holes[0].Leaves[1:] }},
		"holes reordered":   {edit: func(p *revisionProof) { p.Holes[0], p.Holes[1] = p.Holes[1], p.Holes[0] }},
		"seed and holes":    {edit: func(p *revisionProof) { p.Seed = make([]byte, seedSize) }},
		"key of a removed":  {edit: func(p *revisionProof) { p.Keys = []chunkKey{{Chunk: 0, Key: make([]byte, 32)}} }},
		"kept text changed": {testimony: strings.Replace(testimony, "Officers", "Soldiers", 1)},
		"text added":        {testimony: testimony + " Nobody was taken."},
		"not a description": {testimony: testimony[:at] + "Li Hua!!" + testimony[at+len("[a name]"):]},
	} {
		t.Run(name, func(t *testing.T) {
			q := p
			q.Holes = slices.Clone(p.Holes)
			for i := range q.Holes {
				q.Holes[i].Leaves = slices.Clone(p.Holes[i].Leaves)
			}
			q.Keys = slices.Clone(p.Keys)
			q.Salts = slices.Clone(p.Salts)
			if c.edit != nil {
				c.edit(&q)
			}
			tt := testimony
			if c.testimony != "" {
				tt = c.testimony
			}
			b, _ := json.Marshal(&q)
			if _, err := verifyRevision(id, body, tt, b, sig); err == nil {
				t.Error("verified")
			}
		})
	}
}

// FuzzVerifyV3 feeds verification a redacted revision's proof and text,
// changed: it refuses or verifies, never panics.
func FuzzVerifyV3(f *testing.F) {
	dir := f.TempDir()
	c, err := crypto.NewIdentity()
	if err != nil {
		f.Fatal(err)
	}
	alice, err := Create(filepath.Join(dir, "alice"), CreateOptions{Name: "alice", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		f.Fatal(err)
	}
	defer alice.Close()
	id, body, testimony, proof, sig := redactedSample(f, alice)
	f.Add(body, testimony, proof)
	f.Fuzz(func(t *testing.T, body []byte, testimony string, proof []byte) {
		verifyRevision(id, body, testimony, proof, sig)
		if p, err := parseProof(id, proof); err == nil {
			idV3(body, testimony, p)
			alignEdits(id, body, testimony, proof, []redactEdit{{Part: "testimony", Offset: 1, Length: 2}})
			redactV3(id, body, testimony, proof, []redactEdit{{Part: "testimony", Offset: 0, Length: 3}}, "[x]")
		}
	})
}

// BenchmarkRevisionFormat is the cost of making (and of verifying) one
// revision of about 5 KB of testimony, English or Chinese, in format 3 and
// in format 2.
func BenchmarkRevisionFormat(b *testing.B) {
	_, sk, _ := ed25519.GenerateKey(nil)
	for _, lang := range []string{"en", "zh"} {
		text := map[string]string{"en": "They came at night and took my brother to the station; we waited for news. ",
			"zh": "他们夜里来了，把我哥哥带到派出所，我们一直在等消息。"}[lang]
		in := Interview{Pseudonym: "River", Location: "a village near the river", Testimony: strings.Repeat(text, 5000/len(text)+1)[:5000]}
		in.Testimony = strings.ToValidUTF8(in.Testimony, "")
		rev := &Revision{Interview: "0123456789abcdef", Author: "alice", AuthorKey: []byte(sk.Public().(ed25519.PublicKey)),
			CreatedAt: "2026-12-03T12:00:00Z", Record: in}
		b.Run(lang+"/v3/make", func(b *testing.B) {
			b.SetBytes(int64(len(in.Testimony)))
			for b.Loop() {
				if _, err := newRevisionRecord(sk, rev); err != nil {
					b.Fatal(err)
				}
			}
		})
		rec, _ := newRevisionRecord(sk, rev)
		b.Run(lang+"/v3/verify", func(b *testing.B) {
			b.SetBytes(int64(len(in.Testimony)))
			for b.Loop() {
				if _, err := verifyRevision(rec.ID, rec.Body, rec.Testimony, rec.Proof, rec.Sig); err != nil {
					b.Fatal(err)
				}
			}
		})
		body, testimony, _ := rev.storedBody()
		id := revisionID(body, testimony)
		sig := signRevision(sk, id)
		b.Run(lang+"/v2/verify", func(b *testing.B) {
			b.SetBytes(int64(len(in.Testimony)))
			for b.Loop() {
				if _, err := verifyRevision(id, body, testimony, nil, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A relative's harms can be redacted (a harm can name a place or a
// person), and the redacted revision travels and verifies.
func TestRedactHarm(t *testing.T) {
	ctx := context.Background()
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	in := sharedInput("River", "A testimony.")
	in.Relatives = []Relative{{Relation: "brother", Harms: []string{"detained in " + strings.ToLower(leak) + "'s village", "beaten"}}}
	ids, err := alice.Add(ctx, []Input{in})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Redact(ctx, ids[0], RedactOptions{Text: strings.ToLower(leak), Field: "harm", With: "a name"}); err != nil {
		t.Fatal(err)
	}
	importInto(t, bob, bundleTo(t, alice, "bob"))
	for _, v := range []*Vault{alice, bob} {
		got, err := v.Get(ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if h := got.Relatives[0].Harms; !slices.Equal(h, []string{"detained in [a name]'s village", "beaten"}) {
			t.Errorf("harms = %q", h)
		}
		mustCheck(t, v.member.Name, v)
	}
}
