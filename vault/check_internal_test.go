package vault

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tvault/tvault/crypto"
)

func failedChecks(t *testing.T, v *Vault) map[string]bool {
	t.Helper()
	res, err := v.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, r := range res {
		if !r.OK {
			failed[r.What] = true
		}
	}
	return failed
}

// TestCheck alters the decrypted database behind the vault's back, the way a
// forger holding the vault key could, and expects Check to notice each time.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, sql, what string
	}{
		{"OK", ``, ""},
		{"AlteredTestimony", `UPDATE revisions SET testimony = testimony || ' forged'`, "revisions"},
		{"AlteredBody", `UPDATE revisions SET body = replace(body, '"P0"', '"Forged"')`, "revisions"},
		{"BadSignature", `UPDATE revisions SET sig = zeroblob(64)`, "revisions"},
		{"AlteredSealed", `UPDATE sealed SET data = data || x'00'`, "sealed"},
		{"DroppedHead", `DELETE FROM heads`, "heads"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := crypto.NewIdentity()
			v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery")})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			in := Input{}
			in.Pseudonym = "P0"
			in.Testimony = "x {{secret|y}}"
			if _, err := v.Add(context.Background(), []Input{in}); err != nil {
				t.Fatal(err)
			}
			if tc.sql != "" {
				if _, err := v.conn.ExecContext(ctx, tc.sql); err != nil {
					t.Fatal(err)
				}
			}
			failed := failedChecks(t, v)
			if tc.what == "" {
				if len(failed) != 0 {
					t.Fatalf("failed %v on a good vault", failed)
				}
				return
			}
			if !failed[tc.what] {
				t.Fatalf("check did not fail %q (failed: %v)", tc.what, failed)
			}
		})
	}
}
