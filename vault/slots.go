package vault

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// Key slots.
//
// Each file keys/NAME.age holds the vault identity V, age-encrypted once per
// unlocker: a passphrase (age's scrypt recipient) or any age recipient (a
// second member's key, a hardware key through an age plugin). Adding,
// removing or changing a slot never touches the data, which stays encrypted
// to V. Slots are named by kind and number: passphrase-1, recipient-2.
// Changing a passphrase replaces V (rekey.go). The data key files
// keys/data-A.age and keys/data-B.age (datakey.go) are not slots.
//
// Every change writes the new slot first (fsync'd, with its folder) and
// removes an old one only after that, so a crash never leaves a vault with
// no slot that opens it. The vault's lock, held while it is open, keeps two
// processes from changing slots at once.

// SlotKind says what opens a key slot.
type SlotKind string

const (
	// SlotPassphrase is opened with a passphrase (age scrypt).
	SlotPassphrase SlotKind = "passphrase"
	// SlotRecipient is opened with an age identity: a key file or a plugin.
	SlotRecipient SlotKind = "recipient"
)

// Slot describes one key slot. It holds no secret.
type Slot struct {
	Name    string   `json:"name"`    // as given to RemoveSlot: "passphrase-1"
	Kind    SlotKind `json:"kind"`    // passphrase or recipient
	Stanzas []string `json:"stanzas"` // age stanza types: "scrypt", "mlkem768x25519", "X25519", "piv-p256" …
	Current bool     `json:"current"` // this slot unlocked the open vault
}

// PassphraseIdentity returns an age identity that opens the vault's
// passphrase slots with passphrase, for [Open]. It keeps passphrase, not a
// copy: wipe it after Open returns.
func PassphraseIdentity(passphrase []byte) age.Identity {
	return &passphraseIdentity{passphrase: passphrase}
}

type passphraseIdentity struct{ passphrase []byte }

var _ age.Identity = (*passphraseIdentity)(nil)

// Unwrap lets a passphrase identity work as age's scrypt identity too. Open
// does not use it: it opens passphrase slots with crypto.OpenSlot, which
// bounds the work factor a slot may ask for.
func (p *passphraseIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	// age takes the passphrase as a string: this copy cannot be wiped.
	id, err := age.NewScryptIdentity(string(p.passphrase))
	if err != nil {
		return nil, err
	}
	return id.Unwrap(stanzas)
}

// maxUnlockWork bounds the scrypt work of one unlock, summed over the
// passphrase slots in keys/: sixteen slots of tvault's own work factor.
// Whoever can write to the folder can plant slots.
const maxUnlockWork = 16 << crypto.DefaultScryptWorkFactor

// unlock tries the key slots in keys/, in name order, with ids: passphrase
// slots with the passphrase identities, recipient slots with the others.
// A vault identity a slot yields is taken only if accept returns nil for it
// (it opens the store); accept also gets the slot's notes and, for a
// passphrase slot, the passphrase that opened it. errStaleKey from accept
// means the slot is left over from before a rekey and counts as not opened.
// It returns the vault identity and the name of the slot that opened.
func unlock(dir string, ids []age.Identity, accept func(id *age.HybridIdentity, notes []string, passphrase []byte) error) (*age.HybridIdentity, string, error) {
	var passphrases [][]byte
	var keys []age.Identity
	for _, id := range ids {
		if p, ok := id.(*passphraseIdentity); ok {
			passphrases = append(passphrases, p.passphrase)
		} else {
			keys = append(keys, id)
		}
	}
	if len(passphrases) == 0 && len(keys) == 0 {
		return nil, "", errors.New("no passphrase or identity to unlock the vault with")
	}
	paths, err := slotPaths(dir)
	if err != nil {
		return nil, "", err
	}
	var damaged, storeErr error
	type slotFile struct {
		path    string
		data    []byte
		kind    SlotKind
		stanzas []string
	}
	var files []slotFile
	for _, path := range paths {
		data, err := fsx.ReadRegular(path)
		if errors.Is(err, fsx.ErrNotRegular) {
			// Put there by someone else: it opens nothing; go on.
			damaged = fmt.Errorf("%w: key slot %q is %w", ErrDamaged, slotName(path), err)
			continue
		}
		if err != nil {
			return nil, "", err
		}
		kind, stanzas := slotKind(data)
		files = append(files, slotFile{path, data, kind, stanzas})
	}
	// Each slot's work factor is bounded (crypto.ScryptWorkFactor); the
	// number of slots is bounded here, before any work.
	if len(passphrases) > 0 {
		var work, n int64
		for _, f := range files {
			if f.kind == SlotPassphrase {
				if logN, err := crypto.ScryptWorkFactor(f.data); err == nil {
					work += 1 << logN
					n++
				}
			}
		}
		if work*int64(len(passphrases)) > maxUnlockWork {
			return nil, "", fmt.Errorf("%w: keys/ holds %d passphrase slots, which ask for %d times the scrypt work of one slot of tvault's own; an unlock does at most %d (refused before any work): slots were put there by someone else, move away those you did not add",
				ErrDamaged, n, work>>crypto.DefaultScryptWorkFactor, maxUnlockWork>>crypto.DefaultScryptWorkFactor)
		}
	}
	try := func(path string, pass []byte, open func() (*age.HybridIdentity, []string, error)) *age.HybridIdentity {
		id, notes, err := open()
		if err == nil {
			err = accept(id, notes, pass)
			if err == nil {
				return id
			}
			if !errors.Is(err, errStaleKey) {
				storeErr = err
			}
			return nil
		}
		if errors.Is(err, ErrDamaged) {
			damaged = fmt.Errorf("key slot %q: %w", slotName(path), err)
		}
		return nil
	}
	for _, f := range files {
		path, data, kind, stanzas := f.path, f.data, f.kind, f.stanzas
		// A slot whose header does not parse is tried with everything, so
		// that it is reported as damaged. Otherwise a passphrase never goes
		// to a recipient slot, nor an identity to a passphrase slot, which
		// also keeps a plugin from being started for nothing.
		if kind == SlotPassphrase || stanzas == nil {
			for _, p := range passphrases {
				if id := try(path, p, func() (*age.HybridIdentity, []string, error) { return crypto.OpenSlotNotes(data, p) }); id != nil {
					return id, slotName(path), nil
				}
			}
		}
		if kind == SlotRecipient && len(keys) > 0 {
			if id := try(path, nil, func() (*age.HybridIdentity, []string, error) { return crypto.OpenRecipientSlotNotes(data, keys...) }); id != nil {
				return id, slotName(path), nil
			}
		}
	}
	switch {
	case storeErr != nil:
		return nil, "", storeErr
	case damaged != nil:
		return nil, "", damaged
	case len(passphrases) > 0 && len(keys) > 0:
		return nil, "", fmt.Errorf("%w; %w", ErrWrongPassphrase, ErrNoIdentitySlot)
	case len(passphrases) > 0:
		return nil, "", ErrWrongPassphrase
	}
	return nil, "", ErrNoIdentitySlot
}

// CurrentSlot returns the name of the key slot that unlocked the vault.
func (v *Vault) CurrentSlot() string { return v.slot }

// Slots lists the vault's key slots, sorted by name.
func (v *Vault) Slots() ([]Slot, error) {
	paths, err := slotPaths(v.dir)
	if err != nil {
		return nil, err
	}
	slots := make([]Slot, 0, len(paths))
	for _, path := range paths {
		data, err := fsx.ReadRegular(path)
		if err != nil {
			return nil, err
		}
		kind, stanzas := slotKind(data)
		name := slotName(path)
		slots = append(slots, Slot{Name: name, Kind: kind, Stanzas: stanzas, Current: name == v.slot})
	}
	return slots, nil
}

// AddPassphrase adds a key slot that opens with passphrase and returns its
// name.
func (v *Vault) AddPassphrase(ctx context.Context, passphrase []byte) (string, error) {
	if err := v.writable(); err != nil {
		return "", err
	}
	// An unlock refuses slots that ask for more work than maxUnlockWork
	// together: never write the one that would lock the vault.
	paths, err := slotPaths(v.dir)
	if err != nil {
		return "", err
	}
	work := int64(1) << crypto.DefaultScryptWorkFactor
	for _, p := range paths {
		if data, err := fsx.ReadRegular(p); err == nil {
			if logN, err := crypto.ScryptWorkFactor(data); err == nil {
				work += 1 << logN
			}
		}
	}
	if work > maxUnlockWork {
		return "", fmt.Errorf("%w: a vault holds at most %d passphrase slots ('tvault keys remove' one first)", ErrInvalid, maxUnlockWork>>crypto.DefaultScryptWorkFactor)
	}
	slot, err := crypto.SealSlot(v.identity, passphrase, v.Now(), v.slotNotes()...)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	name, err := v.writeSlot(SlotPassphrase, slot)
	if err != nil {
		return "", err
	}
	if err := v.record(Event{Kind: EventKeyAdded, Subject: name, Details: "passphrase"}); err != nil {
		// A slot the audit log never saw must not stay.
		v.removeSlotFile(name)
		return "", err
	}
	return name, nil
}

// AddRecipient adds a key slot encrypted to r, which may be any age
// recipient, and returns its name. A plugin recipient runs its plugin here.
func (v *Vault) AddRecipient(ctx context.Context, r age.Recipient) (string, error) {
	if err := v.writable(); err != nil {
		return "", err
	}
	slot, err := crypto.SealRecipientSlot(v.identity, r, v.Now(), v.slotNotes()...)
	if err != nil {
		return "", fmt.Errorf("failed to encrypt to the recipient: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	name, err := v.writeSlot(SlotRecipient, slot)
	if err != nil {
		return "", err
	}
	if err := v.record(Event{Kind: EventKeyAdded, Subject: name, Details: "recipient"}); err != nil {
		// A slot the audit log never saw must not stay.
		v.removeSlotFile(name)
		return "", err
	}
	return name, nil
}

// RemoveSlot removes the key slot name. It refuses to remove the last slot.
func (v *Vault) RemoveSlot(ctx context.Context, name string) error {
	if err := v.writable(); err != nil {
		return err
	}
	name = strings.TrimSuffix(name, ".age")
	paths, err := slotPaths(v.dir)
	if err != nil {
		return err
	}
	found := false
	for _, p := range paths {
		if slotName(p) == name {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%w: %q", ErrNoSlot, name)
	}
	if len(paths) < 2 {
		return ErrLastSlot
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := v.removeSlotFile(name); err != nil {
		return err
	}
	return v.record(Event{Kind: EventKeyRemoved, Subject: name})
}

// removeSlotFile overwrites the slot file in place before removing it, so
// that its blocks do not open V with the old passphrase or key.
func (v *Vault) removeSlotFile(name string) error {
	return ShredFile(filepath.Join(v.dir, keysDir, name+".age"))
}

// writeSlot writes a new slot file of kind under the next free number and
// returns its name. writeNewFile fsyncs the file and the folder.
func (v *Vault) writeSlot(kind SlotKind, data []byte) (string, error) {
	paths, err := slotPaths(v.dir)
	if err != nil {
		return "", err
	}
	next := 1
	for _, p := range paths {
		if n, ok := strings.CutPrefix(slotName(p), string(kind)+"-"); ok {
			if i, err := strconv.Atoi(n); err == nil && i >= next {
				next = i + 1
			}
		}
	}
	name := fmt.Sprintf("%s-%d", kind, next)
	if err := fsx.WriteFileExclusive(filepath.Join(v.dir, keysDir, name+".age"), data); err != nil {
		return "", fmt.Errorf("failed to write key slot %q: %w", name, err)
	}
	return name, nil
}

func slotPaths(dir string) ([]string, error) {
	all, err := filepath.Glob(filepath.Join(dir, keysDir, "*.age"))
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, p := range all {
		if !isDataKeyName(filepath.Base(p)) {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrDamaged, errNoSlots)
	}
	sort.Strings(paths)
	return paths, nil
}

func slotName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".age")
}

// slotKind reads a slot's kind from its age header: a scrypt stanza is a
// passphrase, anything else a recipient. A header that does not parse is
// reported as a recipient slot with no stanzas; opening it says "damaged".
func slotKind(data []byte) (SlotKind, []string) {
	types, err := crypto.StanzaTypes(data)
	if err != nil {
		return SlotRecipient, nil
	}
	for _, t := range types {
		if t == "scrypt" {
			return SlotPassphrase, types
		}
	}
	return SlotRecipient, types
}
