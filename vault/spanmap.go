package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// Span numbers across a merge.
//
// A new span takes the number after the interview's SpanCount, so two
// laptops editing the same version each number their first new span alike:
// both have a #3, with different secrets. The laptop cannot read the
// secrets, so it cannot reseal them under new numbers. Instead a merge
// revision keeps the left version's numbers, gives the right version's new
// spans the numbers after them, and records in SpanSources, for every
// number it uses, which merged revision's span it is. Revisions saved on
// top of the merge keep its SpanSources. Reveal and rotation resolve a
// number through them; a revision without SpanSources reads its numbers
// from its sealed items, the later item winning, as before.

// SpanSource says that span Spans[i][0] of a revision is span Spans[i][1]
// of the revision named, an earlier revision of the same interview.
type SpanSource struct {
	Revision string   `json:"revision"`
	Spans    [][2]int `json:"spans"`
}

// spanKey names a span by the revision that introduced it and its number
// there: the same secret whatever number a later merge gives it.
type spanKey struct {
	rev string
	n   int
}

// spanOrigin follows span n of r back to the revision that introduced it.
// revs holds the interview's revisions; a missing one ends the walk.
func spanOrigin(revs map[string]*Revision, r *Revision, n int) spanKey {
	for {
		next, nn, found := (*Revision)(nil), 0, false
		for _, src := range r.SpanSources {
			for _, p := range src.Spans {
				if p[0] == n {
					next, nn, found = revs[src.Revision], p[1], true
					if next == nil {
						return spanKey{src.Revision, nn}
					}
				}
			}
		}
		if !found {
			for _, pid := range r.Parents {
				if p := revs[pid]; p != nil && n <= p.SpanCount {
					next, nn = p, n
					break
				}
			}
		}
		if next == nil {
			return spanKey{r.ID, n}
		}
		r, n = next, nn
	}
}

// checkSpanSources is the part of a revision's validation about its
// SpanSources: numbers it has, each once.
func (r *Revision) checkSpanSources() error {
	seen := map[int]bool{}
	for _, src := range r.SpanSources {
		if len(src.Revision) != 64 {
			return fmt.Errorf("%w: a span source names no revision", ErrInvalid)
		}
		for _, p := range src.Spans {
			if p[0] < 1 || p[0] > r.SpanCount || p[1] < 1 || seen[p[0]] {
				return fmt.Errorf("%w: span source of #%d is out of range or repeated", ErrInvalid, p[0])
			}
			seen[p[0]] = true
		}
	}
	return nil
}

// unsealer opens an interview's sealed items with the custodian identity,
// each once. What it holds is secret: it lives for one reveal or rotation.
type unsealer struct {
	v     *Vault
	ctx   context.Context
	key   *age.HybridIdentity
	items map[string]*sealedPayload
	revs  map[string]map[int]string
}

func newUnsealer(ctx context.Context, v *Vault, key *age.HybridIdentity) *unsealer {
	return &unsealer{v: v, ctx: ctx, key: key, items: map[string]*sealedPayload{}, revs: map[string]map[int]string{}}
}

func (u *unsealer) item(sid, interview string) (*sealedPayload, error) {
	if p, ok := u.items[sid]; ok {
		return p, nil
	}
	var data []byte
	if err := u.v.conn.QueryRowContext(u.ctx, `SELECT data FROM sealed WHERE id = ?`, sid).Scan(&data); err != nil {
		return nil, fmt.Errorf("%w: sealed item %s of interview %s is missing", ErrDamaged, short(sid), interview)
	}
	plain, err := crypto.Unseal(u.key, data)
	if errors.Is(err, crypto.ErrWrongKey) {
		return nil, ErrWrongCustodianKey
	}
	if err != nil {
		return nil, fmt.Errorf("sealed item %s: %w", short(sid), err)
	}
	p := new(sealedPayload)
	// encoding/json decodes the identity into strings: those copies cannot
	// be wiped, and live until the garbage collector reuses their memory.
	// The plaintext buffer is wiped at once.
	err = json.Unmarshal(plain, p)
	crypto.Wipe(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: sealed item %s", ErrDamaged, short(sid))
	}
	u.items[sid] = p
	return p, nil
}

// open returns the identity and the span secrets of revision r, by number.
func (u *unsealer) open(r *Revision) (*Identity, map[int]string, error) {
	var identity *Identity
	secrets := map[int]string{}
	for _, sid := range r.Sealed {
		p, err := u.item(sid, r.Interview)
		if err != nil {
			return nil, nil, err
		}
		// Later items override earlier ones: an edit may retype the identity.
		if p.Identity != nil {
			identity = p.Identity
		}
		for n, s := range p.Spans {
			secrets[n] = s
		}
	}
	for _, src := range r.SpanSources {
		from, err := u.spansOf(src.Revision, r.Interview)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range src.Spans {
			if s, ok := from[p[1]]; ok {
				secrets[p[0]] = s
			} else {
				delete(secrets, p[0])
			}
		}
	}
	return identity, secrets, nil
}

// spansOf returns the span secrets of an earlier revision of interview.
func (u *unsealer) spansOf(id, interview string) (map[int]string, error) {
	if s, ok := u.revs[id]; ok {
		return s, nil
	}
	var body []byte
	err := u.v.conn.QueryRowContext(u.ctx, `SELECT body FROM revisions WHERE id = ?`, id).Scan(&body)
	if err != nil {
		return nil, fmt.Errorf("%w: span source %s of interview %s is missing", ErrDamaged, short(id), interview)
	}
	r, err := loadRevision(id, body, "")
	if err != nil {
		return nil, err
	}
	if r.Interview != interview {
		return nil, fmt.Errorf("%w: span source %s is of another interview", ErrDamaged, short(id))
	}
	u.revs[id] = nil // a cycle ends here (IDs are hashes: none should exist)
	_, s, err := u.open(r)
	if err != nil {
		return nil, err
	}
	u.revs[id] = s
	return s, nil
}

// revisionsOf returns every revision of an interview by ID. Testimony is
// read only for the IDs in withText.
func (v *Vault) revisionsOf(ctx context.Context, interview string, withText ...string) (map[string]*Revision, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT id, body FROM revisions WHERE interview = ?`, interview)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*Revision{}
	for rows.Next() {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		r, err := loadRevision(id, body, "")
		if err != nil {
			return nil, err
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range withText {
		if r := out[id]; r != nil {
			if err := v.conn.QueryRowContext(ctx, `SELECT testimony FROM revisions WHERE id = ?`, id).Scan(&r.Record.Testimony); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
