package vault

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/crypto"
)

func auditVault(t *testing.T) (*Vault, string) {
	t.Helper()
	c, _ := crypto.NewIdentity()
	dir := filepath.Join(t.TempDir(), "v")
	v, err := Create(dir, CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	in := Input{}
	in.Pseudonym, in.Testimony = "P", "x"
	in.Identity = &Identity{Name: "N"}
	ids, _ := v.Add(context.Background(), []Input{in})
	for range 3 {
		if _, err := v.Reveal(context.Background(), ids[0], c); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	v, err = Open(context.Background(), dir, OpenOptions{}, PassphraseIdentity([]byte("correct horse battery")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v, ids[0]
}

func TestAudit(t *testing.T) {
	v, id := auditVault(t)
	events, err := v.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if got, want := strings.Join(kinds, ","), "reveal,reveal,reveal,unlock"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	if events[0].Subject != id {
		t.Fatalf("reveal subject %q, want %q", events[0].Subject, id)
	}
	if n, problems, err := v.VerifyAudit(context.Background()); err != nil || n != 4 || len(problems) != 0 {
		t.Fatalf("verify: %d events, %v, %v", n, problems, err)
	}
}

// TestAuditTampering makes each kind of change to the log behind the
// vault's back, and expects VerifyAudit to report it.
func TestAuditTampering(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, sql string }{
		{"Altered", `UPDATE audit SET body = replace(body, '"reveal"', '"unlock"') WHERE seq = 2`},
		{"AlteredAndRehashed", `UPDATE audit SET body = replace(body, 'custodian', 'someone'), hash = hash WHERE seq = 1`},
		{"DeletedMiddle", `DELETE FROM audit WHERE seq = 2`},
		{"DeletedFirst", `DELETE FROM audit WHERE seq = 1`},
		{"Reordered", `UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -2`},
		{"BadSignature", `UPDATE audit SET sig = zeroblob(64) WHERE seq = 3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := auditVault(t)
			if _, err := v.conn.ExecContext(ctx, tc.sql); err != nil {
				t.Fatal(err)
			}
			_, problems, err := v.VerifyAudit(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) == 0 {
				t.Fatal("tampering not detected")
			}
		})
	}
}

func TestUnlockThrottling(t *testing.T) {
	c, _ := crypto.NewIdentity()
	dir := filepath.Join(t.TempDir(), "v")
	v, err := Create(dir, CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()

	clock := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var slept []time.Duration
	timeNow = func() time.Time { return clock }
	sleep = func(d time.Duration) { slept = append(slept, d); clock = clock.Add(d) }
	defer func() { timeNow, sleep = time.Now, time.Sleep }()

	for range 6 {
		if _, err := Open(context.Background(), dir, OpenOptions{}, PassphraseIdentity([]byte("wrong passphrase!"))); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("err=%v", err)
		}
	}
	// Free for three, then 1, 2, 4 seconds after the last failure.
	if got, want := len(slept), 3; got != want {
		t.Fatalf("slept %d times (%v), want %d", got, slept, want)
	}
	if slept[0] != time.Second || slept[1] != 2*time.Second || slept[2] != 4*time.Second {
		t.Fatalf("slept %v", slept)
	}
	if d := throttleDelay(dir); d != 8*time.Second {
		t.Fatalf("next delay %v, want 8s", d)
	}

	// The next good unlock records each failure, and the slate is clean.
	v, err = Open(context.Background(), dir, OpenOptions{}, PassphraseIdentity([]byte("correct horse battery")))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	events, _ := v.Audit(context.Background())
	failed := 0
	for _, e := range events {
		if e.Kind == EventUnlockFailed {
			failed++
		}
	}
	if failed != 6 {
		t.Fatalf("%d unlock-failed events, want 6", failed)
	}
	if len(v.Warnings()) == 0 || !strings.Contains(v.Warnings()[0], "6 failed unlock attempts") {
		t.Fatalf("warnings %v", v.Warnings())
	}
	if throttleDelay(dir) != 0 {
		t.Fatal("still throttled after a good unlock")
	}
}
