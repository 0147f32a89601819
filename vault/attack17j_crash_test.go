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

// TestCapImportPurge: with the journal capped at 64 KiB, an import that
// crosses the cap, saves on either side of it and purges keep every
// acknowledged save and nothing purged, and the journal never passes the
// cap, after a clean close included.
func TestCapImportPurge(t *testing.T) {
	const limit = 64 << 10
	defer vault.SetJournalLimitsForTesting(8, limit)()
	a, b, _ := team(t)
	dir := b.Dir()
	capped := func(step string) {
		t.Helper()
		if n := journalBytes(t, dir); n > limit {
			t.Fatalf("after %s the journal holds %d bytes, past its %d-byte cap", step, n, limit)
		}
	}
	want := map[string]bool{}
	addB := func(name, text string) string {
		t.Helper()
		ids, err := b.Add(context.Background(), []vault.Input{input(name, text)})
		if err != nil {
			t.Fatal(err)
		}
		want[name] = true
		capped("adding " + name)
		return ids[0]
	}
	for i := range 3 {
		addB(fmt.Sprintf("local%d", i), "a short testimony")
	}
	// Tabs and quotes: the frame's JSON doubles them.
	text := strings.Repeat("\t\"警察\" came twice a week. ", 200)
	var batch []vault.Input
	for i := range 20 {
		batch = append(batch, shareable(fmt.Sprintf("shared%d", i), text))
	}
	ids, err := a.Add(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, b, export(t, a, vault.ExportOptions{To: []string{"bob"}}))
	for i := range 20 {
		want[fmt.Sprintf("shared%d", i)] = true
	}
	capped("the import")
	gone := addB("gone", strings.Repeat("\t", 20<<10))
	for i := range 6 {
		addB(fmt.Sprintf("after%d", i), strings.Repeat("\"quoted\" ", 1000))
	}
	for _, id := range []string{ids[3], gone} {
		if _, err := b.Purge(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		capped("a purge")
	}
	delete(want, "shared3")
	delete(want, "gone")
	addB("last", "after the purges")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	capped("a clean close")
	ro, err := vault.Open(context.Background(), dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	list, err := ro.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range list {
		got[s.Pseudonym] = true
	}
	for n := range want {
		if !got[n] {
			t.Errorf("acknowledged save %s is missing", n)
		}
	}
	for n := range got {
		if !want[n] {
			t.Errorf("%s is there, purged or never saved", n)
		}
	}
}
