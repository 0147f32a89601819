package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
)

// SealSlot returns a passphrase key slot: the vault identity v, in age's
// identity-file format, encrypted with age's scrypt recipient under
// passphrase. `age -d` of the slot with the passphrase yields a file that
// `age -d -i` accepts; that is the documented recovery path. notes are
// comment lines in that file ([MarshalIdentity], [OpenSlotNotes]): the slot
// authenticates them along with the key.
func SealSlot(v *age.HybridIdentity, passphrase []byte, now time.Time, notes ...string) ([]byte, error) {
	if err := CheckNewPassphrase(passphrase); err != nil {
		return nil, err
	}
	r, err := passphraseRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	plain := MarshalIdentity(v, now, notes...)
	defer Wipe(plain)
	return encrypt(plain, r)
}

// OpenSlot decrypts a passphrase key slot and returns the vault identity.
// A passphrase that does not open the slot returns [ErrWrongPassphrase].
func OpenSlot(slot, passphrase []byte) (*age.HybridIdentity, error) {
	id, _, err := openScryptKey(slot, passphrase)
	return id, err
}

// OpenSlotNotes is [OpenSlot], and also returns the slot's notes
// ([IdentityNotes]).
func OpenSlotNotes(slot, passphrase []byte) (*age.HybridIdentity, []string, error) {
	return openScryptKey(slot, passphrase)
}

func openScryptKey(data, passphrase []byte) (*age.HybridIdentity, []string, error) {
	// The work factor is read from the header before any work is done: a
	// planted slot must not make an unlock cost minutes and gigabytes.
	if err := checkScryptWorkFactor(data); err != nil {
		return nil, nil, err
	}
	id, err := passphraseIdentity(passphrase)
	if err != nil {
		return nil, nil, err
	}
	plain, err := decrypt(data, id)
	// plain is the vault's secret key: out of swap while parsed, then wiped.
	Lock(plain)
	defer Wipe(plain)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			// A scrypt stanza that does not unwrap is what a wrong
			// passphrase looks like. A slot whose stanza was corrupted
			// looks the same; `tvault check` tells them apart.
			return nil, nil, ErrWrongPassphrase
		}
		return nil, nil, err
	}
	v, err := ParseIdentity(plain)
	if err != nil {
		return nil, nil, err
	}
	return v, IdentityNotes(plain), nil
}

// checkScryptWorkFactor reads the scrypt stanza of an age file's header and
// returns an error wrapping ErrDamaged if its work factor is outside what
// tvault writes and accepts, or ErrWrongPassphrase if the file has no scrypt
// stanza (no passphrase opens it).
func checkScryptWorkFactor(data []byte) error {
	_, err := ScryptWorkFactor(data)
	return err
}

// ScryptWorkFactor returns the scrypt work factor (log2 of N) that an age
// file's scrypt stanza asks for, read from its header without any work. It
// returns an error wrapping ErrDamaged if the factor is outside what tvault
// writes and accepts, or ErrWrongPassphrase if the file has no scrypt stanza.
func ScryptWorkFactor(data []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 256), 4096)
	if !sc.Scan() || sc.Text() != "age-encryption.org/v1" {
		return 0, fmt.Errorf("%w: not an age file", ErrDamaged)
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") {
			break
		}
		args, ok := strings.CutPrefix(line, "-> scrypt ")
		if !ok {
			continue
		}
		f := strings.Fields(args)
		if len(f) != 2 {
			return 0, fmt.Errorf("%w: a malformed scrypt stanza", ErrDamaged)
		}
		logN, err := strconv.Atoi(f[1])
		if err != nil {
			return 0, fmt.Errorf("%w: a malformed scrypt work factor", ErrDamaged)
		}
		if lo, hi := minScryptWorkFactor(), maxScryptWorkFactor; logN < lo || logN > hi {
			return 0, fmt.Errorf("%w: it asks for scrypt work factor %d, and tvault accepts %d to %d (refused before trying; tvault never writes such a file)",
				ErrDamaged, logN, lo, hi)
		}
		return logN, nil
	}
	if sc.Err() != nil {
		return 0, fmt.Errorf("%w: a malformed header", ErrDamaged)
	}
	// Not a passphrase slot (a recipient slot): no passphrase opens it.
	return 0, ErrWrongPassphrase
}
