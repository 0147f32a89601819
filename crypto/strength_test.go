package crypto_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
)

func TestCheckNewPassphrase(t *testing.T) {
	for _, p := range []string{
		"correct horse battery staple",
		"custodian passphrase for tests",
		"blue sky today",
		"警察每周来两次了吧，又来了",
	} {
		if err := crypto.CheckNewPassphrase([]byte(p)); err != nil {
			t.Errorf("refused a strong passphrase (%d characters): %v", len([]rune(p)), err)
		}
	}
	for _, tc := range []struct{ p, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"x7#q", "too short"},
		{"12345678", "commonly used password"},
		{"password123", "commonly used password"},
		{"qwertyuiop", "commonly used password"},
		{"Summer2024!", "too easy to guess"},
		{"abcdefghij", "sequences"},
		{"zzzzzzzzzzzz", "repeated"},
		{"kitchen table", "too easy to guess"}, // score 3
	} {
		err := crypto.CheckNewPassphrase([]byte(tc.p))
		if err == nil {
			t.Errorf("accepted a weak passphrase of %d characters", len(tc.p))
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err=%q, want it to say %q", err, tc.want)
		}
		if strings.TrimSpace(tc.p) != "" && strings.Contains(err.Error(), tc.p) {
			t.Errorf("the error repeats the passphrase: %q", err)
		}
	}
}

func TestPassphraseStrengthLong(t *testing.T) {
	// Without the bound on what zxcvbn reads, 1000 characters take seconds.
	long := []byte(strings.Repeat("ab", 5000))
	start := time.Now()
	if st := crypto.PassphraseStrength(long); st.Acceptable() {
		t.Errorf("a repeated pattern scores %d", st.Score)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("scoring 10000 characters took %v", d)
	}
}
