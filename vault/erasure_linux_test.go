package vault_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/skipnote"
	"github.com/tvault/tvault/vault"
)

// mountExt4 makes an ext4 file system in a file of size bytes, mounts it
// with a loop device and returns the image's path and the mount point. It
// skips the test where that is not possible (not root, no loop devices),
// except in CI, where the erasure promise must be tested.
func mountExt4(t *testing.T, size int64) (image, mnt string) {
	t.Helper()
	skip := func(why string, args ...any) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run the ext4 erasure test: "+why, args...)
		}
		skipnote.Skip(t, why, args...)
	}
	if os.Geteuid() != 0 {
		skip("mounting a loop ext4 image needs root")
	}
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		skip("mkfs.ext4 is not installed")
	}
	tmp := t.TempDir()
	image = filepath.Join(tmp, "disk.img")
	mnt = filepath.Join(tmp, "mnt")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(image)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(size)
	f.Close()
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-b", "4096", image).CombinedOutput(); err != nil {
		skip("mkfs.ext4: %v: %s", err, out)
	}
	if out, err := exec.Command("mount", "-o", "loop", image, mnt).CombinedOutput(); err != nil {
		skip("mount -o loop: %v: %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command("umount", mnt).Run()
	})
	return image, mnt
}

// flushImage makes what the mounted file system wrote reach the image file.
func flushImage(t *testing.T, mnt string) {
	t.Helper()
	if out, err := exec.Command("sync", "-f", mnt).CombinedOutput(); err != nil {
		t.Fatalf("sync: %v: %s", err, out)
	}
	exec.Command("sync").Run()
}

const ageMagic = "age-encryption.org/v1\n"

// rawKeys gathers, from the raw image, every key an adversary with the
// passphrases can get: each age file (at any offset, 4 KiB block starts
// included) that a passphrase opens as a key slot gives a vault identity;
// each that a vault identity opens and that holds an age identity gives a
// data key. It repeats until nothing new turns up.
func rawKeys(t *testing.T, raw []byte, passphrases ...[]byte) []age.Identity {
	t.Helper()
	var ids []*age.HybridIdentity
	seen := map[string]bool{}
	add := func(id *age.HybridIdentity) bool {
		if seen[id.String()] {
			return false
		}
		seen[id.String()] = true
		ids = append(ids, id)
		return true
	}
	offsets := ageOffsets(raw)
	for _, p := range passphrases {
		sid, err := age.NewScryptIdentity(string(p))
		if err != nil {
			t.Fatal(err)
		}
		for _, off := range offsets {
			if plain := decryptAt(raw, off, sid, 4096); plain != nil {
				if id, err := crypto.ParseIdentity(plain); err == nil {
					add(id)
				}
			}
		}
	}
	for grew := true; grew; {
		grew = false
		for _, off := range offsets {
			for _, v := range ids {
				plain := decryptAt(raw, off, v, 4096)
				if plain == nil {
					continue
				}
				if id, err := crypto.ParseIdentity(plain); err == nil && add(id) {
					grew = true
				}
			}
		}
	}
	out := make([]age.Identity, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// withBlobKeys adds to keys every attachment key an adversary finds in what
// keys decrypt: the age identities the database holds for its blobs, as
// they are in a snapshot and in base64 in a journal frame.
func withBlobKeys(raw []byte, keys []age.Identity) []age.Identity {
	keyRe := regexp.MustCompile(`AGE-SECRET-KEY-PQ-1[0-9A-Z]+`)
	b64 := regexp.MustCompile(`[A-Za-z0-9+/]{64,}={0,2}`)
	seen := map[string]bool{}
	out := keys
	scan := func(b []byte) {
		for _, k := range keyRe.FindAll(b, -1) {
			if seen[string(k)] {
				continue
			}
			seen[string(k)] = true
			if id, err := age.ParseHybridIdentity(string(k)); err == nil {
				out = append(out, id)
			}
		}
	}
	for _, off := range ageOffsets(raw) {
		for _, k := range keys {
			plain := decryptAt(raw, off, k, 64<<20)
			scan(plain)
			for _, run := range b64.FindAll(plain, -1) {
				if d, err := base64.StdEncoding.DecodeString(string(run)); err == nil {
					scan(d)
				}
			}
		}
	}
	return out
}

// ageOffsets returns every offset in raw where an age file begins.
func ageOffsets(raw []byte) []int {
	var out []int
	for off := 0; ; {
		i := bytes.Index(raw[off:], []byte(ageMagic))
		if i < 0 {
			return out
		}
		out = append(out, off+i)
		off += i + 1
	}
}

// decryptAt decrypts the age file at raw[off:] with id, reading at most
// limit bytes of plaintext, and returns what it decrypted, or nil if id
// does not open it. Where the file ends is not known: age refuses trailing
// data in the last chunk, so the ends an adversary would try are tried:
// after the last non-zero byte of each 4 KiB block in reach (a file's last
// block is zero past its end), and before the next journal frame header.
func decryptAt(raw []byte, off int, id age.Identity, limit int64) []byte {
	const chunk = 64 << 10
	window := raw[off:min(len(raw), off+(64<<20))]
	r, err := age.Decrypt(bytes.NewReader(window), id)
	if err != nil {
		return nil
	}
	plain, err := io.ReadAll(io.LimitReader(r, limit))
	if err == nil || int64(len(plain)) >= limit {
		return plain
	}
	// The full chunks before the last decrypted; find the last one's end.
	h := bytes.Index(window, []byte("\n--- "))
	if h < 0 {
		return plain
	}
	nl := bytes.IndexByte(window[h+1:], '\n')
	if nl < 0 {
		return plain
	}
	last := h + 1 + nl + 1 + 16 + len(plain)/chunk*(chunk+16)
	var ends []int
	for e := last; e <= min(len(window), last+chunk+16); e++ {
		if e+4 <= len(window) && (string(window[e:e+4]) == "TVJ2" || string(window[e:e+4]) == "TVJ1") {
			ends = append(ends, e)
		}
	}
	for b := (off + last) / 4096 * 4096; b < min(len(raw), off+last+chunk+16+4096); b += 4096 {
		lnz := -1
		for k := min(len(raw), b+4096) - 1; k >= b; k-- {
			if raw[k] != 0 {
				lnz = k
				break
			}
		}
		for extra := 1; extra <= 4 && lnz >= 0; extra++ {
			if e := lnz + extra - off; e > last && e <= len(window) {
				ends = append(ends, e)
			}
		}
	}
	for _, e := range ends {
		r, err := age.Decrypt(bytes.NewReader(window[:e]), id)
		if err != nil {
			continue
		}
		if whole, err := io.ReadAll(io.LimitReader(r, limit)); err == nil {
			return whole
		}
	}
	return plain
}

// recovered tries every age file of the image with every key and returns
// the canaries found in what they decrypt.
func recovered(t *testing.T, raw []byte, keys []age.Identity, canaries []string) []string {
	t.Helper()
	var found []string
	for _, off := range ageOffsets(raw) {
		for _, k := range keys {
			plain := decryptAt(raw, off, k, 64<<20)
			for _, c := range canaries {
				if bytes.Contains(plain, []byte(c)) && !strings.Contains(strings.Join(found, "\n"), c) {
					found = append(found, c)
				}
			}
		}
	}
	return found
}

// TestErasureOnExt4 is attack 2 of issue 10: on plain ext4, after purge and
// its checkpoint, the free blocks still held the previous vault.age and
// journals, and they decrypted with today's passphrase. Now every age file
// on the raw image (at every offset, so every 4 KiB block start too) is
// tried with every key the current passphrase opens (and, after passwd,
// every key the old passphrase opens from any slot found on the image): no
// canary of the purged interview comes back.
func TestErasureOnExt4(t *testing.T) {
	image, mnt := mountExt4(t, 64<<20)
	ctx := context.Background()
	tag := make([]byte, 6)
	rand.Read(tag)
	canaryPseudonym := "PurgedPseudonym" + hex.EncodeToString(tag)
	canaryTestimony := "PurgedTestimony" + hex.EncodeToString(tag)
	canaryAttachment := "PurgedAttachment" + hex.EncodeToString(tag)
	canaries := []string{canaryPseudonym, canaryTestimony, canaryAttachment}

	c, _ := crypto.NewIdentity()
	dir := filepath.Join(mnt, "vault")
	v, err := vault.Create(dir, vault.CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: passphrase})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := v.Add(ctx, []vault.Input{input(canaryPseudonym, canaryTestimony+" in the snapshot")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Add(ctx, []vault.Input{input("Kept", "testimony that stays")}); err != nil {
		t.Fatal(err)
	}
	// An attachment of the purged interview: its blob's key is in the
	// database, so the purge's erasure must cover it.
	if _, err := v.Attach(ctx, ids[0], strings.NewReader(canaryAttachment+" a scanned summons"), vault.AttachOptions{}); err != nil {
		t.Fatal(err)
	}
	// The canary in a snapshot and in journal frames of several
	// generations.
	for range 3 {
		if err := v.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		in := input(canaryPseudonym, canaryTestimony+" in a frame")
		in.ID = ids[0]
		if _, err := v.Add(ctx, []vault.Input{in}); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	flushImage(t, mnt)

	// The control: before the purge, the scan finds the canaries, so a
	// clean scan below means something.
	raw, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	if got := recovered(t, raw, withBlobKeys(raw, rawKeys(t, raw, passphrase)), canaries); len(got) != len(canaries) {
		t.Fatalf("before the purge the scan recovers %v of %v; the scan is broken", got, canaries)
	}

	v, err = vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Purge(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	v.Close()
	flushImage(t, mnt)
	raw, _ = os.ReadFile(image)
	keys := withBlobKeys(raw, rawKeys(t, raw, passphrase))
	if len(keys) == 0 {
		t.Fatal("the passphrase opens no key on the image; the scan proves nothing")
	}
	if got := recovered(t, raw, keys, canaries); len(got) > 0 {
		t.Fatalf("after purge, the current passphrase recovers %v from the raw image", got)
	}
	if got := recovered(t, raw, keys, []string{"testimony that stays"}); len(got) != 1 {
		t.Fatal("the kept interview is not found either; the scan proves nothing")
	}

	// passwd: the old passphrase, with any slot left on the image, opens
	// nothing; the new one still nothing of the purged interview.
	newPass := []byte("the passphrase after the border")
	v, err = vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.ChangePassphrase(ctx, newPass); err != nil {
		t.Fatal(err)
	}
	v.Close()
	flushImage(t, mnt)
	raw, _ = os.ReadFile(image)
	if old := rawKeys(t, raw, passphrase); len(old) > 0 {
		if got := recovered(t, raw, old, append(canaries, "testimony that stays")); len(got) > 0 {
			t.Fatalf("after passwd, the old passphrase recovers %v from the raw image", got)
		}
		t.Logf("the old passphrase still opens %d keys from the image, which open nothing", len(old))
	}
	if got := recovered(t, raw, rawKeys(t, raw, newPass), canaries); len(got) > 0 {
		t.Fatalf("after passwd, the new passphrase recovers %v", got)
	}
}
