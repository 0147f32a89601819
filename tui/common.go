package tui

import (
	"errors"
	"sync"
	"time"

	"github.com/tvault/tvault/tui/keys"
	"github.com/tvault/tvault/tui/styles"
	"github.com/tvault/tvault/vault"
)

// common is what every screen shares: its size, the styles and the key map.
type common struct {
	width, height int
	styles        *styles.Styles
	keys          *keys.KeyMap
}

// Component is a part of the UI that can be resized.
type Component interface {
	SetSize(width, height int)
}

var (
	_ Component = (*editor)(nil)
	_ Component = (*listScreen)(nil)
	_ Component = (*interviewScreen)(nil)
	_ Component = (*statsScreen)(nil)
	_ Component = (*unlockScreen)(nil)
	_ Component = (*setupScreen)(nil)
)

// ErrorMsg carries an error to Update. Its text is shown to the person; the
// errors from vault and crypto never hold testimony, names or passphrases.
type ErrorMsg struct{ Err error }

// store is the open vault, shared by the screens. The vault is not safe for
// concurrent use and its calls run in commands, off the UI loop, so every
// call goes through the mutex.
type store struct {
	mu sync.Mutex
	v  *vault.Vault
}

var errLocked = errors.New("the vault is locked")

func (s *store) do(fn func(v *vault.Vault) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v == nil {
		return errLocked
	}
	return fn(s.v)
}

// close closes the vault and returns the folder's lock, still held.
func (s *store) close() (*vault.Hold, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v == nil {
		return nil, nil
	}
	dir := s.v.Dir()
	s.v.Close()
	s.v = nil
	// Between Close and HoldLock another process could take the lock; it
	// would then have the vault, and this UI would say so on unlock.
	return vault.HoldLock(dir)
}

// Clock is the time source; tests replace it.
type Clock func() time.Time
