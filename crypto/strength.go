package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// MinPassphraseScore is the lowest zxcvbn score, from 0 to 4, that a new
// passphrase may have: 4, zxcvbn's estimate of at least 10^10 guesses.
//
// Every passphrase tvault sets guards a file that can be attacked offline
// once a laptop or a USB stick is seized: an age scrypt slot or custodian key
// file at work factor 2^18 (256 MiB and about a second of a laptop core per
// guess). Memory bandwidth bounds a GPU to the order of 10^3 such guesses a
// second, so an adversary with a hundred of them tries about 10^5 a second.
// Score 3 starts at 10^8 guesses (two common words, "kitchen table"): that
// floor falls in minutes. Score 4 starts at 10^10, about a day for the same
// farm and years for one laptop; three random words ("blue sky today") or a
// sentence already reach it, which is what people are told to pick. Every
// passphrase in the tests and scripts scores 4.
//
// zxcvbn counts a character outside its dictionaries and patterns as 10
// guesses, which undervalues Chinese: a passphrase of Han characters needs
// 11 of them.
const MinPassphraseScore = 4

// maxStrengthRunes bounds the part of a passphrase the estimator reads: its
// repeat matching uses backtracking regular expressions, and a 1000-character
// passphrase took 15 s to score (200 characters: 0.1 s; 64: 10 ms). So the
// first 64 characters decide; 64 characters that score below 4 are a
// pattern or a quotation, and what follows them does not change that much.
const maxStrengthRunes = 64

// Strength is an estimate of how hard a passphrase is to guess. Its texts
// never contain any part of the passphrase.
type Strength struct {
	// Score is zxcvbn's, from 0 (too guessable) to 4 (very unguessable).
	Score int
	// Warning names what makes the passphrase easy to guess, if anything:
	// "A word by itself is easy to guess."
	Warning string
}

// Acceptable reports whether the score reaches [MinPassphraseScore].
func (s Strength) Acceptable() bool { return s.Score >= MinPassphraseScore }

// PassphraseStrength estimates how hard p is to guess, with zxcvbn.
//
// zxcvbn takes the passphrase as a string and matches copies and pieces of
// it against its dictionaries: those copies cannot be wiped. The caller
// still wipes p.
func PassphraseStrength(p []byte) Strength {
	s := string(p)
	if utf8.RuneCountInString(s) > maxStrengthRunes {
		s = string([]rune(s)[:maxStrengthRunes])
	}
	r := zxcvbn.PasswordStrength(s, nil)
	st := Strength{Score: r.Score}
	if st.Score < MinPassphraseScore {
		st.Warning = warning(r.Sequence)
	}
	return st
}

// warning explains the weakest part of a guessable passphrase, in the words
// of zxcvbn's own feedback (which this port of it leaves out).
func warning(seq []*match.Match) string {
	var longest *match.Match
	for _, m := range seq {
		if m.Pattern != "bruteforce" && (longest == nil || len(m.Token) > len(longest.Token)) {
			longest = m
		}
	}
	if longest == nil {
		return ""
	}
	switch longest.Pattern {
	case "dictionary":
		switch {
		case longest.DictionaryName == "passwords":
			return "This is similar to a commonly used password."
		case strings.HasSuffix(longest.DictionaryName, "names"):
			return "Names and surnames are easy to guess."
		case len(seq) == 1:
			return "A word by itself is easy to guess."
		}
		return "Common words are easy to guess."
	case "spatial":
		return "Keyboard patterns are easy to guess."
	case "repeat":
		return "Repeated characters or words are easy to guess."
	case "sequence":
		return "Sequences like abc or 6543 are easy to guess."
	case "regex", "date":
		return "Dates and years are easy to guess."
	}
	return ""
}

// CheckNewPassphrase reports whether p is acceptable for a new slot or key
// file: at least [MinPassphraseLen] characters, and a zxcvbn score of at
// least [MinPassphraseScore]. The error never contains the passphrase.
func CheckNewPassphrase(p []byte) error {
	if len(bytes.TrimSpace(p)) == 0 {
		return errors.New("the passphrase is empty")
	}
	if n := utf8.RuneCount(p); n < MinPassphraseLen {
		return fmt.Errorf("the passphrase is too short (%d characters; at least %d)", n, MinPassphraseLen)
	}
	if st := PassphraseStrength(p); !st.Acceptable() {
		msg := "the passphrase is too easy to guess"
		if st.Warning != "" {
			msg += " (" + strings.TrimSuffix(strings.ToLower(st.Warning[:1])+st.Warning[1:], ".") + ")"
		}
		return fmt.Errorf("%s: add another word or two; uncommon words are best", msg)
	}
	return nil
}
