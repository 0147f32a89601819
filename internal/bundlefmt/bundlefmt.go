// Package bundlefmt is the wire format of a tvault bundle: the file one
// member sends another.
//
// A bundle is one age file, encrypted to the members it is for. Its
// plaintext, version 3, is read as a stream, so that whoever sent it is
// checked before any of its body is read:
//
//	tvault bundle v3
//	{header: exporter, recipients, created_at, audit_head, counts, size, key_changes}
//	base64 Ed25519 signature of "tvault bundle v3 header\n" + hex SHA-256 of the header line
//	{"kind":"tombstone",...}      one record per line, as many as counts declares
//	{"kind":"sealed",...}
//	{"kind":"revision",...}
//	{"kind":"end","records":N,"sha256":"<hex SHA-256 of all record lines>"}
//	base64 Ed25519 signature of "tvault bundle v3 end\n" + hex SHA-256 of the header line + "\n" + hex SHA-256 of the end line
//
// [Parse] verifies the header's signature and hands the header to the
// caller's check (is the signer on the roster, is the bundle for me)
// before it reads a record; then it reads one record at a time, each line
// at most [MaxRecordLine] bytes, counted against what the header declares
// and the limits of [Kinds]; and it returns nothing unless the end line
// matches what was read and its signature verifies. Signing digests rather
// than lines keeps a large bundle from being hashed twice more with SHA-512
// inside Ed25519.
//
// The header names the age recipients the exporter encrypted the bundle to
// ([Encrypt] fills them in), so the signature covers them: a member it was
// sent to cannot re-encrypt it to someone else without the importer seeing
// that it was not addressed to them. Versions 1 and 2 (legacy.go) are
// still read; [Body.Version] says which was read.
//
// This package reads and writes that form and checks the bundle's
// signatures against the key the header names. Whether that key may sign,
// and whether the records inside verify, is the vault's business.
package bundlefmt

import (
	"bufio"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

const (
	// Magic is the first line of the bundles [Encode] and [Encrypt] write.
	Magic = "tvault bundle v3"
	// MagicV2 and MagicV1 are the first lines of versions 2 and 1, which
	// [Parse] still reads.
	MagicV2 = "tvault bundle v2"
	MagicV1 = "tvault bundle v1"
	// Version is the version [Encode] and [Encrypt] write.
	Version = 3
	// MaxSize is the most plaintext a bundle may hold.
	MaxSize = 4 << 30
	// MaxHeaderLine is the longest header line read: the recipients of a
	// large team (a post-quantum recipient is about 2 KB) and a thousand
	// member key changes (each about 3 KB) fit.
	MaxHeaderLine = 4 << 20
	// MaxRecordLine is the longest record line read: a revision with the
	// largest testimony (16 MiB, at most doubled by JSON escapes) and its
	// body fit.
	MaxRecordLine = 40 << 20
)

// NoTextForm is how the recipients list names a recipient that has no text
// form (an SSH key): no importer can be one, since tvault members receive
// bundles with their post-quantum key.
const NoTextForm = "other"

// Errors from [Parse] and [Decode]: the plaintext is not a well-formed
// bundle, or its signature does not verify.
var (
	ErrNotBundle        = errors.New("not a tvault bundle")
	ErrTruncated        = errors.New("the bundle is truncated")
	ErrBadSignatureLine = errors.New("the bundle's signature line is malformed")
	ErrBody             = errors.New("the bundle's body does not parse")
	ErrNoSigningKey     = errors.New("the bundle names no signing key")
	ErrBadSignature     = errors.New("the bundle's signature does not verify")
	ErrTooLarge         = errors.New("the bundle exceeds a size or count limit")
	// ErrNewerKind is a record (or a declared count) of a kind this
	// version does not know: refused, not skipped, since a kind may carry
	// what must not be missed (a purge, a key change).
	ErrNewerKind = errors.New("it holds a kind of record this version of tvault does not know: update tvault to import it")
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
	// Proof is a format 3 revision's (docs/FORMAT.md, "Revisions");
	// absent from older ones.
	Proof json.RawMessage `json:"proof,omitempty"`
	Sig   []byte          `json:"sig"`
}

// AuditHead is the number and hash of the exporter's last audit event.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Body is a bundle, decoded: its header's fields and its records, a slice
// per kind (see [Kinds]). As JSON it is a version 1 or 2 body line.
type Body struct {
	// Version is the bundle's version, from its first line.
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

	// Blobs, when writing, streams the attachment files the bundle
	// carries, chunk by chunk, in order ([BlobChunk]). It is called twice:
	// once to count, once to write.
	Blobs func(emit func(*BlobChunk) error) error `json:"-"`
	// takeBlob, when reading, takes each chunk as it arrives ([ReadBlobs]).
	takeBlob func(*BlobChunk) error
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

// RecipientText returns how a bundle's recipients list names r.
func RecipientText(r age.Recipient) string {
	if s, ok := r.(fmt.Stringer); ok {
		return s.String()
	}
	return NoTextForm
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
	h, err := header(body)
	if err != nil {
		return err
	}
	aw, err := age.Encrypt(w, recipients...)
	if err != nil {
		return fmt.Errorf("cannot encrypt the bundle: %w", err)
	}
	if err := write(aw, body, h, key); err != nil {
		return err
	}
	return aw.Close()
}

// Encode writes body as a bundle's plaintext, signed with key, to w, as it
// is: body.Recipients should name whom the caller encrypts it to.
func Encode(w io.Writer, body *Body, key ed25519.PrivateKey) error {
	h, err := header(body)
	if err != nil {
		return err
	}
	return write(w, body, h, key)
}

// Decrypt reads a bundle from r and returns its whole plaintext, at most
// [MaxSize] bytes, unchecked: for tests and tools. Import reads with [Read].
// The error wraps *age.NoIdentityMatchError if the bundle is not encrypted
// to id. The caller wipes the plaintext when done.
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

// Read decrypts a bundle from r with id and parses it ([Parse]). The error
// wraps *age.NoIdentityMatchError if the bundle is not encrypted to id, and
// is check's own if check refused it.
func Read(r io.Reader, id age.Identity, check func(*Header) error) (*Body, error) {
	ar, err := age.Decrypt(bufio.NewReader(r), id)
	if err != nil {
		return nil, fmt.Errorf("not a bundle, or damaged (%w)", err)
	}
	return Parse(ar, check)
}

// Parse reads a bundle's plaintext from r, of any version, and returns it
// with its signatures verified. check, if not nil, is called with the
// header once its signature verifies and before any record is read (for
// versions 1 and 2, with the exporter alone, before the body is read:
// their signature follows it); if it fails, Parse returns its error as it
// is, having read no more. The records inside are the caller's to verify.
func Parse(r io.Reader, check func(*Header) error) (*Body, error) {
	return parse(r, check, nil)
}

func parse(r io.Reader, check func(*Header) error, take func(*BlobChunk) error) (*Body, error) {
	br := bufio.NewReaderSize(r, legacyPeek)
	var n int64
	first, err := readLine(br, nil, 32, &n)
	if err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrTruncated) {
			return nil, ErrNotBundle
		}
		return nil, err
	}
	switch string(first) {
	case Magic:
		return parseV3(br, check, take)
	case MagicV2:
		return parseLegacy(br, 2, check)
	case MagicV1:
		return parseLegacy(br, 1, check)
	}
	return nil, ErrNotBundle
}

// readLine reads one line from br, without its newline, into buf. A line
// longer than max bytes is ErrTooLarge, one with no newline ErrTruncated;
// n counts the bytes read, newline included. An error of the reader (an
// age chunk that fails authentication) is returned as "truncated or
// altered".
func readLine(br *bufio.Reader, buf []byte, max int, n *int64) ([]byte, error) {
	buf = buf[:0]
	for {
		frag, err := br.ReadSlice('\n')
		*n += int64(len(frag))
		if len(buf)+len(frag) > max+1 {
			return nil, ErrTooLarge
		}
		buf = append(buf, frag...)
		switch {
		case err == nil:
			return buf[:len(buf)-1], nil
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			return nil, ErrTruncated
		default:
			return nil, fmt.Errorf("the bundle is truncated or altered (%w)", err)
		}
	}
}

// atEOF checks that br has nothing left. Reading to the end also makes age
// authenticate the last chunk.
func atEOF(br *bufio.Reader) error {
	switch _, err := br.ReadByte(); {
	case err == io.EOF:
		return nil
	case err == nil:
		return fmt.Errorf("%w: bytes after its last signature", ErrBody)
	default:
		return fmt.Errorf("the bundle is truncated or altered (%w)", err)
	}
}

func wipe(b []byte) { crypto.Wipe(b) }
