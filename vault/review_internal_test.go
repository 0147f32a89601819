package vault

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
)

// A change of custodian that is still in the journal when the vault is
// reopened must be in force: new identities go to the new custodian.
func TestCustodianChangeInJournalAfterReopen(t *testing.T) {
	c1, _ := crypto.NewIdentity()
	c2, _ := crypto.NewIdentity()
	dir := filepath.Join(t.TempDir(), "v")
	v, err := Create(dir, CreateOptions{Name: "R1", Custodian: c1.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	proof, err := v.proveCustodianChange(context.Background(), c1, c2.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if err := v.commit(&change{Custodian: c2.Recipient().String(), CustodianProof: proof}); err != nil {
		t.Fatal(err)
	}
	// As a crash would leave it: snapshot (with c1) and journal (to c2).
	crashed := filepath.Join(t.TempDir(), "crashed")
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(crashed, rel), 0o700)
		}
		data, _ := os.ReadFile(p)
		return os.WriteFile(filepath.Join(crashed, rel), data, 0o600)
	})
	v.Close()
	v2, err := Open(context.Background(), crashed, OpenOptions{}, PassphraseIdentity([]byte("correct horse battery")))
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if v2.Custodian().String() != c2.Recipient().String() {
		t.Fatal("after reopening, the vault seals to the custodian it rotated away from")
	}
}
