package vault

import (
	"encoding/json"
	"errors"
	"io"
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

// The file is input nobody vouches for: anyone who can write to the folder
// can plant one. tvault writes at most maxAttempts times, a few KB; a larger
// file is ignored, and so is every entry that is not a time, each with one
// warning. Only the parsed times, formatted anew, reach the audit log.
const (
	maxAttempts      = 100
	maxAttemptsBytes = 8 << 10
)

type attempts struct {
	Failed []string `json:"failed"` // RFC 3339 times
}

// Hooks for tests.
var (
	timeNow = time.Now
	sleep   = time.Sleep
)

// readAttempts returns the failures the attempts file records, as times, and
// a warning if the file held anything tvault does not write.
func readAttempts(dir string) (failed []time.Time, warning string) {
	f, err := fsx.OpenRegular(filepath.Join(dir, attemptsName))
	if err != nil {
		return nil, ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAttemptsBytes+1))
	if err != nil {
		return nil, ""
	}
	const ignored = "the file of failed unlock attempts holds what tvault does not write; ignored"
	if len(data) > maxAttemptsBytes {
		return nil, ignored + " (too large)"
	}
	var a attempts
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, ignored
	}
	bad := false
	for _, s := range a.Failed {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			bad = true
			continue
		}
		failed = append(failed, t.UTC())
	}
	if len(failed) > maxAttempts {
		failed, bad = failed[len(failed)-maxAttempts:], true
	}
	if bad {
		warning = ignored + " (entries that are not times)"
	}
	return failed, warning
}

// throttleDelay returns how long the next unlock of the vault in dir must
// wait because of earlier failures.
func throttleDelay(dir string) time.Duration {
	failed, _ := readAttempts(dir)
	n := len(failed)
	if n < 3 {
		return 0
	}
	last := failed[n-1]
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
	failed, _ := readAttempts(dir)
	failed = append(failed, timeNow().UTC())
	if len(failed) > maxAttempts {
		failed = failed[len(failed)-maxAttempts:]
	}
	var a attempts
	for _, t := range failed {
		a.Failed = append(a.Failed, t.Format(time.RFC3339Nano))
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
