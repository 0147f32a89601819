package bundlefmt

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The seeds are the bundle vectors' plaintexts in the repository's
// testdata/bundles, written by vault's TestBundleVectors -update-vectors.
const vectorGlob = "../../testdata/bundles/*.plain"

// seedGlob returns the files matching glob and fails if there are none: a
// seed corpus that silently went missing fuzzes nothing.
func seedGlob(tb testing.TB, glob string) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatalf("no seed files match %s", glob)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(p)] = data
	}
	return out
}

// TestVectors parses the vectors, which checks their signatures.
func TestVectors(t *testing.T) {
	for name, plain := range seedGlob(t, vectorGlob) {
		body, err := Parse(bytes.NewReader(plain), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, want := body.Exporter.Name, "alice"; got != want {
			t.Fatalf("%s: exporter=%q, want %q", name, got, want)
		}
		if body.Version < 2 {
			continue
		}
		// Versions 1 and 2 also through Decode.
		if body.Version == 2 {
			b, line, sig, err := Decode(plain)
			if err != nil || !Verify(b, line, sig) {
				t.Fatalf("%s: Decode: %v", name, err)
			}
		}
	}
}

func testBody(t *testing.T) (*Body, ed25519.PrivateKey) {
	pub, key, _ := ed25519.GenerateKey(nil)
	return &Body{Exporter: Member{Name: "小河", Recipient: "age1pq1example", SigningKey: pub}, Recipients: []string{"age1pq1other"}, CreatedAt: "2026-11-27T12:00:00Z",
		Tombstones: []Tombstone{{Body: json.RawMessage(`{"interview":"i2"}`), Sig: []byte{3}}},
		Revisions:  []Revision{{ID: "r1", Body: json.RawMessage(`{"a":"<b>"}`), Testimony: "警察\n{", Sig: []byte{1, 2}}, {ID: "r2", Body: json.RawMessage(`{}`)}},
		Sealed:     []Sealed{{ID: "s1", Interview: "i1", Data: []byte("data")}},
		AuditHead:  &AuditHead{Seq: 3, Hash: "abc"},
		KeyChanges: []KeyChange{{Statement: json.RawMessage(`{"member":"小河"}`), OldSig: []byte{4}, NewSig: []byte{5}}}}, key
}

// TestRoundTrip encodes a body and parses it back.
func TestRoundTrip(t *testing.T) {
	in, key := testBody(t)
	var buf bytes.Buffer
	if err := Encode(&buf, in, key); err != nil {
		t.Fatal(err)
	}
	if got, want := string(bytes.SplitN(buf.Bytes(), []byte("\n"), 2)[0]), Magic; got != want {
		t.Fatalf("first line=%q, want %q", got, want)
	}
	var seen *Header
	out, err := Parse(bytes.NewReader(buf.Bytes()), func(h *Header) error { seen = h; return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Key changes are in the header: the check sees them.
	if seen == nil || seen.Counts["revision"] != 2 || seen.Counts["tombstone"] != 1 || seen.Exporter.Name != "小河" || len(seen.KeyChanges) != 1 {
		t.Fatalf("check saw %+v", seen)
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(out)
	if !bytes.Equal(a, b) || out.Version != Version {
		t.Fatalf("decoded %s, want %s", b, a)
	}
	// Every byte matters: flipping any one is refused (or, in a base64
	// padding bit, changes nothing).
	plain := buf.Bytes()
	for i := range plain {
		bad := bytes.Clone(plain)
		bad[i] ^= 1
		got, err := Parse(bytes.NewReader(bad), nil)
		if err == nil {
			g, _ := json.Marshal(got)
			if !bytes.Equal(g, a) {
				t.Fatalf("byte %d flipped: accepted a different bundle", i)
			}
		}
	}
}

// signed builds a version 3 bundle by hand from a header and record lines,
// signed with key: what a modified tvault can send.
func signed(key ed25519.PrivateKey, header string, records ...string) []byte {
	hsum := sha256.Sum256([]byte(header))
	var b bytes.Buffer
	b.WriteString(Magic + "\n" + header + "\n" + sign(key, headerDomain+hex.EncodeToString(hsum[:])) + "\n")
	h := sha256.New()
	for _, r := range records {
		b.WriteString(r + "\n")
		h.Write([]byte(r + "\n"))
	}
	el := fmt.Sprintf(`{"kind":"end","records":%d,"sha256":"%x"}`, len(records), h.Sum(nil))
	esum := sha256.Sum256([]byte(el))
	b.WriteString(el + "\n" + sign(key, endDomain+hex.EncodeToString(hsum[:])+"\n"+hex.EncodeToString(esum[:])) + "\n")
	return b.Bytes()
}

// cutLines returns b without its last n lines.
func cutLines(b []byte, n int) []byte {
	for range n {
		b = b[:bytes.LastIndexByte(b[:len(b)-1], '\n')+1]
	}
	return b
}

func headerJSON(pub ed25519.PublicKey, counts string, size int) string {
	return `{"exporter":{"name":"a","recipient":"age1pq1x","signing_key":"` + base64.StdEncoding.EncodeToString(pub) +
		`"},"recipients":["age1pq1x"],"created_at":"","counts":` + counts + `,"size":` + fmt.Sprint(size) + `}`
}

// A kind this version does not know is refused, whether declared in the
// header (before any record is read) or met in the records; so is a count
// over a limit, and records that are not the ones declared.
func TestV3Refusals(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	rev := `{"kind":"revision","id":"r","body":{},"testimony":"","sig":null}`
	future := `{"kind":"key_change","x":1}`
	cases := map[string]struct {
		plain []byte
		want  error
	}{
		"newer kind declared":    {signed(key, headerJSON(pub, `{"key_change":1}`, len(future)+1), future), ErrNewerKind},
		"newer kind, undeclared": {signed(key, headerJSON(pub, `{}`, len(future)+1), future), ErrNewerKind},
		"over the count limit":   {signed(key, headerJSON(pub, `{"revision":4000001}`, 1)), ErrTooLarge},
		"over the size limit":    {signed(key, headerJSON(pub, `{}`, MaxSize+1)), ErrTooLarge},
		"more than declared":     {signed(key, headerJSON(pub, `{"revision":1}`, 2*len(rev)+2), rev, rev), ErrTooLarge},
		"fewer than declared":    {signed(key, headerJSON(pub, `{"revision":2}`, len(rev)+1), rev), ErrBody},
		"larger than declared":   {signed(key, headerJSON(pub, `{"revision":1}`, 10), rev), ErrTooLarge},
		"unknown record field":   {signed(key, headerJSON(pub, `{"revision":1}`, len(rev)+7), rev[:len(rev)-1]+`,"x":1}`), ErrBody},
		"kind not first":         {signed(key, headerJSON(pub, `{"revision":1}`, len(rev)+1), `{"id":"r","kind":"revision"}`), ErrBody},
		"no end":                 {cutLines(signed(key, headerJSON(pub, `{"revision":1}`, len(rev)+1), rev), 2), ErrTruncated},
		"no header signature":    {[]byte(Magic + "\n" + headerJSON(pub, `{}`, 0) + "\n"), ErrBadSignatureLine},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(bytes.NewReader(c.plain), nil); !errors.Is(err, c.want) {
				t.Fatalf("err=%v, want %v", err, c.want)
			}
		})
	}
	// The same builder, well-formed, parses: the refusals above are theirs.
	if _, err := Parse(bytes.NewReader(signed(key, headerJSON(pub, `{"revision":1}`, len(rev)+1), rev)), nil); err != nil {
		t.Fatal(err)
	}
	// A header field this version does not know is kept.
	h := strings.Replace(headerJSON(pub, `{}`, 0), `{"exporter"`, `{"future":[1],"exporter"`, 1)
	var got *Header
	if _, err := Parse(bytes.NewReader(signed(key, h)), func(x *Header) error { got = x; return nil }); err != nil {
		t.Fatal(err)
	}
	if string(got.Unknown["future"]) != "[1]" {
		t.Fatalf("unknown header fields %v", got.Unknown)
	}
}

// The header is checked before any record is read: a refusing check
// stops the read after the header, whatever follows.
func TestCheckBeforeRecords(t *testing.T) {
	in, key := testBody(t)
	var buf bytes.Buffer
	if err := Encode(&buf, in, key); err != nil {
		t.Fatal(err)
	}
	headLen := bytes.Index(buf.Bytes(), []byte(`{"kind"`))
	stop := errors.New("not on the roster")
	r := io.MultiReader(bytes.NewReader(buf.Bytes()[:headLen]), readerFunc(func([]byte) (int, error) {
		t.Fatal("a record was read before the check")
		return 0, nil
	}))
	if _, err := Parse(r, func(*Header) error { return stop }); err != stop {
		t.Fatalf("err=%v, want the check's", err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// FuzzParseBundle feeds arbitrary plaintext to Parse. No input may panic;
// one it accepts verifies: the same bytes parse again to the same body, its
// signing key has the right size, and a version 3 one declared exactly the
// records it holds. What Import does with a bundle (the signer, the
// records) is fuzzed by vault's FuzzImport.
func FuzzParseBundle(f *testing.F) {
	for _, s := range seedGlob(f, vectorGlob) {
		f.Add(s)
		f.Add(bytes.Replace(s, []byte(`"name":"alice"`), []byte(`"name":"alicf"`), 1))
	}
	f.Add([]byte(Magic + "\n{}\n" + "AAAA\n"))
	f.Add([]byte(MagicV2 + "\n{}\n" + "AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var h *Header
		body, err := Parse(bytes.NewReader(data), func(x *Header) error { h = x; return nil })
		if err != nil {
			if body != nil {
				t.Fatal("Parse failed but returned a body")
			}
			return
		}
		if len(body.Exporter.SigningKey) != ed25519.PublicKeySize {
			t.Fatal("accepted a signing key of the wrong size")
		}
		again, err := Parse(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatalf("accepted once, refused again: %v", err)
		}
		a, _ := json.Marshal(body)
		b, _ := json.Marshal(again)
		if !bytes.Equal(a, b) {
			t.Fatal("the same bytes parse to two bodies")
		}
		switch body.Version {
		case Version:
			for _, k := range Kinds {
				if int64(k.count(body)) != h.Counts[k.Name] {
					t.Fatalf("%s: %d records, %d declared", k.Name, k.count(body), h.Counts[k.Name])
				}
			}
		default:
			b, line, sig, err := Decode(data)
			if err != nil || !Verify(b, line, sig) {
				t.Fatalf("accepted a version %d bundle that Decode refuses: %v", body.Version, err)
			}
		}
	})
}

// TestVersion1 reads a version 1 bundle, and refuses one whose first line
// was changed to the other version: a version 2 body names its recipients,
// a version 1 body cannot.
func TestVersion1(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	line := []byte(`{"exporter":{"name":"a","recipient":"age1pq1example","signing_key":"` + base64.StdEncoding.EncodeToString(pub) + `"},"created_at":"","tombstones":[],"sealed":[],"revisions":[]}`)
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, Signed(1, line)))
	v1 := []byte(MagicV1 + "\n" + string(line) + "\n" + sig + "\n")
	body, err := Parse(bytes.NewReader(v1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if body.Version != 1 {
		t.Fatalf("version=%d, want 1", body.Version)
	}
	// As version 2 it lacks recipients: refused by its signature, which
	// covers the first line, and signed as version 2 by its form.
	v2 := bytes.Replace(v1, []byte(MagicV1), []byte(MagicV2), 1)
	if _, err := Parse(bytes.NewReader(v2), nil); err != ErrBadSignature {
		t.Fatalf("v1 body under the v2 line: err=%v, want ErrBadSignature", err)
	}
	v2 = []byte(MagicV2 + "\n" + string(line) + "\n" + base64.StdEncoding.EncodeToString(ed25519.Sign(key, Signed(2, line))) + "\n")
	if _, err := Parse(bytes.NewReader(v2), nil); err != ErrBody {
		t.Fatalf("v1 body under the v2 line, signed so: err=%v, want ErrBody", err)
	}
	// A version 1 bundle cannot carry recipients.
	lr := bytes.Replace(line, []byte(`"created_at"`), []byte(`"recipients":["age1pq1x"],"created_at"`), 1)
	v1r := []byte(MagicV1 + "\n" + string(lr) + "\n" + base64.StdEncoding.EncodeToString(ed25519.Sign(key, Signed(1, lr))) + "\n")
	if _, err := Parse(bytes.NewReader(v1r), nil); err != ErrBody {
		t.Fatalf("v1 with recipients: err=%v, want ErrBody", err)
	}
	// The exporter is checked before the body is read.
	stop := errors.New("stranger")
	if _, err := Parse(bytes.NewReader(v1), func(h *Header) error {
		if h.Version != 1 || h.Exporter.Name != "a" {
			t.Fatalf("check saw %+v", h)
		}
		return stop
	}); err != stop {
		t.Fatalf("err=%v, want the check's", err)
	}
}
