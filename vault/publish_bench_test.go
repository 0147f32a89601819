package vault_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tvault/tvault/vault"
)

// BenchmarkPublish builds the pack of a vault of 10,000 interviews with
// 30,000 quotes (the issue asks for under 2 s beyond the KDF).
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
		// Three passages found once each: windows of words, from the end
		// of the testimony back (synthetic testimony repeats phrases).
		words := strings.Fields(view.Testimony)
		found := 0
		for end := len(words); end >= 16 && found < 3; end -= 16 {
			text := strings.Join(words[end-16:end], " ")
			if strings.Count(view.Testimony, text) == 1 {
				reqs = append(reqs, vault.QuoteRequest{Interview: s.ID, Text: text})
				found++
			}
		}
	}
	if _, err := v.AddQuotes(ctx, reqs); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		pack, err := v.Publish(ctx, vault.PublishOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if pack.QuoteCount() == 0 {
			b.Fatal("no quotes")
		}
	}
	b.ReportMetric(float64(len(reqs)), "quotes")
}
