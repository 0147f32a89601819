package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"
)

// NewIdentity generates a post-quantum hybrid age identity, the kind tvault
// uses for every key it creates.
func NewIdentity() (*age.HybridIdentity, error) {
	return age.GenerateHybridIdentity()
}

// MarshalIdentity returns id in age's identity-file format, as age-keygen
// writes it, so that `age -d -i FILE` accepts it. Each note becomes a
// comment line "# note" ([IdentityNotes] reads them back); a note must be
// one line. The result is secret: wipe it after use.
func MarshalIdentity(id *age.HybridIdentity, now time.Time, notes ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# created: %s\n", now.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "# public key: %s\n", id.Recipient())
	for _, n := range notes {
		fmt.Fprintf(&b, "# %s\n", strings.ReplaceAll(n, "\n", " "))
	}
	// age formats the key as a string (id.String()): that copy cannot be
	// wiped. The buffer returned can, and is kept out of swap.
	fmt.Fprintf(&b, "%s\n", id)
	Lock(b.Bytes())
	return b.Bytes()
}

// IdentityNotes returns the comment lines of an identity file, without
// their "# ", other than the "created" and "public key" lines that
// [MarshalIdentity] always writes.
func IdentityNotes(data []byte) []string {
	var notes []string
	for line := range strings.Lines(string(data)) {
		n, ok := strings.CutPrefix(strings.TrimSpace(line), "# ")
		if ok && !strings.HasPrefix(n, "created: ") && !strings.HasPrefix(n, "public key: ") {
			notes = append(notes, n)
		}
	}
	return notes
}

// ParseIdentity parses an identity file holding exactly one hybrid identity.
// A malformed file is reported as [ErrDamaged]; the error never contains the
// key.
func ParseIdentity(data []byte) (*age.HybridIdentity, error) {
	var found *age.HybridIdentity
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: more than one key in an identity file", ErrDamaged)
		}
		// age parses identities from strings; this copy of the key cannot be
		// wiped.
		id, err := age.ParseHybridIdentity(line)
		if err != nil {
			return nil, fmt.Errorf("%w: not a post-quantum age identity", ErrDamaged)
		}
		found = id
	}
	if found == nil {
		return nil, fmt.Errorf("%w: no key in identity file", ErrDamaged)
	}
	return found, nil
}

// ParseRecipient parses a post-quantum hybrid recipient (age1pq1…).
func ParseRecipient(s string) (*age.HybridRecipient, error) {
	s = strings.TrimSpace(s)
	r, err := age.ParseHybridRecipient(s)
	if err != nil {
		if strings.HasPrefix(s, "age1") && !strings.HasPrefix(s, "age1pq1") {
			return nil, ErrNotHybrid
		}
		return nil, fmt.Errorf("malformed recipient: %w", err)
	}
	return r, nil
}

// decrypt decrypts an age file with id. Any failure after the right identity
// was found is [ErrDamaged]; a file no identity opens returns
// age.NoIdentityMatchError for the caller to interpret.
func decrypt(data []byte, id age.Identity) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, noMatch
		}
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		Wipe(out)
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return out, nil
}

func encrypt(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(plaintext) + 2048)
	w, err := age.Encrypt(&b, recipients...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
