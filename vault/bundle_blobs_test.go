package vault_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/internal/media/mediatest"
	"github.com/tvault/tvault/vault"
)

// TestBundleCarriesAttachments: a bundle brings an interview's files, an
// ordinary one re-encrypted to a key of the importer's own and a sealed one
// as it is (still sealed: only the custodian opens it); a second import
// adds nothing; a purge removes them in the teammate's vault too.
func TestBundleCarriesAttachments(t *testing.T) {
	ctx := context.Background()
	a, b, c := team(t)
	ids, err := a.Add(ctx, []vault.Input{shareable("P", "They took the summons.")})
	if err != nil {
		t.Fatal(err)
	}
	photo := mediatest.JPEGWithEXIF()
	big := bytes.Repeat([]byte("a long recording "), 200_000) // 3.4 MB: several chunks
	secret := []byte("PASSPORT-CANARY of the interviewee")
	for _, f := range []struct {
		data []byte
		seal bool
	}{{photo, false}, {big, false}, {secret, true}, {nil, false}} {
		if _, err := a.Attach(ctx, ids[0], bytes.NewReader(f.data), vault.AttachOptions{Seal: f.seal, FileName: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	bundle := export(t, a, vault.ExportOptions{To: []string{"bob"}})
	r := mustImport(t, b, bundle)
	if r.Files != 4 {
		t.Fatalf("the import brought %d files, want 4", r.Files)
	}
	atts, err := b.Attachments(ctx, ids[0])
	if err != nil || len(atts) != 4 {
		t.Fatalf("%d attachments at bob, %v", len(atts), err)
	}
	for i, want := range [][]byte{photo, big, secret, nil} {
		if !atts[i].Here {
			t.Fatalf("attachment %d: the file is not at bob's", i)
		}
		var got bytes.Buffer
		opts := vault.ReadOptions{}
		if atts[i].Sealed {
			if _, err := b.ReadAttachment(ctx, atts[i].ID, &got, opts); err == nil {
				t.Fatal("bob's laptop opens the sealed file")
			}
			opts.Custodian = c
		}
		if _, err := b.ReadAttachment(ctx, atts[i].ID, &got, opts); err != nil || !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("attachment %d at bob's: %v, %d bytes, want %d", i, err, got.Len(), len(want))
		}
	}
	res, err := b.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res {
		if !l.OK {
			t.Fatalf("check at bob's: %s: %s", l.What, l.Details)
		}
	}
	// Again: nothing new.
	if r := mustImport(t, b, bundle); r.Files != 0 {
		t.Fatalf("a second import brought %d files", r.Files)
	}
	// Consent withdrawn: the purge reaches bob's vault, files included.
	if _, err := a.Purge(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	if files, _ := filepath.Glob(filepath.Join(b.Dir(), "blobs", "*")); len(files) != 0 {
		t.Fatalf("after the purge bob's vault keeps %d files", len(files))
	}
}

// TestBundleForgedAttachmentFile: a roster member sends a file that is not
// the one the signed record names: the whole bundle is refused, and nothing
// of it stays (no revision, no file, no temporary file).
func TestBundleForgedAttachmentFile(t *testing.T) {
	ctx := context.Background()
	a, b, _ := team(t)
	ids, err := a.Add(ctx, []vault.Input{shareable("P", "testimony")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Attach(ctx, ids[0], strings.NewReader("the real letter"), vault.AttachOptions{}); err != nil {
		t.Fatal(err)
	}
	// Alice's file changes on her disk: her export refuses to send it.
	files, _ := filepath.Glob(filepath.Join(a.Dir(), "blobs", "*.age"))
	orig, _ := os.ReadFile(files[0])
	damaged := bytes.Clone(orig)
	damaged[len(damaged)-20] ^= 1
	os.WriteFile(files[0], damaged, 0o600)
	if _, err := a.Export(ctx, &bytes.Buffer{}, vault.ExportOptions{To: []string{"bob"}}); err == nil {
		t.Fatal("an export sent a damaged file")
	}
	os.WriteFile(files[0], orig, 0o600)

	forged := vault.ExportWithFileForTesting(t, a, ids[0], []byte("a forged letter"))
	if _, err := b.Import(ctx, bytes.NewReader(forged)); err == nil || !strings.Contains(err.Error(), "not the one its record names") {
		t.Fatalf("a forged file was imported: %v", err)
	}
	if list, _ := b.List(ctx); len(list) != 0 {
		t.Fatalf("the refused bundle left %d interviews", len(list))
	}
	if left, _ := filepath.Glob(filepath.Join(b.Dir(), "blobs", "*")); len(left) != 0 {
		t.Fatalf("the refused bundle left %d files", len(left))
	}
	hidden, _ := filepath.Glob(filepath.Join(b.Dir(), "blobs", ".*"))
	if len(hidden) != 0 {
		t.Fatalf("the refused bundle left %d temporary files", len(hidden))
	}
}
