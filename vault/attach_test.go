package vault_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/vault"
)

// attachCrashChild attaches files of 3 MiB to the first interview, over and
// over, and prints "ack ID SHA256" after each Attach returned.
func attachCrashChild(dir string) {
	ctx := context.Background()
	v, err := vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		fmt.Printf("open failed: %v\n", err)
		os.Exit(3)
	}
	list, err := v.List(ctx)
	if err != nil || len(list) == 0 {
		fmt.Printf("list failed: %v\n", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	data := make([]byte, 3<<20)
	for {
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		rep, err := v.Attach(ctx, list[0].ID, bytes.NewReader(data), vault.AttachOptions{Description: "a recording"})
		if err != nil {
			fmt.Printf("attach failed: %v\n", err)
			os.Exit(3)
		}
		fmt.Printf("ack %s %s\n", rep.Attachment.ID, rep.Attachment.SHA256)
	}
}

// TestCrashAttach kills a process that attaches files with SIGKILL at
// random points: the vault always opens, every acknowledged attachment is
// there whole, and a file left by an attach that did not finish is removed
// at the next open.
func TestCrashAttach(t *testing.T) {
	kills := 12
	if testing.Short() {
		kills = 6
	}
	v, _ := MustCreate(t)
	dir := v.Dir()
	if _, err := v.Add(context.Background(), []vault.Input{input("P", "testimony")}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	ctx := context.Background()
	acked := map[string]string{}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	for round := range kills {
		got := crashRound(t, round, []string{"TVAULT_CRASH_CHILD=" + dir, "TVAULT_CRASH_MODE=attach"},
			time.Duration(r.IntN(300))*time.Millisecond)
		for _, l := range got {
			f := strings.Fields(l)
			if len(f) != 3 || f[0] != "ack" {
				t.Fatalf("round %d: child said %q", round, l)
			}
			acked[f[1]] = f[2]
		}

		// Read-write, as a user would open it next: a file an unfinished
		// attach left is swept.
		v, err := vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatalf("round %d: the vault does not open after a kill: %v", round, err)
		}
		list, err := v.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		atts, err := v.Attachments(ctx, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, a := range atts {
			have[a.ID] = true
			h := sha256.New()
			if _, err := v.ReadAttachment(ctx, a.ID, h, vault.ReadOptions{}); err != nil {
				t.Fatalf("round %d: attachment %s does not read whole: %v", round, a.ID, err)
			}
			if hex.EncodeToString(h.Sum(nil)) != a.SHA256 {
				t.Fatalf("round %d: attachment %s is not the file recorded", round, a.ID)
			}
		}
		for id := range acked {
			if !have[id] {
				t.Fatalf("round %d: acknowledged attachment %s is missing", round, id)
			}
		}
		v.Close()
		files, _ := filepath.Glob(filepath.Join(dir, "blobs", "*"))
		hidden, _ := filepath.Glob(filepath.Join(dir, "blobs", ".*"))
		if len(files) != len(atts) || len(hidden) != 0 {
			t.Fatalf("round %d: %d files and %d temporary files in blobs/ for %d attachments", round, len(files), len(hidden), len(atts))
		}
	}
	t.Logf("%d kills, %d acknowledged attachments, all whole", kills, len(acked))
}

// TestAttachCoerced: with the passphrase alone, everything the vault key
// opens (data key, snapshot, journal frames) holds neither the file name of
// an attachment nor a byte of a sealed one; the sealed one cannot be read
// without the custodian key, which opens it.
func TestAttachCoerced(t *testing.T) {
	v, custodian := MustCreate(t)
	ctx := context.Background()
	ids, err := v.Add(ctx, []vault.Input{input("P", "testimony")})
	if err != nil {
		t.Fatal(err)
	}
	sealedBytes := []byte("PASSPORT-CANARY-7781 of the interviewee")
	if _, err := v.Attach(ctx, ids[0], strings.NewReader("an ordinary letter"), vault.AttachOptions{FileName: "letter-from-NAMECANARY.pdf"}); err != nil {
		t.Fatal(err)
	}
	rep, err := v.Attach(ctx, ids[0], bytes.NewReader(sealedBytes), vault.AttachOptions{FileName: "passport.jpg", Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := v.ReadAttachment(ctx, rep.Attachment.ID, &buf, vault.ReadOptions{}); !errors.Is(err, vault.ErrSealedAttachment) || buf.Len() != 0 {
		t.Fatalf("a sealed attachment read without the custodian key: %v, %d bytes", err, buf.Len())
	}
	if _, err := v.ReadAttachment(ctx, rep.Attachment.ID, &buf, vault.ReadOptions{Custodian: custodian}); err != nil || !bytes.Equal(buf.Bytes(), sealedBytes) {
		t.Fatalf("the custodian key does not open the sealed attachment: %v", err)
	}
	dir := v.Dir()
	v.Close()

	// Everything the passphrase opens: the snapshot and every frame, then
	// every blob with every age key found in them.
	var opened [][]byte
	slots, _ := filepath.Glob(filepath.Join(dir, "keys", "passphrase-*.age"))
	for _, s := range slots {
		data, _ := os.ReadFile(s)
		id, err := crypto.OpenSlot(data, passphrase)
		if err != nil {
			t.Fatal(err)
		}
		opened = append(opened, decryptStore(t, dir, id)...)
	}
	keyRe := regexp.MustCompile(`AGE-SECRET-KEY-PQ-1[0-9A-Z]+`)
	var keys []age.Identity
	// Journal frames hold local records as base64: decode every run.
	b64 := regexp.MustCompile(`[A-Za-z0-9+/]{64,}={0,2}`)
	for _, p := range opened {
		for _, run := range b64.FindAll(p, -1) {
			if d, err := base64.StdEncoding.DecodeString(string(run)); err == nil {
				opened = append(opened, d)
			}
		}
	}
	for _, p := range opened {
		for _, k := range keyRe.FindAll(p, -1) {
			if id, err := age.ParseHybridIdentity(string(k)); err == nil {
				keys = append(keys, id)
			}
		}
	}
	blobs, _ := filepath.Glob(filepath.Join(dir, "blobs", "*.age"))
	if len(blobs) != 2 {
		t.Fatalf("%d blob files, want 2", len(blobs))
	}
	for _, b := range blobs {
		f, err := os.Open(b)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := age.Decrypt(f, keys...); err == nil {
			plain, _ := io.ReadAll(r)
			opened = append(opened, plain)
		}
		f.Close()
	}
	// The check can fail: the ordinary attachment is among what was opened.
	if !bytes.Contains(bytes.Join(opened, nil), []byte("an ordinary letter")) {
		t.Fatal("the ordinary attachment was not opened; the check below proves nothing")
	}
	for _, p := range opened {
		for _, canary := range []string{"NAMECANARY", "PASSPORT-CANARY", "passport.jpg"} {
			if bytes.Contains(p, []byte(canary)) {
				t.Errorf("what the passphrase opens holds %q", canary)
			}
		}
	}
}

// recordCrashChild records into the first interview, flushing after every
// write as the CLI does every two seconds, and prints "ack SIZE" once SIZE
// bytes are on disk.
func recordCrashChild(dir string) {
	ctx := context.Background()
	v, err := vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		fmt.Printf("open failed: %v\n", err)
		os.Exit(3)
	}
	list, err := v.List(ctx)
	if err != nil || len(list) == 0 {
		os.Exit(3)
	}
	rec, err := v.StartRecording(ctx, list[0].ID, vault.AttachOptions{Description: "audio"})
	if err != nil {
		fmt.Printf("start failed: %v\n", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	s := newStream(1 << 40)
	buf := make([]byte, 50<<10)
	for {
		s.Read(buf)
		rec.Write(buf)
		if err := rec.Flush(); err != nil {
			fmt.Printf("flush failed: %v\n", err)
			os.Exit(3)
		}
		fmt.Printf("ack %d\n", rec.Size())
	}
}

// TestCrashRecord kills a recording process with SIGKILL: the next open
// saves the recording up to its last whole frame, at least every byte that
// was acknowledged, and the saved recording reads back whole.
func TestCrashRecord(t *testing.T) {
	v, _ := MustCreate(t)
	dir := v.Dir()
	if _, err := v.Add(context.Background(), []vault.Input{input("P", "testimony")}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	for round := range 6 {
		var acked int64
		for _, l := range crashRound(t, round, []string{"TVAULT_CRASH_CHILD=" + dir, "TVAULT_CRASH_MODE=record"},
			time.Duration(50+r.IntN(300))*time.Millisecond) {
			var n int64
			if _, err := fmt.Sscanf(l, "ack %d", &n); err == nil {
				acked = n
			}
		}

		v, err := vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatalf("round %d: the vault does not open after a kill: %v", round, err)
		}
		if w := strings.Join(v.Warnings(), "; "); !strings.Contains(w, "recording of interview") {
			t.Fatalf("round %d: no word of the interrupted recording (warnings: %q)", round, w)
		}
		list, _ := v.List(ctx)
		atts, err := v.Attachments(ctx, list[0].ID)
		if err != nil || len(atts) != round+1 {
			t.Fatalf("round %d: %d attachments (%v), want %d", round, len(atts), err, round+1)
		}
		last := atts[len(atts)-1]
		if last.Size < acked {
			t.Fatalf("round %d: the recording kept %d bytes; %d were acknowledged", round, last.Size, acked)
		}
		if _, err := v.ReadAttachment(ctx, last.ID, io.Discard, vault.ReadOptions{}); err != nil {
			t.Fatalf("round %d: the saved recording does not read back: %v", round, err)
		}
		v.Close()
	}
}
