package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// The data key mark.
//
// A vault of the old format has no data key files, and its snapshot is
// encrypted to V itself, without a tag. So whoever deletes keys/data-A.age
// and keys/data-B.age, and knows V's recipient, could put an old-format
// vault of their making in place of the real one. To close that, every key
// slot of a vault with data keys holds a note, a comment line of its
// plaintext (an age identity file, so `age -d -i` still takes it):
//
//	# tvault store: data keys v1
//
// The note is inside the slot's age encryption, beside V's secret key, so
// only someone who holds V's secret can write a slot with it; a slot that
// carries it and finds no data key file is damage, never the old format.
// Slots written before the mark get it when their passphrase next opens the
// vault read-write; recipient slots get it at the next rekey.

const slotNoteDataKeys = "tvault store: data keys v1"

// slotNotes returns the notes a new key slot of this vault holds.
func (v *Vault) slotNotes() []string {
	if v.data != nil {
		return []string{slotNoteDataKeys}
	}
	return nil
}

// checkDowngrade returns an error wrapping ErrDamaged if the slot that
// opened is marked as of a vault with data keys, which are missing.
func checkDowngrade(marked bool) error {
	if !marked {
		return nil
	}
	return fmt.Errorf("%w: the data key files (keys/data-A.age, keys/data-B.age) are missing, but the key slot says this vault has them: they were removed, or a vault of the old format was put in place of this one; restore keys/ from a backup (docs/RECOVERY.md)", ErrDamaged)
}

// markSlot gives the passphrase slot that opened the vault the data key
// mark if it lacks it: a slot from before the mark. It costs one scrypt,
// once. A slot that cannot be rewritten stays as it was, with a warning.
func (v *Vault) markSlot(marked bool, passphrase []byte) {
	if marked || v.data == nil || passphrase == nil || !strings.HasPrefix(v.slot, string(SlotPassphrase)+"-") {
		return
	}
	slot, err := crypto.SealSlot(v.identity, passphrase, v.Now(), slotNoteDataKeys)
	if err == nil {
		err = fsx.WriteFileAtomic(filepath.Join(v.dir, keysDir, v.slot+".age"), func(f *os.File) error {
			_, err := f.Write(slot)
			return err
		})
	}
	if err != nil {
		v.warnings = append(v.warnings, fmt.Sprintf("key slot %s could not be given the data key mark (%v); 'tvault passwd' writes a marked slot", v.slot, err))
	}
}
