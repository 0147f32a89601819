package bundlefmt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
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

// TestVectors decodes the vectors and checks their signatures.
func TestVectors(t *testing.T) {
	for name, plain := range seedGlob(t, vectorGlob) {
		body, line, sig, err := Decode(plain)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !Verify(body, line, sig) {
			t.Fatalf("%s: the signature does not verify", name)
		}
		if got, want := body.Exporter.Name, "alice"; got != want {
			t.Fatalf("%s: exporter=%q, want %q", name, got, want)
		}
	}
}

// TestRoundTrip encodes a body and decodes it back.
func TestRoundTrip(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	in := &Body{Exporter: Member{Name: "小河", Recipient: "age1pq1example", SigningKey: pub}, Recipients: []string{"age1pq1other"}, CreatedAt: "2026-11-27T12:00:00Z",
		Revisions: []Revision{{ID: "r1", Body: json.RawMessage(`{"a":"<b>"}`), Testimony: "警察", Sig: []byte{1, 2}}},
		Sealed:    []Sealed{{ID: "s1", Interview: "i1", Data: []byte("data")}},
		AuditHead: &AuditHead{Seq: 3, Hash: "abc"}}
	var buf bytes.Buffer
	if err := Encode(&buf, in, key); err != nil {
		t.Fatal(err)
	}
	if got, want := string(bytes.SplitN(buf.Bytes(), []byte("\n"), 2)[0]), Magic; got != want {
		t.Fatalf("first line=%q, want %q", got, want)
	}
	out, line, sig, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(out, line, sig) {
		t.Fatal("the signature does not verify")
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(out)
	if !bytes.Equal(a, b) {
		t.Fatalf("decoded %s, want %s", b, a)
	}
	line[0] ^= 1
	if Verify(out, line, sig) {
		t.Fatal("an altered body verifies")
	}
}

// FuzzParseBundle feeds arbitrary plaintext to Decode. No input may panic;
// one it accepts has exactly three lines, a body that parses, a signing key
// and a signature of the right sizes, and survives Verify. What Import does
// with a bundle (the signer, the records) is fuzzed by vault's FuzzImport.
func FuzzParseBundle(f *testing.F) {
	for _, s := range seedGlob(f, vectorGlob) {
		f.Add(s)
		f.Add(bytes.Replace(s, []byte(`"name":"alice"`), []byte(`"name":"alicf"`), 1))
	}
	f.Add([]byte(domain + "{}\n" + "AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		body, line, sig, err := Decode(data)
		if err != nil {
			if body != nil || line != nil || sig != nil {
				t.Fatal("Decode failed but returned parts")
			}
			return
		}
		if got, want := bytes.Count(data, []byte("\n")), 3; got != want {
			t.Fatalf("accepted %d lines, want %d", got, want)
		}
		if !json.Valid(line) {
			t.Fatal("accepted a body line that is not JSON")
		}
		if len(body.Exporter.SigningKey) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
			t.Fatal("accepted a key or signature of the wrong size")
		}
		Verify(body, line, sig)
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
	body, l, s, err := Decode(v1)
	if err != nil {
		t.Fatal(err)
	}
	if body.Version != 1 || !Verify(body, l, s) {
		t.Fatalf("version=%d verify=%v, want 1, true", body.Version, Verify(body, l, s))
	}
	// As version 2 it lacks recipients.
	v2 := bytes.Replace(v1, []byte(MagicV1), []byte(Magic), 1)
	if _, _, _, err := Decode(v2); err != ErrBody {
		t.Fatalf("v1 body under the v2 line: err=%v, want ErrBody", err)
	}
	// A version 1 bundle cannot carry recipients.
	v1r := bytes.Replace(v1, []byte(`"created_at"`), []byte(`"recipients":["age1pq1x"],"created_at"`), 1)
	if _, _, _, err := Decode(v1r); err != ErrBody {
		t.Fatalf("v1 with recipients: err=%v, want ErrBody", err)
	}
}
