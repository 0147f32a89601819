package vault

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"

	"filippo.io/age"
)

// Reveal opens the sealed identity and span secrets of an interview with the
// custodian identity. The result is secret: show it, never store or log it.
func (v *Vault) Reveal(ctx context.Context, idOrPrefix string, custodian *age.HybridIdentity) (*Revealed, error) {
	out, err := v.RevealMany(ctx, []string{idOrPrefix}, custodian)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// reveal opens the sealed items of interview id, without the audit event:
// the caller records it.
func (v *Vault) reveal(ctx context.Context, id string, custodian *age.HybridIdentity) (*Revealed, error) {
	heads, err := v.headRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(heads) == 0 {
		return nil, fmt.Errorf("%w: interview %s has no head revision", ErrDamaged, id)
	}
	head := heads[0]
	out := &Revealed{ID: id, Pseudonym: head.Record.Pseudonym, Spans: []RevealedSpan{}}
	u := newUnsealer(ctx, v, custodian)
	identity, secrets, err := u.open(head)
	if errors.Is(err, ErrWrongCustodianKey) {
		// Whoever tries keys against a vault is in its audit log too.
		if rerr := v.record(Event{Kind: EventRevealFailed, Subject: id, Details: "another custodian's key " + shortFingerprint(custodian.Recipient().String())}); rerr != nil {
			return nil, fmt.Errorf("%w (and the failed reveal could not be recorded in the audit log: %v)", ErrWrongCustodianKey, rerr)
		}
		return nil, ErrWrongCustodianKey
	}
	if err != nil {
		return nil, err
	}
	// The original names of its attachments, sealed like the identity.
	for _, sid := range head.Sealed {
		if p := u.items[sid]; p != nil {
			for a, name := range p.Files {
				if out.Files == nil {
					out.Files = map[string]string{}
				}
				out.Files[a] = name
			}
			for a, h := range p.FileHashes {
				if out.FileHashes == nil {
					out.FileHashes = map[string]string{}
				}
				out.FileHashes[a] = h
			}
		}
	}
	out.Identity = identity
	for _, s := range markedSpans(head.Record.Testimony) {
		out.Spans = append(out.Spans, RevealedSpan{N: s.N, Description: s.Description, Secret: secrets[s.N]})
	}
	sort.Slice(out.Spans, func(i, j int) bool { return out.Spans[i].N < out.Spans[j].N })
	return out, nil
}

// UnlockCustodianKey opens the custodian key file keyFile with passphrase,
// as [OpenCustodianKey] does, to reveal the interviews in subjects (IDs, or
// none for a session of reveals). A key refused is recorded by
// [Vault.RecordRevealFailure]. The caller wipes passphrase.
func (v *Vault) UnlockCustodianKey(keyFile, passphrase []byte, subjects ...string) (*CustodianKey, error) {
	c, err := OpenCustodianKey(keyFile, passphrase)
	if err != nil {
		return nil, v.RecordRevealFailure(err, subjects...)
	}
	return c, nil
}

// RecordRevealFailure records a custodian key that [OpenCustodianKey]
// refused with cause (wrong passphrase, not a custodian key file, damaged)
// as a "reveal-failed" audit event per interview in subjects (IDs, or none
// for a session of reveals), for front ends that open the key off their UI
// loop. The details say why, never with the passphrase. It returns cause,
// wrapped with the recording's error if the event could not be saved.
func (v *Vault) RecordRevealFailure(cause error, subjects ...string) error {
	why := "the custodian key file could not be opened"
	switch {
	case errors.Is(cause, ErrWrongPassphrase):
		why = "wrong custodian passphrase (or not a custodian key file)"
	case errors.Is(cause, ErrDamaged):
		why = "not a custodian key file, or a damaged one"
	}
	if len(subjects) == 0 {
		subjects = []string{""}
	}
	var events []Event
	for _, s := range subjects {
		if id, err := v.Resolve(s); err == nil {
			s = id
		}
		events = append(events, Event{Kind: EventRevealFailed, Subject: s, Details: why})
	}
	if err := v.record(events...); err != nil {
		return fmt.Errorf("%w (and the failed reveal could not be recorded in the audit log: %v)", cause, err)
	}
	return cause
}

// shortFingerprint names a recipient in the audit log without its 2,000
// characters.
func shortFingerprint(recipient string) string {
	sum := sha256.Sum256([]byte(recipient))
	return fmt.Sprintf("%X", sum[:6])
}
