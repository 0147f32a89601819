package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/internal/journal"
)

// loadSnapshot decrypts vault.age into the in-memory database.
func (v *Vault) loadSnapshot() error {
	f, err := os.Open(filepath.Join(v.dir, snapshotName))
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
	_, err = crypto.OpenFileOwnInto(v.identity, f, st.Size(), func(n int64) ([]byte, error) {
		var err error
		image, err = allocImage(n)
		if err != nil {
			return nil, err
		}
		return image.b, nil
	})
	if err != nil {
		// The buffer is wiped by the decryption that failed; free it.
		image.free()
		return fmt.Errorf("%s: %w", snapshotName, err)
	}
	return v.openDB(image)
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
	frames, j, torn, err := journal.Read[change](v.dir, gen, v.identity)
	if err != nil {
		return err
	}
	v.journal = j
	if torn > 0 {
		v.warnings = append(v.warnings, "the last save in the journal was incomplete (interrupted before it was acknowledged) and was dropped")
	}
	if len(frames) == 0 {
		return nil
	}
	ctx := v.ctx
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, fr := range frames {
		fr.Change.replay = true
		if err := apply(ctx, tx, fr.Change); err != nil {
			return fmt.Errorf("journal frame %d: %w", fr.Seq, err)
		}
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
	if st, err := os.Stat(journal.Path(v.dir, v.journal.Gen)); err == nil && st.Size() > v.journal.Size {
		if err := os.Truncate(journal.Path(v.dir, v.journal.Gen), v.journal.Size); err == nil {
			if f, err := os.OpenFile(journal.Path(v.dir, v.journal.Gen), os.O_RDWR, 0); err == nil {
				f.Sync()
				f.Close()
			}
		}
	}
}

// writeSnapshot serializes the database, encrypts it to the vault identity
// and replaces vault.age atomically.
func (v *Vault) writeSnapshot() error {
	// SQLite's own buffer is encrypted in place, not a copy of it
	// (memimage.go): nothing writes to the database meanwhile, as this
	// goroutine holds its only connection.
	err := fsx.WriteFileAtomic(filepath.Join(v.dir, snapshotName), func(f *os.File) error {
		return withImage(v.conn, func(image []byte) error {
			return crypto.EncryptTo(f, image, v.identity.Recipient())
		})
	})
	if err != nil {
		return err
	}
	if st, err := os.Stat(filepath.Join(v.dir, snapshotName)); err == nil {
		v.snapshotSize = st.Size()
	}
	return nil
}

// checkpointFraction: a checkpoint is written when the journal grows past
// this fraction of the snapshot (and at least minCheckpoint bytes). Smaller
// means faster opens; larger means fewer snapshot rewrites.
const (
	checkpointFraction = 8
	minCheckpoint      = 1 << 20
)

func (v *Vault) checkpointDue(extra int64) bool {
	return v.journal.Size+extra > max(v.snapshotSize/checkpointFraction, minCheckpoint)
}

// Checkpoint writes the whole database as a new snapshot and retires the
// journal. A crash at any point opens to the same data: before the rename
// the old snapshot and journal are whole; after it, the new snapshot covers
// the old journal, which Open removes.
//
// A cancelled ctx stops it before it writes anything; once it writes, it
// finishes.
func (v *Vault) Checkpoint(ctx context.Context) error {
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
	if err := v.setMeta(ctx, "journal_gen", []byte(strconv.FormatUint(old+1, 10))); err != nil {
		return err
	}
	if err := v.writeSnapshot(); errors.Is(err, fsx.ErrRenamedNotSynced) {
		// The new snapshot is in place: go on as if all went well, or saves
		// would land in a journal the next open treats as retired.
		v.warnings = append(v.warnings, "a checkpoint could not sync the vault folder; the disk may be failing")
	} else if err != nil {
		if rerr := v.setMeta(ctx, "journal_gen", []byte(strconv.FormatUint(old, 10))); rerr != nil {
			v.broken = fmt.Errorf("a checkpoint failed and could not be undone (%v); close and reopen the vault", rerr)
		}
		return err
	}
	v.journal.Close()
	if err := os.Remove(journal.Path(v.dir, old)); err == nil {
		fsx.SyncDir(filepath.Join(v.dir, journal.Dir))
	}
	v.journal = journal.New(v.dir, old+1)
	return nil
}
