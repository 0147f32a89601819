package vault

// Hold is a vault folder's lock, held without the vault being open: the
// terminal UI holds it while locked, so that no other tvault writes the vault
// behind its back.
type Hold struct{ v *Vault }

// HoldLock takes the lock of the vault folder dir. It returns an error
// wrapping ErrInUse if another process has it.
func HoldLock(dir string) (*Hold, error) {
	v := &Vault{dir: dir}
	if err := v.acquireLock(); err != nil {
		return nil, err
	}
	return &Hold{v: v}, nil
}

// Release lets the lock go.
func (h *Hold) Release() {
	if h != nil && h.v != nil {
		h.v.Close()
		h.v = nil
	}
}
