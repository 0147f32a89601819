package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// The journal.
//
// A save appends one frame to journal/GEN.log, where GEN is the generation of
// the snapshot it follows, and fsyncs it before the save returns. A frame is
//
//	"TVJ1" | length (8 bytes, big endian) | CRC-32C of the 12 bytes before
//	age ciphertext of length bytes, to the vault identity
//
// and its plaintext is JSON: {"gen", "seq", "prev", "change"}. seq counts from
// 1 in each generation; prev is the hex SHA-256 of the whole previous frame
// (header and ciphertext), "" for the first.
//
// The length lets a reader tell a torn write from damage: a last frame with
// fewer bytes than its header promises (or a partial header) was cut short by
// a crash before its save was acknowledged, and is dropped. Anything else
// that fails (a bad CRC, a frame age does not authenticate, a seq or prev out
// of order, a generation that does not match) is damage, never skipped.

const (
	journalDir     = "journal"
	frameMagic     = "TVJ1"
	frameHeaderLen = 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errJournalNotCutBack means a failed append could not be undone.
var errJournalNotCutBack = errors.New("the journal could not be cut back after a failed write")

type frame struct {
	Gen    uint64  `json:"gen"`
	Seq    uint64  `json:"seq"`
	Prev   string  `json:"prev"`
	Change *change `json:"change"`
}

// journal is the open journal of one generation.
type journal struct {
	dir  string // the vault folder
	gen  uint64
	f    *os.File // opened at the first append
	size int64    // bytes of whole frames
	seq  uint64   // of the last frame
	head string   // hash of the last frame
}

func journalPath(dir string, gen uint64) string {
	return filepath.Join(dir, journalDir, fmt.Sprintf("%016x.log", gen))
}

// parseJournalName returns the generation of a journal file name.
func parseJournalName(name string) (uint64, bool) {
	hexGen, ok := strings.CutSuffix(name, ".log")
	if !ok || len(hexGen) != 16 {
		return 0, false
	}
	gen, err := strconv.ParseUint(hexGen, 16, 64)
	return gen, err == nil
}

func frameHeader(n int) []byte {
	h := make([]byte, frameHeaderLen)
	copy(h, frameMagic)
	binary.BigEndian.PutUint64(h[4:12], uint64(n))
	binary.BigEndian.PutUint32(h[12:16], crc32.Checksum(h[:12], castagnoli))
	return h
}

// encodeFrame returns the bytes of the next frame holding ch.
func (j *journal) encodeFrame(v *age.HybridRecipient, ch *change) ([]byte, error) {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(frame{Gen: j.gen, Seq: j.seq + 1, Prev: j.head, Change: ch}); err != nil {
		return nil, err
	}
	// The frame's plaintext is testimony: wipe it once encrypted.
	defer crypto.Wipe(plain.Bytes())
	ct, err := crypto.Encrypt(plain.Bytes(), v)
	if err != nil {
		return nil, err
	}
	return append(frameHeader(len(ct)), ct...), nil
}

// append writes a frame and makes it durable. If anything fails the journal
// file is cut back to what it was, so a failed save leaves no trace.
func (j *journal) append(buf []byte) error {
	if j.f == nil {
		jdir := filepath.Join(j.dir, journalDir)
		created := false
		if _, err := os.Stat(jdir); errors.Is(err, fs.ErrNotExist) {
			if err := os.Mkdir(jdir, fsx.DirMode); err != nil {
				return fmt.Errorf("failed to create the journal folder: %w", err)
			}
			created = true
		}
		path := journalPath(j.dir, j.gen)
		_, statErr := os.Stat(path)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fsx.FileMode)
		if err != nil {
			return fmt.Errorf("failed to open the journal: %w", err)
		}
		if err := f.Truncate(j.size); err != nil {
			f.Close()
			return fmt.Errorf("failed to prepare the journal: %w", err)
		}
		if created {
			if err := fsx.SyncDir(j.dir); err != nil {
				f.Close()
				return err
			}
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			// A new file must survive a crash too: sync the folder that
			// names it.
			if err := fsx.SyncDir(jdir); err != nil {
				f.Close()
				return err
			}
		}
		j.f = f
	}
	_, err := j.f.WriteAt(buf, j.size)
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		if terr := j.f.Truncate(j.size); terr != nil {
			return fmt.Errorf("%w: %v (then: %v)", errJournalNotCutBack, err, terr)
		}
		return err
	}
	sum := sha256.Sum256(buf)
	j.size += int64(len(buf))
	j.seq++
	j.head = hex.EncodeToString(sum[:])
	return nil
}

func (j *journal) close() error {
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// readJournal reads the frames of generation gen. torn is the number of bytes
// of an incomplete last frame (0 if none); valid is the length of the whole
// frames before it.
func readJournal(dir string, gen uint64, id *age.HybridIdentity) (frames []*frame, j *journal, torn int64, err error) {
	j = &journal{dir: dir, gen: gen}
	data, err := os.ReadFile(journalPath(dir, gen))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, j, 0, nil
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("failed to read the journal: %w", err)
	}
	return parseJournal(data, j, id)
}

// parseJournal parses the frames of a journal file's content into j, which
// names the generation they must belong to. data is whatever the disk held:
// it may have been cut short, damaged or forged, and every length and count
// in it is checked before it is used (FuzzReadJournal).
func parseJournal(data []byte, j *journal, id *age.HybridIdentity) (frames []*frame, _ *journal, torn int64, err error) {
	gen := j.gen
	off := 0
	for off < len(data) {
		n := len(frames) + 1
		rest := data[off:]
		if len(rest) < frameHeaderLen {
			if !bytes.HasPrefix([]byte(frameMagic), rest[:min(len(rest), 4)]) {
				return nil, nil, 0, fmt.Errorf("%w: journal frame %d has a bad header", ErrDamaged, n)
			}
			return frames, j, int64(len(rest)), nil
		}
		h := rest[:frameHeaderLen]
		if string(h[:4]) != frameMagic || crc32.Checksum(h[:12], castagnoli) != binary.BigEndian.Uint32(h[12:16]) {
			return nil, nil, 0, fmt.Errorf("%w: journal frame %d has a bad header", ErrDamaged, n)
		}
		length := binary.BigEndian.Uint64(h[4:12])
		if length > uint64(len(rest)-frameHeaderLen) {
			return frames, j, int64(len(rest)), nil
		}
		whole := rest[:frameHeaderLen+int(length)]
		plain, err := crypto.OpenOwn(id, whole[frameHeaderLen:])
		if err != nil {
			return nil, nil, 0, fmt.Errorf("journal frame %d: %w", n, err)
		}
		fr := new(frame)
		err = json.Unmarshal(plain, fr)
		crypto.Wipe(plain)
		if err != nil || fr.Change == nil {
			return nil, nil, 0, fmt.Errorf("%w: journal frame %d does not parse", ErrDamaged, n)
		}
		if fr.Gen != gen || fr.Seq != j.seq+1 || fr.Prev != j.head {
			return nil, nil, 0, fmt.Errorf("%w: journal frame %d is out of order (a frame is missing, reordered or from elsewhere)", ErrDamaged, n)
		}
		sum := sha256.Sum256(whole)
		j.seq, j.head = fr.Seq, hex.EncodeToString(sum[:])
		j.size += int64(len(whole))
		frames = append(frames, fr)
		off += len(whole)
	}
	return frames, j, 0, nil
}

// journalFiles lists the generations that have a journal file.
func journalFiles(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(filepath.Join(dir, journalDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var gens []uint64
	for _, e := range entries {
		if gen, ok := parseJournalName(e.Name()); ok {
			gens = append(gens, gen)
		}
	}
	return gens, nil
}
