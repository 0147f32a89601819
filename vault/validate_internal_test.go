package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/internal/bundlefmt"
)

// forgedRevision returns a new interview's first revision holding rec, one
// span counted,
// signed by key under the author name claimed: what a modified tvault on a
// roster member's laptop, or a stranger, can make.
func forgedRevision(t *testing.T, key ed25519.PrivateKey, claimed string, rec Interview) bundlefmt.Revision {
	t.Helper()
	r := &Revision{
		Interview: randomID(), Parents: []string{}, Author: claimed,
		AuthorKey: []byte(key.Public().(ed25519.PublicKey)),
		CreatedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).Format(time.RFC3339Nano),
		Sealed:    []string{}, SpanCount: 1, Record: rec,
	}
	var err error
	if r.ID, err = r.computeID(); err != nil {
		t.Fatal(err)
	}
	body, testimony, err := r.storedBody()
	if err != nil {
		t.Fatal(err)
	}
	return bundlefmt.Revision{ID: r.ID, Body: body, Testimony: testimony, Sig: signRevision(key, r.ID)}
}

// forgedBundle is a bundle signed by from's member, encrypted to to's,
// holding revs: from's tvault signs whatever it is given.
func forgedBundle(t *testing.T, from, to *Vault, edit func(*bundlefmt.Body), revs ...bundlefmt.Revision) []byte {
	t.Helper()
	body, err := from.bundleHeader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	body.Revisions = revs
	if edit != nil {
		edit(body)
	}
	var buf bytes.Buffer
	if err := bundlefmt.Encrypt(&buf, body, from.member.SigningKey, to.member.Identity.Recipient()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func goodRecord() Interview {
	in := sharedInput("River", "Officers came twice a week. {{#1|the city}}").Interview
	in.Tags, in.Relatives = []string{}, []Relative{}
	return in
}

// Attack 3 of issue 11: a bundle from a roster member delivers revisions
// that add would refuse. Each is refused whole, and the vault is unchanged.
func TestAttackImportedRevisionsSkipValidation(t *testing.T) {
	vs := members(t, "alice", "bob")
	alice, bob := vs[0], vs[1]
	cases := map[string]func(*Interview){
		"clear screen in pseudonym":   func(in *Interview) { in.Pseudonym = "\x1b[2J\x1b[HRiver" },
		"window title in testimony":   func(in *Interview) { in.Testimony = "\x1b]0;tvault: all verified\x07Officers came." },
		"hidden text in testimony":    func(in *Interview) { in.Testimony = "Officers came.\x1b[8m hidden \x1b[0m" },
		"C1 CSI in location":          func(in *Interview) { in.Location = "Nanchang\u009b2J" },
		"escape in a tag":             func(in *Interview) { in.Tags = []string{"summoned\x1b[8m"} },
		"escape in a relation":        func(in *Interview) { in.Relatives = []Relative{{Relation: "sister\x1b[8m", Harms: []string{}}} },
		"not a date":                  func(in *Interview) { in.InterviewedOn = "not a date" },
		"impossible date":             func(in *Interview) { in.InterviewedOn = "2021-02-30" },
		"mode telepathy":              func(in *Interview) { in.Mode = "telepathy" },
		"bad tag":                     func(in *Interview) { in.Tags = []string{"Bad Tag!!"} },
		"testimony over the limit":    func(in *Interview) { in.Testimony = strings.Repeat("x", MaxTestimony+1) },
		"no pseudonym":                func(in *Interview) { in.Pseudonym = "" },
		"pseudonym not trimmed":       func(in *Interview) { in.Pseudonym = " River " },
		"mode not lower case":         func(in *Interview) { in.Mode = "Phone" },
		"span secret in the clear":    func(in *Interview) { in.Testimony = "Came from {{Nanchang|the city}}." },
		"marker past the span count":  func(in *Interview) { in.Testimony = "Came from {{#9|the city}}." },
		"marker not as add writes it": func(in *Interview) { in.Testimony = "Came from {{#1}}." },
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			rec := goodRecord()
			spoil(&rec)
			b := forgedBundle(t, alice, bob, nil, forgedRevisionSpans(t, alice, rec))
			before := vaultDigest(t, bob)
			_, err := bob.Import(context.Background(), bytes.NewReader(b))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("import: err=%v, want ErrInvalid", err)
			}
			if after := vaultDigest(t, bob); after != before {
				t.Fatal("a refused import changed the vault")
			}
		})
	}
	// The same record, valid, imports: the refusals above are the spoils.
	b := forgedBundle(t, alice, bob, nil, forgedRevisionSpans(t, alice, goodRecord()))
	if _, err := bob.Import(context.Background(), bytes.NewReader(b)); err != nil {
		t.Fatalf("a valid forged-path revision: %v", err)
	}
}

// forgedRevisionSpans is forgedRevision by v's member under its own name.
func forgedRevisionSpans(t *testing.T, v *Vault, rec Interview) bundlefmt.Revision {
	t.Helper()
	return forgedRevision(t, v.member.SigningKey, v.member.Name, rec)
}

// Add refuses control characters too, but keeps newlines and tabs and
// turns Windows line ends into newlines.
func TestAddRefusesControlCharacters(t *testing.T) {
	v := members(t, "alice")[0]
	for _, bad := range []string{"\x1b[2J", "a\x00b", "\x7f", "\u0085", "\u009b31m", "a\rb"} {
		in := sharedInput("River", "Officers came. "+bad)
		if _, err := v.Add(context.Background(), []Input{in}); !errors.Is(err, ErrInvalid) {
			t.Errorf("testimony with %q: err=%v, want ErrInvalid", bad, err)
		}
		in = sharedInput("Ri"+bad+"ver", "Officers came.")
		if _, err := v.Add(context.Background(), []Input{in}); !errors.Is(err, ErrInvalid) {
			t.Errorf("pseudonym with %q: err=%v, want ErrInvalid", bad, err)
		}
	}
	ids, err := v.Add(context.Background(), []Input{sharedInput("River", "Line one.\r\n\tLine two.\n")})
	if err != nil {
		t.Fatal(err)
	}
	view, _ := v.Get(ids[0])
	if got, want := view.Testimony, "Line one.\n\tLine two.\n"; got != want {
		t.Fatalf("testimony=%q, want %q", got, want)
	}
}

// Attack 4 of issue 11: a revision signed by a stranger's key, claiming to
// be alice's, forwarded by a roster member. It is refused like the same
// key's purge order; and history names a revision's signer as the roster
// does, not as the revision claims.
func TestAttackAuthorOffRoster(t *testing.T) {
	vs := members(t, "alice", "bob", "carol")
	bob, carol := vs[1], vs[2]
	_, stranger, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rev := forgedRevision(t, stranger, "alice", goodRecord())
	before := vaultDigest(t, carol)
	_, err = carol.Import(context.Background(), bytes.NewReader(forgedBundle(t, bob, carol, nil, rev)))
	if !errors.Is(err, ErrUnknownSigner) {
		t.Fatalf("a stranger's revision forwarded by bob: err=%v, want ErrUnknownSigner", err)
	}
	if vaultDigest(t, carol) != before {
		t.Fatal("a refused import changed the vault")
	}

	// Bob's own revision, claiming to be alice's: imported, and shown as
	// bob's.
	rev = forgedRevision(t, bob.member.SigningKey, "alice", goodRecord())
	if _, err := carol.Import(context.Background(), bytes.NewReader(forgedBundle(t, bob, carol, nil, rev))); err != nil {
		t.Fatal(err)
	}
	list, err := carol.List(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %v", list, err)
	}
	view, err := carol.Get(list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := view.Revisions[0].Author, "bob"; got != want {
		t.Fatalf("history author=%q, want %q (the roster's name for the key)", got, want)
	}
}
