package vault_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/vault"
)

// TestCrashJournalCap is TestCrash with the journal capped at 8 KiB: a save
// that would take the journal past it is written as a checkpoint, and most
// others are followed by one, so the kills land in checkpoints as often as
// in frames. After every kill the vault opens, every acknowledged save is
// there, no batch is there in part, and the journal is within the cap.
func TestCrashJournalCap(t *testing.T) {
	kills := 60
	if testing.Short() {
		kills = 15
	}
	const limit = 8 << 10
	v, _ := MustCreate(t)
	dir := v.Dir()
	v.Close()
	acked := map[string]bool{}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	for round := range kills {
		env := []string{"TVAULT_CRASH_CHILD=" + dir, fmt.Sprintf("TVAULT_CRASH_PREFIX=c%d", round), fmt.Sprintf("TVAULT_CRASH_JOURNAL_MAX=%d", limit)}
		for _, l := range crashRound(t, round, env, time.Duration(r.IntN(40000))*time.Microsecond) {
			names, ok := strings.CutPrefix(l, "ack ")
			if !ok {
				t.Fatalf("round %d: child said %q", round, l)
			}
			for _, n := range strings.Fields(names) {
				acked[n] = true
			}
		}
		ro, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
		if err != nil {
			t.Fatalf("round %d: the vault does not open after a kill: %v", round, err)
		}
		list, err := ro.List(context.Background())
		ro.Close()
		if err != nil {
			t.Fatal(err)
		}
		present := map[string]bool{}
		for _, s := range list {
			present[s.Pseudonym] = true
		}
		for n := range acked {
			if !present[n] {
				t.Fatalf("round %d: acknowledged save %s is missing", round, n)
			}
		}
		for n := range present {
			if base, ok := strings.CutSuffix(n, "-B0"); ok {
				if !present[base+"-B1"] || !present[base+"-B2"] {
					t.Fatalf("round %d: batch %s is there in part", round, base)
				}
			}
		}
		if n := journalBytes(t, dir); n > limit {
			t.Fatalf("round %d: the journal holds %d bytes under an %d-byte cap", round, n, limit)
		}
	}
	t.Logf("%d kills, %d acknowledged saves, all present", kills, len(acked))
}
