package crypto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/plugin"
)

// SealRecipientSlot returns a recipient key slot: the vault identity v, in
// age's identity-file format, encrypted to r. r may be any age recipient: a
// hybrid or X25519 key, an SSH key, or a plugin recipient such as a hardware
// key's. As with [SealSlot], `age -d -i` of the slot with r's identity
// yields a file that `age -d -i` accepts.
func SealRecipientSlot(v *age.HybridIdentity, r age.Recipient, now time.Time, notes ...string) ([]byte, error) {
	plain := MarshalIdentity(v, now, notes...)
	defer Wipe(plain)
	return encrypt(plain, r)
}

// OpenRecipientSlot decrypts a recipient key slot with any of ids and
// returns the vault identity. A slot none of ids opens returns
// [ErrWrongKey]; one that fails authentication returns [ErrDamaged].
func OpenRecipientSlot(slot []byte, ids ...age.Identity) (*age.HybridIdentity, error) {
	id, _, err := OpenRecipientSlotNotes(slot, ids...)
	return id, err
}

// OpenRecipientSlotNotes is [OpenRecipientSlot], and also returns the
// slot's notes ([IdentityNotes]).
func OpenRecipientSlotNotes(slot []byte, ids ...age.Identity) (*age.HybridIdentity, []string, error) {
	r, err := age.Decrypt(bytes.NewReader(slot), ids...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, nil, ErrWrongKey
		}
		return nil, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	plain, err := io.ReadAll(r)
	// plain is the vault's secret key: out of swap while parsed, then wiped.
	Lock(plain)
	defer Wipe(plain)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	v, err := ParseIdentity(plain)
	if err != nil {
		return nil, nil, err
	}
	return v, IdentityNotes(plain), nil
}

// ParseAnyRecipient parses any recipient a key slot can be sealed to:
// age1pq1… (hybrid), age1… (X25519), ssh-ed25519 and ssh-rsa keys, and
// plugin recipients age1NAME1… (such as age1yubikey1…), which run the
// program age-plugin-NAME through ui when used.
func ParseAnyRecipient(s string, ui *plugin.ClientUI) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "age1pq1"):
		return age.ParseHybridRecipient(s)
	case strings.HasPrefix(s, "ssh-"):
		return agessh.ParseRecipient(s)
	case strings.HasPrefix(s, "age1") && strings.Count(s, "1") > 1:
		// bech32 data never holds a "1": a second one separates a plugin
		// name, as in age1yubikey1….
		return plugin.NewRecipient(s, ui)
	case strings.HasPrefix(s, "age1"):
		return age.ParseX25519Recipient(s)
	}
	return nil, errors.New("unknown recipient type (want age1pq1…, age1…, age1NAME1… or ssh-…)")
}

// ParseIdentityFile parses an age identity file: hybrid (AGE-SECRET-KEY-PQ-1…)
// and X25519 (AGE-SECRET-KEY-1…) keys, and plugin identities
// (AGE-PLUGIN-NAME-1…, as age-plugin-yubikey writes), which run through ui.
// An OpenSSH private key file is accepted too. Errors never contain key
// material.
func ParseIdentityFile(data []byte, ui *plugin.ClientUI) ([]age.Identity, error) {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
		id, err := agessh.ParseIdentity(data)
		if err != nil {
			return nil, fmt.Errorf("not a usable SSH private key: %w", err)
		}
		return []age.Identity{id}, nil
	}
	var ids []age.Identity
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		// age and its plugin client parse identities from strings; these
		// copies cannot be wiped.
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var id age.Identity
		var err error
		if strings.HasPrefix(line, "AGE-PLUGIN-") {
			id, err = plugin.NewIdentity(line, ui)
		} else {
			var parsed []age.Identity
			parsed, err = age.ParseIdentities(strings.NewReader(line))
			if err == nil {
				id = parsed[0]
			}
		}
		if err != nil {
			return nil, fmt.Errorf("identity file line %d: not an age identity", n)
		}
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("failed to read identity file: %w", err)
	}
	if len(ids) == 0 {
		return nil, errors.New("no identity in the identity file")
	}
	return ids, nil
}

// StanzaTypes returns the recipient stanza types in an age file's header,
// such as "scrypt", "X25519", "mlkem768x25519" or a plugin's ("piv-p256").
// It reads the header only and needs no key.
func StanzaTypes(file []byte) ([]string, error) {
	hdr, err := age.ExtractHeader(bytes.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	var types []string
	for line := range strings.Lines(string(hdr)) {
		if rest, ok := strings.CutPrefix(line, "-> "); ok {
			t, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
			types = append(types, t)
		}
	}
	return types, nil
}
