package vault

import (
	"bytes"
	"crypto/ed25519"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

var updateVectors = flag.Bool("update-vectors", false, "rewrite testdata/bundles")

const vectorDir = "../testdata/bundles"

// TestBundleVectors decrypts the bundle vectors in testdata/bundles with the
// member key stored beside them and checks them as Import does. With
// -update-vectors it makes new ones first.
func TestBundleVectors(t *testing.T) {
	if *updateVectors {
		writeVectors(t)
	}
	keyFile, err := os.ReadFile(filepath.Join(vectorDir, "member-key.txt"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := crypto.ParseIdentity(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := os.ReadFile(filepath.Join(vectorDir, "small.tvb"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := crypto.Open(id, ct)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(vectorDir, "small.plain"))
	if !bytes.Equal(plain, want) {
		t.Fatal("small.tvb does not decrypt to small.plain")
	}
	body, bodyBytes, sig, err := parseBundle(plain)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(body.Exporter.SigningKey, bundleSigned(bodyBytes), sig) {
		t.Fatal("the vector's signature does not verify")
	}
	if got, want := body.Exporter.Name, "alice"; got != want {
		t.Fatalf("exporter=%q, want %q", got, want)
	}
	if got, want := len(body.Revisions), 3; got != want {
		t.Fatalf("revisions=%d, want %d", got, want)
	}
	if got, want := len(body.Tombstones), 1; got != want {
		t.Fatalf("tombstones=%d, want %d", got, want)
	}
	for i := range body.Revisions {
		r, err := body.Revisions[i].revision()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.verify(body.Revisions[i].Sig); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := body.Tombstones[0].verify(); err != nil {
		t.Fatal(err)
	}
}

func writeVectors(t *testing.T) {
	member, _ := crypto.NewIdentity()
	c, _ := crypto.NewIdentity()
	v, err := Create(filepath.Join(t.TempDir(), "alice"), CreateOptions{Name: "alice", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	v.Now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	in := Input{}
	in.Pseudonym, in.InterviewedOn, in.Language = "小河", "2020-01-08", "zh"
	in.Testimony = "当地公安局的警察每周两次到我父母家里来。{{南昌|老家的城市}}"
	in.Consent = Consent{Record: true, Quote: true, Share: true}
	in.Tags = []string{"summoned"}
	in.Identity = &Identity{Name: "Synthetic Person"}
	ids, err := v.Add([]Input{in})
	if err != nil {
		t.Fatal(err)
	}
	edit := in
	edit.ID, edit.Identity, edit.Testimony = ids[0], nil, "Edited. {{#1|老家的城市}}"
	v.Add([]Input{edit})
	gone := Input{}
	gone.Pseudonym, gone.Testimony, gone.Consent.Share = "Withdrawn", "x", true
	g, _ := v.Add([]Input{gone})
	v.Purge(g[0])
	other := Input{}
	other.Pseudonym, other.Testimony, other.Consent.Share = "River", "Officers came twice a week.", true
	v.Add([]Input{other})

	var buf bytes.Buffer
	if _, err := v.Export(&buf, ExportOptions{Recipients: []age.Recipient{member.Recipient()}}); err != nil {
		t.Fatal(err)
	}
	plain, err := crypto.Open(member, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(vectorDir, 0o755)
	os.WriteFile(filepath.Join(vectorDir, "member-key.txt"), crypto.MarshalIdentity(member, v.Now()), 0o644)
	os.WriteFile(filepath.Join(vectorDir, "small.tvb"), buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(vectorDir, "small.plain"), plain, 0o644)
	card, _, _ := v.Card()
	os.WriteFile(filepath.Join(vectorDir, "alice.card"), card, 0o644)
}

// FuzzParseBundle feeds arbitrary plaintext to the bundle parser and the
// record checks that run before anything is merged: no input may panic.
func FuzzParseBundle(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(vectorDir, "*.plain"))
	if len(seeds) == 0 {
		f.Fatal("no seed bundles in testdata/bundles")
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(bundleDomain + "{}\n" + "AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		body, _, _, err := parseBundle(data)
		if err != nil {
			return
		}
		for i := range body.Tombstones {
			body.Tombstones[i].verify()
		}
		for i := range body.Revisions {
			if r, err := body.Revisions[i].revision(); err == nil {
				r.verify(body.Revisions[i].Sig)
			}
		}
	})
}
