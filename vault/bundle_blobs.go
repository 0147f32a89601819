package vault

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/tvault/tvault/internal/bundlefmt"
	"github.com/tvault/tvault/internal/fsx"
)

// Attachment files travel in bundles as "blob" records, after the
// revisions that record them: an ordinary file as its bytes (the bundle is
// encrypted to its recipients), a sealed one as the age file sealed to the
// custodian, as it is. The importer streams each into a new blob as it
// arrives, never holding a file in memory, and keeps it only if the bundle
// verifies and the file is the one its signed record names.

// maxBundleFiles bounds the attachment files one bundle may bring.
const maxBundleFiles = 100_000

// blobSource streams the files of the interviews report says were sent.
func (v *Vault) blobSource(ctx context.Context, report *ExportReport) func(emit func(*bundlefmt.BlobChunk) error) error {
	return func(emit func(*bundlefmt.BlobChunk) error) error {
		report.Files, report.FileBytes = 0, 0
		buf := make([]byte, bundlefmt.MaxBlobChunk)
		for _, iv := range report.interviews {
			atts, err := v.Attachments(ctx, iv)
			if err != nil {
				return err
			}
			for i := range atts {
				a := &atts[i]
				if !a.Here {
					continue
				}
				n, err := v.emitBlob(ctx, a, buf, emit)
				if err != nil {
					return err
				}
				report.Files++
				report.FileBytes += n
			}
		}
		return nil
	}
}

func (v *Vault) emitBlob(ctx context.Context, a *AttachmentInfo, buf []byte, emit func(*bundlefmt.BlobChunk) error) (int64, error) {
	rec, err := v.blobRecord(ctx, a.Interview, a.ID)
	if err != nil {
		return 0, err
	}
	var r io.Reader
	if a.Sealed {
		// Sealed: the age file as it is, checked against its record.
		if err := fileSHA256Is(v.blobPath(rec.File), a.CipherSHA256); err != nil {
			return 0, fmt.Errorf("%w: attachment %s: %v", ErrDamaged, short(a.ID), err)
		}
		f, err := fsx.OpenRegular(v.blobPath(rec.File))
		if err != nil {
			return 0, err
		}
		defer f.Close()
		r = f
	} else {
		rc, err := v.openBlob(ctx, a, nil)
		if err != nil {
			return 0, err
		}
		defer rc.Close()
		r = rc
	}
	var total int64
	for seq := int64(0); ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 || seq == 0 {
			if err := emit(&bundlefmt.BlobChunk{Attachment: a.ID, Interview: a.Interview, Seq: seq, Sealed: a.Sealed, Data: buf[:n]}); err != nil {
				return 0, err
			}
			total += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return total, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// blobReceiver takes the files of a bundle being imported into temporary
// blobs, encrypted as they arrive.
type blobReceiver struct {
	v     *Vault
	files map[string]*incoming
	order []string
}

type incoming struct {
	attachment, interview string
	sealed                bool
	tmp                   string
	f                     *os.File
	bw                    *bufio.Writer
	aw                    io.WriteCloser // nil for a sealed file
	key                   string
	plain, cipher         hash.Hash
	size                  int64
	next                  int64
}

func (br *blobReceiver) take(c *bundlefmt.BlobChunk) error {
	if !hexID.MatchString(c.Attachment) || !hexID.MatchString(c.Interview) {
		return fmt.Errorf("%w: a file record names a malformed attachment or interview", ErrDamaged)
	}
	in := br.files[c.Attachment]
	if in == nil {
		if c.Seq != 0 || len(br.files) >= maxBundleFiles {
			return fmt.Errorf("%w: the files of the bundle are out of order or too many", ErrDamaged)
		}
		var err error
		if in, err = br.open(c); err != nil {
			return err
		}
	} else if c.Seq != in.next || c.Interview != in.interview || c.Sealed != in.sealed {
		return fmt.Errorf("%w: the pieces of attachment %s are out of order", ErrDamaged, short(c.Attachment))
	}
	in.next++
	in.size += int64(len(c.Data))
	if in.sealed {
		_, err := in.bw.Write(c.Data) // the file and its hash
		return err
	}
	in.plain.Write(c.Data)
	_, err := in.aw.Write(c.Data)
	return err
}

func (br *blobReceiver) open(c *bundlefmt.BlobChunk) (*incoming, error) {
	if err := br.v.ensureBlobsDir(); err != nil {
		return nil, err
	}
	in := &incoming{attachment: c.Attachment, interview: c.Interview, sealed: c.Sealed,
		tmp: br.v.blobPath(".tmp-" + randomHex(8)), plain: sha256.New(), cipher: sha256.New()}
	f, err := os.OpenFile(in.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	in.f = f
	br.files[c.Attachment] = in
	br.order = append(br.order, c.Attachment)
	in.bw = bufio.NewWriterSize(io.MultiWriter(f, in.cipher), 256<<10)
	if !in.sealed {
		key, err := age.GenerateHybridIdentity()
		if err != nil {
			return nil, err
		}
		in.key = key.String()
		if in.aw, err = age.Encrypt(in.bw, key.Recipient()); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// drop removes every temporary file: the bundle was refused.
func (br *blobReceiver) drop() {
	for _, in := range br.files {
		if in.f != nil {
			in.f.Close()
		}
		os.Remove(in.tmp)
	}
	br.files = map[string]*incoming{}
}

// keep closes the files received, checks each against the attachment
// record its interview holds (in the bundle or already here), and puts the
// good ones in place. It returns their records, to save with the import.
// A file whose record says otherwise refuses the bundle; one this vault
// has already, or whose interview it does not hold (purged here), is
// dropped.
func (br *blobReceiver) keep(ctx context.Context, ch *change, tombstoned map[string]bool) ([]kvRecord, []string, error) {
	if len(br.files) == 0 {
		return nil, nil, nil
	}
	records := map[string]Attachment{}
	for i := range ch.Revisions {
		rev, err := ch.Revisions[i].revision()
		if err != nil {
			return nil, nil, err
		}
		for _, a := range rev.Record.Attachments {
			records[rev.Interview+"/"+a.ID] = a
		}
	}
	var kept []kvRecord
	var placed []string
	for _, id := range br.order {
		in := br.files[id]
		if !in.sealed {
			if err := in.aw.Close(); err != nil {
				return nil, placed, err
			}
		}
		if err := in.bw.Flush(); err != nil {
			return nil, placed, err
		}
		if err := in.f.Sync(); err != nil {
			return nil, placed, err
		}
		in.f.Close()
		in.f = nil
		if tombstoned[in.interview] {
			os.Remove(in.tmp)
			continue
		}
		if _, err := br.v.blobRecord(ctx, in.interview, id); err == nil {
			os.Remove(in.tmp) // here already
			continue
		}
		a, ok := records[in.interview+"/"+id]
		if !ok {
			if list, err := br.v.Attachments(ctx, in.interview); err == nil {
				for _, x := range list {
					if x.ID == id {
						a, ok = x.Attachment, true
					}
				}
			}
		}
		if !ok {
			os.Remove(in.tmp)
			continue // no revision here records it: nothing to keep it for
		}
		cipherSum := hex.EncodeToString(in.cipher.Sum(nil))
		match := a.Sealed == in.sealed
		if in.sealed {
			match = match && cipherSum == a.CipherSHA256
		} else {
			match = match && in.size == a.Size && hex.EncodeToString(in.plain.Sum(nil)) == a.SHA256
		}
		if !match {
			return nil, placed, fmt.Errorf("%w: the file of attachment %s is not the one its record names", ErrDamaged, short(id))
		}
		rec := blobRecord{Attachment: id, Interview: in.interview, File: randomHex(16) + ".age", Key: in.key, CipherSHA256: cipherSum}
		if err := os.Rename(in.tmp, br.v.blobPath(rec.File)); err != nil {
			return nil, placed, err
		}
		placed = append(placed, br.v.blobPath(rec.File))
		value, err := json.Marshal(rec)
		if err != nil {
			return nil, placed, err
		}
		kept = append(kept, kvRecord{NS: blobNS, Key: blobKey(in.interview, id), Value: value})
	}
	if len(placed) > 0 {
		if err := fsx.SyncDir(filepath.Dir(placed[0])); err != nil {
			return nil, placed, err
		}
	}
	return kept, placed, nil
}
