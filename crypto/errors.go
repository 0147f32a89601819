package crypto

import "errors"

var (
	// ErrWrongPassphrase means no key slot (or key file) opened with the
	// passphrase given.
	ErrWrongPassphrase = errors.New("wrong passphrase")

	// ErrDamaged means an encrypted file failed authentication or parsing
	// although the right key was used: it was altered, truncated or corrupted.
	ErrDamaged = errors.New("damaged")

	// ErrNotHybrid means a recipient is not a post-quantum hybrid recipient
	// where one is required.
	ErrNotHybrid = errors.New("not a post-quantum hybrid recipient (age1pq1…)")
)
