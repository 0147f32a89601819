package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/journal"
)

// loadSnapshot decrypts vault.age into the in-memory database, with the
// generation's data key (whose tag of vault.age findDataKey checked) or, in
// a vault of the old format, with V.
func (v *Vault) loadSnapshot() error {
	f, err := fsx.OpenRegular(filepath.Join(v.dir, snapshotName))
	if errors.Is(err, fsx.ErrNotRegular) {
		return fmt.Errorf("%w: %w", ErrDamaged, err)
	}
	if err != nil {
		return fmt.Errorf("failed to read the vault: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	v.snapshotSize = st.Size()
	// Decrypted straight into memory SQLite will own: one copy of the
	// database, not two (memimage.go).
	var image *sqliteImage
	_, err = crypto.OpenFileOwnInto(v.storeIdentity(), f, st.Size(), func(n int64) ([]byte, error) {
		var err error
		image, err = allocImage(n)
		if err != nil {
			return nil, err
		}
		return image.b, nil
	})
	if err != nil {
		// The buffer is wiped by the decryption that failed; free it.
		image.free(0)
		return fmt.Errorf("%s: %w", snapshotName, err)
	}
	if err := v.openDB(image); err != nil {
		return err
	}
	if v.data != nil {
		gen, err := v.metaUint("journal_gen")
		if err != nil {
			return err
		}
		if gen != v.data.gen {
			return fmt.Errorf("%w: %s is not of its data key's generation", ErrDamaged, snapshotName)
		}
	}
	return nil
}

// storeIdentity returns the key that decrypts the open generation: its data
// key, or V in a vault of the old format.
func (v *Vault) storeIdentity() *age.HybridIdentity {
	if v.data != nil {
		return v.data.id
	}
	return v.identity
}

// journalMAC returns the key that authenticates the open generation's
// journal frames, nil in a vault of the old format.
func (v *Vault) journalMAC() []byte {
	if v.data != nil {
		return v.mac
	}
	return nil
}

// replayJournal applies the frames saved since the snapshot.
func (v *Vault) replayJournal() error {
	gen, err := v.metaUint("journal_gen")
	if err != nil {
		return err
	}
	gens, err := journal.Files(v.dir)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if g > gen {
			return fmt.Errorf("%w: the journal is newer than the snapshot (was vault.age replaced by an older copy?)", ErrDamaged)
		}
	}
	// One frame at a time, each applied as it is read, all in one
	// transaction: a damaged frame anywhere leaves nothing applied.
	ctx := v.ctx
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	j, torn, err := journal.Each(v.dir, gen, v.storeIdentity(), v.journalMAC(), func(fr *journal.Frame[change]) error {
		fr.Change.replay = true
		if err := apply(ctx, tx, fr.Change); err != nil {
			return fmt.Errorf("journal frame %d: %w", fr.Seq, err)
		}
		if fr.Change.approxSize() > 1<<20 {
			// A large frame's bytes are garbage now: collect them before
			// the next frame is read, so that it reuses their memory
			// rather than adding to it.
			runtime.GC()
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.journal = j
	if torn > 0 {
		v.warnings = append(v.warnings, "the last save in the journal was incomplete (interrupted before it was acknowledged) and was dropped")
	}
	if j.Seq == 0 {
		return nil
	}
	return tx.Commit()
}

// removeLeftovers deletes what a crash can leave behind: temporary snapshot
// files (ciphertext, never complete) and journals that a snapshot already
// covers. It also cuts a torn frame off the journal so that the next save
// appends after the last whole frame.
func (v *Vault) removeLeftovers() {
	if tmps, _ := filepath.Glob(filepath.Join(v.dir, "."+snapshotName+".tmp-*")); len(tmps) > 0 {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	gens, _ := journal.Files(v.dir)
	removed := false
	for _, g := range gens {
		if g < v.journal.Gen {
			os.Remove(journal.Path(v.dir, g))
			removed = true
		}
	}
	if removed {
		fsx.SyncDir(filepath.Join(v.dir, journal.Dir))
	}
	retireOtherDataKey(v.dir, v.data)
	v.shredRetiredSlots()
	// Blob files no record names: a crash during attach, or a purge whose
	// sweep did not finish.
	v.sweepBlobs(v.ctx)
	if st, err := os.Stat(journal.Path(v.dir, v.journal.Gen)); err == nil && st.Size() > v.journal.Size {
		if err := os.Truncate(journal.Path(v.dir, v.journal.Gen), v.journal.Size); err == nil {
			if f, err := os.OpenFile(journal.Path(v.dir, v.journal.Gen), os.O_RDWR, 0); err == nil {
				f.Sync()
				f.Close()
			}
		}
	}
}

// writeSnapshot serializes the database, encrypts it to the data key d and
// replaces vault.age atomically. Before the rename, it writes d (with the
// new snapshot's tag under mac) into its data key file, encrypted to vid:
// a crash before the rename leaves the old snapshot with the old data key,
// which is in the other file.
func (v *Vault) writeSnapshot(d *dataKey, vid *age.HybridIdentity, mac []byte) error {
	// SQLite's own buffer is encrypted in place, not a copy of it
	// (memimage.go): nothing writes to the database meanwhile, as this
	// goroutine holds its only connection.
	err := fsx.WriteFileAtomic(filepath.Join(v.dir, snapshotName), func(f *os.File) error {
		err := withImage(v.conn, func(image []byte) error {
			m := snapshotMAC(mac, d.gen)
			if err := crypto.EncryptTo(io.MultiWriter(f, m), image, d.id.Recipient()); err != nil {
				return err
			}
			d.tag = m.Sum(nil)
			return nil
		})
		if err != nil {
			return err
		}
		return writeDataKey(v.dir, vid, d)
	})
	if err != nil {
		return err
	}
	if st, err := os.Stat(filepath.Join(v.dir, snapshotName)); err == nil {
		v.snapshotSize = st.Size()
	}
	return nil
}

// A checkpoint is written when the journal grows past checkpointFraction of
// the snapshot, at least minCheckpoint bytes and at most maxJournal. Smaller
// means faster opens; larger means fewer snapshot rewrites. maxJournal
// bounds what an open replays, in time and in memory beside the database,
// however large the vault: without it, a vault of 90,000 interviews could
// keep a 94 MB journal, and opening it peaked at 1.7× the database. A
// change larger than the threshold is saved as a checkpoint, never as a
// frame (commit.go), so no frame is larger either. Variables only so that
// tests can move them.
var (
	checkpointFraction int64 = 8
	minCheckpoint      int64 = 1 << 20
	maxJournal         int64 = 32 << 20
)

func (v *Vault) checkpointDue(extra int64) bool {
	return v.journal.Size+extra > min(max(v.snapshotSize/checkpointFraction, minCheckpoint), maxJournal)
}

// Checkpoint writes the whole database as a new snapshot, under a new data
// key, and retires the old generation. A crash at any point opens to the
// same data: before the rename the old snapshot, data key and journal are
// whole; after it, the new snapshot covers the old journal, which Open
// removes (and retires the old data key if the crash came first).
//
// A cancelled ctx stops it before it writes anything; once it writes, it
// finishes.
func (v *Vault) Checkpoint(ctx context.Context) error {
	if err := v.ready(); err != nil {
		return err
	}
	return v.checkpoint(ctx, v.identity, v.mac)
}

// checkpoint writes the new generation under the vault identity vid (V, or
// a new V′ for a rekey) and the store key mac derived from it. The old data
// key file is overwritten in place once the new snapshot is in place, which
// erases the old generation wherever its blocks are (datakey.go).
func (v *Vault) checkpoint(ctx context.Context, vid *age.HybridIdentity, mac []byte) error {
	if v.broken != nil {
		return v.broken
	}
	if v.readOnly {
		return ErrReadOnly
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	// Tidy the search index while the snapshot is being rewritten anyway.
	v.conn.ExecContext(ctx, `INSERT INTO testimony_fts (testimony_fts, rank) VALUES ('merge', 64)`)
	v.conn.ExecContext(ctx, `INSERT INTO cjk_fts (cjk_fts, rank) VALUES ('merge', 64)`)
	old := v.journal.Gen
	did, err := crypto.NewIdentity()
	if err != nil {
		return err
	}
	d := &dataKey{file: otherDataKey(v.data), gen: old + 1, id: did}
	if err := v.setMeta(ctx, "journal_gen", []byte(strconv.FormatUint(old+1, 10))); err != nil {
		return err
	}
	if err := v.writeSnapshot(d, vid, mac); errors.Is(err, fsx.ErrRenamedNotSynced) {
		// The new snapshot is in place: go on as if all went well, or saves
		// would land in a journal the next open treats as retired.
		v.warnings = append(v.warnings, "a checkpoint could not sync the vault folder; the disk may be failing")
	} else if err != nil {
		if rerr := v.setMeta(ctx, "journal_gen", []byte(strconv.FormatUint(old, 10))); rerr != nil {
			v.broken = fmt.Errorf("a checkpoint failed and could not be undone (%v); close and reopen the vault", rerr)
		}
		return err
	}
	retired := v.data
	v.identity, v.mac, v.data = vid, mac, d
	if retired != nil {
		if err := retireDataKey(v.dir, retired.file); err != nil {
			v.warnings = append(v.warnings, "the previous data key could not be overwritten; the next open tries again")
		}
	}
	v.journal.Close()
	if err := os.Remove(journal.Path(v.dir, old)); err == nil {
		fsx.SyncDir(filepath.Join(v.dir, journal.Dir))
	}
	v.journal = journal.New(v.dir, old+1)
	v.journal.MAC = mac
	return nil
}
