package vault_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

func TestCheckPassphrasesDiffer(t *testing.T) {
	if err := vault.CheckPassphrasesDiffer([]byte("one pass phrase"), []byte("one pass phrase")); !errors.Is(err, vault.ErrSamePassphrase) {
		t.Fatalf("same passphrases: %v, want ErrSamePassphrase", err)
	}
	if err := vault.CheckPassphrasesDiffer([]byte("one pass phrase"), []byte("one pass phrase ")); err != nil {
		t.Fatalf("different passphrases: %v", err)
	}
}

func TestAddPseudonymLength(t *testing.T) {
	v, _ := MustCreate(t)
	long := vault.Input{}
	long.Pseudonym = strings.Repeat("长", vault.MaxPseudonym+1)
	_, err := v.Add(context.Background(), []vault.Input{long})
	if !errors.Is(err, vault.ErrInvalid) {
		t.Fatalf("a pseudonym of %d characters: %v, want ErrInvalid", vault.MaxPseudonym+1, err)
	}
	if strings.Contains(err.Error(), "长") {
		t.Fatal("the error repeats the pseudonym")
	}
	// Spaces around it do not count.
	ok := vault.Input{}
	ok.Pseudonym = "  " + strings.Repeat("长", vault.MaxPseudonym) + "  "
	if _, err := v.Add(context.Background(), []vault.Input{ok}); err != nil {
		t.Fatal(err)
	}
}
