// Package journal is the on-disk format of a vault's journal: the changes
// saved since the last snapshot, one age-encrypted frame per save.
//
// A save appends one frame to journal/GEN.log, where GEN is the generation
// of the snapshot it follows, and fsyncs it before the save returns. A frame
// is
//
//	"TVJ1" | length (8 bytes, big endian) | CRC-32C of the 12 bytes before
//	age ciphertext of length bytes, to the vault identity
//
// and its plaintext is JSON: {"gen", "seq", "prev", "change"}. seq counts
// from 1 in each generation; prev is the hex SHA-256 of the whole previous
// frame (header and ciphertext), "" for the first.
//
// A vault of the current format authenticates each frame (format "TVJ2"):
//
//	"TVJ2" | length (8 bytes) | HMAC-SHA-256 tag (32 bytes) | CRC-32C of the 44 bytes before
//	age ciphertext of length bytes, to the generation's data key
//
// The tag is HMAC-SHA-256 under Log.MAC of "tvault journal frame v1\n", the
// generation (8 bytes, big endian) and the age file, and is checked before
// the age file is decrypted: a frame written by someone who knows only the
// recipient it is encrypted to is damage. A journal read with a MAC key
// accepts only TVJ2 frames; one read without accepts only TVJ1 (the format
// before authentication, which a vault reads until its next checkpoint).
//
// The length lets a reader tell a torn write from damage: a last frame with
// fewer bytes than its header promises (or a partial header) was cut short
// by a crash before its save was acknowledged, and is dropped. Anything else
// that fails (a bad CRC, a frame age does not authenticate, a seq or prev
// out of order, a generation that does not match) is damage, never skipped.
//
// What a change holds, and how it is applied, is the vault's business: this
// package carries it as a JSON value of the caller's type C.
package journal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

const (
	// Dir is the journal's folder inside a vault folder.
	Dir = "journal"
	// HeaderLen is the length of a frame header of the old format (TVJ1).
	HeaderLen = 16
	// AuthHeaderLen is the length of an authenticated frame's header (TVJ2).
	AuthHeaderLen = 48

	magic     = "TVJ1"
	magicAuth = "TVJ2"
	tagLen    = sha256.Size
	macDomain = "tvault journal frame v1\n"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrNotCutBack means a failed Append could not be undone: part of the frame
// may be on disk.
var ErrNotCutBack = errors.New("the journal could not be cut back after a failed write")

// Frame is one save: a change of type C and its place in the chain.
type Frame[C any] struct {
	Gen    uint64 `json:"gen"`
	Seq    uint64 `json:"seq"`
	Prev   string `json:"prev"`
	Change *C     `json:"change"`
}

// Log is the journal of one generation, open for appending. Its exported
// fields describe the whole frames on disk; only Append changes them.
type Log struct {
	Gen  uint64
	Size int64  // bytes of whole frames
	Seq  uint64 // of the last frame
	Head string // hash of the last frame

	// MAC is the key that authenticates frames (HMAC-SHA-256), or nil for
	// a journal of the old, unauthenticated format. Set it before the
	// first Encode.
	MAC []byte

	dir string   // the vault folder
	f   *os.File // opened at the first append
}

// New returns the empty journal of generation gen in the vault folder dir.
func New(dir string, gen uint64) *Log { return &Log{dir: dir, Gen: gen} }

// Path returns the file of generation gen in the vault folder dir.
func Path(dir string, gen uint64) string {
	return filepath.Join(dir, Dir, fmt.Sprintf("%016x.log", gen))
}

// ParseName returns the generation of a journal file name.
func ParseName(name string) (uint64, bool) {
	hexGen, ok := strings.CutSuffix(name, ".log")
	if !ok || len(hexGen) != 16 {
		return 0, false
	}
	gen, err := strconv.ParseUint(hexGen, 16, 64)
	return gen, err == nil
}

// Header returns the header of a frame of n bytes of ciphertext.
func Header(n int) []byte {
	h := make([]byte, HeaderLen)
	copy(h, magic)
	binary.BigEndian.PutUint64(h[4:12], uint64(n))
	binary.BigEndian.PutUint32(h[12:16], crc32.Checksum(h[:12], castagnoli))
	return h
}

// headerAuth returns the header of an authenticated frame of ct.
func headerAuth(mac []byte, gen uint64, ct []byte) []byte {
	h := make([]byte, AuthHeaderLen)
	copy(h, magicAuth)
	binary.BigEndian.PutUint64(h[4:12], uint64(len(ct)))
	copy(h[12:44], Tag(mac, gen, ct))
	binary.BigEndian.PutUint32(h[44:48], crc32.Checksum(h[:44], castagnoli))
	return h
}

// Tag returns the HMAC-SHA-256 tag of the age file ct as a frame of
// generation gen, under key.
func Tag(key []byte, gen uint64, ct []byte) []byte {
	m := tagHash(key, gen)
	m.Write(ct)
	return m.Sum(nil)
}

// tagHash returns the HMAC that [Tag] computes, ready for the age file.
func tagHash(key []byte, gen uint64) hash.Hash {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(macDomain))
	var g [8]byte
	binary.BigEndian.PutUint64(g[:], gen)
	m.Write(g[:])
	return m
}

// Encode returns the bytes of the next frame, holding change, encrypted to r
// (and authenticated with l.MAC, if set).
func Encode[C any](l *Log, r age.Recipient, change *C) ([]byte, error) {
	return EncodeWith(l, crypto.NewEncryptor(r), change)
}

// EncodeWith is [Encode] with an encryption begun beforehand, to the
// journal's recipient (see [crypto.Encryptor]).
func EncodeWith[C any](l *Log, e *crypto.Encryptor, change *C) ([]byte, error) {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Frame[C]{Gen: l.Gen, Seq: l.Seq + 1, Prev: l.Head, Change: change}); err != nil {
		return nil, err
	}
	// The frame's plaintext is testimony: wipe it once encrypted.
	defer crypto.Wipe(plain.Bytes())
	ct, err := e.Seal(plain.Bytes())
	if err != nil {
		return nil, err
	}
	if l.MAC != nil {
		return append(headerAuth(l.MAC, l.Gen, ct), ct...), nil
	}
	return append(Header(len(ct)), ct...), nil
}

// Append writes a frame and makes it durable. If anything fails the journal
// file is cut back to what it was, so a failed save leaves no trace; if even
// that fails, the error wraps [ErrNotCutBack].
func (l *Log) Append(buf []byte) error {
	if l.f == nil {
		if err := l.open(); err != nil {
			return err
		}
	}
	_, err := l.f.WriteAt(buf, l.Size)
	if err == nil {
		err = l.f.Sync()
	}
	if err != nil {
		if terr := l.f.Truncate(l.Size); terr != nil {
			return fmt.Errorf("%w: %v (then: %v)", ErrNotCutBack, err, terr)
		}
		return err
	}
	sum := sha256.Sum256(buf)
	l.Size += int64(len(buf))
	l.Seq++
	l.Head = hex.EncodeToString(sum[:])
	return nil
}

// open opens (and if needed creates) the file of l's generation, cut to the
// whole frames.
func (l *Log) open() error {
	jdir := filepath.Join(l.dir, Dir)
	created := false
	if _, err := os.Stat(jdir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(jdir, fsx.DirMode); err != nil {
			return fmt.Errorf("failed to create the journal folder: %w", err)
		}
		created = true
	}
	path := Path(l.dir, l.Gen)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fsx.FileMode)
	if err != nil {
		return fmt.Errorf("failed to open the journal: %w", err)
	}
	if err := f.Truncate(l.Size); err != nil {
		f.Close()
		return fmt.Errorf("failed to prepare the journal: %w", err)
	}
	if created {
		if err := fsx.SyncDir(l.dir); err != nil {
			f.Close()
			return err
		}
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		// A new file must survive a crash too: sync the folder that names
		// it.
		if err := fsx.SyncDir(jdir); err != nil {
			f.Close()
			return err
		}
	}
	l.f = f
	return nil
}

// Close closes the journal file, if open. l can append again afterwards.
func (l *Log) Close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Read reads the frames of generation gen in the vault folder dir. torn is
// the number of bytes of an incomplete last frame (0 if none); l is the
// journal after the whole frames, ready to append. A missing file is an
// empty journal.
func Read[C any](dir string, gen uint64, id age.Identity) (frames []*Frame[C], l *Log, torn int64, err error) {
	return ReadAuth[C](dir, gen, id, nil)
}

// ReadAuth is [Read] of a journal whose frames are authenticated with mac
// (nil: the old format).
func ReadAuth[C any](dir string, gen uint64, id age.Identity, mac []byte) (frames []*Frame[C], l *Log, torn int64, err error) {
	l, torn, err = Each(dir, gen, id, mac, func(fr *Frame[C]) error {
		frames = append(frames, fr)
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	return frames, l, torn, nil
}

// Each is [ReadAuth] one frame at a time: it calls fn with each whole frame
// in order, as soon as it is read and checked, and keeps none of them. A
// journal can hold a large share of the vault; replaying it this way holds
// one frame's bytes at a time, not the whole file's. If fn or a later frame
// fails, the frames before were already given to fn: the caller applies
// them where a failure can be undone (replay applies them in one
// transaction).
func Each[C any](dir string, gen uint64, id age.Identity, mac []byte, fn func(*Frame[C]) error) (l *Log, torn int64, err error) {
	l = New(dir, gen)
	l.MAC = mac
	f, err := fsx.OpenRegular(Path(dir, gen))
	if errors.Is(err, fs.ErrNotExist) {
		return l, 0, nil
	}
	if errors.Is(err, fsx.ErrNotRegular) {
		return nil, 0, fmt.Errorf("%w: %w", crypto.ErrDamaged, err)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("failed to read the journal: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("failed to read the journal: %w", err)
	}
	return scan(f, st.Size(), l, id, fn)
}

// Parse parses the frames of a journal file's content into l, which names
// the generation they must belong to (see [scan]).
func Parse[C any](data []byte, l *Log, id age.Identity) (frames []*Frame[C], _ *Log, torn int64, err error) {
	l, torn, err = scan(bytes.NewReader(data), int64(len(data)), l, id, func(fr *Frame[C]) error {
		frames = append(frames, fr)
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	return frames, l, torn, nil
}

// scan reads the frames of a journal file of size bytes from r into l and
// calls fn with each. The file is whatever the disk held: it may have been
// cut short, damaged or forged, and every length and count in it is checked
// against size before it is used (FuzzRead). Damage returns an error
// wrapping crypto.ErrDamaged. If l.MAC is set, every frame must be
// authenticated with it (TVJ2), and its tag is checked before anything else
// of it is read. Each frame's ciphertext is streamed past its tag check
// (or, in the old format, its age header check), then read into a buffer of
// its exact length, checked again and decrypted into another.
func scan[C any](r io.ReaderAt, size int64, l *Log, id age.Identity, fn func(*Frame[C]) error) (_ *Log, torn int64, err error) {
	mg, hlen := magic, HeaderLen
	if l.MAC != nil {
		mg, hlen = magicAuth, AuthHeaderLen
	}
	read := func(b []byte, off int64) error {
		if _, err := r.ReadAt(b, off); err != nil && !(errors.Is(err, io.EOF) && off+int64(len(b)) == size) {
			return fmt.Errorf("failed to read the journal: %w", err)
		}
		return nil
	}
	var off int64
	for n := 1; off < size; n++ {
		rest := size - off
		if rest < int64(hlen) {
			h := make([]byte, rest)
			if err := read(h, off); err != nil {
				return nil, 0, err
			}
			if !bytes.HasPrefix([]byte(mg), h[:min(len(h), 4)]) {
				return nil, 0, fmt.Errorf("%w: journal frame %d has a bad header", crypto.ErrDamaged, n)
			}
			return l, rest, nil
		}
		h := make([]byte, hlen)
		if err := read(h, off); err != nil {
			return nil, 0, err
		}
		if string(h[:4]) != mg || crc32.Checksum(h[:hlen-4], castagnoli) != binary.BigEndian.Uint32(h[hlen-4:hlen]) {
			return nil, 0, fmt.Errorf("%w: journal frame %d has a bad header", crypto.ErrDamaged, n)
		}
		length := binary.BigEndian.Uint64(h[4:12])
		if length > uint64(rest-int64(hlen)) {
			return l, rest, nil
		}
		// Nothing of the claimed length is allocated before the frame is
		// known to be this vault's: a header may claim as much as the file
		// holds, and a sparse file can be terabytes long at no cost on disk
		// (TestAttackJournalSparseLength). The tag is checked as the bytes
		// stream past, and again below on the bytes that are decrypted,
		// which the file may no longer hold; a frame of the old format has
		// its age header checked instead.
		sec := io.NewSectionReader(r, off+int64(hlen), int64(length))
		if l.MAC != nil {
			m := tagHash(l.MAC, l.Gen)
			if _, err := io.CopyBuffer(m, sec, make([]byte, max(1, min(length, 1<<20)))); err != nil {
				return nil, 0, fmt.Errorf("failed to read the journal: %w", err)
			}
			if !hmac.Equal(h[12:12+tagLen], m.Sum(nil)) {
				return nil, 0, fmt.Errorf("%w: journal frame %d is not authenticated by the vault key (written by someone who does not hold it)", crypto.ErrDamaged, n)
			}
		} else if _, _, err := age.DecryptReaderAt(sec, int64(length), id); err != nil {
			return nil, 0, fmt.Errorf("journal frame %d: %w: %v", n, crypto.ErrDamaged, err)
		}
		ct := make([]byte, length)
		if err := read(ct, off+int64(hlen)); err != nil {
			return nil, 0, err
		}
		if l.MAC != nil && !hmac.Equal(h[12:12+tagLen], Tag(l.MAC, l.Gen, ct)) {
			return nil, 0, fmt.Errorf("%w: journal frame %d is not authenticated by the vault key (written by someone who does not hold it)", crypto.ErrDamaged, n)
		}
		plain, err := crypto.OpenFileOwn(id, bytes.NewReader(ct), int64(len(ct)))
		if err != nil {
			return nil, 0, fmt.Errorf("journal frame %d: %w", n, err)
		}
		sum := sha256.New()
		sum.Write(h)
		sum.Write(ct)
		ct = nil // garbage before the frame is parsed
		fr := new(Frame[C])
		err = json.Unmarshal(plain, fr)
		crypto.Wipe(plain)
		if err != nil || fr.Change == nil {
			return nil, 0, fmt.Errorf("%w: journal frame %d does not parse", crypto.ErrDamaged, n)
		}
		if fr.Gen != l.Gen || fr.Seq != l.Seq+1 || fr.Prev != l.Head {
			return nil, 0, fmt.Errorf("%w: journal frame %d is out of order (a frame is missing, reordered or from elsewhere)", crypto.ErrDamaged, n)
		}
		l.Seq, l.Head = fr.Seq, hex.EncodeToString(sum.Sum(nil))
		l.Size += int64(hlen) + int64(length)
		off += int64(hlen) + int64(length)
		if err := fn(fr); err != nil {
			return nil, 0, err
		}
	}
	return l, 0, nil
}

// Files lists the generations that have a journal file in the vault folder
// dir.
func Files(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(filepath.Join(dir, Dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var gens []uint64
	for _, e := range entries {
		if gen, ok := ParseName(e.Name()); ok {
			gens = append(gens, gen)
		}
	}
	return gens, nil
}
