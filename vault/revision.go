package vault

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Revision is one immutable save of an interview.
type Revision struct {
	// ID is the hex SHA-256 of the revision's canonical JSON.
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

// revisionDomain separates revision hashes and signatures from every other
// thing tvault hashes or signs.
const revisionDomain = "tvault revision v1\n"

// canonical returns the bytes a revision's ID is the hash of.
// encoding/json writes struct fields in declaration order and escapes the
// same way every time, which is all "canonical" needs here: IDs are
// recomputed by this code, not by others.
func (r *Revision) canonical() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append([]byte(revisionDomain), b...), nil
}

func (r *Revision) computeID() (string, error) {
	b, err := r.canonical()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func signRevision(sk ed25519.PrivateKey, id string) []byte {
	return ed25519.Sign(sk, []byte(revisionDomain+id))
}

// verify checks that r's ID is the hash of its content and that sig is its
// author's signature.
func (r *Revision) verify(sig []byte) error {
	id, err := r.computeID()
	if err != nil {
		return err
	}
	if id != r.ID {
		return fmt.Errorf("%w: revision %s does not match its hash", ErrDamaged, short(r.ID))
	}
	if len(r.AuthorKey) != ed25519.PublicKeySize || !ed25519.Verify(r.AuthorKey, []byte(revisionDomain+id), sig) {
		return fmt.Errorf("%w: revision %s has a bad signature", ErrDamaged, short(r.ID))
	}
	return nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// storedBody is the revision as stored: testimony moved to its own column.
func (r *Revision) storedBody() ([]byte, string, error) {
	c := *r
	testimony := c.Record.Testimony
	c.Record.Testimony = ""
	b, err := json.Marshal(&c)
	return b, testimony, err
}

func loadRevision(id string, body []byte, testimony string) (*Revision, error) {
	r := new(Revision)
	if err := json.Unmarshal(body, r); err != nil {
		return nil, fmt.Errorf("%w: revision %s", ErrDamaged, short(id))
	}
	r.ID = id
	r.Record.Testimony = testimony
	return r, nil
}
