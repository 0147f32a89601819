package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/media"
)

// ReadOptions say how an attachment is read out.
type ReadOptions struct {
	// Clean writes a copy without metadata (media.Clean).
	Clean bool
	// Custodian opens an attachment sealed to the custodian.
	Custodian *age.HybridIdentity
}

// ReadAttachment writes an attachment's bytes to w, after checking all of
// them against the hash recorded on arrival: a damaged or altered blob is
// reported, and nothing of it is written. With Clean, a copy without
// metadata is written instead; the original in the vault is untouched.
// Reading a sealed attachment with the custodian key is audited, like a
// reveal.
func (v *Vault) ReadAttachment(ctx context.Context, prefix string, w io.Writer, opts ReadOptions) (*AttachmentInfo, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	a, err := v.findAttachment(ctx, prefix)
	if err != nil {
		return nil, err
	}
	if opts.Clean && !media.CanClean(a.MediaType) {
		return nil, fmt.Errorf("%w: tvault cleans JPEG, PNG, PDF, MP3, FLAC and WAV files; this one is %s (export it without --clean, and see docs/THREAT-MODEL.md)", ErrCannotClean, a.MediaType)
	}
	var custodian age.Identity
	if opts.Custodian != nil {
		custodian = opts.Custodian
	}
	// First pass: every byte against the recorded hash, nothing written.
	// For a WAV or a FLAC being cleaned, it also finds where the tags
	// appended after the audio start.
	r, err := v.openBlob(ctx, a, custodian)
	if err != nil {
		return nil, err
	}
	var tail *media.Tail
	var first io.Writer = io.Discard
	if opts.Clean {
		if tail = media.NewTail(a.MediaType); tail != nil {
			first = tail
		}
	}
	_, err = io.Copy(first, r)
	r.Close()
	if err != nil {
		return nil, err
	}
	if a.Sealed && !v.readOnly {
		if err := v.record(Event{Kind: EventReveal, Subject: a.Interview, Details: "attachment " + a.ID + " (sealed) opened with the custodian key"}); err != nil {
			return nil, err
		}
	}
	// Second pass: to w. age authenticates each chunk before it is
	// returned, so what is written is what the first pass checked.
	if r, err = v.openBlob(ctx, a, custodian); err != nil {
		return nil, err
	}
	defer r.Close()
	if opts.Clean {
		err = media.Clean(w, r, a.MediaType, tail)
	} else {
		_, err = io.Copy(w, r)
	}
	return a, err
}

// AttachmentProof lets someone outside the team check that a file is the
// one an interview recorded, with no vault and no key: the exact statement
// signed on arrival (hash, size, type, time, signer), the signature, and
// the signer's member card.
type AttachmentProof struct {
	Format string `json:"format"`
	// Statement is the signed bytes: "tvault attachment v1\n" and the
	// attachment record's JSON.
	Statement   string `json:"statement"`
	Sig         []byte `json:"sig"`
	SignerCard  string `json:"signer_card"`
	Fingerprint string `json:"fingerprint"`
}

// ProofFormat is the first field of every proof.
const ProofFormat = "tvault attachment proof v1"

// AttachmentProof returns the proof of an attachment. The description is
// part of the signed statement and so part of the proof; the file name,
// sealed to the custodian, is not.
func (v *Vault) AttachmentProof(ctx context.Context, prefix string) (*AttachmentProof, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	a, err := v.findAttachment(ctx, prefix)
	if err != nil {
		return nil, err
	}
	if a.Sealed {
		return nil, fmt.Errorf("%w (attachment %s): a proof would disclose its hash, which is sealed too", ErrSealedAttachment, short(a.ID))
	}
	st, err := a.Statement()
	if err != nil {
		return nil, err
	}
	var card []byte
	own, _, err := v.Card()
	if err != nil {
		return nil, err
	}
	if c, err := crypto.ParseCard(own); err == nil && bytes.Equal(c.SigningKey, a.AttachedByKey) {
		card = own
	} else if err := v.conn.QueryRowContext(ctx, `SELECT card FROM team WHERE signing_key = ?`, a.AttachedByKey).Scan(&card); err != nil {
		return nil, fmt.Errorf("the member who attached %s is not on the roster, so there is no card to prove it with", short(a.ID))
	}
	c, err := crypto.ParseCard(card)
	if err != nil {
		return nil, err
	}
	return &AttachmentProof{Format: ProofFormat, Statement: string(st), Sig: a.Sig, SignerCard: string(card), Fingerprint: c.Fingerprint()}, nil
}

// VerifyAttachmentProof checks a proof and, if file is not nil, that file
// holds exactly the bytes it names. It needs no vault. It returns the
// attachment record and the signer's card.
func VerifyAttachmentProof(proof []byte, file io.Reader) (*Attachment, *crypto.Card, error) {
	var p AttachmentProof
	if err := json.Unmarshal(proof, &p); err != nil || p.Format != ProofFormat {
		return nil, nil, fmt.Errorf("%w: not a tvault attachment proof", ErrDamaged)
	}
	body, ok := bytes.CutPrefix([]byte(p.Statement), []byte(attachmentDomain))
	if !ok {
		return nil, nil, fmt.Errorf("%w: the proof's statement is not an attachment statement", ErrDamaged)
	}
	var a Attachment
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, nil, fmt.Errorf("%w: the proof's statement does not parse", ErrDamaged)
	}
	a.Sig = p.Sig
	if st, err := a.Statement(); err != nil || !bytes.Equal(st, []byte(p.Statement)) {
		return nil, nil, fmt.Errorf("%w: the proof's statement is not in the form tvault signs", ErrDamaged)
	}
	c, err := crypto.ParseCard([]byte(p.SignerCard))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: the signer's card: %v", ErrDamaged, err)
	}
	if !bytes.Equal(c.SigningKey, a.AttachedByKey) {
		return nil, nil, fmt.Errorf("%w: the card is not the signer's", ErrDamaged)
	}
	if err := a.VerifySig(); err != nil {
		return nil, nil, err
	}
	if file != nil {
		h := sha256.New()
		n, err := io.Copy(h, file)
		if err != nil {
			return nil, nil, err
		}
		if n != a.Size || hex.EncodeToString(h.Sum(nil)) != a.SHA256 {
			return &a, c, fmt.Errorf("%w: the file is not the one the proof names (%d bytes, expected %d)", ErrProofMismatch, n, a.Size)
		}
	}
	return &a, c, nil
}

// checkBlobs verifies every blob this vault holds: the file is there, the
// age file is the one written (for a sealed blob, all that can be checked
// without the custodian key), and the plaintext is the one recorded.
func (v *Vault) checkBlobs(ctx context.Context) (n int, problems []string, err error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT key FROM kv WHERE ns = ? ORDER BY key`, blobNS)
	if err != nil {
		return 0, nil, err
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return 0, nil, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	for _, k := range keys {
		interview, att, _ := bytes.Cut([]byte(k), []byte("/"))
		if rec, err := v.blobRecord(ctx, string(interview), string(att)); err == nil && rec.Recording {
			continue // unfinished: the next read-write open finishes it
		}
		list, err := v.Attachments(ctx, string(interview))
		if err != nil {
			problems = append(problems, fmt.Sprintf("attachment %s: its interview cannot be read (%v)", short(string(att)), err))
			continue
		}
		var a *AttachmentInfo
		for i := range list {
			if list[i].ID == string(att) {
				a = &list[i]
			}
		}
		if a == nil {
			problems = append(problems, fmt.Sprintf("attachment %s has a file but no revision records it", short(string(att))))
			continue
		}
		n++
		if err := v.checkBlob(ctx, a); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return n, problems, nil
}

func (v *Vault) checkBlob(ctx context.Context, a *AttachmentInfo) error {
	rec, err := v.blobRecord(ctx, a.Interview, a.ID)
	if err != nil {
		return err
	}
	if err := fileSHA256Is(v.blobPath(rec.File), rec.CipherSHA256); err != nil {
		return fmt.Errorf("attachment %s: %w", short(a.ID), err)
	}
	if a.Sealed {
		return nil
	}
	r, err := v.openBlob(ctx, a, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	return err
}

var errBlobChanged = errors.New("its file is missing or not the one written")

// fileSHA256Is checks a file's SHA-256.
func fileSHA256Is(path, want string) error {
	f, err := fsx.OpenRegular(path)
	if err != nil {
		return errBlobChanged
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil || hex.EncodeToString(h.Sum(nil)) != want {
		return errBlobChanged
	}
	return nil
}
