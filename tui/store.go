package tui

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/tvault/tvault/vault"
)

// Store is what the screens call on the open vault. [vault.Vault] is the
// one in use; tests may give the screens a fake.
type Store interface {
	// Interviews and drafts.
	List(ctx context.Context) ([]vault.Summary, error)
	Search(ctx context.Context, query string) ([]vault.Summary, error)
	Find(ctx context.Context, query string, f vault.Filter) ([]vault.Found, error)
	FindPage(ctx context.Context, query string, f vault.Filter, limit int) ([]vault.Found, int, error)
	Get(idOrPrefix string) (*vault.View, error)
	Resolve(idOrPrefix string) (string, error)
	Heads(idOrPrefix string) ([]vault.View, error)
	Merge(idOrPrefix string) (*vault.Merge, error)
	SaveMerge(ctx context.Context, m *vault.Merge) error
	History(ctx context.Context, idOrPrefix string, around int) ([]vault.HistoryEntry, error)
	Add(ctx context.Context, inputs []vault.Input) ([]string, error)
	Drafts() ([]vault.Draft, error)
	SaveDraft(key, interview string, in vault.Input) error
	DeleteDraft(key string) error
	Codebook() ([]string, error)
	Terms() ([]string, error)
	Stats() (*vault.Stats, error)
	Reveal(ctx context.Context, idOrPrefix string, custodian *vault.CustodianKey) (*vault.Revealed, error)
	RevealMany(ctx context.Context, idsOrPrefixes []string, custodian *vault.CustodianKey) ([]*vault.Revealed, error)
	RecordRevealFailure(cause error, subjects ...string) error
	Attach(ctx context.Context, idOrPrefix string, r io.Reader, opts vault.AttachOptions) (*vault.AttachReport, error)
	RevealDraft(key string, custodian *vault.CustodianKey) (*vault.DraftSecrets, error)
	PlanRedaction(ctx context.Context, idOrPrefix string, opts vault.RedactOptions) (*vault.RedactReport, error)
	Redact(ctx context.Context, idOrPrefix string, opts vault.RedactOptions) (*vault.RedactReport, error)

	// Quotes and publication.
	Quotes(ctx context.Context, idOrPrefix string) ([]vault.QuoteInfo, error)
	AddQuote(ctx context.Context, idOrPrefix, text, label string, tags []string) (*vault.Quote, error)
	Publish(ctx context.Context, opts vault.PublishOptions) (*vault.Pack, error)
	RecordPublish(details string) error

	// The team and the exchange of bundles.
	Team() ([]vault.Member, error)
	Card() ([]byte, *vault.Card, error)
	WriteCard(path string) (*vault.Card, error)
	ParseCard(data []byte) (*vault.Card, error)
	AddMember(data []byte) (*vault.Card, error)
	RemoveMember(name string) error
	RotateMemberKey(ctx context.Context) (*vault.KeyChange, error)
	ExportFile(ctx context.Context, path string, opts vault.ExportOptions) (*vault.ExportReport, error)
	Import(ctx context.Context, r io.Reader) (*vault.ImportReport, error)
	Purge(ctx context.Context, idOrPrefix string) (string, error)

	// The vault itself.
	Warnings() []string
	CustodianFingerprint() string
	Dir() string
	Close() error
}

var _ Store = (*vault.Vault)(nil)

// store is the open vault, shared by the screens. The vault is not safe for
// concurrent use and its calls run in commands, off the UI loop, so every
// call goes through the mutex.
type store struct {
	mu sync.Mutex
	v  Store
	// custodian is the custodian key opened for a reveal, kept for the
	// session's other reveals (reveal.go) and dropped when the vault locks
	// or closes.
	custodian *vault.CustodianKey
}

var errLocked = errors.New("the vault is locked")

func (s *store) do(fn func(v Store) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v == nil {
		return errLocked
	}
	return fn(s.v)
}

// close closes the vault and returns the folder's lock, still held.
func (s *store) close() (*vault.DirLock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v == nil {
		return nil, nil
	}
	dir := s.v.Dir()
	s.v.Close()
	s.v, s.custodian = nil, nil
	// Between Close and holdVault another process could take the lock; it
	// would then have the vault, and this UI would say so on unlock.
	return holdVault(dir)
}

// The vault's lifecycle: the only calls into package vault that are not on
// the Store.

// holdVault takes the lock of the vault folder dir, without opening the
// vault: the UI keeps it while locked. The error wraps vault.ErrInUse if
// another process has it.
func holdVault(dir string) (*vault.DirLock, error) { return vault.Lock(dir) }

// unlockVault opens the vault in dir with passphrase, through hold, the
// folder's lock: the vault takes it over if it opens, and it stays held if
// not. With no hold (it could not be taken again after the last lock) the
// lock is taken first.
func unlockVault(dir string, hold *vault.DirLock, passphrase []byte) (Store, *vault.DirLock, error) {
	if hold == nil {
		h, err := holdVault(dir)
		if err != nil {
			return nil, nil, err
		}
		hold = h
	}
	v, err := hold.Open(context.Background(), vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		return nil, hold, err
	}
	return v, nil, nil
}

// createVault creates the vault in dir, open.
func createVault(dir string, opts vault.CreateOptions) (Store, error) {
	v, err := vault.Create(dir, opts)
	if err != nil {
		return nil, err
	}
	return v, nil
}
