package vault

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// Rekey.
//
// A rekey replaces the vault identity V with a new V′: one new passphrase
// slot holds V′, the store is rewritten under V′ and a new data key in one
// checkpoint (the rename of vault.age is the moment it takes effect), and
// then every old slot is overwritten and removed. Whoever kept V (from a
// coerced passphrase, an old slot, a backup) can then neither read what is
// written from now on nor write anything the vault accepts: frames and
// snapshots are authenticated with a key derived from V′ (datakey.go).
//
// Only the slot that opened the vault is carried over (under the passphrase
// given); every other slot holds the old V and is destroyed. Rekeyed.Dropped
// names them, for the user to add again.
//
// A crash before the rename leaves the old vault whole: the new slot opens
// nothing (its V′ opens no data key that matches vault.age) and Open goes on
// to the old slot. After the rename, the new slot opens the new store; an
// old slot that was not yet destroyed opens nothing, and the next open
// destroys it (meta retired_slots holds the SHA-256 of each old slot file).

// EventRekey is the audit event of a rekey.
const EventRekey = "rekey"

// Rekeyed says what a rekey did.
type Rekeyed struct {
	// Slot is the new passphrase slot, which opens the vault now.
	Slot string
	// Dropped names the other slots, which held the old vault identity and
	// were destroyed: their passphrases and keys open nothing any more.
	Dropped []string
}

// Rekey replaces the vault identity and the data key, keeps the slot that
// opened the vault under passphrase (which the caller has checked is the
// passphrase that opened it) and destroys every other slot.
//
// A cancelled ctx stops it before it writes anything; once it writes, it
// finishes.
func (v *Vault) Rekey(ctx context.Context, passphrase []byte) (*Rekeyed, error) {
	return v.rekey(ctx, passphrase, EventRekey)
}

// ChangePassphrase rekeys the vault (see [Vault.Rekey]) with a new
// passphrase for the slot that unlocked it: afterwards the old passphrase,
// and the old vault identity it gave, open nothing and write nothing the
// vault accepts.
func (v *Vault) ChangePassphrase(ctx context.Context, passphrase []byte) (*Rekeyed, error) {
	return v.rekey(ctx, passphrase, EventPasswd)
}

func (v *Vault) rekey(ctx context.Context, passphrase []byte, kind string) (*Rekeyed, error) {
	if err := v.writable(); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(v.slot, string(SlotPassphrase)+"-") {
		return nil, ErrNotOpenedWithPassphrase
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	oldPaths, err := slotPaths(v.dir)
	if err != nil {
		return nil, err
	}
	var retired []string
	for _, p := range oldPaths {
		data, err := fsx.ReadRegular(p)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		retired = append(retired, hex.EncodeToString(sum[:]))
	}
	next, err := crypto.NewIdentity()
	if err != nil {
		return nil, err
	}
	mac, err := storeMAC(next)
	if err != nil {
		return nil, err
	}
	// The checkpoint below writes data keys, whatever the format before.
	slot, err := crypto.SealSlot(next, passphrase, v.Now(), slotNoteDataKeys)
	if err != nil {
		return nil, err
	}
	name, err := v.writeSlot(SlotPassphrase, slot)
	if err != nil {
		return nil, err
	}
	res := &Rekeyed{Slot: name}
	for _, p := range oldPaths {
		if n := slotName(p); n != v.slot {
			res.Dropped = append(res.Dropped, n)
		}
	}
	details := "replaces " + v.slot
	if len(res.Dropped) > 0 {
		details += "; drops " + strings.Join(res.Dropped, ", ")
	}
	undo := func(err error) (*Rekeyed, error) {
		ShredFile(filepath.Join(v.dir, keysDir, name+".age"))
		return nil, err
	}
	recs, err := v.newEvents(ctx, Event{Kind: kind, Subject: name, Details: details})
	if err != nil {
		return undo(err)
	}
	list, _ := json.Marshal(retired)
	err = v.applyInMemory(ctx, &change{Audit: recs})
	if err == nil {
		err = v.setMeta(ctx, "retired_slots", list)
	}
	if err == nil {
		err = v.checkpoint(ctx, next, mac)
	}
	if err != nil {
		// Nothing reached the disk's vault.age: memory goes back to it.
		if rerr := v.reload(); rerr != nil {
			v.broken = fmt.Errorf("a rekey failed (%v) and the vault could not be reloaded (%v); close and reopen it", err, rerr)
		}
		return undo(fmt.Errorf("failed to rekey; the vault is as it was: %w", err))
	}
	v.slot = name
	var failed []string
	for _, p := range oldPaths {
		if err := ShredFile(p); err != nil {
			failed = append(failed, slotName(p))
		}
	}
	if len(failed) > 0 {
		return res, fmt.Errorf("the vault is rekeyed, but old key slots %s could not be destroyed (they open nothing of the rekeyed vault; the next open tries again)", strings.Join(failed, ", "))
	}
	return res, nil
}

// applyInMemory applies ch to the database without a journal frame, for a
// change that the checkpoint right after makes durable.
func (v *Vault) applyInMemory(ctx context.Context, ch *change) error {
	tx, err := v.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := apply(ctx, tx, ch); err != nil {
		return err
	}
	return tx.Commit()
}

// shredRetiredSlots destroys key slots that a rekey retired but a crash kept
// it from destroying: they hold an old vault identity.
func (v *Vault) shredRetiredSlots() {
	var b []byte
	err := v.conn.QueryRowContext(v.ctx, `SELECT value FROM meta WHERE key = 'retired_slots'`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) || err != nil {
		return
	}
	var retired []string
	if json.Unmarshal(b, &retired) != nil || len(retired) == 0 {
		return
	}
	paths, err := slotPaths(v.dir)
	if err != nil {
		return
	}
	for _, p := range paths {
		if slotName(p) == v.slot {
			continue
		}
		data, err := fsx.ReadRegular(p)
		if err != nil {
			continue
		}
		sum := sha256.Sum256(data)
		if slices.Contains(retired, hex.EncodeToString(sum[:])) {
			ShredFile(p)
		}
	}
}
