package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/bundlefmt"
)

// v1Revision is a first revision holding rec as tvault wrote revisions
// before format 2: the ID is the hash of the re-marshalled struct. It uses
// only what every version has, so that the attack below runs on the code
// before the fix too.
func v1Revision(t *testing.T, key ed25519.PrivateKey, author string, rec Interview) bundlefmt.Revision {
	t.Helper()
	r := &Revision{
		Interview: randomID(), Parents: []string{}, Author: author,
		AuthorKey: []byte(key.Public().(ed25519.PublicKey)),
		CreatedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).Format(time.RFC3339Nano),
		Sealed:    []string{}, SpanCount: 1, Record: rec,
	}
	full, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append([]byte("tvault revision v1\n"), full...))
	id := hex.EncodeToString(sum[:])
	c := *r
	c.Record.Testimony = ""
	body, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return bundlefmt.Revision{ID: id, Body: body, Testimony: rec.Testimony, Sig: ed25519.Sign(key, []byte("tvault revision v1\n"+id))}
}

// Attack 6 of issue 11: a forwarder adds bytes to a revision that its
// signature does not cover. encoding/json keeps the last of two equal
// keys, SQLite's json_extract (docs/RECOVERY.md) the first; an added field
// is not shown by tvault at all. The revision's ID was the hash of Go's
// re-marshal, so both verified. Each is refused, and the vault unchanged.
func TestAttackRevisionBytesNotSigned(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	rec := goodRecord()
	rec.Pseudonym = "Signed Pseudonym"
	good := v1Revision(t, alice.member.SigningKey, "alice", rec)
	spoils := map[string]func([]byte) []byte{
		"duplicate key": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"record":{`), []byte(`"record":{"pseudonym":"UNSIGNED Pseudonym",`), 1)
		},
		"unsigned field": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"record":{`), []byte(`"record":{"note":"UNSIGNED",`), 1)
		},
		"key in another case": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"record":{`), []byte(`"record":{"PSEUDONYM":"UNSIGNED Pseudonym",`), 1)
		},
	}
	for name, spoil := range spoils {
		t.Run(name, func(t *testing.T) {
			forged := good
			forged.Body = spoil(bytes.Clone(good.Body))
			// bob forwards it: the bundle is his, the revision alice's.
			b := forgedBundle(t, bob, bob, nil, forged)
			before := vaultDigest(t, bob)
			_, err := bob.Import(context.Background(), bytes.NewReader(b))
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("import: err=%v, want ErrDamaged", err)
			}
			if after := vaultDigest(t, bob); after != before {
				t.Fatal("a refused import changed the vault")
			}
		})
	}
	// As signed, the format 1 revision imports: revisions made before
	// format 2 keep their IDs.
	if _, err := bob.Import(context.Background(), bytes.NewReader(forgedBundle(t, bob, bob, nil, good))); err != nil {
		t.Fatalf("the format 1 revision as signed: %v", err)
	}
}

// v2Revision is a format 2 revision whose body is body (a revision's
// stored JSON, as a newer or a modified tvault may write it), signed by key.
func v2Revision(key ed25519.PrivateKey, body []byte, testimony string) bundlefmt.Revision {
	id := revisionID(body, testimony)
	return bundlefmt.Revision{ID: id, Body: body, Testimony: testimony, Sig: signRevision(key, id)}
}

// A member's own tvault can sign a format 2 body that readers would read
// differently: repeated keys, a field in another case. Refused, though the
// hash and signature are good.
func TestRevisionV2Ambiguous(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	base := forgedRevision(t, alice.member.SigningKey, "alice", goodRecord())
	for name, body := range map[string][]byte{
		"duplicate key":       bytes.Replace(base.Body, []byte(`"record":{`), []byte(`"record":{"pseudonym":"Other",`), 1),
		"duplicate top key":   bytes.Replace(base.Body, []byte(`{"interview":`), []byte(`{"author":"carol","interview":`), 1),
		"key in another case": bytes.Replace(base.Body, []byte(`"record":{`), []byte(`"record":{"Pseudonym":"Other",`), 1),
		"kelvin sign":         bytes.Replace(base.Body, []byte(`"record":{`), []byte(`"record":{"\u212aeep":1,"keep":2,`), 1),
		"testimony in body":   bytes.Replace(base.Body, []byte(`"testimony":""`), []byte(`"testimony":"Other"`), 1),
		"not UTF-8":           bytes.Replace(base.Body, []byte(`"record":{`), []byte("\"record\":{\"x\":\"\xff\","), 1),
		"lone surrogate":      bytes.Replace(base.Body, []byte(`"record":{`), []byte(`"record":{"x":"a\ud800b",`), 1),
		"low surrogate first": bytes.Replace(base.Body, []byte(`"record":{`), []byte(`"record":{"x":"\udc00\ud800",`), 1),
	} {
		t.Run(name, func(t *testing.T) {
			b := forgedBundle(t, alice, bob, nil, v2Revision(alice.member.SigningKey, body, base.Testimony))
			before := vaultDigest(t, bob)
			if _, err := bob.Import(context.Background(), bytes.NewReader(b)); !errors.Is(err, ErrDamaged) {
				t.Fatalf("import: err=%v, want ErrDamaged", err)
			}
			if after := vaultDigest(t, bob); after != before {
				t.Fatal("a refused import changed the vault")
			}
		})
	}
}

// A newer tvault's revision, with fields this version does not know,
// imports, verifies in check, and goes on byte for byte in the next export.
func TestRevisionUnknownFieldRoundTrip(t *testing.T) {
	vs := members(t, "alice", "bob", "carol")
	alice, bob, carol := vs[0], vs[1], vs[2]
	ctx := context.Background()
	base := forgedRevision(t, alice.member.SigningKey, "alice", goodRecord())
	body := bytes.Replace(base.Body, []byte(`"record":{`), []byte(`"future":{"z":[1,2.50,"\u003c\ud83d\ude00\"\\"]},"record":{"mood":"calm",`), 1)
	newer := v2Revision(alice.member.SigningKey, body, base.Testimony)
	if _, err := bob.Import(ctx, bytes.NewReader(forgedBundle(t, alice, bob, nil, newer))); err != nil {
		t.Fatalf("import: %v", err)
	}
	var stored []byte
	if err := bob.conn.QueryRowContext(ctx, `SELECT body FROM revisions WHERE id = ?`, newer.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, body) {
		t.Fatalf("stored %s, want %s", stored, body)
	}
	results, err := bob.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.OK {
			t.Fatalf("check: %s: %s", r.What, r.Details)
		}
	}
	// bob passes it on to carol: the bytes alice signed.
	var buf bytes.Buffer
	if _, err := bob.Export(ctx, &buf, ExportOptions{To: []string{"carol"}}); err != nil {
		t.Fatal(err)
	}
	rep, err := carol.Import(ctx, &buf)
	if err != nil || rep.NewRevisions != 1 {
		t.Fatalf("carol's import: %+v, %v", rep, err)
	}
	if err := carol.conn.QueryRowContext(ctx, `SELECT body FROM revisions WHERE id = ?`, newer.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, body) {
		t.Fatalf("carol stored %s, want %s", stored, body)
	}
}

// New revisions are format 3: the ID is of the salted leaves, the author
// signs it, and the stored body is compact.
func TestNewRevisionsAreV3(t *testing.T) {
	v := members(t, "alice")[0]
	ctx := context.Background()
	if _, err := v.Add(ctx, []Input{sharedInput("River", "Officers came <twice> & more.")}); err != nil {
		t.Fatal(err)
	}
	var id, testimony string
	var body, sig, proof []byte
	if err := v.conn.QueryRowContext(ctx, `SELECT id, body, testimony, sig, proof FROM revisions`).Scan(&id, &body, &testimony, &sig, &proof); err != nil {
		t.Fatal(err)
	}
	p, err := parseProof(id, proof)
	if err != nil || p.redacted() {
		t.Fatalf("proof %s: %v", proof, err)
	}
	if got, err := idV3(body, testimony, p); err != nil || got != id {
		t.Fatal("a new revision's ID is not the format 3 hash of its leaves")
	}
	if revisionID(body, testimony) == id {
		t.Fatal("a new revision's ID is the hash of its bytes")
	}
	if !ed25519.Verify(v.member.SigningKey.Public().(ed25519.PublicKey), []byte(revisionDomainV3+id), sig) || strings.Contains(string(body), "<") {
		t.Fatal("a new revision is not signed under format 3, or not compact")
	}
}

// strictJSON finds keys however strings around them are escaped, and only
// keys: a string value that looks like an object is a value.
func TestStrictJSON(t *testing.T) {
	for in, ok := range map[string]bool{
		`{"a":"x\"","a":1}`:                             false,
		`{"a":"\\","b":1}`:                              true,
		`{"a":"\\\"","a":1}`:                            false,
		`{"a":["{\"a\":1,\"a\":2}"],"b":{"a":1}}`:       true,
		`{"a":[{"b":1},{"b":2}],"c":[[{"d":1,"D":2}]]}`: false,
		`{"a\u0062":1,"ab":2}`:                          false,
		`{"x":{"pseudonym":1},"y":{"Pseudonym":1}}`:     false,
		`{"x":"\ud83d\ude00"}`:                          true,
		`{"x":"\ud83d"}`:                                false,
		`[1,{"a":1},{"a":2}]`:                           true,
	} {
		if err := strictJSON([]byte(in)); (err == nil) != ok {
			t.Errorf("strictJSON(%s)=%v, want ok=%v", in, err, ok)
		}
	}
}
