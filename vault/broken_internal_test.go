package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/journal"
)

// brokenByFailedReload returns a vault broken as in
// TestAttackFailedReloadShowsNothing: a save past the journal cap could not
// write its checkpoint, and the reload after it could not replay the
// journal, damaged on disk since the open. It returns the IDs of the three
// interviews the journal held, and the custodian.
func brokenByFailedReload(t *testing.T) (*Vault, []string, *age.HybridIdentity) {
	t.Helper()
	const limit = 64 << 10
	t.Cleanup(SetJournalLimitsForTesting(8, limit))
	v, ids, c := reloadWouldFail(t)
	in := Input{}
	in.Pseudonym = "Big"
	in.Testimony = strings.Repeat("testimony ", 2*limit/10)
	if _, err := v.Add(context.Background(), []Input{in}); err == nil {
		t.Fatal("a save past the cap succeeded with its checkpoint blocked")
	}
	if v.broken == nil {
		t.Fatal("the reload of a damaged journal did not break the vault")
	}
	return v, ids, c
}

// reloadWouldFail returns a vault whose journal holds three interviews and
// was then damaged on disk, and where no checkpoint can be written: the
// next save that checkpoints fails, and so does the reload after it.
func reloadWouldFail(t *testing.T) (*Vault, []string, *age.HybridIdentity) {
	t.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v.lock != nil {
			v.Close()
		}
	})
	var ids []string
	for _, n := range []string{"A", "B", "C"} {
		in := Input{}
		in.Pseudonym = n
		in.Testimony = n + " " + strings.Repeat("testimony ", 100)
		id, err := v.Add(context.Background(), []Input{in})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id...)
	}
	path := journal.Path(v.dir, v.journal.Gen)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// A folder where a checkpoint's new data key goes: it cannot be
	// written.
	if err := os.Mkdir(dataKeyPath(v.dir, otherDataKey(v.data)), 0o700); err != nil {
		t.Fatal(err)
	}
	return v, ids, c
}

// TestFailedReloadAfterKeyChangeShowsNothing: a rekey and a member key
// rotation reload the database when their checkpoint fails, as a save past
// the cap does; when that reload fails too, the vault answers no read.
func TestFailedReloadAfterKeyChangeShowsNothing(t *testing.T) {
	for name, change := range map[string]func(*Vault) error{
		"rekey": func(v *Vault) error {
			_, err := v.ChangePassphrase(context.Background(), []byte("another good passphrase"))
			return err
		},
		"member key": func(v *Vault) error {
			_, err := v.RotateMemberKey(context.Background())
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			v, ids, _ := reloadWouldFail(t)
			if err := change(v); err == nil {
				t.Fatal("succeeded with its checkpoint blocked")
			}
			if v.broken == nil {
				t.Fatal("the reload of a damaged journal did not break the vault")
			}
			if list, err := v.List(context.Background()); !errors.Is(err, v.broken) {
				t.Fatalf("a broken vault answered a list with %d interviews (%v), not its error", len(list), err)
			}
			if _, err := v.Get(ids[0]); !errors.Is(err, v.broken) {
				t.Fatalf("a broken vault answered a get: %v", err)
			}
		})
	}
}

// folderState is every file under dir with a hash of its bytes.
func folderState(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBrokenVaultRefusesEverything: once a failed reload has broken a
// vault, its database is gone, and every method that would read or write
// it returns the vault's broken error (close and reopen), without a panic
// on the missing connection, and without changing a file. A method not in
// the table must be one that reads no database: a new method fails the
// test until it is put in one list or the other.
func TestBrokenVaultRefusesEverything(t *testing.T) {
	v, ids, c := brokenByFailedReload(t)
	ctx := context.Background()
	id := ids[0]
	card, _, err := v.Card()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.tvb")
	calls := map[string]func() error{
		"Add": func() error {
			in := Input{}
			in.Pseudonym = "D"
			in.Testimony = "more"
			_, err := v.Add(ctx, []Input{in})
			return err
		},
		"AddMember":     func() error { _, err := v.AddMember(card); return err },
		"AddPassphrase": func() error { _, err := v.AddPassphrase(ctx, []byte("another good passphrase")); return err },
		"AddQuote":      func() error { _, err := v.AddQuote(ctx, id, "testimony", "", nil); return err },
		"AddQuotes": func() error {
			_, err := v.AddQuotes(ctx, []QuoteRequest{{Interview: id, Text: "testimony"}})
			return err
		},
		"AddRecipient":    func() error { _, err := v.AddRecipient(ctx, c.Recipient()); return err },
		"AddTerms":        func() error { return v.AddTerms("Lhasa") },
		"Attach":          func() error { _, err := v.Attach(ctx, id, strings.NewReader("bytes"), AttachOptions{}); return err },
		"AttachmentProof": func() error { _, err := v.AttachmentProof(ctx, "abcd"); return err },
		"Attachments":     func() error { _, err := v.Attachments(ctx, id); return err },
		"Audit":           func() error { _, err := v.Audit(ctx); return err },
		"ChangePassphrase": func() error {
			_, err := v.ChangePassphrase(ctx, []byte("another good passphrase"))
			return err
		},
		"Check":                   func() error { _, err := v.Check(ctx); return err },
		"Checkpoint":              func() error { return v.Checkpoint(ctx) },
		"DatabaseBytesForTesting": func() error { _, err := v.DatabaseBytesForTesting(); return err },
		"Codebook":                func() error { _, err := v.Codebook(); return err },
		"Count":                   func() error { _, err := v.Count(); return err },
		"DeleteDraft":             func() error { return v.DeleteDraft("k") },
		"Drafts":                  func() error { _, err := v.Drafts(); return err },
		"DropPlantedTombstones": func() error {
			_, err := v.DropPlantedTombstones(ctx, []string{id})
			return err
		},
		"Export":     func() error { _, err := v.Export(ctx, &bytes.Buffer{}, ExportOptions{}); return err },
		"ExportFile": func() error { _, err := v.ExportFile(ctx, out, ExportOptions{}); return err },
		"Find":       func() error { _, err := v.Find(ctx, "testimony", Filter{}); return err },
		"FindPage":   func() error { _, _, err := v.FindPage(ctx, "testimony", Filter{}, 10); return err },
		"Get":        func() error { _, err := v.Get(id); return err },
		"Heads":      func() error { _, err := v.Heads(id); return err },
		"History":    func() error { _, err := v.History(ctx, id, 0); return err },
		"Import":     func() error { _, err := v.Import(ctx, strings.NewReader("not a bundle")); return err },
		"List":       func() error { _, err := v.List(ctx); return err },
		"Merge":      func() error { _, err := v.Merge(id); return err },
		"OnRoster": func() error {
			_, own, _ := v.Card()
			if v.OnRoster(own) {
				return errors.New("a broken vault has a roster")
			}
			return v.broken
		},
		"ParseCard":                func() error { _, err := v.ParseCard(card); return err },
		"PlanRedaction":            func() error { _, err := v.PlanRedaction(ctx, id, RedactOptions{Text: "testimony"}); return err },
		"PlantTombstoneForTesting": func() error { return v.PlantTombstoneForTesting(ctx, id, true) },
		"PlantedTombstones":        func() error { _, err := v.PlantedTombstones(ctx); return err },
		"Publish":                  func() error { _, err := v.Publish(ctx, PublishOptions{}); return err },
		"Purge":                    func() error { _, err := v.Purge(ctx, id); return err },
		"Quotes":                   func() error { _, err := v.Quotes(ctx, id); return err },
		"ReadAttachment": func() error {
			_, err := v.ReadAttachment(ctx, "abcd", &bytes.Buffer{}, ReadOptions{})
			return err
		},
		"RecordPublish": func() error { return v.RecordPublish("a pack") },
		"Redact":        func() error { _, err := v.Redact(ctx, id, RedactOptions{Text: "testimony"}); return err },
		"Rekey":         func() error { _, err := v.Rekey(ctx, []byte("another good passphrase")); return err },
		"RemoveMember":  func() error { return v.RemoveMember("R2") },
		"RemoveQuote":   func() error { return v.RemoveQuote(ctx, id, "abcd") },
		"RemoveSlot":    func() error { return v.RemoveSlot(ctx, "passphrase-1") },
		"RemoveTerm":    func() error { return v.RemoveTerm("Lhasa") },
		"Resolve":       func() error { _, err := v.Resolve(id); return err },
		"Reveal":        func() error { _, err := v.Reveal(ctx, id, c); return err },
		"RevealDraft":   func() error { _, err := v.RevealDraft("k", c); return err },
		"RevealMany":    func() error { _, err := v.RevealMany(ctx, ids, c); return err },
		"RotateCustodian": func() error {
			next, _ := crypto.NewIdentity()
			_, err := v.RotateCustodian(ctx, c, next.Recipient(), nil)
			return err
		},
		"RotateMemberKey": func() error { _, err := v.RotateMemberKey(ctx); return err },
		"SaveDraft": func() error {
			in := Input{}
			in.Testimony = "typed"
			return v.SaveDraft("k", id, in)
		},
		"SaveMerge":  func() error { return v.SaveMerge(ctx, &Merge{}) },
		"Search":     func() error { _, err := v.Search(ctx, "testimony"); return err },
		"SearchPage": func() error { _, _, err := v.SearchPage(ctx, "testimony", 10); return err },
		"SetSetting": func() error { return v.SetSetting(ctx, "org", "Org") },
		"Setting":    func() error { _, err := v.Setting(ctx, "org"); return err },
		"StartRecording": func() error {
			_, err := v.StartRecording(ctx, id, AttachOptions{})
			return err
		},
		"Stats":      func() error { _, err := v.Stats(); return err },
		"Team":       func() error { _, err := v.Team(); return err },
		"Terms":      func() error { _, err := v.Terms(); return err },
		"Tombstones": func() error { _, err := v.Tombstones(ctx); return err },
		"VerifyAudit": func() error {
			_, _, err := v.VerifyAudit(ctx)
			return err
		},
	}
	// These record a custodian key that would not open, and return why it
	// did not (the cause), naming the recording's failure in its message.
	causes := map[string]func() error{
		"RecordRevealFailure": func() error { return v.RecordRevealFailure(ErrWrongPassphrase, id) },
		"UnlockCustodianKey": func() error {
			_, err := v.UnlockCustodianKey([]byte("not a key file"), []byte("pass"), id)
			return err
		},
	}
	// These read no database: the folder, the key slots, what Open read.
	// Close is TestBrokenVaultCloses.
	noDatabase := map[string]bool{"Card": true, "Close": true, "CurrentSlot": true, "Custodian": true,
		"CustodianFingerprint": true, "Dir": true, "Member": true, "Slots": true, "Warnings": true, "WriteCard": true}

	typ := reflect.TypeOf(v)
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if calls[name] == nil && causes[name] == nil && !noDatabase[name] {
			t.Errorf("(*Vault).%s is in no list of this test: say whether it reads the database", name)
		}
	}

	before := folderState(t, v.dir)
	call := func(name string, f func() error) (err error) {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("%s panicked on a broken vault: %v", name, p)
				err = nil
			}
		}()
		return f()
	}
	for name, f := range calls {
		if err := call(name, f); !errors.Is(err, v.broken) {
			t.Errorf("%s: %v, want the broken vault's error", name, err)
		}
	}
	for name, f := range causes {
		err := call(name, f)
		if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("%s: %v, want the cause", name, err)
		} else if !strings.Contains(err.Error(), v.broken.Error()) {
			t.Errorf("%s: %v, want the broken vault's error in it", name, err)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a broken vault's export made a file: %v", err)
	}
	if after := folderState(t, v.dir); !reflect.DeepEqual(after, before) {
		t.Errorf("calls to a broken vault changed its folder")
	}
}

// TestBrokenVaultCloses: a vault broken by a failed reload still closes:
// its keys are wiped and its folder's lock is released.
func TestBrokenVaultCloses(t *testing.T) {
	v, _, _ := brokenByFailedReload(t)
	dir := v.dir
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if v.identity != nil || v.mac != nil || v.data != nil {
		t.Error("Close kept the keys of a broken vault")
	}
	if v.conn != nil || v.db != nil || v.image != nil {
		t.Error("Close kept the database of a broken vault")
	}
	l, err := Lock(dir)
	if err != nil {
		t.Fatalf("the lock of a closed broken vault is still held: %v", err)
	}
	l.Release()
	if _, err := v.List(context.Background()); !errors.Is(err, ErrClosed) && !errors.Is(err, v.broken) {
		t.Errorf("List after Close: %v", err)
	}
}
