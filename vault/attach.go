package vault

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/media"
)

// Attachment is a file attached to an interview (a document, a photo, a
// recording), as the interview's signed revision records it on arrival:
// the chain of custody. The file itself is a blob beside the database
// (blob.go); its original name, which often is a name, is sealed to the
// custodian.
type Attachment struct {
	ID string `json:"id"`
	// SHA256 is the hex SHA-256 of the original bytes, Size their length.
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
	// Description is what the readable tier says of the file.
	Description string `json:"description,omitempty"`
	AttachedAt  string `json:"attached_at"`
	AttachedBy  string `json:"attached_by"`
	// AttachedByKey signed Statement at arrival: Sig.
	AttachedByKey []byte `json:"attached_by_key"`
	Sig           []byte `json:"sig"`
	// Sealed: the file is encrypted to the custodian alone; this laptop
	// cannot open it. CipherSHA256 is then the SHA-256 of that age file,
	// which is what a teammate's vault can check of it.
	Sealed       bool   `json:"sealed,omitempty"`
	CipherSHA256 string `json:"cipher_sha256,omitempty"`
	// Metadata are the kinds of metadata the original carries (gps, camera,
	// serial, …): the original is kept as evidence, untouched.
	Metadata []string `json:"metadata,omitempty"`
}

// attachmentDomain separates attachment statements from everything else
// tvault signs.
const attachmentDomain = "tvault attachment v1\n"

// Statement is the exact bytes an attachment's signature covers: the
// domain line and the record's JSON without its signature. A proof
// ([Vault.AttachmentProof]) carries them, so that anyone can check a file
// against them without tvault's code.
func (a *Attachment) Statement() ([]byte, error) {
	c := *a
	c.Sig = nil
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return append([]byte(attachmentDomain), b...), nil
}

// VerifySig checks the attachment record's signature.
func (a *Attachment) VerifySig() error {
	st, err := a.Statement()
	if err != nil {
		return err
	}
	if len(a.AttachedByKey) != ed25519.PublicKeySize || !ed25519.Verify(a.AttachedByKey, st, a.Sig) {
		return fmt.Errorf("%w: attachment %s has a bad signature", ErrDamaged, short(a.ID))
	}
	return nil
}

var (
	hexID     = regexp.MustCompile(`^[0-9a-f]{16,64}$`)
	hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)
	mediaRe   = regexp.MustCompile(`^[a-z]+/[a-z0-9.+-]+$`)
	metaRe    = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
)

// MaxDescription is the longest attachment description, in bytes.
const MaxDescription = 1000

func validateAttachments(list []Attachment) error {
	seen := map[string]bool{}
	for i, a := range list {
		switch {
		case !hexID.MatchString(a.ID) || seen[a.ID]:
			return fmt.Errorf("%w: attachment %d has a malformed or repeated ID", ErrInvalid, i+1)
		case a.Sealed && (a.SHA256 != "" || a.Size != 0 || !hexSHA256.MatchString(a.CipherSHA256)),
			!a.Sealed && (!hexSHA256.MatchString(a.SHA256) || a.Size < 0 || a.CipherSHA256 != ""):
			return fmt.Errorf("%w: attachment %d has a malformed hash or size", ErrInvalid, i+1)
		case !mediaRe.MatchString(a.MediaType):
			return fmt.Errorf("%w: attachment %d has a malformed media type", ErrInvalid, i+1)
		case len(a.Description) > MaxDescription || strings.Contains(a.Description, "\n"):
			return fmt.Errorf("%w: attachment %d's description is longer than %d bytes or has several lines", ErrInvalid, i+1, MaxDescription)
		}
		if _, err := time.Parse(time.RFC3339Nano, a.AttachedAt); err != nil {
			return fmt.Errorf("%w: attachment %d has a malformed time", ErrInvalid, i+1)
		}
		if err := checkLine(fmt.Sprintf("attachment %d's description", i+1), a.Description); err != nil {
			return err
		}
		if err := checkLine(fmt.Sprintf("attachment %d's author", i+1), a.AttachedBy); err != nil {
			return err
		}
		for _, m := range a.Metadata {
			if !metaRe.MatchString(m) {
				return fmt.Errorf("%w: attachment %d has a malformed metadata kind", ErrInvalid, i+1)
			}
		}
		if err := a.VerifySig(); err != nil {
			return err
		}
		seen[a.ID] = true
	}
	return nil
}

// unionByID returns the elements of every list, each ID once, in the order
// first seen: a merge of heads never drops an attachment or a quote.
func unionByID[T any](id func(T) string, lists ...[]T) []T {
	var out []T
	seen := map[string]bool{}
	for _, l := range lists {
		for _, x := range l {
			if !seen[id(x)] {
				seen[id(x)] = true
				out = append(out, x)
			}
		}
	}
	return out
}

// AttachOptions say how a file is attached.
type AttachOptions struct {
	// FileName is the file's original name. It is sealed to the custodian
	// (a file name often is a name) and never stored readable.
	FileName string
	// Description is what the readable tier shows instead of the name.
	Description string
	// Seal encrypts the file to the custodian alone (an ID card, a letter
	// with a name): afterwards this laptop cannot open it.
	Seal bool
	// Progress, if set, is called with the bytes read so far.
	Progress func(n int64)
}

// AttachReport says what was attached and what metadata the file carries.
type AttachReport struct {
	Interview  string          `json:"interview"`
	Attachment Attachment      `json:"attachment"`
	Findings   []media.Finding `json:"findings"`
}

// Attach streams r into a new blob of the interview, and saves a revision
// recording it: the SHA-256, size and media type of the bytes, who attached
// it and when, signed. Memory stays flat whatever the size. If anything
// fails, nothing is kept: no blob, no revision.
func (v *Vault) Attach(ctx context.Context, idOrPrefix string, r io.Reader, opts AttachOptions) (*AttachReport, error) {
	if err := v.writable(); err != nil {
		return nil, err
	}
	id, heads, err := v.resolveHeads(ctx, idOrPrefix)
	if err != nil {
		return nil, err
	}
	if err := checkDescription(&opts); err != nil {
		return nil, err
	}
	var recipient age.Recipient = v.custodian
	var key string
	if !opts.Seal {
		bk, err := age.GenerateHybridIdentity()
		if err != nil {
			return nil, err
		}
		recipient, key = bk.Recipient(), bk.String()
	}
	b, err := v.writeBlob(ctx, r, recipient, opts.Progress)
	if err != nil {
		return nil, err
	}
	kept := false
	defer func() {
		if !kept {
			os.Remove(b.path)
		}
	}()
	b.rec.Interview, b.rec.Key = id, key
	rep, err := v.recordAttachment(ctx, id, heads, b, opts)
	if err != nil {
		return nil, err
	}
	kept = true
	return rep, nil
}

func checkDescription(opts *AttachOptions) error {
	opts.Description = strings.TrimSpace(opts.Description)
	if err := checkText("the description", opts.Description); err != nil {
		return err
	}
	if len(opts.Description) > MaxDescription || strings.Contains(opts.Description, "\n") {
		return fmt.Errorf("%w: the description is one line of at most %d bytes", ErrInvalid, MaxDescription)
	}
	return nil
}

// recordAttachment saves the revision that records a blob just written,
// with its file name sealed to the custodian, the blob's local record and
// the audit event, in one change.
func (v *Vault) recordAttachment(ctx context.Context, id string, heads []*Revision, b *blobWrite, opts AttachOptions) (*AttachReport, error) {
	now := v.Now().UTC().Format(time.RFC3339Nano)
	att := Attachment{
		ID: b.rec.Attachment, SHA256: b.sha256, Size: b.size, MediaType: b.mediaType,
		Description: opts.Description, AttachedAt: now, AttachedBy: v.member.Name,
		AttachedByKey: []byte(v.member.SigningKey.Public().(ed25519.PublicKey)),
		Sealed:        b.rec.Key == "",
	}
	// A sealed original's hash and size would let anyone with a copy of
	// the document confirm which interview holds it: they are sealed to the
	// custodian with the file name. The readable record pins the age file
	// instead, whose hash tells nothing of its content.
	var sealedHash string
	if att.Sealed {
		att.CipherSHA256 = b.rec.CipherSHA256
		sealedHash = fmt.Sprintf("sha256:%s size:%d", att.SHA256, att.Size)
		att.SHA256, att.Size = "", 0
	}
	if att.ID == "" {
		att.ID = randomHex(16)
	}
	for _, f := range b.findings {
		att.Metadata = append(att.Metadata, f.Kind)
	}
	st, err := att.Statement()
	if err != nil {
		return nil, err
	}
	att.Sig = ed25519.Sign(v.member.SigningKey, st)

	ch := &change{}
	var sealedID string
	if name := strings.TrimSpace(opts.FileName); name != "" || sealedHash != "" {
		p := sealedPayload{}
		if name != "" {
			p.Files = map[string]string{att.ID: name}
		}
		if sealedHash != "" {
			p.FileHashes = map[string]string{att.ID: sealedHash}
		}
		plain, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		ct, err := crypto.Seal(v.custodian, plain)
		crypto.Wipe(plain)
		if err != nil {
			return nil, fmt.Errorf("failed to seal the file name to the custodian: %w", err)
		}
		sum := sha256.Sum256(ct)
		sealedID = hex.EncodeToString(sum[:])
		ch.Sealed = append(ch.Sealed, sealedRecord{ID: sealedID, Interview: id, Data: ct})
	}
	// On an interview in conflict the attachment goes on top of each head
	// alone: one revision over both would keep the newest head's text and
	// drop the other version's edits without a merge. The conflict stays,
	// with the file in both versions, for the merge to settle.
	for _, h := range heads {
		rec, err := v.revisionOver(id, []*Revision{h}, now, func(r *Revision) error {
			r.Record.Attachments = append(slices.Clone(r.Record.Attachments), att)
			if sealedID != "" {
				r.Sealed = append(r.Sealed, sealedID)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		ch.Revisions = append(ch.Revisions, rec)
	}
	b.rec.Attachment = att.ID
	b.rec.Recording = false
	value, err := json.Marshal(b.rec)
	if err != nil {
		return nil, err
	}
	ch.KV = []kvRecord{{NS: blobNS, Key: blobKey(id, att.ID), Value: value}}
	details := fmt.Sprintf("attachment %s, %d bytes, sha256 %s", att.ID, att.Size, att.SHA256)
	if att.Sealed {
		details = fmt.Sprintf("attachment %s, sealed to the custodian (its hash and size too)", att.ID)
	}
	ch.Audit = v.event(EventAttach, id, details)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := v.commit(ch); err != nil {
		return nil, err
	}
	return &AttachReport{Interview: id, Attachment: att, Findings: b.findings}, nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// AttachmentInfo is an attachment as listed: the signed record, and whether
// this vault holds its bytes.
type AttachmentInfo struct {
	Attachment
	Interview string `json:"interview"`
	// Here is false when the record arrived in a bundle but the file did
	// not.
	Here bool `json:"here"`
}

// Attachments lists the attachments of an interview's newest head.
func (v *Vault) Attachments(ctx context.Context, idOrPrefix string) ([]AttachmentInfo, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	id, heads, err := v.resolveHeads(ctx, idOrPrefix)
	if err != nil {
		return nil, err
	}
	var out []AttachmentInfo
	for _, a := range mergeHeads(heads).Record.Attachments {
		_, err := v.blobRecord(ctx, id, a.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		out = append(out, AttachmentInfo{Attachment: a, Interview: id, Here: err == nil})
	}
	return out, nil
}

// findAttachment finds an attachment by ID or unique prefix, in any
// interview's heads.
func (v *Vault) findAttachment(ctx context.Context, prefix string) (*AttachmentInfo, error) {
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if len(prefix) < 4 || strings.Trim(prefix, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("%w: %q is not an attachment ID (at least 4 hex characters)", ErrNoAttachment, prefix)
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT key FROM kv WHERE ns = ?`, blobNS)
	if err != nil {
		return nil, err
	}
	var interviews []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		if iv, att, ok := strings.Cut(k, "/"); ok && strings.HasPrefix(att, prefix) {
			interviews = append(interviews, iv)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var found []AttachmentInfo
	for _, iv := range slices.Compact(slices.Sorted(slices.Values(interviews))) {
		list, err := v.Attachments(ctx, iv)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if strings.HasPrefix(a.ID, prefix) {
				found = append(found, a)
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: %s", ErrNoAttachment, prefix)
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("%w: %s names more than one attachment; give more of its ID", ErrNoAttachment, prefix)
}

// blobsDir is where blobs live in the vault folder.
const blobsDir = "blobs"

func (v *Vault) blobPath(file string) string { return filepath.Join(v.dir, blobsDir, file) }

// ensureBlobsDir makes the blobs folder, private.
func (v *Vault) ensureBlobsDir() error {
	return fsx.MkdirPrivate(filepath.Join(v.dir, blobsDir))
}
