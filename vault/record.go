package vault

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/media"
)

// A recording streams into the vault as it is made, in frames, so that a
// crash or a kill loses at most the last frame: the blob is a run of frames,
// each an 8-byte big-endian length and an age file (to the blob's key) of at
// most RecordingFrame bytes of the recording, fsync'd as it is written. The
// recording's record is saved before the first frame, marked unfinished;
// the next open finishes an unfinished one from the whole frames on disk.

// RecordingFrame is the most a recording frame holds, in bytes.
const RecordingFrame = 192 << 10

// maxFrameCipher bounds a frame's ciphertext on the way in: a frame's
// plaintext and age's header and tags.
const maxFrameCipher = RecordingFrame + 64<<10

// Recording is a recording being written. It is not safe for concurrent
// use.
type Recording struct {
	v         *Vault
	interview string
	rec       blobRecord
	recipient age.Recipient
	f         *os.File
	path      string
	buf       []byte
	sum       hash.Hash
	size      int64
	opts      AttachOptions
}

// StartRecording starts a recording of the interview. The recording is
// ordinary (not sealed): an unfinished one is finished at the next open,
// which needs its key.
func (v *Vault) StartRecording(ctx context.Context, idOrPrefix string, opts AttachOptions) (*Recording, error) {
	if err := v.writable(); err != nil {
		return nil, err
	}
	if opts.Seal {
		return nil, fmt.Errorf("%w: a recording cannot be sealed to the custodian yet; record it, and tell the custodian", ErrInvalid)
	}
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, err
	}
	if err := checkDescription(&opts); err != nil {
		return nil, err
	}
	bk, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, err
	}
	if err := v.ensureBlobsDir(); err != nil {
		return nil, err
	}
	r := &Recording{v: v, interview: id, recipient: bk.Recipient(), sum: sha256.New(), opts: opts,
		rec: blobRecord{Attachment: randomHex(16), Interview: id, File: randomHex(16) + ".age", Key: bk.String(),
			Frames: true, Recording: true, Description: opts.Description}}
	r.path = v.blobPath(r.rec.File)
	if r.f, err = os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
		return nil, err
	}
	if err := fsx.SyncDir(filepath.Dir(r.path)); err != nil {
		r.abandon()
		return nil, err
	}
	value, err := json.Marshal(r.rec)
	if err != nil {
		r.abandon()
		return nil, err
	}
	if err := v.commit(&change{KV: []kvRecord{{NS: blobNS, Key: blobKey(id, r.rec.Attachment), Value: value}}}); err != nil {
		r.abandon()
		return nil, err
	}
	return r, nil
}

func (r *Recording) abandon() {
	r.f.Close()
	os.Remove(r.path)
}

// Write adds to the recording; every RecordingFrame bytes are written to
// disk as a frame.
func (r *Recording) Write(p []byte) (int, error) {
	r.buf = append(r.buf, p...)
	for len(r.buf) >= RecordingFrame {
		if err := r.writeFrame(r.buf[:RecordingFrame]); err != nil {
			return 0, err
		}
		r.buf = append(r.buf[:0], r.buf[RecordingFrame:]...)
	}
	return len(p), nil
}

// Flush writes what the recording holds in memory to disk as a frame: the
// caller calls it every few seconds, so that a crash loses no more.
func (r *Recording) Flush() error {
	if len(r.buf) == 0 {
		return nil
	}
	err := r.writeFrame(r.buf)
	crypto.Wipe(r.buf)
	r.buf = r.buf[:0]
	return err
}

// Size is how many bytes the recording has, on disk and in memory.
func (r *Recording) Size() int64 { return r.size + int64(len(r.buf)) }

func (r *Recording) writeFrame(p []byte) error {
	var ct bytes.Buffer
	ct.Write(make([]byte, 8))
	w, err := age.Encrypt(&ct, r.recipient)
	if err != nil {
		return err
	}
	w.Write(p)
	if err := w.Close(); err != nil {
		return err
	}
	frame := ct.Bytes()
	binary.BigEndian.PutUint64(frame, uint64(len(frame)-8))
	if _, err := r.f.Write(frame); err != nil {
		return err
	}
	if err := r.f.Sync(); err != nil {
		return err
	}
	r.sum.Write(p)
	r.size += int64(len(p))
	crypto.Wipe(p)
	return nil
}

// Finish writes the rest and records the recording as an attachment of its
// interview, signed. If saving the record fails, the frames stay on disk
// and the next open finishes the recording.
func (r *Recording) Finish(ctx context.Context) (*AttachReport, error) {
	if err := r.Flush(); err != nil {
		return nil, err
	}
	if err := r.f.Close(); err != nil {
		return nil, err
	}
	return r.v.finishRecording(ctx, r.rec, hex.EncodeToString(r.sum.Sum(nil)), r.size, r.opts.FileName)
}

func (v *Vault) finishRecording(ctx context.Context, rec blobRecord, sum string, size int64, fileName string) (*AttachReport, error) {
	heads, err := v.headRevisions(ctx, rec.Interview)
	if err != nil {
		return nil, err
	}
	if len(heads) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, rec.Interview)
	}
	cipher, err := fileSHA256(v.blobPath(rec.File))
	if err != nil {
		return nil, err
	}
	rec.CipherSHA256 = cipher
	b := &blobWrite{path: v.blobPath(rec.File), rec: rec, sha256: sum, size: size, mediaType: media.WAV}
	return v.recordAttachment(ctx, rec.Interview, heads, b, AttachOptions{Description: rec.Description, FileName: fileName})
}

func fileSHA256(path string) (string, error) {
	f, err := fsx.OpenRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// finishRecordings finishes the recordings a crash or a kill interrupted:
// the whole frames on disk are kept, a torn last frame is cut, and the
// recording is recorded as an attachment. It returns a warning per
// recording.
func (v *Vault) finishRecordings(ctx context.Context) []string {
	rows, err := v.conn.QueryContext(ctx, `SELECT value FROM kv WHERE ns = ?`, blobNS)
	if err != nil {
		return []string{fmt.Sprintf("unfinished recordings could not be looked for: %v", err)}
	}
	var open []blobRecord
	for rows.Next() {
		var value []byte
		var rec blobRecord
		if rows.Scan(&value) == nil && json.Unmarshal(value, &rec) == nil && rec.Recording {
			open = append(open, rec)
		}
	}
	rows.Close()
	var warnings []string
	for _, rec := range open {
		sum, size, err := v.cutTornFrame(rec)
		if err == nil {
			_, err = v.finishRecording(ctx, rec, sum, size, "")
		}
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("an interrupted recording of interview %s could not be finished (the next open tries again): %v", rec.Interview, err))
			continue
		}
		warnings = append(warnings, fmt.Sprintf("a recording of interview %s was interrupted; its first %d bytes were saved", rec.Interview, size))
	}
	return warnings
}

// cutTornFrame reads a recording's frames, cuts the file after the last
// whole one, and returns the SHA-256 and size of what they hold.
func (v *Vault) cutTornFrame(rec blobRecord) (string, int64, error) {
	id, err := age.ParseHybridIdentity(rec.Key)
	if err != nil {
		return "", 0, fmt.Errorf("%w: the key of a recording", ErrDamaged)
	}
	path := v.blobPath(rec.File)
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		return "", 0, fmt.Errorf("%w: a recording's file is missing or not a file", ErrDamaged)
	}
	f, err := os.OpenFile(path, os.O_RDWR|fsx.NoBlock, 0)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	fr := &frameReader{r: bufio.NewReader(f), id: id, lenient: true}
	h := sha256.New()
	size, err := io.Copy(h, fr)
	if err != nil {
		return "", 0, err
	}
	if err := f.Truncate(fr.good); err != nil {
		return "", 0, err
	}
	if err := f.Sync(); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// frameReader reads the plaintext of a recording's frames in order. Strict,
// any damage is an error; lenient (finishing an interrupted recording), it
// stops at the first frame that is not whole and says where that was.
type frameReader struct {
	r       *bufio.Reader
	id      age.Identity
	lenient bool
	cur     []byte
	good    int64 // the end of the last whole frame
}

func (fr *frameReader) Read(p []byte) (int, error) {
	for len(fr.cur) == 0 {
		var hdr [8]byte
		_, err := io.ReadFull(fr.r, hdr[:])
		if err == io.EOF {
			return 0, io.EOF
		}
		n := binary.BigEndian.Uint64(hdr[:])
		if err != nil || n == 0 || n > maxFrameCipher {
			return fr.stop(fmt.Errorf("%w: a recording frame's length", ErrDamaged))
		}
		ct := make([]byte, n)
		if _, err := io.ReadFull(fr.r, ct); err != nil {
			return fr.stop(fmt.Errorf("%w: a recording frame is cut short", ErrDamaged))
		}
		ar, err := age.Decrypt(bytes.NewReader(ct), fr.id)
		if err != nil {
			return fr.stop(fmt.Errorf("%w: a recording frame (%v)", ErrDamaged, err))
		}
		plain, err := io.ReadAll(io.LimitReader(ar, RecordingFrame+1))
		if err != nil || len(plain) > RecordingFrame {
			return fr.stop(fmt.Errorf("%w: a recording frame", ErrDamaged))
		}
		fr.good += 8 + int64(n)
		fr.cur = plain
	}
	n := copy(p, fr.cur)
	fr.cur = fr.cur[n:]
	return n, nil
}

func (fr *frameReader) stop(err error) (int, error) {
	if fr.lenient {
		return 0, io.EOF
	}
	return 0, err
}
