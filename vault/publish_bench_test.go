package vault_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// BenchmarkPublish builds the pack of a vault of 10,000 interviews with
// 30,000 quotes, three distinct passages of each (the issue asks for under
// 2 s beyond the KDF).
func BenchmarkPublish(b *testing.B) {
	failRun(b)
	ctx := context.Background()
	v, err := vault.Open(ctx, benchCopy(b, 10000), vault.OpenOptions{}, vault.PassphraseIdentity(passphrase))
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	list, err := v.List(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var reqs []vault.QuoteRequest
	for _, s := range list {
		view, err := v.Get(s.ID)
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, benchPassages(b, s.ID, view.Testimony)...)
	}
	if len(reqs) != 3*len(list) {
		b.Fatalf("%d passages found once each, want %d", len(reqs), 3*len(list))
	}
	if _, err := v.AddQuotes(ctx, reqs); err != nil {
		b.Fatal(err)
	}
	published := 0
	for b.Loop() {
		pack, err := v.Publish(ctx, vault.PublishOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if published = pack.QuoteCount(); published == 0 {
			b.Fatal("no quotes")
		}
	}
	b.ReportMetric(float64(len(reqs)), "quotes")
	// Those of interviews whose quote consent is not refused.
	b.ReportMetric(float64(published), "published")
}

// benchPassages returns three passages of testimony found in it exactly
// once, as quote add wants them. Synthetic testimony repeats its sentences,
// so a short window often occurs twice; windows of runes (Chinese has no
// spaces between words) long enough to span a few sentences, tried from the
// end back and then from the start on, are almost always unique.
func benchPassages(b *testing.B, id, testimony string) []vault.QuoteRequest {
	b.Helper()
	rs := []rune(testimony)
	const window, step = 120, 37
	var out []vault.QuoteRequest
	seen := map[string]bool{}
	try := func(start int) {
		if len(out) == 3 || start < 0 || start+window > len(rs) {
			return
		}
		text := strings.TrimSpace(string(rs[start : start+window]))
		if text == "" || seen[text] || strings.Count(testimony, text) != 1 {
			return
		}
		seen[text] = true
		out = append(out, vault.QuoteRequest{Interview: id, Text: text})
	}
	for start := len(rs) - window; start >= 0 && len(out) < 3; start -= window + step {
		try(start)
	}
	for start := 0; start+window <= len(rs) && len(out) < 3; start += step {
		try(start)
	}
	return out
}
