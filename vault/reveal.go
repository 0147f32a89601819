package vault

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"

	"filippo.io/age"
)

// Reveal opens the sealed identity and span secrets of an interview with the
// custodian identity. The result is secret: show it, never store or log it.
func (v *Vault) Reveal(ctx context.Context, idOrPrefix string, custodian *age.HybridIdentity) (*Revealed, error) {
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, err
	}
	heads, err := v.headRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(heads) == 0 {
		return nil, fmt.Errorf("%w: interview %s has no head revision", ErrDamaged, id)
	}
	head := heads[0]
	out := &Revealed{ID: id, Pseudonym: head.Record.Pseudonym, Spans: []RevealedSpan{}}
	identity, secrets, err := newUnsealer(ctx, v, custodian).open(head)
	if err != nil {
		return nil, err
	}
	out.Identity = identity
	for _, s := range markedSpans(head.Record.Testimony) {
		out.Spans = append(out.Spans, RevealedSpan{N: s.N, Description: s.Description, Secret: secrets[s.N]})
	}
	sort.Slice(out.Spans, func(i, j int) bool { return out.Spans[i].N < out.Spans[j].N })
	// No reveal without its audit event: if the event cannot be saved, the
	// identity is not shown.
	if err := v.record(Event{Kind: EventReveal, Subject: id, Details: "custodian " + shortFingerprint(custodian.Recipient().String())}); err != nil {
		return nil, fmt.Errorf("the reveal could not be recorded in the audit log, so it is refused: %w", err)
	}
	return out, nil
}

// shortFingerprint names a recipient in the audit log without its 2,000
// characters.
func shortFingerprint(recipient string) string {
	sum := sha256.Sum256([]byte(recipient))
	return fmt.Sprintf("%X", sum[:6])
}
