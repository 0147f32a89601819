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
		plans[i] = p
		latest[p.rev.Interview] = p.rev
	}
	// What the search indexes will take of each testimony, worked out on
	// the other core meanwhile (derive.go).
	marked := make([]string, len(plans))
	for i, p := range plans {
		marked[i] = p.rev.Record.Testimony
	}
	texts := deriveIndexTexts(marked)

	// Sealing is a post-quantum KEM per item, the costliest step: spread it
	// over the cores.
	if err := sealAll(v, plans); err != nil {
		return nil, err
	}
	for _, p := range plans {
		if p.sealed != nil {
			p.rev.Sealed = append(p.rev.Sealed, p.sealedID)
		}
	}
	// Revisions of one interview later in the batch build on earlier ones.
	// Their sealed lists and parents were planned before sealing, so fix up
	// in order.
	// Committing to every word (revision3.go) is spread over the cores
	// too, for the revisions of an interview that is once in the batch.
	ids := make([]string, len(plans))
	recs := make([]revisionRecord, len(plans))
	times := map[string]int{}
	for _, p := range plans {
		times[p.rev.Interview]++
	}
	var alone []int
	for i, p := range plans {
		if times[p.rev.Interview] == 1 {
			alone = append(alone, i)
		}
	}
	if err := makeRecords(v.member.SigningKey, plans, alone, recs); err != nil {
		return nil, err
	}
	prev := map[string]*Revision{}
	for i, p := range plans {
		ids[i] = p.rev.Interview
		if times[p.rev.Interview] == 1 {
			continue
		}
		if before, ok := prev[p.rev.Interview]; ok {
			p.rev.Parents = []string{before.ID}
			p.rev.Sealed = append(append([]string{}, before.Sealed...), p.rev.Sealed[len(p.inheritedSealed):]...)
		}
		rec, err := newRevisionRecord(v.member.SigningKey, p.rev)
		if err != nil {
			return nil, err
		}
		recs[i] = rec
		prev[p.rev.Interview] = p.rev
	}

	ch := &change{indexTexts: texts}
	for i, p := range plans {
		for _, k := range p.kept {
			ch.Sealed = append(ch.Sealed, sealedRecord{ID: k.ID, Interview: p.rev.Interview, Data: k.Data})
		}
		if p.sealed != nil {
			ch.Sealed = append(ch.Sealed, sealedRecord{ID: p.sealedID, Interview: p.rev.Interview, Data: p.sealed})
		}
		ch.Revisions = append(ch.Revisions, recs[i])
	}
	// The last moment to stop: after this the batch is saved.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := v.commit(ch); err != nil {
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

func sealAll(v *Vault, plans []*plan) error {
	work := make(chan *plan)
	errs := make(chan error, len(plans))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				plain, err := json.Marshal(p.payload)
				if err != nil {
					errs <- err
					continue
				}
				ct, err := crypto.Seal(v.custodian, plain)
				// The identity in the clear is no longer needed: wipe the
				// JSON and drop the payload. Its fields are Go strings, from
				// the JSON decoder, which cannot be wiped; dropping them
				// lets the garbage collector reuse their memory sooner.
				crypto.Wipe(plain)
				p.payload = nil
				if err != nil {
					errs <- fmt.Errorf("failed to seal to the custodian: %w", err)
					continue
				}
				sum := sha256.Sum256(ct)
				p.sealed, p.sealedID = ct, hex.EncodeToString(sum[:])
			}
		}()
	}
	for _, p := range plans {
		if p.payload != nil {
			work <- p
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}

// makeRecords makes and signs the revisions of plans[which] into recs, on
// every core.
func makeRecords(sk ed25519.PrivateKey, plans []*plan, which []int, recs []revisionRecord) error {
	errs := make([]error, len(which))
	var next sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(which)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				k := n
				n++
				next.Unlock()
				if k >= len(which) {
					return
				}
				i := which[k]
				recs[i], errs[k] = newRevisionRecord(sk, plans[i].rev)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
