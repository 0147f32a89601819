package vault

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/media"
)

// A blob is one attachment's bytes: an age file in blobs/ whose name is
// random (never a hash of the content: a hash would let anyone confirm that
// a known document is inside). An ordinary blob is encrypted to a key of
// its own, a hybrid age identity kept in the database (kv namespace
// "blobs"), so that retiring a generation's data key erases the blob's key
// with it; a sealed blob is encrypted to the custodian alone, and the
// database holds no key for it.
const blobNS = "blobs"

func blobKey(interview, attachment string) string { return interview + "/" + attachment }

// blobRecord is the local record of a blob: where it is and how to open it.
type blobRecord struct {
	Attachment string `json:"attachment"`
	Interview  string `json:"interview"`
	File       string `json:"file"`
	// Key is the blob's age identity; empty for a blob sealed to the
	// custodian.
	Key string `json:"key,omitempty"`
	// CipherSHA256 is the hex SHA-256 of the age file: check verifies it
	// even for a sealed blob it cannot open.
	CipherSHA256 string `json:"cipher_sha256"`
	// Frames: the file is a recording, a run of frames (record.go), not
	// one age file.
	Frames bool `json:"frames,omitempty"`
	// Recording: the recording has not finished; the next open finishes it
	// from the frames on disk.
	Recording   bool   `json:"recording,omitempty"`
	Description string `json:"description,omitempty"`
}

func (v *Vault) blobRecord(ctx context.Context, interview, attachment string) (*blobRecord, error) {
	var value []byte
	err := v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = ? AND key = ?`, blobNS, blobKey(interview, attachment)).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rec := new(blobRecord)
	if err := json.Unmarshal(value, rec); err != nil || strings.ContainsAny(rec.File, `/\`) || rec.File == "" {
		return nil, fmt.Errorf("%w: the record of attachment %s", ErrDamaged, short(attachment))
	}
	return rec, nil
}

// blobWrite is a blob just written, not yet recorded.
type blobWrite struct {
	path      string
	rec       blobRecord
	sha256    string
	size      int64
	mediaType string
	findings  []media.Finding
}

// writeBlob streams r, encrypted to recipient, into a new file in blobs/,
// and returns what it learnt of the plaintext on the way. The file is
// complete and durable when it returns; on error there is no file.
func (v *Vault) writeBlob(ctx context.Context, r io.Reader, recipient age.Recipient, progress func(int64)) (_ *blobWrite, err error) {
	if err := v.ensureBlobsDir(); err != nil {
		return nil, err
	}
	b := &blobWrite{rec: blobRecord{File: randomHex(16) + ".age"}}
	b.path = v.blobPath(b.rec.File)
	tmp := v.blobPath(".tmp-" + randomHex(8))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	cipherSum := newAsyncHash(sha256.New())
	defer func() {
		if cipherSum != nil {
			cipherSum.wait()
		}
	}()
	bw := bufio.NewWriterSize(io.MultiWriter(f, cipherSum), 256<<10)
	aw, err := age.Encrypt(bw, recipient)
	if err != nil {
		return nil, err
	}
	src := &ctxReader{ctx: ctx, r: r, progress: progress}
	head := make([]byte, media.SniffLen)
	n, err := io.ReadFull(src, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	b.mediaType = media.Sniff(head)
	inspector := media.NewInspector(b.mediaType)
	plainSum := newAsyncHash(sha256.New(), inspector)
	defer func() {
		if plainSum != nil {
			plainSum.wait()
		}
	}()
	dst := io.MultiWriter(aw, plainSum)
	if _, err := dst.Write(head); err != nil {
		return nil, err
	}
	if _, err := io.CopyBuffer(dst, src, make([]byte, 256<<10)); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, b.path); err != nil {
		return nil, err
	}
	if err := fsx.SyncDir(filepath.Dir(b.path)); err != nil {
		os.Remove(b.path)
		return nil, err
	}
	b.size = src.n
	b.sha256 = hex.EncodeToString(plainSum.sum())
	b.rec.CipherSHA256 = hex.EncodeToString(cipherSum.sum())
	plainSum, cipherSum = nil, nil
	b.findings = inspector.Findings()
	return b, nil
}

// ctxReader stops a long copy when its context is cancelled, and counts.
type ctxReader struct {
	ctx      context.Context
	r        io.Reader
	n        int64
	progress func(int64)
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.n)
	}
	return n, err
}

// openBlob returns the decrypted bytes of an attachment, as a stream that
// fails at the first chunk that does not authenticate (age's STREAM) and,
// at its end, if the bytes are not the ones recorded on arrival.
func (v *Vault) openBlob(ctx context.Context, a *AttachmentInfo, custodian age.Identity) (io.ReadCloser, error) {
	rec, err := v.blobRecord(ctx, a.Interview, a.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: attachment %s is recorded, but its file is not in this vault (it was attached in another vault)", ErrNoAttachment, short(a.ID))
	}
	if err != nil {
		return nil, err
	}
	var id age.Identity
	switch {
	case rec.Key != "":
		bk, err := age.ParseHybridIdentity(rec.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: the key of attachment %s", ErrDamaged, short(a.ID))
		}
		id = bk
	case custodian == nil:
		return nil, fmt.Errorf("%w: attachment %s is sealed to the custodian; only the custodian key opens it", ErrSealedAttachment, short(a.ID))
	default:
		id = custodian
	}
	// A sealed file is pinned by its age file's hash (its original's is
	// sealed): a file swapped for another one encrypted to the custodian's
	// public recipient is refused before anything is read.
	if a.Sealed {
		if err := fileSHA256Is(v.blobPath(rec.File), a.CipherSHA256); err != nil {
			return nil, fmt.Errorf("%w: attachment %s is not the file recorded on arrival", ErrDamaged, short(a.ID))
		}
	}
	// Never a named pipe or a device planted in its place: that would hang.
	f, err := fsx.OpenRegular(v.blobPath(rec.File))
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, fsx.ErrNotRegular) {
		return nil, fmt.Errorf("%w: the file of attachment %s is missing or not a file", ErrDamaged, short(a.ID))
	}
	if err != nil {
		return nil, err
	}
	if rec.Frames {
		fr := &frameReader{r: bufio.NewReaderSize(f, 256<<10), id: id}
		return &verifyingReader{ctx: ctx, r: fr, f: f, want: a.SHA256, size: a.Size, sum: sha256.New(), id: a.ID}, nil
	}
	ar, err := age.Decrypt(bufio.NewReaderSize(f, 256<<10), id)
	if err != nil {
		f.Close()
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) && rec.Key == "" {
			return nil, fmt.Errorf("%w: this custodian key does not open attachment %s", ErrWrongCustodianKey, short(a.ID))
		}
		return nil, fmt.Errorf("%w: attachment %s (%v)", ErrDamaged, short(a.ID), err)
	}
	return &verifyingReader{ctx: ctx, r: ar, f: f, want: a.SHA256, size: a.Size, sum: sha256.New(), id: a.ID}, nil
}

type verifyingReader struct {
	ctx  context.Context
	r    io.Reader
	f    *os.File
	sum  hash.Hash
	n    int64
	want string
	size int64
	id   string
}

func (vr *verifyingReader) Read(p []byte) (int, error) {
	if err := vr.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := vr.r.Read(p)
	vr.sum.Write(p[:n])
	vr.n += int64(n)
	if vr.want == "" {
		// Sealed: its age file's hash was checked before it was opened,
		// and age authenticates every chunk of it.
		if err != nil && !errors.Is(err, io.EOF) {
			return n, fmt.Errorf("%w: attachment %s (%v)", ErrDamaged, short(vr.id), err)
		}
		return n, err
	}
	if vr.n > vr.size {
		return 0, fmt.Errorf("%w: attachment %s is longer than recorded", ErrDamaged, short(vr.id))
	}
	if errors.Is(err, io.EOF) {
		if vr.n != vr.size || hex.EncodeToString(vr.sum.Sum(nil)) != vr.want {
			return n, fmt.Errorf("%w: attachment %s is not the file recorded on arrival", ErrDamaged, short(vr.id))
		}
		return n, io.EOF
	}
	if err != nil {
		return n, fmt.Errorf("%w: attachment %s (%v)", ErrDamaged, short(vr.id), err)
	}
	return n, nil
}

func (vr *verifyingReader) Close() error { return vr.f.Close() }

// sweepBlobs removes the files in blobs/ that no record names: those of
// purged interviews, and those a crash left before their revision was
// saved. Each is overwritten before it is unlinked. Blob files are named
// by tvault; anything else in the folder is left alone.
func (v *Vault) sweepBlobs(ctx context.Context) error {
	entries, err := os.ReadDir(filepath.Join(v.dir, blobsDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	known, err := v.blobFiles(ctx)
	if err != nil {
		return err
	}
	var firstErr error
	for _, e := range entries {
		name := e.Name()
		ours := strings.HasPrefix(name, ".tmp-") || (strings.HasSuffix(name, ".age") && hexID.MatchString(strings.TrimSuffix(name, ".age")))
		if !ours || known[name] {
			continue
		}
		if err := ShredFile(v.blobPath(name)); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// blobFiles returns the file names of every recorded blob.
func (v *Vault) blobFiles(ctx context.Context) (map[string]bool, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT key, value FROM kv WHERE ns = ?`, blobNS)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	known := map[string]bool{}
	for rows.Next() {
		var k string
		var value []byte
		if err := rows.Scan(&k, &value); err != nil {
			return nil, err
		}
		var rec blobRecord
		if json.Unmarshal(value, &rec) == nil {
			known[rec.File] = true
		}
	}
	return known, rows.Err()
}
