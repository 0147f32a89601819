// Package bundlefmt is the wire format of a tvault bundle: the file one
// member sends another.
//
// A bundle is one age file, encrypted to the members it is for. Its
// plaintext is exactly three lines:
//
//	tvault bundle v2
//	{JSON body: exporter, recipients, created_at, tombstones, sealed, revisions, audit_head}
//	base64 Ed25519 signature, by the exporter, of
//	"tvault bundle v2\n" + hex SHA-256 of the body line
//
// Signing the digest rather than the body keeps a large bundle from being
// hashed twice more with SHA-512 inside Ed25519.
//
// The body names the age recipients the exporter encrypted the bundle to
// ([Encrypt] fills them in), so the signature covers them: a member it was
// sent to cannot re-encrypt it to someone else without the importer seeing
// that it was not addressed to them. Version 1 bundles (first line
// "tvault bundle v1", no recipients) are still read; [Body.Version] says
// which was read, and the caller decides what a bundle that is not
// recipient-bound may do.
//
// This package reads and writes that form and checks the bundle signature
// against the key the body names. Whether that key may sign, and whether the
// records inside verify, is the vault's business: [Decode] checks form only.
package bundlefmt

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

const (
	// Magic is the first line of the bundles [Encode] and [Encrypt] write.
	Magic = "tvault bundle v2"
	// MagicV1 is the first line of a version 1 bundle, which [Decode]
	// still reads.
	MagicV1 = "tvault bundle v1"
	// Version is the version [Encode] and [Encrypt] write.
	Version = 2
	// MaxSize is the most plaintext [Decrypt] reads.
	MaxSize = 4 << 30

	domain = Magic + "\n"
)

// NoTextForm is how the recipients list names a recipient that has no text
// form (an SSH key): no importer can be one, since tvault members receive
// bundles with their post-quantum key.
const NoTextForm = "other"

// Errors from [Decode]: the plaintext is not a well-formed bundle.
var (
	ErrNotBundle        = errors.New("not a tvault bundle")
	ErrTruncated        = errors.New("the bundle is truncated")
	ErrBadSignatureLine = errors.New("the bundle's signature line is malformed")
	ErrBody             = errors.New("the bundle's body does not parse")
	ErrNoSigningKey     = errors.New("the bundle names no signing key")
)

// Member is who exported a bundle: a roster entry.
type Member struct {
	Name       string `json:"name"`
	Recipient  string `json:"recipient"`
	SigningKey []byte `json:"signing_key"`
}

// Tombstone is a signed purge order, as the journal stores it.
type Tombstone struct {
	Body json.RawMessage `json:"body"`
	Sig  []byte          `json:"sig"`
}

// Sealed is an identity or span secret, still encrypted to the custodian;
// ID is the hex SHA-256 of Data.
type Sealed struct {
	ID        string `json:"id"`
	Interview string `json:"interview"`
	Data      []byte `json:"data"`
}

// Revision is a signed revision as the journal stores it: its JSON with the
// testimony taken out, and the testimony.
type Revision struct {
	ID        string          `json:"id"`
	Body      json.RawMessage `json:"body"`
	Testimony string          `json:"testimony"`
	Sig       []byte          `json:"sig"`
}

// AuditHead is the number and hash of the exporter's last audit event.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Body is a bundle's second line.
type Body struct {
	// Version is the bundle's version, from its first line: [Version], or
	// 1 for a bundle whose signature does not cover its recipients.
	Version  int    `json:"-"`
	Exporter Member `json:"exporter"`
	// Recipients are the age recipients the bundle is encrypted to, as
	// text (age1pq1…, age1…; [NoTextForm] for one without). Version 2 and
	// later: a version 1 body has none.
	Recipients []string    `json:"recipients,omitempty"`
	CreatedAt  string      `json:"created_at"`
	Tombstones []Tombstone `json:"tombstones"`
	Sealed     []Sealed    `json:"sealed"`
	Revisions  []Revision  `json:"revisions"`
	// AuditHead is the exporter's audit log head when it exported.
	// Importers remember it per member, and notice if a later bundle's log
	// is shorter.
	AuditHead *AuditHead `json:"audit_head,omitempty"`
	// KeyChanges are member key rotations the exporter knows of, each
	// signed by the retired key and by the new one: how teammates learn a
	// member's new key. Absent in bundles from before rotations existed.
	KeyChanges []KeyChange `json:"key_changes,omitempty"`
	// Redactions are signed redaction orders (records.go).
	Redactions []Redaction `json:"redactions,omitempty"`
	// Terms is the exporter's list of sensitive terms (records.go).
	Terms []Term `json:"terms,omitempty"`
}

// KeyChange is a member's key rotation, as the vault stores it: a statement
// naming the old and the new keys and a time (its form is the vault's), the
// signature of the old signing key over it and that of the new one, which
// proves possession of the new key.
type KeyChange struct {
	Statement json.RawMessage `json:"statement"`
	OldSig    []byte          `json:"old_sig"`
	NewSig    []byte          `json:"new_sig"`
}

// Signed is what the signature of a bundle of the given version covers,
// given the body line: the bundle's first line, a newline, and the hex
// SHA-256 of the body line.
func Signed(version int, line []byte) []byte {
	magic := Magic
	if version == 1 {
		magic = MagicV1
	}
	sum := sha256.Sum256(line)
	return []byte(magic + "\n" + hex.EncodeToString(sum[:]))
}

// RecipientText returns how a bundle's recipients list names r.
func RecipientText(r age.Recipient) string {
	if s, ok := r.(fmt.Stringer); ok {
		return s.String()
	}
	return NoTextForm
}

// Encode writes body as a bundle's plaintext, signed with key, to w, as it
// is: body.Recipients should name whom the caller encrypts it to.
func Encode(w io.Writer, body *Body, key ed25519.PrivateKey) error {
	line, tail, err := marshal(body, key)
	if err != nil {
		return err
	}
	defer crypto.Wipe(line)
	return writeParts(w, line, tail)
}

// Encrypt writes body as a bundle, signed with key and encrypted to
// recipients, to w. Nothing is written if the body cannot be encoded.
//
// It sets body.Recipients to recipients, so that the signature covers them.
func Encrypt(w io.Writer, body *Body, key ed25519.PrivateKey, recipients ...age.Recipient) error {
	body.Recipients = make([]string, len(recipients))
	for i, r := range recipients {
		body.Recipients[i] = RecipientText(r)
	}
	line, tail, err := marshal(body, key)
	if err != nil {
		return err
	}
	defer crypto.Wipe(line)
	aw, err := age.Encrypt(w, recipients...)
	if err != nil {
		return fmt.Errorf("cannot encrypt the bundle: %w", err)
	}
	if err := writeParts(aw, line, tail); err != nil {
		return err
	}
	return aw.Close()
}

// marshal returns the body line and the signature line after it.
func marshal(body *Body, key ed25519.PrivateKey) (line, tail []byte, err error) {
	if len(body.Recipients) == 0 {
		return nil, nil, errors.New("a bundle names at least one recipient")
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		crypto.Wipe(js.Bytes())
		return nil, nil, err
	}
	line = bytes.TrimSuffix(js.Bytes(), []byte("\n"))
	sig := ed25519.Sign(key, Signed(Version, line))
	return line, []byte("\n" + base64.StdEncoding.EncodeToString(sig) + "\n"), nil
}

func writeParts(w io.Writer, line, tail []byte) error {
	for _, part := range [][]byte{[]byte(domain), line, tail} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// Decrypt reads a bundle from r and returns its plaintext, at most
// [MaxSize] bytes. The error wraps *age.NoIdentityMatchError if the bundle is
// not encrypted to id. The caller wipes the plaintext when done.
func Decrypt(r io.Reader, id age.Identity) ([]byte, error) {
	ar, err := age.Decrypt(bufio.NewReader(r), id)
	if err != nil {
		return nil, fmt.Errorf("not a bundle, or damaged (%w)", err)
	}
	plain, err := io.ReadAll(io.LimitReader(ar, MaxSize))
	if err != nil {
		crypto.Wipe(plain)
		return nil, fmt.Errorf("the bundle is truncated or altered (%w)", err)
	}
	return plain, nil
}

// Decode splits a bundle's plaintext into its body, the body line the
// signature covers, and the signature, and decodes the body. It checks form
// only: [Verify] checks the signature, and the records inside are the
// caller's to verify.
func Decode(plain []byte) (body *Body, line, sig []byte, err error) {
	version := Version
	rest, ok := bytes.CutPrefix(plain, []byte(domain))
	if !ok {
		if rest, ok = bytes.CutPrefix(plain, []byte(MagicV1+"\n")); !ok {
			return nil, nil, nil, ErrNotBundle
		}
		version = 1
	}
	line, rest, ok = bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, nil, nil, ErrTruncated
	}
	sigLine, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || len(rest) != 0 {
		return nil, nil, nil, ErrBadSignatureLine
	}
	sig, err = base64.StdEncoding.Strict().DecodeString(string(sigLine))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, nil, nil, ErrBadSignatureLine
	}
	body = new(Body)
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(body); err != nil {
		return nil, nil, nil, ErrBody
	}
	// A version 1 body had no recipients field; a later one must name at
	// least one recipient.
	if (version == 1) != (body.Recipients == nil) || (version > 1 && len(body.Recipients) == 0) {
		return nil, nil, nil, ErrBody
	}
	body.Version = version
	if len(body.Exporter.SigningKey) != ed25519.PublicKeySize {
		return nil, nil, nil, ErrNoSigningKey
	}
	return body, line, sig, nil
}

// Verify reports whether sig is the exporter's signature of the body line,
// by the signing key the body names, under the bundle's version.
func Verify(body *Body, line, sig []byte) bool {
	return ed25519.Verify(body.Exporter.SigningKey, Signed(body.Version, line), sig)
}
