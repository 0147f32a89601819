package vault

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// randomText is text of the kinds that cut into leaves differently: ASCII
// words and runs of spaces, Han, kana and Hangul, Latin-1 letters and
// signs, emoji, characters JSON escapes (quotes, backslashes, controls,
// <>&, U+2028), words longer than a SHA-256 block, and the odd invalid
// byte.
func randomText(r *rand.Rand, n int) string {
	pieces := []string{"the", "Officers", "Zhou", "Wei", "a", "1989", "x9", " ", "  ", "\t", "\n", ", ", ".",
		"警", "察", "带走了", "周伟", "。", "ひらがな", "カタカナ", "김철수", "née", "Müller", "×", "÷", "«»",
		"😀", "👩‍👩‍👧", "🏳️‍🌈", `"`, `\`, `\\`, `\u`, "<b>", "&amp;", "\u2028", "\u2029", "\x00", "\x1f", "\x7f",
		"\ufffd", "\uff01", "\U00020000", "\U0002a6d6", "é", "ﬁ", "Ω", "\u200b", "\u202e",
		strings.Repeat("w", 24), strings.Repeat("w", 25), strings.Repeat("y", 33), strings.Repeat("z", 64),
		strings.Repeat("q", 65), strings.Repeat("Q", 119), strings.Repeat("k", 200), strings.Repeat("字", 3),
		strings.Repeat(" ", 70), strings.Repeat("-", 130), strings.Repeat("ü", 40)}
	var b strings.Builder
	for b.Len() < n {
		if r.IntN(50) == 0 {
			b.WriteByte(byte(0x80 + r.IntN(0x80))) // invalid UTF-8
			continue
		}
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// randomRevision is a format 3 revision of random text in every readable
// field.
func randomRevision(t testing.TB, r *rand.Rand, sk ed25519.PrivateKey, size int) revisionRecord {
	t.Helper()
	in := Interview{Pseudonym: randomText(r, 1+r.IntN(20)), Location: randomText(r, r.IntN(60)), Language: randomText(r, r.IntN(8)),
		Interviewer: randomText(r, r.IntN(12)), Testimony: strings.ToValidUTF8(randomText(r, size), "?")}
	for range r.IntN(3) {
		in.Relatives = append(in.Relatives, Relative{Relation: randomText(r, 1+r.IntN(15)), Harms: []string{randomText(r, 1+r.IntN(30))}})
	}
	for k := range in.Relatives {
		in.Relatives[k].Relation = strings.ToValidUTF8(in.Relatives[k].Relation, "?")
		in.Relatives[k].Harms[0] = strings.ToValidUTF8(in.Relatives[k].Harms[0], "?")
	}
	for _, f := range []*string{&in.Pseudonym, &in.Location, &in.Language, &in.Interviewer} {
		*f = strings.ToValidUTF8(*f, "?")
	}
	rev := &Revision{Interview: "0123456789abcdef", Author: "alice", AuthorKey: []byte(sk.Public().(ed25519.PublicKey)),
		CreatedAt: "2026-12-03T12:00:00Z", Record: in}
	rec, err := newRevisionRecord(sk, rev)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// randomRedaction redacts a few random words of a revision's testimony
// and readable body fields, or returns false if it has none. A redaction
// it cannot make fails the test: redactV3 checks the ID of what it makes
// with idV3, so a wrong ID of a redacted revision shows here.
func randomRedaction(t *testing.T, r *rand.Rand, rec revisionRecord) (body []byte, testimony string, proof []byte, ok bool) {
	t.Helper()
	p, err := parseProof(rec.ID, rec.Proof)
	if err != nil {
		t.Fatal(err)
	}
	var texts []leafItem
	walkLeaves(rec.Body, rec.Testimony, p.Holes, func(it leafItem) {
		if it.kind == leafText && it.hole == nil {
			texts = append(texts, it)
		}
	})
	if len(texts) == 0 {
		return nil, "", nil, false
	}
	// A few runs of whole words, in order and apart.
	var edits []redactEdit
	for i := r.IntN(len(texts)); i < len(texts); i += 2 + r.IntN(len(texts)/2+1) {
		j := i + r.IntN(3)
		for j >= len(texts) || texts[j].part != texts[i].part {
			j--
		}
		if texts[i].part == 0 {
			j = i // one word: a body field's words may end at its quote
		}
		edits = append(edits, redactEdit{Part: partNames[texts[i].part], Offset: texts[i].start, Length: texts[j].end - texts[i].start})
		i = j
	}
	// Body edits first, as holes are ordered by part.
	var ordered []redactEdit
	for _, e := range edits {
		if e.Part == "body" {
			ordered = append(ordered, e)
		}
	}
	for _, e := range edits {
		if e.Part == "testimony" {
			ordered = append(ordered, e)
		}
	}
	b, tt, pr, err := redactV3(rec.ID, rec.Body, rec.Testimony, rec.Proof, ordered, "[a name]")
	if err != nil {
		t.Fatalf("redacting %d runs of words: %v", len(ordered), err)
	}
	return b, tt, pr, true
}

// sameID checks idV3 against the reference on one input: the same ID, or
// the same error.
func sameID(t *testing.T, what string, body []byte, testimony string, proof []byte) {
	t.Helper()
	p, err := parseProof("x", proof)
	if err != nil {
		return
	}
	// Each its own copy of the proof: neither may see what the other did.
	q, _ := parseProof("x", proof)
	got, gotErr := idV3(body, testimony, p)
	want, wantErr := refIDV3(body, testimony, q)
	if got != want || (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("%s: idV3 = %q, %v; the reference gives %q, %v", what, got, gotErr, want, wantErr)
	}
}

// TestIDV3MatchesReference: the format 3 ID is computed as it was first
// written, byte for byte, for revisions plain and redacted, of every kind
// of text, of any size (across chunks of salts), and for what a
// malformed or hostile bundle brings (the same ID or the same refusal).
func TestIDV3MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 3))
	_, sk, _ := ed25519.GenerateKey(nil)
	sizes := []int{0, 1, 5, 40, 300, 5000, 20000}
	if !testing.Short() {
		sizes = append(sizes, 1<<20) // thousands of chunks
	}
	n, redacted := 0, 0
	for _, size := range sizes {
		for range max(1, 60/(size/1000+1)) {
			rec := randomRevision(t, r, sk, size)
			sameID(t, "plain", rec.Body, rec.Testimony, rec.Proof)
			n++
			body, testimony, proof, ok := randomRedaction(t, r, rec)
			if !ok {
				continue
			}
			sameID(t, "redacted", body, testimony, proof)
			redacted++
			// Redacted again, over the holes.
			rec2 := revisionRecord{ID: rec.ID, Body: body, Testimony: testimony, Proof: proof}
			if b2, t2, p2, ok := randomRedaction(t, r, rec2); ok {
				sameID(t, "redacted twice", b2, t2, p2)
			}
			// Tampered: text changed, cut, or salts cut; both refuse or
			// both give the same (wrong) ID.
			if len(testimony) > 2 {
				k := r.IntN(len(testimony) - 1)
				sameID(t, "text changed", body, testimony[:k]+"Z"+testimony[k+1:], proof)
				sameID(t, "text cut", body, testimony[:k], proof)
			}
			var pr revisionProof
			json.Unmarshal(proof, &pr)
			if len(pr.Salts) >= saltSize {
				pr.Salts = pr.Salts[saltSize:]
				b, _ := json.Marshal(&pr)
				sameID(t, "salts cut", body, testimony, b)
			}
			if len(body) > 10 {
				k := r.IntN(len(body) - 1)
				sameID(t, "body changed", append(append(append([]byte{}, body[:k]...), '"'), body[k+1:]...), testimony, proof)
			}
		}
	}
	// Raw text and bodies a revision could not hold, with a seed.
	seed, _ := json.Marshal(&revisionProof{Seed: make([]byte, seedSize)})
	for range 200 {
		sameID(t, "raw", []byte(`{"record":{"pseudonym":"`+randomText(r, r.IntN(50))+`"}}`), randomText(r, r.IntN(3000)), seed)
	}
	if n == 0 || redacted < n/2 {
		t.Fatalf("%d revisions made, %d of them redacted", n, redacted)
	}
}

// A leaf's commitment is the same whether commit reads the digest's state
// after padding the message itself or sums as usual, for leaves of every
// length around the blocks' bounds.
func TestLeafCommitPadded(t *testing.T) {
	if !paddedStateReadable {
		t.Fatal("the padded path is off: crypto/sha256's state is not as commit reads it")
	}
	x := newIDHasher(&saltSource{})
	salt := []byte("fedcba9876543210")
	for n := range 300 {
		leaf := strings.Repeat("é", n/2) + strings.Repeat("x", n%2)
		want := refLeafCommit(salt, leaf)
		if got := x.commit(nil, salt, leaf); !bytes.Equal(got, want[:]) {
			t.Fatalf("commit of %d bytes = %x, want %x", len(leaf), got, want)
		}
		if got := leafCommit(salt, leaf); got != want {
			t.Fatalf("leafCommit of %d bytes = %x, want %x", len(leaf), got, want)
		}
	}
}

// BenchmarkIDV3 is the cost of the format 3 ID alone, of a revision of
// about 5 KB of English or Chinese testimony, beside the reference (the
// code as first written) in the same loop, one call of each in turn: on a
// shared machine the medians of the two compare, where two benchmarks run
// one after the other need not.
func BenchmarkIDV3(b *testing.B) {
	_, sk, _ := ed25519.GenerateKey(nil)
	for _, lang := range []string{"en", "zh"} {
		text := map[string]string{"en": "They came at night and took my brother to the station; we waited for news. ",
			"zh": "他们夜里来了，把我哥哥带到派出所，我们一直在等消息。"}[lang]
		in := Interview{Pseudonym: "River", Location: "a village near the river", Testimony: strings.ToValidUTF8(strings.Repeat(text, 5000/len(text)+1)[:5000], "")}
		rev := &Revision{Interview: "0123456789abcdef", Author: "alice", AuthorKey: []byte(sk.Public().(ed25519.PublicKey)),
			CreatedAt: "2026-12-03T12:00:00Z", Record: in}
		rec, err := newRevisionRecord(sk, rev)
		if err != nil {
			b.Fatal(err)
		}
		p, _ := parseProof(rec.ID, rec.Proof)
		b.Run(lang, func(b *testing.B) {
			var fast, ref []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := idV3(rec.Body, rec.Testimony, p); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := refIDV3(rec.Body, rec.Testimony, p); err != nil {
					b.Fatal(err)
				}
				fast, ref = append(fast, t1.Sub(t0)), append(ref, time.Since(t1))
			}
			median := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2].Microseconds())
			}
			b.ReportMetric(median(fast), "us-median")
			b.ReportMetric(median(ref), "us-median-reference")
		})
	}
}
