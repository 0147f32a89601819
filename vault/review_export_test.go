package vault_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/vault"
)

// TestReviewExportFileNotPlaced: ExportFile runs Export, which records the
// export (audit event and the "sent" marks of SinceLast), inside
// CreateExclusive's write, before the file gets its name. When the name is
// then taken (or the sync fails, or the disk fills) ExportFile fails and no
// bundle exists, but the vault believes bob was sent everything: the next
// SinceLast export to bob leaves those interviews out, for good.
func TestReviewExportFileNotPlaced(t *testing.T) {
	a, _, _ := team(t)
	if _, err := a.Add(context.Background(), []vault.Input{shareable("One", "one interview")}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.tvb")
	// Progress runs while the bundle is gathered, inside ExportFile: a file
	// of the same name appears meanwhile (another program, the user in
	// another window).
	_, err := a.ExportFile(context.Background(), path, vault.ExportOptions{
		To: []string{"bob"},
		Progress: func(done, total int) {
			os.WriteFile(path, []byte("someone else's file"), 0o600)
		},
	})
	if err == nil {
		t.Fatal("ExportFile over a file that appeared meanwhile succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "someone else's file" {
		t.Fatal("ExportFile replaced a file that appeared meanwhile")
	}
	var buf bytes.Buffer
	rep, err := a.Export(context.Background(), &buf, vault.ExportOptions{To: []string{"bob"}, SinceLast: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interviews != 1 {
		t.Errorf("after an ExportFile that wrote no bundle, a SinceLast export to bob holds %d interviews, want 1: the failed export moved bob's sent mark", rep.Interviews)
	}
}

// TestReviewExportFileReadOnly: on a vault opened read-only, ExportFile
// fails ("the bundle was written, but the export could not be recorded")
// and yet leaves no bundle: the message tells the user a file exists that
// does not.
func TestReviewExportFileReadOnly(t *testing.T) {
	a, _, _ := team(t)
	if _, err := a.Add(context.Background(), []vault.Input{shareable("One", "one interview")}); err != nil {
		t.Fatal(err)
	}
	dir := a.Dir()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	path := filepath.Join(t.TempDir(), "out.tvb")
	_, err = v.ExportFile(context.Background(), path, vault.ExportOptions{To: []string{"bob"}})
	_, statErr := os.Stat(path)
	if err != nil && statErr != nil && bytes.Contains([]byte(err.Error()), []byte("bundle was written")) {
		t.Errorf("ExportFile says %q, but no bundle exists (%v)", err, statErr)
	}
}
