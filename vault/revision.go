package vault

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Revision is one immutable save of an interview.
//
// A field added to Revision or to the types it holds must be omitempty:
// revisions of format 1 are verified by re-marshalling this struct
// (revisionV1), and a new field that always marshals would change every
// one of their IDs.
type Revision struct {
	// ID is the hex SHA-256 of the revision's bytes (see revisionID).
	ID        string   `json:"-"`
	Interview string   `json:"interview"`
	Parents   []string `json:"parents"`
	Author    string   `json:"author"`
	// AuthorKey is the Ed25519 public key that signed the revision.
	AuthorKey []byte `json:"author_key"`
	CreatedAt string `json:"created_at"`
	// Sealed lists the sealed items (identity, span secrets) this revision
	// uses, oldest first.
	Sealed []string `json:"sealed"`
	// SpanCount is how many span numbers the interview has used: new spans
	// are numbered from SpanCount+1, so a number is never reused.
	SpanCount int `json:"span_count"`
	// SpanSources, set on a merge and kept by the revisions after it, say
	// where the secrets of span numbers are when both merged versions
	// numbered new spans alike (spanmap.go). Absent on older revisions,
	// which hash as before.
	SpanSources []SpanSource `json:"span_sources,omitempty"`
	// Record is the pseudonymised interview, testimony in marked form.
	Record Interview `json:"record"`
}

// Revision formats. A revision is stored, journalled and sent as two
// values: its body (its JSON with the testimony left out, exactly as
// signed) and its testimony.
//
// Format 2, which this version writes: the ID is the hex SHA-256 of
// revisionDomainV2, the body's length as 8 big-endian bytes, the body, and
// the testimony, so that it names the exact bytes stored, shipped and
// shown; the author signs revisionDomainV2 + ID. Fields this version does
// not know are kept: they are in the bytes.
//
// Format 1, of revisions made before: the ID is the hex SHA-256 of
// revisionDomainV1 and Go's re-marshal of the decoded revision, testimony
// included. Their IDs stay (later revisions name them as parents); their
// stored body must be exactly the re-marshal of what it decodes to, so that
// bytes no signature covers (a repeated key, an added field) are refused.
const (
	revisionDomainV1 = "tvault revision v1\n"
	revisionDomainV2 = "tvault revision v2\n"
)

// revisionID returns the format 2 ID of a revision's stored body and
// testimony.
func revisionID(body []byte, testimony string) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(body)))
	h.Write([]byte(revisionDomainV2))
	h.Write(n[:])
	h.Write(body)
	h.Write([]byte(testimony))
	return hex.EncodeToString(h.Sum(nil))
}

// storedBody is the revision as stored: its JSON with the testimony taken
// out (an empty "testimony"), and the testimony.
func (r *Revision) storedBody() ([]byte, string, error) {
	c := *r
	testimony := c.Record.Testimony
	c.Record.Testimony = ""
	b, err := json.Marshal(&c)
	return b, testimony, err
}

// computeID returns the format 2 ID of r: that of its stored body and
// testimony.
func (r *Revision) computeID() (string, error) {
	body, testimony, err := r.storedBody()
	if err != nil {
		return "", err
	}
	return revisionID(body, testimony), nil
}

// signRevision signs a format 2 revision's ID (tests make them: this
// version writes format 3, newRevisionRecord).
func signRevision(sk ed25519.PrivateKey, id string) []byte {
	return ed25519.Sign(sk, []byte(revisionDomainV2+id))
}

// verifyRevision checks a revision as stored or received (its ID, body,
// testimony and signature) and returns it decoded. Format 2: the hash of
// the bytes first, then their form (strictJSON: no repeated key, UTF-8, as
// the journal and bundles carry it unchanged), then the author's signature.
// Otherwise format 1, whose body must be the re-marshal of what it decodes
// to.
//
// With a proof, format 3 (revision3.go): the ID is computed from the
// leaves of what is stored and the proof, whether or not the revision is
// redacted, and the author's signature is checked over it.
func verifyRevision(id string, body []byte, testimony string, proof, sig []byte) (*Revision, error) {
	if len(proof) > 0 {
		return verifyV3(id, body, testimony, proof, sig)
	}
	domain := revisionDomainV2
	v2 := revisionID(body, testimony) == id
	if err := strictJSON(body); err != nil {
		return nil, fmt.Errorf("%w: revision %s: %v", ErrDamaged, short(id), err)
	}
	r, err := loadRevision(id, body, testimony)
	if err != nil {
		return nil, err
	}
	if !v2 {
		domain = revisionDomainV1
		if err := r.verifyV1(body); err != nil {
			return nil, err
		}
	} else if !compactJSON(body) {
		return nil, fmt.Errorf("%w: revision %s is not compact JSON as the journal and bundles carry it", ErrDamaged, short(id))
	}
	if len(r.AuthorKey) != ed25519.PublicKeySize || !ed25519.Verify(r.AuthorKey, []byte(domain+id), sig) {
		return nil, fmt.Errorf("%w: revision %s has a bad signature", ErrDamaged, short(id))
	}
	return r, nil
}

// verifyV1 checks a format 1 revision's ID, and that its stored body is the
// re-marshal of r with the testimony left out.
func (r *Revision) verifyV1(body []byte) error {
	b, _, err := r.storedBody()
	if err != nil {
		return err
	}
	full, err := json.Marshal(r)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(append([]byte(revisionDomainV1), full...))
	if hex.EncodeToString(sum[:]) != r.ID {
		return fmt.Errorf("%w: revision %s does not match its hash", ErrDamaged, short(r.ID))
	}
	if !bytes.Equal(b, body) {
		return fmt.Errorf("%w: revision %s holds bytes its signature does not cover", ErrDamaged, short(r.ID))
	}
	return nil
}

// compactJSON reports whether body is as encoding/json writes a
// json.RawMessage (no insignificant space; <, >, &, U+2028, U+2029
// escaped): the journal and bundles embed bodies that way, so only such a
// body reaches the other end byte for byte.
func compactJSON(body []byte) bool {
	b, err := json.Marshal(json.RawMessage(body))
	return err == nil && bytes.Equal(b, body)
}

// verify checks a revision record as received or stored (verifyRevision)
// and keeps it decoded.
func (r *revisionRecord) verify() (*Revision, error) {
	rev, err := verifyRevision(r.ID, r.Body, r.Testimony, r.Proof, r.Sig)
	if err != nil {
		return nil, err
	}
	r.rev = rev
	return rev, nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// loadRevision decodes a stored revision, its hash and signature verified
// already, or about to be by verifyRevision. A body that holds testimony of
// its own is refused: what is shown is the testimony column.
func loadRevision(id string, body []byte, testimony string) (*Revision, error) {
	r := new(Revision)
	if !utf8.Valid(body) || json.Unmarshal(body, r) != nil || r.Record.Testimony != "" {
		return nil, fmt.Errorf("%w: revision %s", ErrDamaged, short(id))
	}
	r.ID = id
	r.Record.Testimony = testimony
	return r, nil
}

// verifyV3 checks a format 3 revision: its proof's form, the body's (as
// format 2's), the ID computed from the leaves, then the signature.
func verifyV3(id string, body []byte, testimony string, proof, sig []byte) (*Revision, error) {
	p, err := parseProof(id, proof)
	if err != nil {
		return nil, err
	}
	if err := strictJSON(body); err != nil {
		return nil, fmt.Errorf("%w: revision %s: %v", ErrDamaged, short(id), err)
	}
	if !compactJSON(body) {
		return nil, fmt.Errorf("%w: revision %s is not compact JSON as the journal and bundles carry it", ErrDamaged, short(id))
	}
	r, err := loadRevision(id, body, testimony)
	if err != nil {
		return nil, err
	}
	got, err := idV3(body, testimony, p)
	if err != nil {
		return nil, err
	}
	if got != id {
		return nil, fmt.Errorf("%w: revision %s does not match its hash", ErrDamaged, short(id))
	}
	if len(r.AuthorKey) != ed25519.PublicKeySize || !ed25519.Verify(r.AuthorKey, []byte(revisionDomainV3+id), sig) {
		return nil, fmt.Errorf("%w: revision %s has a bad signature", ErrDamaged, short(id))
	}
	return r, nil
}
