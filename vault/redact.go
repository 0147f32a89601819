package vault

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// Redaction of history
//
// Revisions are immutable and signed, and travel in bundles: a name typed
// by mistake would stay in every teammate's vault. A redaction is a signed
// order, by a member on the roster, that replaces byte ranges of named
// revisions (of their stored testimony, or of their stored JSON body: a
// field) by a description. It names, per revision, the revision's ID (which
// the revision keeps: children name it as parent), the ranges, and the hash
// of the revision's content after the redaction. It never holds the
// redacted text, nor a hash of it alone.
//
// A redacted revision no longer matches its own signature. It is verified
// through the redaction instead: the redaction's signature, its author on
// the roster, and the revision's stored content hashing to what the
// redaction says. Every vault applies every redaction it has to every
// revision it names, whenever either arrives: a revision that comes later,
// unredacted, from a member who never saw the redaction is verified by its
// own signature and then redacted before it is stored.
//
// A revision redacted twice: the second redaction's entry names the first's
// result as Before; the first's Before is empty (the revision as signed).

const (
	redactionDomain = "tvault redaction v1\n"
	redactedDomain  = "tvault redacted revision v1\n"
	// redactionNS is the kv namespace that stores redactions, keyed by the
	// hex SHA-256 of their body.
	redactionNS = "redaction"
	// MaxRedactionWith is the longest description a redaction puts in
	// place of what it removes, in characters.
	MaxRedactionWith = 200
)

// redaction is the signed body of a redaction order.
type redaction struct {
	Interview string `json:"interview"`
	// Field names what was redacted, for people: testimony, location, …,
	// or "all". The edits say exactly where.
	Field string `json:"field"`
	// With is the text put in place of each range, e.g. "[a name]".
	With       string             `json:"with"`
	RedactedAt string             `json:"redacted_at"`
	Author     string             `json:"author"`
	AuthorKey  []byte             `json:"author_key"`
	Revisions  []redactedRevision `json:"revisions"`
}

type redactedRevision struct {
	ID string `json:"id"`
	// Before is the content hash the edits apply to; empty for the
	// revision as signed.
	Before string       `json:"before,omitempty"`
	After  string       `json:"after"`
	Edits  []redactEdit `json:"edits"`
}

// redactEdit is one range replaced by the redaction's With: in the stored
// testimony, or in the stored JSON body (where With goes JSON-escaped).
type redactEdit struct {
	Part   string `json:"part"` // "testimony" or "body"
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

type redactionRecord struct {
	Body json.RawMessage `json:"body"`
	Sig  []byte          `json:"sig"`
}

// storedRedaction is a redaction as the kv table holds it: seq orders
// redactions for export --since-last.
type storedRedaction struct {
	Seq  int64           `json:"seq"`
	Body json.RawMessage `json:"body"`
	Sig  []byte          `json:"sig"`
}

func (r *redactionRecord) id() string {
	sum := sha256.Sum256(r.Body)
	return hex.EncodeToString(sum[:])
}

// parse decodes a redaction and checks its form.
func (r *redactionRecord) parse() (*redaction, error) {
	d := new(redaction)
	bad := fmt.Errorf("%w: a redaction does not parse", ErrDamaged)
	if err := json.Unmarshal(r.Body, d); err != nil || d.Interview == "" || len(d.Revisions) == 0 {
		return nil, bad
	}
	// What a redaction puts in place of a passage is a description, as
	// Redact writes it ("[…]"), and only where it removes something: a
	// member's words of their own, or words inserted where nothing was
	// removed, would make a revision say something else.
	if checkWith(d.With) != nil || !strings.HasPrefix(d.With, "[") || !strings.HasSuffix(d.With, "]") {
		return nil, bad
	}
	for _, rr := range d.Revisions {
		if rr.ID == "" || len(rr.After) != 64 || len(rr.Edits) == 0 {
			return nil, bad
		}
		for _, e := range rr.Edits {
			if (e.Part != "testimony" && e.Part != "body") || e.Offset < 0 || e.Length <= 0 {
				return nil, bad
			}
		}
	}
	return d, nil
}

// verify parses a redaction and checks its signature.
func (r *redactionRecord) verify() (*redaction, error) {
	d, err := r.parse()
	if err != nil {
		return nil, err
	}
	if len(d.AuthorKey) != ed25519.PublicKeySize || !ed25519.Verify(d.AuthorKey, append([]byte(redactionDomain), r.Body...), r.Sig) {
		return nil, fmt.Errorf("%w: a redaction of interview %s has a bad signature", ErrDamaged, d.Interview)
	}
	return d, nil
}

// checkWith checks a redaction's replacement text: one line of text, with
// no span markers.
func checkWith(with string) error {
	if strings.TrimSpace(with) == "" || strings.ContainsAny(with, "{}|\n") || utf8.RuneCountInString(with) > MaxRedactionWith {
		return fmt.Errorf("%w: the description must be one line of at most %d characters, without { } or |", ErrInvalid, MaxRedactionWith)
	}
	return checkText("the description", with)
}

// contentHash is the hash a redaction names for a revision's stored
// content: its body and its testimony.
func contentHash(body []byte, testimony string) string {
	h := sha256.New()
	h.Write([]byte(redactedDomain))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(body)))
	h.Write(n[:])
	h.Write(body)
	h.Write([]byte(testimony))
	return hex.EncodeToString(h.Sum(nil))
}

// jsonText is s as it stands inside a JSON string (quotes left off), as
// encoding/json writes it.
func jsonText(s string) []byte {
	b, _ := json.Marshal(s)
	return b[1 : len(b)-1]
}

// applyEdits replaces the edits' ranges by with. Edits are in order and do
// not overlap, per part.
func applyEdits(body []byte, testimony string, edits []redactEdit, with string) ([]byte, string, error) {
	parts := map[string][]byte{"body": body, "testimony": []byte(testimony)}
	repl := map[string][]byte{"body": jsonText(with), "testimony": []byte(with)}
	out := map[string][]byte{}
	end := map[string]int{}
	for _, e := range edits {
		src := parts[e.Part]
		if e.Offset < end[e.Part] || e.Offset+e.Length > len(src) || e.Length > len(src) {
			return nil, "", fmt.Errorf("%w: a redaction's ranges are out of order or out of bounds", ErrDamaged)
		}
		out[e.Part] = append(append(out[e.Part], src[end[e.Part]:e.Offset]...), repl[e.Part]...)
		end[e.Part] = e.Offset + e.Length
	}
	for _, p := range []string{"body", "testimony"} {
		if _, ok := out[p]; ok {
			parts[p] = append(out[p], parts[p][end[p]:]...)
		}
	}
	return parts["body"], string(parts["testimony"]), nil
}

// redactStep is one redaction's entry for one revision.
type redactStep struct {
	rr        *redactedRevision
	with      string
	author    []byte
	field     string
	id        string // the redaction's
	interview string
}

// redactIndex is every redaction a vault knows, by revision ID.
type redactIndex map[string][]redactStep

func (idx redactIndex) add(r *redactionRecord, d *redaction) {
	id := r.id()
	for i := range d.Revisions {
		rr := &d.Revisions[i]
		idx[rr.ID] = append(idx[rr.ID], redactStep{rr: rr, with: d.With, field: d.Field, author: d.AuthorKey, id: id, interview: d.Interview})
	}
}

// loadRedactions returns the redactions stored, and the index of them.
func loadRedactions(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]redactionRecord, redactIndex, error) {
	rows, err := q.QueryContext(ctx, `SELECT value FROM kv WHERE ns = ? ORDER BY key`, redactionNS)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var recs []redactionRecord
	idx := redactIndex{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, nil, err
		}
		var s storedRedaction
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, nil, fmt.Errorf("%w: a stored redaction", ErrDamaged)
		}
		rec := redactionRecord{Body: s.Body, Sig: s.Sig}
		d, err := rec.parse()
		if err != nil {
			return nil, nil, err
		}
		recs = append(recs, rec)
		idx.add(&rec, d)
	}
	return recs, idx, rows.Err()
}

// advance applies to a revision's content every redaction step that
// applies, in order: a step whose Before is the content's hash, or empty
// if the content is the revision as signed. It reports whether anything
// changed, and the removed texts (for drafts). A redaction of another
// interview does not apply; one that would change more than the text of
// the record's readable fields is damage.
//
// A format 3 revision (with a proof) gets its proof redacted too
// (redactV3): the edits must remove whole words of readable text.
func advance(id string, body []byte, testimony string, proof []byte, steps []redactStep) ([]byte, string, []byte, []string, bool, error) {
	rev, err := loadRevision(id, body, testimony)
	if err != nil {
		return nil, "", nil, nil, false, err
	}
	original := false
	if len(proof) > 0 {
		p, err := parseProof(id, proof)
		if err != nil {
			return nil, "", nil, nil, false, err
		}
		original = !p.redacted()
	} else if got, err := rev.computeID(); err == nil && got == id {
		original = true
	}
	steps = slices.DeleteFunc(slices.Clone(steps), func(s redactStep) bool { return s.interview != rev.Interview })
	used := make([]bool, len(steps))
	var removed []string
	changed := false
	for {
		h := contentHash(body, testimony)
		next := -1
		for i, s := range steps {
			if !used[i] && ((s.rr.Before == "" && original) || (s.rr.Before != "" && s.rr.Before == h)) {
				next = i
				break
			}
		}
		if next < 0 {
			return body, testimony, proof, removed, changed, nil
		}
		s := steps[next]
		used[next] = true
		for _, e := range s.rr.Edits {
			removed = append(removed, removedText(body, testimony, e))
		}
		b, t, err := applyEdits(body, testimony, s.rr.Edits, s.with)
		if err != nil {
			return nil, "", nil, nil, false, err
		}
		if contentHash(b, t) != s.rr.After {
			return nil, "", nil, nil, false, fmt.Errorf("%w: a redaction of revision %s does not give the content it names", ErrDamaged, short(id))
		}
		if err := keepsShape(rev, b, t); err != nil {
			return nil, "", nil, nil, false, err
		}
		if len(proof) > 0 {
			b3, t3, p3, err := redactV3(id, body, testimony, proof, s.rr.Edits, s.with)
			if err != nil {
				return nil, "", nil, nil, false, err
			}
			if string(b3) != string(b) || t3 != t {
				return nil, "", nil, nil, false, fmt.Errorf("%w: a redaction of revision %s does not give the content it names", ErrDamaged, short(id))
			}
			proof = p3
		}
		body, testimony, original, changed = b, t, false, true
	}
}

// verifiedThrough reports whether a revision's stored content is what a
// redaction in idx says it became, and returns that redaction's step.
func (idx redactIndex) verifiedThrough(id string, body []byte, testimony string) (redactStep, bool) {
	steps := idx[id]
	if len(steps) == 0 {
		return redactStep{}, false
	}
	h := contentHash(body, testimony)
	for _, s := range steps {
		if s.rr.After == h {
			return s, true
		}
	}
	return redactStep{}, false
}

// redactionChecker verifies stored revisions for check: by their own
// signature, or through a redaction whose signature verifies and whose
// author is this member or on the roster.
type redactionChecker struct {
	v        *Vault
	idx      redactIndex
	verified map[string]error // by redaction ID
	recs     map[string]redactionRecord
	Redacted int
}

func (v *Vault) newRedactionChecker(ctx context.Context) (*redactionChecker, error) {
	recs, idx, err := loadRedactions(ctx, v.conn)
	if err != nil {
		return nil, err
	}
	c := &redactionChecker{v: v, idx: idx, verified: map[string]error{}, recs: map[string]redactionRecord{}}
	for _, r := range recs {
		c.recs[r.id()] = r
	}
	return c, nil
}

// verify checks a stored revision against its signature, and a redacted
// one through a redaction too: a format 3 revision's signature verifies
// what its author wrote and the redaction vouches for the descriptions in
// place of what it removed; a format 1 or 2 revision, redacted, no longer
// matches its signature, and the redaction vouches for all of it.
func (c *redactionChecker) verify(ctx context.Context, id string, body []byte, testimony string, proof, sig []byte) error {
	_, err := verifyRevision(id, body, testimony, proof, sig)
	if len(proof) > 0 {
		if err != nil {
			return err
		}
		if p, _ := parseProof(id, proof); !p.redacted() {
			return nil
		}
		err = fmt.Errorf("%w: revision %s is redacted, by no redaction this vault has", ErrDamaged, short(id))
	} else if err == nil {
		return nil
	}
	step, ok := c.idx.verifiedThrough(id, body, testimony)
	if !ok {
		return err
	}
	if len(proof) == 0 {
		rev, e := loadRevision(id, body, testimony)
		if e == nil {
			e = signedAsOld(rev, sig)
		}
		if e != nil {
			return e
		}
	}
	verr, done := c.verified[step.id]
	if !done {
		rec := c.recs[step.id]
		d, e := rec.verify()
		if e == nil {
			_, e2 := c.v.authorName(ctx, d.AuthorKey)
			if errors.Is(e2, errOffRoster) {
				// A member since removed ordered it while on the roster:
				// this vault took it then (nothing of theirs is taken
				// after).
				if name, e3 := c.v.removedMemberName(ctx, d.AuthorKey); e3 != nil {
					e2 = e3
				} else if name != "" {
					e2 = nil
				}
			}
			if errors.Is(e2, errOffRoster) {
				e = fmt.Errorf("%w: revision %s was redacted by someone not on your roster", ErrDamaged, short(id))
			} else {
				e = e2
			}
		}
		c.verified[step.id], verr = e, e
	}
	if verr == nil {
		c.Redacted++
		if len(proof) == 0 {
			verr = c.v.olderBesideV3(ctx, id)
		}
	}
	return verr
}

// summary says how many revisions were verified through a redaction.
func (c *redactionChecker) summary() string {
	if c.Redacted == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d redacted, each through its signed redaction)", c.Redacted)
}

// keepsShape checks that a redaction of revision before, giving the stored
// content body and testimony, changed only the text of the record's
// readable fields (testimony, pseudonym, location, language, interviewer,
// relations, harms, quotes' texts and labels), and left a revision that
// import would accept.
func keepsShape(before *Revision, body []byte, testimony string) error {
	after, err := loadRevision(before.ID, body, testimony)
	if err == nil {
		err = after.validate()
	}
	if err != nil {
		return fmt.Errorf("%w: a redaction of revision %s leaves it malformed", ErrDamaged, short(before.ID))
	}
	want := *after
	want.Parents, want.Sealed, want.AuthorKey = before.Parents, before.Sealed, before.AuthorKey
	rec := cloneInterview(before.Record)
	rec.Testimony, rec.Pseudonym, rec.Location = after.Record.Testimony, after.Record.Pseudonym, after.Record.Location
	rec.Language, rec.Interviewer = after.Record.Language, after.Record.Interviewer
	if len(rec.Relatives) == len(after.Record.Relatives) {
		for i := range rec.Relatives {
			rec.Relatives[i].Relation = after.Record.Relatives[i].Relation
			if len(rec.Relatives[i].Harms) == len(after.Record.Relatives[i].Harms) {
				rec.Relatives[i].Harms = after.Record.Relatives[i].Harms
			}
		}
	}
	// A quote's text and label: a quote holds a passage of the testimony,
	// redacted with it (redact_make.go).
	if len(rec.Quotes) == len(after.Record.Quotes) {
		rec.Quotes = slices.Clone(rec.Quotes)
		for i := range rec.Quotes {
			rec.Quotes[i].Text, rec.Quotes[i].Label = after.Record.Quotes[i].Text, after.Record.Quotes[i].Label
		}
	}
	want.Record = rec
	want.Interview, want.Author, want.CreatedAt, want.SpanCount = before.Interview, before.Author, before.CreatedAt, before.SpanCount
	if !reflect.DeepEqual(&want, after) {
		return fmt.Errorf("%w: a redaction of revision %s changes more than text", ErrDamaged, short(before.ID))
	}
	return nil
}

// markRedacted sets RedactedBy on the revisions whose stored content is a
// redaction's result.
func (v *Vault) markRedacted(ctx context.Context, revs []RevisionInfo) error {
	var some bool
	if err := v.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM kv WHERE ns = ?)`, redactionNS).Scan(&some); err != nil || !some {
		return err
	}
	_, idx, err := loadRedactions(ctx, v.conn)
	if err != nil {
		return err
	}
	for i := range revs {
		if len(idx[revs[i].ID]) == 0 {
			continue
		}
		var body []byte
		var testimony string
		if err := v.conn.QueryRowContext(ctx, `SELECT body, testimony FROM revisions WHERE id = ?`, revs[i].ID).Scan(&body, &testimony); err != nil {
			return err
		}
		if step, ok := idx.verifiedThrough(revs[i].ID, body, testimony); ok {
			if revs[i].RedactedBy, err = v.signerName(ctx, step.author); err != nil {
				return err
			}
		}
	}
	return nil
}
