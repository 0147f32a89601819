package vault

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tvault/tvault/crypto"
)

// Add saves interviews in one transaction: all of them or none. An input
// whose ID names an existing interview becomes a new revision of it; one
// without an ID becomes a new interview. It returns the interview IDs in
// input order.
//
// Identities and span secrets are sealed to the custodian before anything is
// stored; the plaintext of each is wiped once sealed.
func (v *Vault) Add(ctx context.Context, inputs []Input) ([]string, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if v.broken != nil {
		return nil, v.broken
	}
	if len(inputs) == 0 {
		return nil, errors.New("no interviews to add")
	}
	now := v.Now().UTC().Format(time.RFC3339Nano)

	// Plan every revision first: validation, span numbering, what to seal.
	// Nothing is written until all inputs are known to be good.
	plans := make([]*plan, len(inputs))
	latest := map[string]*Revision{} // an interview's newest revision within this batch
	for i := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p, err := v.planRevision(ctx, &inputs[i], latest, now)
		if err != nil {
			return nil, fmt.Errorf("interview %d: %w", i+1, err)
		}
		_, p.chained = latest[p.rev.Interview]
		plans[i] = p
		latest[p.rev.Interview] = p.rev
	}
	// What the search indexes will take of the testimonies of interviews
	// that exist already, worked out on another core meanwhile (derive.go).
	var marked []string
	for _, p := range plans {
		if !p.fresh {
			marked = append(marked, p.rev.Record.Testimony)
		}
	}
	texts := deriveIndexTexts(marked)

	// The two costliest steps of a large add, side by side: sealing (a
	// post-quantum KEM per item) with each revision's ID and signature on
	// the other cores, while this one indexes the new interviews'
	// testimony in the save's transaction (preindex.go).
	sealing := startSealing(v, plans, runtime.GOMAXPROCS(0)-1)
	defer sealing.cancel()
	tx, err := v.beginSave()
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	pre, err := preindex(ctx, tx, plans)
	if err != nil {
		return nil, v.memoryFull(err)
	}
	if err := sealing.finish(); err != nil {
		return nil, err
	}
	// Revisions of one interview later in the batch build on earlier ones.
	// Their sealed lists and parents were planned before sealing, so they
	// are finished here, in order.
	ids := make([]string, len(plans))
	prev := map[string]*plan{}
	for i, p := range plans {
		if p.chained {
			before := prev[p.rev.Interview].rev
			p.rev.Parents = []string{before.ID}
			p.rev.Sealed = append(append([]string{}, before.Sealed...), p.rev.Sealed[len(p.inheritedSealed):]...)
			if err := p.finishRevision(v.member.SigningKey); err != nil {
				return nil, err
			}
		}
		prev[p.rev.Interview] = p
		ids[i] = p.rev.Interview
	}

	ch := &change{indexTexts: texts, preindexed: pre}
	for _, p := range plans {
		for _, k := range p.kept {
			ch.Sealed = append(ch.Sealed, sealedRecord{ID: k.ID, Interview: p.rev.Interview, Data: k.Data})
		}
		if p.sealed != nil {
			ch.Sealed = append(ch.Sealed, sealedRecord{ID: p.sealedID, Interview: p.rev.Interview, Data: p.sealed})
		}
		ch.Revisions = append(ch.Revisions, p.rec)
	}
	// The last moment to stop: after this the batch is saved.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := v.commitTx(tx, ch); err != nil {
		return nil, err
	}
	return ids, nil
}

// plan is one revision about to be saved.
type plan struct {
	rev             *Revision
	inheritedSealed []string
	kept            []sealedRecord // a draft's seal, sealed already
	payload         *sealedPayload // to seal, or nil
	sealed          []byte         // ciphertext of payload
	sealedID        string
	// fresh: the revision makes a new interview. chained: an earlier
	// revision of the batch is of the same interview, so this one is
	// finished after it.
	fresh, chained bool
	// The finished revision (format 3): stored body, proof, ID and
	// signature.
	rec revisionRecord
}

// finishRevision works out p's stored body, ID and signature, once its
// sealed list and parents are final.
func (p *plan) finishRevision(sk ed25519.PrivateKey) error {
	rec, err := newRevisionRecord(sk, p.rev)
	if err != nil {
		return err
	}
	p.rec = rec
	return nil
}

func (v *Vault) planRevision(ctx context.Context, in *Input, latest map[string]*Revision, now string) (*plan, error) {
	if err := in.Interview.normalize(); err != nil {
		return nil, err
	}
	p := &plan{rev: &Revision{
		Author:    v.member.Name,
		AuthorKey: []byte(v.member.SigningKey.Public().(ed25519.PublicKey)),
		CreatedAt: now,
		Parents:   []string{},
		Sealed:    []string{},
	}}
	var prev *Revision
	if in.ID != "" {
		id := strings.TrimSpace(in.ID)
		if r, ok := latest[id]; ok {
			prev = r
		} else {
			heads, err := v.headRevisions(ctx, id)
			if err != nil {
				return nil, err
			}
			if len(heads) == 0 {
				return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
			}
			if in.merge != nil {
				// A three-way merge (merge.go) over the heads it was made of.
				if heads, err = in.merge.heads(heads); err != nil {
					return nil, err
				}
			}
			// Saving over every head resolves a conflict: the new revision
			// has them all as parents.
			for _, h := range heads {
				p.rev.Parents = append(p.rev.Parents, h.ID)
			}
			prev = mergeHeads(heads)
		}
		p.rev.Interview = id
		p.rev.SpanCount = prev.SpanCount
		p.rev.SpanSources = prev.SpanSources
		if in.merge != nil {
			p.rev.SpanCount, p.rev.SpanSources = in.merge.spanCount, in.merge.sources
		}
		p.inheritedSealed = append([]string{}, prev.Sealed...)
		p.rev.Sealed = append(p.rev.Sealed, prev.Sealed...)
	} else {
		p.rev.Interview = randomID()
		p.fresh = true
	}
	if err := p.keepSeal(in.Sealed); err != nil {
		return nil, err
	}

	spans, err := parseSpans(in.Testimony)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	last := 0
	payload := &sealedPayload{}
	for _, s := range spans {
		b.WriteString(in.Testimony[last:s.start])
		last = s.end
		n := s.ref
		if n > 0 {
			if n > p.rev.SpanCount {
				return nil, spanError(in.Testimony, s.start, fmt.Sprintf("refers to sensitive span #%d, which this interview does not have", n))
			}
		} else {
			p.rev.SpanCount++
			n = p.rev.SpanCount
			if payload.Spans == nil {
				payload.Spans = map[int]string{}
			}
			payload.Spans[n] = s.secret
		}
		if strings.ContainsAny(s.description, "|}") {
			return nil, spanError(in.Testimony, s.start, "has a description that contains | or }")
		}
		fmt.Fprintf(&b, "{{#%d|%s}}", n, s.description)
	}
	b.WriteString(in.Testimony[last:])
	p.rev.Record = in.Interview
	p.rev.Record.ID = ""
	p.rev.Record.Attachments, p.rev.Record.Quotes = nil, nil
	if prev != nil {
		p.rev.Record.Attachments = prev.Record.Attachments
		p.rev.Record.Quotes = prev.Record.Quotes
	}
	p.rev.Record.Testimony = b.String()

	if !in.Identity.empty() {
		payload.Identity = in.Identity
	}
	if payload.Identity != nil || len(payload.Spans) > 0 {
		p.payload = payload
	}
	return p, nil
}

// sealer seals plans' payloads to the custodian and finishes each
// revision that has no earlier one of its interview in the batch (its
// sealed list, ID and signature), on workers beside the caller, which joins
// them with finish. Each plan is one piece of work, so a slow core takes
// fewer.
type sealer struct {
	v     *Vault
	plans []*plan
	next  atomic.Int64
	stop  atomic.Bool
	errs  []error
	wg    sync.WaitGroup
}

// startSealing starts workers (at least one) on plans.
func startSealing(v *Vault, plans []*plan, workers int) *sealer {
	s := &sealer{v: v, plans: plans, errs: make([]error, len(plans))}
	for range max(workers, 1) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.work()
		}()
	}
	return s
}

func (s *sealer) work() {
	for !s.stop.Load() {
		i := int(s.next.Add(1)) - 1
		if i >= len(s.plans) {
			return
		}
		s.errs[i] = s.seal(s.plans[i])
	}
}

// finish does what is left of the work here too, waits for the workers,
// and returns the error of the first plan in input order that failed.
func (s *sealer) finish() error {
	s.work()
	s.wg.Wait()
	for _, err := range s.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// cancel stops the workers, if they still run, and waits for them.
func (s *sealer) cancel() {
	s.stop.Store(true)
	s.wg.Wait()
}

func (s *sealer) seal(p *plan) error {
	if p.payload != nil {
		plain, err := json.Marshal(p.payload)
		if err != nil {
			return err
		}
		ct, err := crypto.Seal(s.v.custodian, plain)
		// The identity in the clear is no longer needed: wipe the JSON and
		// drop the payload. Its fields are Go strings, from the JSON
		// decoder, which cannot be wiped; dropping them lets the garbage
		// collector reuse their memory sooner.
		crypto.Wipe(plain)
		p.payload = nil
		if err != nil {
			return fmt.Errorf("failed to seal to the custodian: %w", err)
		}
		sum := sha256.Sum256(ct)
		p.sealed, p.sealedID = ct, hex.EncodeToString(sum[:])
		p.rev.Sealed = append(p.rev.Sealed, p.sealedID)
	}
	if p.chained {
		return nil
	}
	return p.finishRevision(s.v.member.SigningKey)
}
