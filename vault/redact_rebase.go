package vault

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

// Redactions made apart: two members redact the same revision before they
// exchange, each on the revision as signed (Before empty). A vault that
// applied one finds the other's Before gone, and advance applies nothing;
// the passage the other removed would stay. Of a format 3 revision, the
// other's edits are carried over what this vault applied (their offsets
// shifted, a passage already removed dropped) and applied too, and this
// member signs the result as a redaction of its own (Before this vault's
// content, After the result), which vouches for it here and travels on:
// each teammate that does the same reaches the same content.

// rebaseSigner signs the redactions that carry a teammate's over this
// vault's (set on an import's change; never on a replay, whose frame
// holds them already).
type rebaseSigner struct {
	key  ed25519.PrivateKey
	name string
	now  string
}

// rebased is a redaction step carried over the content a vault holds.
type rebased struct {
	rr    redactedRevision
	with  string
	field string
	gone  []string
}

// rebaseStale applies to a redacted format 3 revision the steps of steps
// that advance could not apply because their Before is an earlier state of
// the content, carried over the steps since. It returns the content, the
// proof and the steps it made.
func rebaseStale(id string, body []byte, testimony string, proof []byte, steps []redactStep) ([]byte, string, []byte, []rebased, error) {
	if len(proof) == 0 {
		return body, testimony, proof, nil, nil
	}
	rev, err := loadRevision(id, body, testimony)
	if err != nil {
		return nil, "", nil, nil, err
	}
	steps = slices.DeleteFunc(slices.Clone(steps), func(s redactStep) bool { return s.interview != rev.Interview })
	// The chain of steps from the revision as signed to what is held.
	var chain []redactStep
	for h := contentHash(body, testimony); ; {
		i := slices.IndexFunc(steps, func(s redactStep) bool { return s.rr.After == h })
		if i < 0 || len(chain) > len(steps) {
			return body, testimony, proof, nil, nil // not redacted, or by steps this vault lacks
		}
		chain = append([]redactStep{steps[i]}, chain...)
		if steps[i].rr.Before == "" {
			break
		}
		h = steps[i].rr.Before
	}
	var out []rebased
	for _, s := range steps {
		// Where in the chain it applies: 0 the revision as signed, k after
		// the chain's k-th step. A step whose result is in the chain is
		// applied already.
		start := -1
		if s.rr.Before == "" {
			start = 0
		}
		done := false
		for k, c := range chain {
			if c.rr.After == s.rr.After {
				done = true
			}
			if s.rr.Before != "" && c.rr.After == s.rr.Before {
				start = k + 1
			}
		}
		if done || start < 0 {
			continue
		}
		b, t, p3, r, err := carryOver(rev, id, body, testimony, proof, s, chain[start:])
		if err != nil || r == nil {
			// Not carried over (a step this vault cannot place): the
			// import goes on without it, as before.
			continue
		}
		out = append(out, *r)
		chain = append(chain, redactStep{rr: &r.rr, with: s.with, interview: rev.Interview})
		body, testimony, proof = b, t, p3
	}
	return body, testimony, proof, out, nil
}

// carryOver applies step s, shifted over the steps since its Before, to a
// format 3 revision's content: nil if what it removes is removed already.
func carryOver(rev *Revision, id string, body []byte, testimony string, proof []byte, s redactStep, since []redactStep) ([]byte, string, []byte, *rebased, error) {
	edits := slices.Clone(s.rr.Edits)
	for _, c := range since {
		edits = shiftEdits(edits, c.rr.Edits, c.with)
	}
	p, err := parseProof(id, proof)
	if err != nil {
		return nil, "", nil, nil, err
	}
	// A passage already removed (inside a hole) is dropped.
	edits = slices.DeleteFunc(edits, func(e redactEdit) bool {
		for _, h := range p.Holes {
			if h.Part == e.Part && h.Offset <= e.Offset && e.Offset+e.Length <= h.Offset+h.Length {
				return true
			}
		}
		return false
	})
	if len(edits) == 0 {
		return nil, "", nil, nil, nil
	}
	if edits, err = alignEdits(id, body, testimony, proof, edits); err != nil {
		return nil, "", nil, nil, err
	}
	var gone []string
	for _, e := range edits {
		gone = append(gone, removedText(body, testimony, e))
	}
	b, t, err := applyEdits(body, testimony, edits, s.with)
	if err != nil {
		return nil, "", nil, nil, err
	}
	if err := keepsShape(rev, b, t); err != nil {
		return nil, "", nil, nil, err
	}
	b3, t3, p3, err := redactV3(id, body, testimony, proof, edits, s.with)
	if err != nil {
		return nil, "", nil, nil, err
	}
	if string(b3) != string(b) || t3 != t {
		return nil, "", nil, nil, fmt.Errorf("%w: a redaction of revision %s does not carry over the one held", ErrDamaged, short(id))
	}
	r := &rebased{rr: redactedRevision{ID: id, Before: contentHash(body, testimony), After: contentHash(b, t), Edits: edits},
		with: s.with, field: s.field, gone: gone}
	return b, t, p3, r, nil
}

// shiftEdits carries edits made on a content over the edits by (with put
// in place of each) made on the same content since: an edit's offsets move
// by what came before, and an end inside a replaced range takes all of it.
func shiftEdits(edits, by []redactEdit, with string) []redactEdit {
	repl := map[string]int{"body": len(jsonText(with)), "testimony": len(with)}
	at := func(part string, o int, end bool) int {
		shift := 0
		for _, e := range by {
			if e.Part != part {
				continue
			}
			switch {
			case o >= e.Offset+e.Length:
				shift += repl[part] - e.Length
			case o > e.Offset:
				if end {
					return e.Offset + shift + repl[part]
				}
				return e.Offset + shift
			default:
				return o + shift
			}
		}
		return o + shift
	}
	out := make([]redactEdit, 0, len(edits))
	for _, e := range edits {
		a, b := at(e.Part, e.Offset, false), at(e.Part, e.Offset+e.Length, true)
		out = append(out, redactEdit{Part: e.Part, Offset: a, Length: b - a})
	}
	return out
}

// signRebased signs, stores and adds to ch the redactions rebaseStale
// made, and returns the index of the redactions stored.
func signRebased(ctx context.Context, tx *sql.Tx, ch *change, interview string, rs []rebased) (redactIndex, error) {
	for _, r := range rs {
		d := redaction{Interview: interview, Field: r.field, With: r.with, RedactedAt: ch.rebase.now, Author: ch.rebase.name,
			AuthorKey: []byte(ch.rebase.key.Public().(ed25519.PublicKey)), Revisions: []redactedRevision{r.rr}}
		body, err := json.Marshal(&d)
		if err != nil {
			return nil, err
		}
		rec := redactionRecord{Body: body, Sig: ed25519.Sign(ch.rebase.key, append([]byte(redactionDomain), body...))}
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) + 1 FROM kv WHERE ns = ?`, redactionNS).Scan(&seq); err != nil {
			return nil, err
		}
		value, err := json.Marshal(storedRedaction{Seq: seq, Body: rec.Body, Sig: rec.Sig})
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO kv (ns, key, value) VALUES (?, ?, ?)`, redactionNS, rec.id(), value); err != nil {
			return nil, err
		}
		ch.Redactions = append(ch.Redactions, rec)
	}
	_, idx, err := loadRedactions(ctx, tx)
	return idx, err
}
