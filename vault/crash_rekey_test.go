package vault_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tvault/tvault/vault"
)

// rekeyPassphrases are the two passphrases the rekey crash test changes
// between.
var rekeyPassphrases = [2][]byte{passphrase, []byte("the other passphrase of the crash test")}

// rekeyCrashChild opens the vault with the passphrase TVAULT_CRASH_PASS (0
// or 1) names, then saves, checkpoints, rekeys, rotates the member key and
// changes the passphrase in a loop, printing "ack NAME" after each save and
// "pass N" after each passwd returned. The parent kills it with SIGKILL at a random moment.
func rekeyCrashChild(dir string) {
	ctx := context.Background()
	cur, _ := strconv.Atoi(os.Getenv("TVAULT_CRASH_PASS"))
	v, err := vault.Open(ctx, dir, vault.OpenOptions{}, vault.PassphraseIdentity(rekeyPassphrases[cur]))
	if err != nil {
		fmt.Printf("open failed: %v\n", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	prefix := os.Getenv("TVAULT_CRASH_PREFIX")
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	for i := 0; ; i++ {
		switch n := r.IntN(100); {
		case n < 25:
			if _, err := v.Rekey(ctx, rekeyPassphrases[cur]); err != nil {
				fmt.Printf("rekey failed: %v\n", err)
				os.Exit(3)
			}
		case n < 45:
			if _, err := v.ChangePassphrase(ctx, rekeyPassphrases[1-cur]); err != nil {
				fmt.Printf("passwd failed: %v\n", err)
				os.Exit(3)
			}
			cur = 1 - cur
			fmt.Printf("pass %d\n", cur)
		case n < 52:
			if _, err := v.RotateMemberKey(ctx); err != nil {
				fmt.Printf("rotate failed: %v\n", err)
				os.Exit(3)
			}
		case n < 60:
			if err := v.Checkpoint(ctx); err != nil {
				fmt.Printf("checkpoint failed: %v\n", err)
				os.Exit(3)
			}
		default:
			name := fmt.Sprintf("%s-%d", prefix, i)
			if _, err := v.Add(ctx, []vault.Input{input(name, "testimony "+name)}); err != nil {
				fmt.Printf("add failed: %v\n", err)
				os.Exit(3)
			}
			fmt.Printf("ack %s\n", name)
		}
	}
}

// TestCrashRekey kills a process that rekeys, changes the passphrase,
// checkpoints (each retiring a generation) and saves, with SIGKILL at random
// moments. After every kill the vault opens with the passphrase in force
// (the last one passwd acknowledged, or, if a passwd was under way, the
// one it was changing to), with every acknowledged save; and the other
// passphrase opens nothing.
func TestCrashRekey(t *testing.T) {
	kills := 60
	if testing.Short() {
		kills = 20
	}
	v, _ := MustCreate(t)
	dir := v.Dir()
	v.Close()
	ctx := context.Background()

	acked := map[string]bool{}
	cur := 0
	switched := 0
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	for round := range kills {
		got := crashRound(t, round, []string{"TVAULT_CRASH_CHILD=" + dir, "TVAULT_CRASH_MODE=rekey",
			fmt.Sprintf("TVAULT_CRASH_PREFIX=k%d", round), fmt.Sprintf("TVAULT_CRASH_PASS=%d", cur)},
			time.Duration(r.IntN(40000))*time.Microsecond)
		for _, l := range got {
			if names, ok := strings.CutPrefix(l, "ack "); ok {
				acked[names] = true
			} else if p, ok := strings.CutPrefix(l, "pass "); ok {
				cur, _ = strconv.Atoi(p)
			} else {
				t.Fatalf("round %d: child said %q", round, l)
			}
		}

		// The passphrase in force opens; if it does not, a passwd was
		// under way and its new passphrase must.
		ro, err := vault.Open(ctx, dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(rekeyPassphrases[cur]))
		if err != nil {
			ro, err = vault.Open(ctx, dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(rekeyPassphrases[1-cur]))
			if err != nil {
				t.Fatalf("round %d: the vault opens with neither passphrase after a kill: %v", round, err)
			}
			cur = 1 - cur
			switched++
		}
		list, err := ro.List(ctx)
		if err == nil {
			// Member key rotations: the key in force signed the events
			// after each, the retired one those before.
			if n, problems, verr := ro.VerifyAudit(ctx); verr != nil || len(problems) > 0 {
				ro.Close()
				t.Fatalf("round %d: audit verify after a kill: %d events, %v, %v", round, n, problems, verr)
			}
		}
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
		// The other passphrase opens nothing (a stale slot of it may be
		// left until the next open for writing, and opens no data).
		if _, err := vault.Open(ctx, dir, vault.OpenOptions{ReadOnly: true}, vault.PassphraseIdentity(rekeyPassphrases[1-cur])); err == nil {
			t.Fatalf("round %d: the passphrase not in force opens the vault", round)
		} else if !errors.Is(err, vault.ErrWrongPassphrase) && !errors.Is(err, vault.ErrDamaged) {
			t.Fatalf("round %d: the passphrase not in force: %v", round, err)
		}
	}
	t.Logf("%d kills, %d acknowledged saves, all present; %d kills came between a passwd's commit and its acknowledgement", kills, len(acked), switched)
}
