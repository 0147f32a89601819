package vault

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
)

// commit applies ch to the database and makes it durable before returning,
// as one journal frame, fsync'd. If that fails, the transaction is rolled
// back: nothing of ch is in the vault, in memory or on disk. A large change
// (a bulk add) is then checkpointed at once; the frame made it safe first,
// so a failed checkpoint loses nothing.
func (v *Vault) commit(ch *change) error {
	tx, err := v.beginSave()
	if err != nil {
		return err
	}
	return v.commitTx(tx, ch)
}

// beginSave begins the transaction of a save, for commitTx, once the vault
// is known to be writable. A save that writes part of its change before
// the change is complete (Add indexes while it seals: preindex.go) begins
// it itself.
func (v *Vault) beginSave() (*sql.Tx, error) {
	if err := v.writable(); err != nil {
		return nil, err
	}
	return v.conn.BeginTx(v.ctx, nil)
}

// commitTx is commit in a transaction from beginSave, which it ends.
func (v *Vault) commitTx(tx *sql.Tx, ch *change) error {
	ctx := v.ctx
	defer tx.Rollback()
	// The frame's encryption begins on another core while the change is
	// applied: wrapping its file key to the post-quantum recipient is a
	// large part of a small save's cost.
	enc := make(chan *crypto.Encryptor, 1)
	rec := v.storeIdentity().Recipient()
	go func() { enc <- crypto.NewEncryptor(rec) }()
	if err := apply(ctx, tx, ch); err != nil {
		return v.memoryFull(err)
	}
	// Before the change reaches the disk: a frame whose change cannot be
	// applied would fail again at every open.
	if err := v.checkRoom(ctx, tx); err != nil {
		return v.memoryFull(err)
	}
	if v.checkpointDue(ch.approxSize()) {
		return v.commitByCheckpoint(tx)
	}
	buf, err := journal.EncodeWith(v.journal, <-enc, ch)
	if err != nil {
		return err
	}
	// The approximate size undercounts (in the frame's JSON a tab or a
	// quote takes two bytes): the frame itself must fit under the cap too,
	// so that no frame, and no journal, is larger (TestAttackFrameOverCap).
	if v.checkpointDue(int64(len(buf))) {
		crypto.Wipe(buf)
		return v.commitByCheckpoint(tx)
	}
	err = v.journal.Append(buf)
	crypto.Wipe(buf) // ciphertext, but no longer needed
	if errors.Is(err, journal.ErrNotCutBack) {
		// Part of the frame may be on disk: the next open drops it as torn,
		// or, if it is whole, replays it. Either way memory cannot be
		// trusted to match.
		v.broken = fmt.Errorf("a save failed and the journal could not be repaired (%v); close and reopen the vault", err)
		return fmt.Errorf("failed to save; this change may or may not be in the vault when it is next opened: %w", err)
	}
	if err != nil {
		return fmt.Errorf("failed to save; nothing of this change was saved: %w", err)
	}
	if err := tx.Commit(); err != nil {
		// On disk but not in memory: reopening replays it.
		v.broken = fmt.Errorf("an earlier save did not reach memory (%v); close and reopen the vault", err)
		return v.broken
	}
	if v.checkpointDue(0) {
		if err := v.Checkpoint(v.ctx); err != nil {
			v.warnings = append(v.warnings, "a checkpoint failed; the journal still holds every save")
		}
	}
	return nil
}

// commitByCheckpoint makes a large change (a bulk add, an import) durable
// as a new snapshot rather than as a journal frame that the next checkpoint
// would at once make redundant. The snapshot is of the committed database,
// so the transaction commits first; if the snapshot then cannot be written,
// the disk is as before the change and memory is ahead of it, so the
// database is reloaded from the disk. A crash in between leaves the old
// snapshot and journal: the change was never acknowledged.
func (v *Vault) commitByCheckpoint(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return err
	}
	err := v.Checkpoint(v.ctx)
	if err == nil {
		return nil
	}
	if rerr := v.reload(); rerr != nil {
		v.broken = fmt.Errorf("a save failed (%v) and the vault could not be reloaded (%v); close and reopen it", err, rerr)
	}
	return fmt.Errorf("failed to save; nothing of this change was saved: %w", v.memoryFull(err))
}

// reload replaces the in-memory database with what the disk holds. If it
// fails, it leaves no database: one half loaded (the snapshot without the
// journal's saves) is not the vault, and must not answer reads. Every read
// then returns the v.broken its caller sets (ready).
func (v *Vault) reload() (err error) {
	defer func() {
		if err != nil {
			v.closeDB()
		}
	}()
	v.journal.Close()
	if err := v.closeDB(); err != nil {
		return err
	}
	if err := v.loadSnapshot(); err != nil {
		return err
	}
	if err := v.replayJournal(); err != nil {
		return err
	}
	if err := v.loadMeta(); err != nil {
		return err
	}
	if err := v.limitMemory(); err != nil {
		return err
	}
	return nil
}

// writable returns why the vault cannot be written to (closed, opened
// read-only, or broken by a failed save), or nil. Every write checks it
// before it touches anything, the files beside the database (key slots)
// included.
func (v *Vault) writable() error {
	if err := v.ready(); err != nil {
		return err
	}
	if v.broken != nil {
		return v.broken
	}
	if v.readOnly {
		return ErrReadOnly
	}
	return nil
}
