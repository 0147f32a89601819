package vault_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// The attachment steps of docs/RECOVERY.md, as written there.
const (
	recoveryBlobKey  = `sqlite3 vault.db "SELECT json_extract(CAST(value AS TEXT), '$.key') FROM kv WHERE ns = 'blobs' AND key LIKE '%/ATTACHMENT_ID'" > blob-key.txt`
	recoveryBlobFile = `sqlite3 vault.db "SELECT json_extract(CAST(value AS TEXT), '$.file') FROM kv WHERE ns = 'blobs' AND key LIKE '%/ATTACHMENT_ID'"`
	recoveryBlob     = `age -d -i blob-key.txt -o attachment ~/vault/blobs/FILE.age`
	recoveryFrames   = `f=~/vault/blobs/FILE.age; off=0; size=$(wc -c < "$f"); : > recording.wav
  while [ "$off" -lt "$size" ]; do
    n=$(od -An -t u8 --endian=big -j "$off" -N 8 "$f" | tr -d ' ')
    tail -c +$((off + 9)) "$f" | head -c "$n" | age -d -i blob-key.txt >> recording.wav
    off=$((off + 8 + n))
  done`
)

// TestRecoveryAttachments follows docs/RECOVERY.md for an attachment and a
// recording: with age, sqlite3 and the shell, the bytes come back.
func TestRecoveryAttachments(t *testing.T) {
	ageTool := needTool(t, "age")
	needTool(t, "age-plugin-batchpass")
	needTool(t, "sqlite3")
	needTool(t, "od")

	doc, err := os.ReadFile(filepath.Join("..", "docs", "RECOVERY.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{recoveryBlobKey, recoveryBlobFile, recoveryBlob, recoveryFrames} {
		if !strings.Contains(string(doc), step) {
			t.Fatalf("docs/RECOVERY.md does not give this step as the test runs it:\n%s", step)
		}
	}

	ctx := context.Background()
	v, _ := MustCreate(t)
	ids, err := v.Add(ctx, []vault.Input{input("P", "testimony")})
	if err != nil {
		t.Fatal(err)
	}
	letter := []byte("a letter from the prosecutor, 检察院")
	doc1, err := v.Attach(ctx, ids[0], bytes.NewReader(letter), vault.AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := v.StartRecording(ctx, ids[0], vault.AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	audio := bytes.Repeat([]byte("sample "), 60000) // several frames
	rec.Write(audio)
	rep, err := rec.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	dir := v.Dir()
	v.Close()
	work := t.TempDir()
	sh := func(script string) string {
		t.Helper()
		cmd := exec.Command("sh", "-c", strings.ReplaceAll(script, "~/vault", dir))
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	cmd := exec.Command(ageTool, "-d", "-j", "batchpass", "-o", filepath.Join(work, "key.txt"), filepath.Join(dir, "keys", "passphrase-1.age"))
	cmd.Env = append(os.Environ(), "AGE_PASSPHRASE="+string(passphrase))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age -d slot: %v\n%s", err, out)
	}
	sh(recoveryDataKeyScript)
	sh("age -d -i data.txt -o vault.db ~/vault/vault.age")

	for _, tc := range []struct {
		id, script, out string
		want            []byte
	}{
		{doc1.Attachment.ID, recoveryBlob, "attachment", letter},
		{rep.Attachment.ID, recoveryFrames, "recording.wav", audio},
	} {
		sh(strings.ReplaceAll(recoveryBlobKey, "ATTACHMENT_ID", tc.id))
		file := strings.TrimSuffix(sh(strings.ReplaceAll(recoveryBlobFile, "ATTACHMENT_ID", tc.id)), ".age")
		sh(strings.ReplaceAll(tc.script, "FILE", file))
		got, err := os.ReadFile(filepath.Join(work, tc.out))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Fatalf("%s: recovered %d bytes, want the %d attached", tc.out, len(got), len(tc.want))
		}
	}
}
