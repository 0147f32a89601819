package vault

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tvault/tvault/internal/fsx"
)

// Failed unlocks.
//
// A wrong passphrase cannot write to the encrypted vault, so failed unlocks
// are kept in a small plain file, "attempts": the times of the failures
// since the last successful unlock, nothing else. It does two things:
//
//   - repeated failures slow down: after 3, each try waits 2^(n-3) seconds
//     (at most a minute) after the last failure. It slows guessing through
//     tvault; an attacker with their own tools is slowed by scrypt alone.
//   - the next successful unlock puts each failure in the audit log and
//     removes the file, so the owner learns that someone tried.
//
// The file tells whoever holds the laptop that, and when, wrong passphrases
// were tried since the last unlock; docs/THREAT-MODEL.md says so.

const attemptsName = "attempts"

type attempts struct {
	Failed []string `json:"failed"` // RFC 3339 times
}

// Hooks for tests.
var (
	timeNow = time.Now
	sleep   = time.Sleep
)

func readAttempts(dir string) attempts {
	var a attempts
	data, err := os.ReadFile(filepath.Join(dir, attemptsName))
	if err == nil {
		json.Unmarshal(data, &a)
	}
	return a
}

// throttleDelay returns how long the next unlock of the vault in dir must
// wait because of earlier failures.
func throttleDelay(dir string) time.Duration {
	a := readAttempts(dir)
	n := len(a.Failed)
	if n < 3 {
		return 0
	}
	last, err := time.Parse(time.RFC3339Nano, a.Failed[n-1])
	if err != nil {
		return 0
	}
	wait := time.Minute
	if n-3 < 6 {
		wait = min(time.Duration(1<<(n-3))*time.Second, time.Minute)
	}
	if left := last.Add(wait).Sub(timeNow()); left > 0 {
		return min(left, time.Minute)
	}
	return 0
}

func recordFailedUnlock(dir string) {
	a := readAttempts(dir)
	a.Failed = append(a.Failed, timeNow().UTC().Format(time.RFC3339Nano))
	if len(a.Failed) > 100 {
		a.Failed = a.Failed[len(a.Failed)-100:]
	}
	data, _ := json.Marshal(a)
	fsx.WriteFileAtomic(filepath.Join(dir, attemptsName), func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

func clearAttempts(dir string) error {
	err := os.Remove(filepath.Join(dir, attemptsName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
