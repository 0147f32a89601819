package vault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// FuzzAdd decodes interview JSON as `tvault add` does and saves what decodes
// into a real vault. Whatever the input, nothing panics, errors quote no
// testimony, identity or span secret, and what is saved shows no identity
// field and no span secret that the input did not also put in public view.
// Its seeds are the synthetic interviews in ../testdata/interviews.
func FuzzAdd(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "interviews", "*.json*"))
	if err != nil {
		f.Fatal(err)
	}
	if len(paths) == 0 {
		f.Fatal("no seed interviews in ../testdata/interviews")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		// Each line of a JSON Lines file on its own, too: small seeds mutate
		// faster.
		for line := range bytes.Lines(data) {
			if len(bytes.TrimSpace(line)) > 0 {
				f.Add(line)
			}
		}
	}
	v, _ := MustCreate(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		inputs, err := vault.DecodeInputs(bytes.NewReader(data))
		if err != nil {
			return
		}
		secrets := inputSecrets(inputs)
		publics := make([][]byte, len(inputs))
		for i := range inputs {
			publics[i], _ = json.Marshal(inputs[i].Interview)
		}
		ids, err := v.Add(context.Background(), inputs)
		if err != nil {
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("the error quotes the input: %v", err)
				}
			}
			if errors.Is(err, vault.ErrDamaged) {
				t.Fatalf("err=%v: bad input is not damage", err)
			}
			return
		}
		for i, id := range ids {
			if inputs[i].ID != "" {
				continue // an edit: the view shows the newest of several inputs
			}
			view, err := v.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			shown, _ := json.Marshal(view.Interview)
			shown = append(shown, view.Marked...)
			for _, s := range secretsOf(inputs[i]) {
				if !plainWord(s) || bytes.Contains(publics[i], []byte(s)) && !isSpanSecret(inputs[i], s) {
					continue
				}
				if bytes.Count(shown, []byte(s)) > spanlessCount(inputs[i], s) {
					t.Fatalf("interview %d: a sealed value shows in the saved interview", i+1)
				}
			}
		}
	})
}

// inputSecrets lists the values an error must never quote.
func inputSecrets(inputs []vault.Input) []string {
	var out []string
	for _, in := range inputs {
		for _, s := range append(secretsOf(in), in.Pseudonym, in.Testimony, in.Location) {
			// Short strings occur in error messages by chance.
			if len(strings.TrimSpace(s)) >= 12 {
				out = append(out, s)
			}
		}
	}
	return out
}

// secretsOf lists an input's identity fields and span secrets.
func secretsOf(in vault.Input) []string {
	var out []string
	if id := in.Identity; id != nil {
		out = append(out, id.Name, id.Contact, id.Notes)
		out = append(out, id.Aliases...)
		for _, r := range id.Relatives {
			out = append(out, r.Name)
		}
	}
	out = append(out, spanSecrets(in.Testimony)...)
	return out
}

// spanSecrets finds the secrets of {{secret|description}} spans the way a
// reader of the contract would.
func spanSecrets(text string) []string {
	var out []string
	for {
		open := strings.Index(text, "{{")
		if open < 0 {
			return out
		}
		end := strings.Index(text[open+2:], "}}")
		if end < 0 {
			return out
		}
		inner := text[open+2 : open+2+end]
		if secret, _, ok := strings.Cut(inner, "|"); ok && !strings.HasPrefix(secret, "#") {
			out = append(out, secret)
		}
		text = text[open+2+end+2:]
	}
}

func isSpanSecret(in vault.Input, s string) bool {
	for _, x := range spanSecrets(in.Testimony) {
		if x == s {
			return true
		}
	}
	return false
}

// spanlessCount is how often s occurs in the input's public fields once each
// span's secret is taken out: no more than that may show.
func spanlessCount(in vault.Input, s string) int {
	pub := in.Interview
	pub.Testimony = in.Testimony
	for _, secret := range spanSecrets(in.Testimony) {
		pub.Testimony = strings.Replace(pub.Testimony, "{{"+secret+"|", "{{|", 1)
	}
	data, _ := json.Marshal(pub)
	// Counted twice: once as JSON, once as the stored testimony.
	return bytes.Count(data, []byte(s)) + strings.Count(pub.Testimony, s)
}

// plainWord reports whether s is long and plain enough to search for: no
// characters of span markup or JSON, not all hex (IDs are hex).
func plainWord(s string) bool {
	if len(s) < 6 || strings.ContainsAny(s, "{}[]|#\"\\<>&") {
		return false
	}
	return strings.Trim(strings.ToLower(s), "0123456789abcdef") != ""
}
