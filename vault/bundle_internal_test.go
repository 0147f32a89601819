package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
)

var updateVectors = flag.Bool("update-vectors", false, "rewrite testdata/bundles")

const vectorDir = "../testdata/bundles"

// TestBundleVectors decrypts the bundle vectors in testdata/bundles with the
// member key stored beside them and checks them as Import does: small is
// the current version, small-v2 and small-v1 the previous ones (signed by
// other alices, alice-v2.card and alice-v1.card). With -update-vectors it
// makes a new small first.
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
	for name, version := range map[string]int{"small": bundlefmt.Version, "small-v2": 2, "small-v1": 1} {
		t.Run(name, func(t *testing.T) {
			ct, err := os.ReadFile(filepath.Join(vectorDir, name+".tvb"))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := crypto.Open(id, ct)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(filepath.Join(vectorDir, name+".plain"))
			if !bytes.Equal(plain, want) {
				t.Fatalf("%s.tvb does not decrypt to %s.plain", name, name)
			}
			body, err := bundlefmt.Parse(bytes.NewReader(plain), nil)
			if err != nil {
				t.Fatal(err)
			}
			if body.Version != version {
				t.Fatalf("version=%d, want %d", body.Version, version)
			}
			if version > 1 && !slices.Equal(body.Recipients, []string{id.Recipient().String()}) {
				t.Fatal("the vector's recipients are not the member key's")
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
			ch := bundleChange(body)
			for i := range ch.Revisions {
				r, err := ch.Revisions[i].verify()
				if err != nil {
					t.Fatal(err)
				}
				if err := r.validate(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := ch.Tombstones[0].verify(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestImportPreviousVersion imports the version 1 and 2 vectors from a
// member on the roster: they merge (version 1 with a warning that it is not
// recipient-bound), and check verifies their format 1 revisions.
func TestImportPreviousVersion(t *testing.T) {
	for _, version := range []string{"v1", "v2"} {
		t.Run(version, func(t *testing.T) {
			ct, err := os.ReadFile(filepath.Join(vectorDir, "small-"+version+".tvb"))
			if err != nil {
				t.Fatal(err)
			}
			card, err := os.ReadFile(filepath.Join(vectorDir, "alice-"+version+".card"))
			if err != nil {
				t.Fatal(err)
			}
			v := newFuzzVault(t, card).open(t)
			defer v.Close()
			asVectorMember(t, v)
			rep, err := v.Import(context.Background(), bytes.NewReader(ct))
			if err != nil {
				t.Fatal(err)
			}
			if rep.NewRevisions != 3 {
				t.Fatalf("report %+v, want 3 new revisions", rep)
			}
			if warned := len(rep.Warnings) == 1 && strings.Contains(rep.Warnings[0], "previous format (v1)"); warned != (version == "v1") || len(rep.Warnings) > 1 {
				t.Fatalf("warnings %q: want the v1 warning for v1 only", rep.Warnings)
			}
			results, err := v.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				if !r.OK {
					t.Fatalf("check: %s: %s", r.What, r.Details)
				}
			}
		})
	}
}

func writeVectors(t *testing.T) {
	// The member key stays: the previous version's vector is encrypted to
	// it too.
	keyFile, err := os.ReadFile(filepath.Join(vectorDir, "member-key.txt"))
	if err != nil {
		t.Fatal(err)
	}
	member, err := crypto.ParseIdentity(keyFile)
	if err != nil {
		t.Fatal(err)
	}
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
	ids, err := v.Add(context.Background(), []Input{in})
	if err != nil {
		t.Fatal(err)
	}
	edit := in
	edit.ID, edit.Identity, edit.Testimony = ids[0], nil, "Edited. {{#1|老家的城市}}"
	v.Add(context.Background(), []Input{edit})
	gone := Input{}
	gone.Pseudonym, gone.Testimony, gone.Consent.Share = "Withdrawn", "x", true
	g, _ := v.Add(context.Background(), []Input{gone})
	v.Purge(context.Background(), g[0])
	other := Input{}
	other.Pseudonym, other.Testimony, other.Consent.Share = "River", "Officers came twice a week.", true
	v.Add(context.Background(), []Input{other})

	var buf bytes.Buffer
	if _, err := v.Export(context.Background(), &buf, ExportOptions{Recipients: []age.Recipient{member.Recipient()}}); err != nil {
		t.Fatal(err)
	}
	plain, err := crypto.Open(member, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(vectorDir, "small.tvb"), buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(vectorDir, "small.plain"), plain, 0o644)
	card, _, _ := v.Card()
	os.WriteFile(filepath.Join(vectorDir, "alice.card"), card, 0o644)
}

// FuzzImport feeds arbitrary plaintext, encrypted to the member, to
// Import, in a vault whose roster holds the signer of the seed vectors. No
// input may panic; a bundle that Import accepts must parse, carry a valid
// signature and hold only records that verify; and one it refuses must leave
// the vault exactly as it was, in memory and on disk. Each input starts from
// the same vault, so that a failure reproduces from its input alone. The
// parser alone is fuzzed by internal/bundlefmt's FuzzParseBundle.
func FuzzImport(f *testing.F) {
	for _, s := range seedGlob(f, filepath.Join(vectorDir, "*.plain")) {
		f.Add(s)
		// Signed by someone on the roster, but altered after signing: in
		// the body where no record's own signature reaches, and in the
		// signature itself. Both must be refused and change nothing.
		f.Add(bytes.Replace(s, []byte(`"name":"alice"`), []byte(`"name":"alicf"`), 1))
		sig := bytes.LastIndexByte(s[:len(s)-1], '\n') + 1
		bad := bytes.Clone(s)
		bad[sig] = 'A'
		if s[sig] == 'A' {
			bad[sig] = 'B'
		}
		f.Add(bad)
	}
	f.Add([]byte(bundlefmt.Magic + "\n{}\n" + "AAAA\n"))
	f.Add([]byte(bundlefmt.MagicV2 + "\n{}\n" + "AAAA\n"))
	card, err := os.ReadFile(filepath.Join(vectorDir, "alice.card"))
	if err != nil {
		f.Fatal(err)
	}
	fresh := newFuzzVault(f, card)
	v := fresh.open(f)
	asVectorMember(f, v)
	f.Cleanup(func() { v.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		before := vaultDigest(t, v)
		ct, err := crypto.Encrypt(data, v.member.Identity.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Import(context.Background(), bytes.NewReader(ct))
		if err != nil {
			if after := vaultDigest(t, v); after != before {
				t.Fatalf("refused (%v), but the vault changed", err)
			}
			return
		}
		// Accepted: everything in it must verify on its own.
		body, err := bundlefmt.Parse(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatalf("accepted a bundle that does not parse or verify: %v", err)
		}
		ch := bundleChange(body)
		for i := range ch.Tombstones {
			if _, err := ch.Tombstones[i].verify(); err != nil {
				t.Fatalf("accepted a bundle with tombstone %d that does not verify: %v", i, err)
			}
		}
		for i := range ch.Revisions {
			if _, err := ch.Revisions[i].verify(); err != nil {
				t.Fatalf("accepted a bundle with revision %d that does not verify: %v", i, err)
			}
		}
		// Back to the starting vault for the next input.
		if before != vaultDigest(t, v) {
			v.Close()
			v = fresh.open(t)
			asVectorMember(t, v)
		}
	})
}

// asVectorMember makes v receive bundles with the vectors' member key, in
// memory only, so that the vectors (which name it as their recipient)
// import into it.
func asVectorMember(tb testing.TB, v *Vault) {
	tb.Helper()
	keyFile, err := os.ReadFile(filepath.Join(vectorDir, "member-key.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	if v.member.Identity, err = crypto.ParseIdentity(keyFile); err != nil {
		tb.Fatal(err)
	}
}

// fuzzVault is a closed vault's files, to open afresh as often as needed.
type fuzzVault struct {
	dir   string
	files map[string][]byte
}

// newFuzzVault makes an empty vault with card on its roster.
func newFuzzVault(tb testing.TB, card []byte) *fuzzVault {
	tb.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(tb.TempDir(), "vault")
	v, err := Create(dir, CreateOptions{Name: "bob", Custodian: c.Recipient(), Passphrase: []byte(fuzzPassphrase)})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := v.AddMember(card); err != nil {
		tb.Fatal(err)
	}
	if err := v.Close(); err != nil {
		tb.Fatal(err)
	}
	fv := &fuzzVault{dir: dir, files: map[string][]byte{}}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		fv.files[path] = data
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return fv
}

const fuzzPassphrase = "correct horse battery"

// open puts the vault's files back as they were made and opens it.
func (fv *fuzzVault) open(tb testing.TB) *Vault {
	tb.Helper()
	if err := os.RemoveAll(fv.dir); err != nil {
		tb.Fatal(err)
	}
	for path, data := range fv.files {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	v, err := Open(context.Background(), fv.dir, OpenOptions{}, PassphraseIdentity([]byte(fuzzPassphrase)))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// vaultDigest hashes what the vault holds: the database in memory, and the
// name and content of every file in its folder.
func vaultDigest(tb testing.TB, v *Vault) string {
	tb.Helper()
	h := sha256.New()
	err := v.conn.Raw(func(dc any) error {
		s, ok := dc.(interface{ Serialize() ([]byte, error) })
		if !ok {
			return errors.New("the sqlite driver cannot serialize")
		}
		image, err := s.Serialize()
		h.Write(image)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	err = filepath.WalkDir(v.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		fmt.Fprintf(h, "%s %d\n", path, len(data))
		h.Write(data)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
