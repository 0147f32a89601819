package vault

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Making a redaction: finding the passage in an interview's revisions and
// signing the order (redact.go says what it is).

// RedactFields are the fields [Vault.Redact] can redact. "relation" is
// every relative's relation, "harm" every harm of every relative.
var RedactFields = []string{"testimony", "pseudonym", "location", "language", "interviewer", "relation", "harm"}

// RedactOptions say what to redact of an interview.
type RedactOptions struct {
	// Text is the exact passage to redact, wherever it occurs in Field, or
	// in every field of [RedactFields] if Field is empty. Empty: the
	// whole of Field.
	Text string
	// Field is one of [RedactFields], or "" for all of them.
	Field string
	// With is the description put in place of the passage, shown as
	// [With]. Empty: "redacted".
	With string
}

// RedactReport says what a redaction does (or did).
type RedactReport struct {
	Interview string `json:"interview"`
	Field     string `json:"field"`
	Revisions int    `json:"revisions"`
	Places    int    `json:"places"`
}

// PlanRedaction says what [Vault.Redact] would do, changing nothing. The
// error wraps [ErrNotFound] if the passage is in no revision of the
// interview, [ErrInvalid] for bad options; it never repeats the passage.
func (v *Vault) PlanRedaction(ctx context.Context, idOrPrefix string, opts RedactOptions) (*RedactReport, error) {
	_, rep, err := v.planRedaction(ctx, idOrPrefix, &opts)
	return rep, err
}

// Redact replaces the passage opts names, in every revision of the
// interview that holds it, by [description], as a signed redaction that
// bundles carry to teammates and that their vaults apply, to what they have
// and to what arrives later. The revisions keep their IDs. The vault is
// then checkpointed under a new data key and the old one erased, so the
// passage leaves the snapshot, the journal and the search index on disk
// (see docs/THREAT-MODEL.md for what a disk, or a bundle already sent,
// keeps). The audit log records who redacted which field of which
// interview, and how many revisions: never the passage.
func (v *Vault) Redact(ctx context.Context, idOrPrefix string, opts RedactOptions) (*RedactReport, error) {
	if err := v.writable(); err != nil {
		return nil, err
	}
	d, rep, err := v.planRedaction(ctx, idOrPrefix, &opts)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(v.member.SigningKey, append([]byte(redactionDomain), body...))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	details := fmt.Sprintf("field %s, %d revisions, %d places", rep.Field, rep.Revisions, rep.Places)
	if err := v.commit(&change{Redactions: []redactionRecord{{Body: body, Sig: sig}}, Audit: v.event(EventRedact, rep.Interview, details)}); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	if err := optimizeSearch(ctx, v.conn); err != nil {
		return rep, err
	}
	if err := v.Checkpoint(ctx); err != nil {
		return rep, fmt.Errorf("redacted, but the checkpoint that removes the passage from disk failed (it will run at the next close): %w", err)
	}
	return rep, nil
}

// planRedaction works out the redaction opts asks for, unsigned.
func (v *Vault) planRedaction(ctx context.Context, idOrPrefix string, opts *RedactOptions) (*redaction, *RedactReport, error) {
	if err := v.ready(); err != nil {
		return nil, nil, err
	}
	if opts.Field != "" && !contains(RedactFields, opts.Field) {
		return nil, nil, fmt.Errorf("%w: field must be one of %s", ErrInvalid, strings.Join(RedactFields, ", "))
	}
	if opts.Text == "" && opts.Field == "" {
		return nil, nil, fmt.Errorf("%w: say what to redact: a passage, a field, or both", ErrInvalid)
	}
	if err := checkText("the passage", opts.Text); err != nil {
		return nil, nil, err
	}
	opts.With = strings.TrimSpace(opts.With)
	if opts.With == "" {
		opts.With = "redacted"
	}
	opts.With = "[" + strings.TrimSuffix(strings.TrimPrefix(opts.With, "["), "]") + "]"
	if err := checkRedactionWith(opts.With); err != nil {
		return nil, nil, err
	}
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, nil, err
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT id, body, testimony, proof FROM revisions WHERE interview = ? ORDER BY seq`, id)
	if err != nil {
		return nil, nil, err
	}
	type stored struct {
		id        string
		body      []byte
		testimony string
		proof     []byte
	}
	var revs []stored
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.id, &s.body, &s.testimony, &s.proof); err != nil {
			rows.Close()
			return nil, nil, err
		}
		revs = append(revs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	field := opts.Field
	if field == "" {
		field = "all"
	}
	d := &redaction{Interview: id, Field: field, With: opts.With, RedactedAt: v.Now().UTC().Format(time.RFC3339Nano),
		Author: v.member.Name, AuthorKey: []byte(v.member.SigningKey.Public().(ed25519.PublicKey))}
	rep := &RedactReport{Interview: id, Field: field}
	for _, s := range revs {
		edits, err := findEdits(s.id, s.body, s.testimony, opts)
		if err != nil {
			return nil, nil, err
		}
		if len(edits) == 0 {
			continue
		}
		if len(s.proof) > 0 {
			// Format 3: whole words go (revision3_redact.go).
			if edits, err = alignEdits(s.id, s.body, s.testimony, s.proof, edits); err != nil {
				return nil, nil, err
			}
		}
		b, t, err := applyEdits(s.body, s.testimony, edits, opts.With)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRedacted(s.id, s.body, s.testimony, b, t, opts, len(s.proof) > 0); err != nil {
			return nil, nil, err
		}
		if len(s.proof) > 0 {
			if _, _, _, err := redactV3(s.id, s.body, s.testimony, s.proof, edits, opts.With); err != nil {
				return nil, nil, err
			}
		}
		rr := redactedRevision{ID: s.id, After: contentHash(b, t), Edits: edits}
		if len(s.proof) > 0 {
			if p, err := parseProof(s.id, s.proof); err != nil {
				return nil, nil, err
			} else if p.redacted() {
				rr.Before = contentHash(s.body, s.testimony) // redacted before
			}
		} else if r, err := loadRevision(s.id, s.body, s.testimony); err == nil {
			if got, _ := r.computeID(); got != s.id {
				rr.Before = contentHash(s.body, s.testimony) // redacted before
			}
		}
		d.Revisions = append(d.Revisions, rr)
		rep.Revisions++
		rep.Places += len(edits)
	}
	if rep.Revisions == 0 {
		return nil, nil, fmt.Errorf("%w in %s of interview %s", ErrNoSuchPassage, fieldWords(opts.Field), id)
	}
	return d, rep, nil
}

func fieldWords(field string) string {
	if field == "" {
		return "any field"
	}
	return "its " + field
}

// findEdits returns the ranges of a stored revision that opts redacts.
func findEdits(id string, body []byte, testimony string, opts *RedactOptions) ([]redactEdit, error) {
	var edits []redactEdit
	if opts.Field == "" || opts.Field == "testimony" {
		var spans []span
		if strings.Contains(testimony, "{{") {
			spans, _ = parseSpans(testimony)
		}
		for _, r := range occurrences(testimony, opts.Text) {
			for _, s := range spans {
				if r[0] < s.end && s.start < r[0]+r[1] {
					return nil, fmt.Errorf("%w: in revision %s the passage overlaps a sensitive span's marker; choose a passage outside it", ErrInvalid, short(id))
				}
			}
			edits = append(edits, redactEdit{Part: "testimony", Offset: r[0], Length: r[1]})
		}
	}
	if _, err := loadRevision(id, body, ""); err != nil {
		return nil, err
	}
	// Each readable value where the body holds it.
	vals, err := readableValues(string(body))
	if err != nil {
		return nil, err
	}
	// A quote is a passage of the testimony: what is redacted from the
	// testimony is redacted from its quotes too (else the quote would keep
	// it in the clear, in every revision and bundle), so that a quote of
	// the passage stays current. A quote's label is the person's own
	// words, redacted with every field.
	want := func(field string) bool {
		switch field {
		case "tag":
			return false
		case "quote text":
			return opts.Field == "" || opts.Field == "testimony"
		case "quote label":
			return opts.Field == ""
		}
		return opts.Field == "" || opts.Field == field
	}
	for _, val := range vals {
		if !want(val.field) {
			continue
		}
		var text string
		if err := json.Unmarshal(append(append([]byte{'"'}, body[val.start:val.end]...), '"'), &text); err != nil {
			return nil, fmt.Errorf("%w: revision %s's %s cannot be read", ErrDamaged, short(id), val.field)
		}
		if text == "" || text == opts.With {
			continue
		}
		if string(jsonText(text)) != string(body[val.start:val.end]) {
			return nil, fmt.Errorf("%w: revision %s's %s is not stored as this version writes it", ErrDamaged, short(id), val.field)
		}
		if opts.Text == "" {
			edits = append(edits, redactEdit{Part: "body", Offset: val.start, Length: val.end - val.start})
			continue
		}
		for _, r := range occurrences(text, opts.Text) {
			off := val.start + len(jsonText(text[:r[0]]))
			edits = append(edits, redactEdit{Part: "body", Offset: off, Length: len(jsonText(opts.Text))})
		}
	}
	sortEdits(edits)
	return edits, nil
}

// occurrences returns the offset and length of each non-overlapping
// occurrence of text in s; with text empty, all of s (if any).
func occurrences(s, text string) [][2]int {
	if text == "" {
		if s == "" {
			return nil
		}
		return [][2]int{{0, len(s)}}
	}
	var out [][2]int
	for i := 0; ; {
		j := strings.Index(s[i:], text)
		if j < 0 {
			return out
		}
		out = append(out, [2]int{i + j, len(text)})
		i += j + len(text)
	}
}

func sortEdits(edits []redactEdit) {
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && (edits[j].Part < edits[j-1].Part || (edits[j].Part == edits[j-1].Part && edits[j].Offset < edits[j-1].Offset)); j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
}

// checkRedacted checks that a redaction changed what it meant to and
// nothing else, and that the result is a revision teammates will accept.
// Of a format 3 revision (words: the passage widened to whole words), that
// it changed only readable text.
func checkRedacted(id string, body []byte, testimony string, newBody []byte, newTestimony string, opts *RedactOptions, words bool) error {
	before, err := loadRevision(id, body, testimony)
	if err != nil {
		return err
	}
	after, err := loadRevision(id, newBody, newTestimony)
	if err != nil {
		return fmt.Errorf("%w: redacting revision %s would damage it", ErrInvalid, short(id))
	}
	if words {
		if err := keepsShape(before, newBody, newTestimony); err != nil {
			return fmt.Errorf("%w: redacting revision %s would change more than its text", ErrInvalid, short(id))
		}
		return nil
	}
	want := *before
	want.Record = cloneInterview(before.Record)
	r := &want.Record
	replace := func(field string, s *string) {
		if opts.Field != "" && opts.Field != field {
			return
		}
		if opts.Text == "" {
			if *s != "" && *s != opts.With {
				*s = opts.With
			}
			return
		}
		*s = strings.ReplaceAll(*s, opts.Text, opts.With)
	}
	for _, f := range []struct {
		name string
		s    *string
	}{{"testimony", &r.Testimony}, {"pseudonym", &r.Pseudonym}, {"location", &r.Location}, {"language", &r.Language}, {"interviewer", &r.Interviewer}} {
		replace(f.name, f.s)
	}
	for i := range r.Relatives {
		replace("relation", &r.Relatives[i].Relation)
		for j := range r.Relatives[i].Harms {
			replace("harm", &r.Relatives[i].Harms[j])
		}
	}
	r.Quotes = slices.Clone(r.Quotes)
	for i := range r.Quotes {
		replace("testimony", &r.Quotes[i].Text)
		replace("quote label", &r.Quotes[i].Label) // with every field only
	}
	if !reflect.DeepEqual(&want, after) {
		return fmt.Errorf("%w: redacting revision %s would change more than the passage", ErrInvalid, short(id))
	}
	if err := after.validate(); err != nil {
		return fmt.Errorf("redacting revision %s would leave it invalid: %w", short(id), err)
	}
	return nil
}

// checkRedactionWith checks a description a redaction puts in a revision:
// checkWith, and "[…]" with no bracket inside (else "[a] words of one's
// own [b]" reads as two descriptions around the author's words) and no
// invisible format character (a bidi override turns the author's words
// after it around on screen). Redactions stored before it are read with
// checkWith alone.
func checkRedactionWith(with string) error {
	if err := checkWith(with); err != nil {
		return err
	}
	bad := fmt.Errorf("%w: the description must be [text] with no bracket inside and no invisible format character", ErrInvalid)
	if len(with) < 2 || with[0] != '[' || with[len(with)-1] != ']' || strings.ContainsAny(with[1:len(with)-1], "[]［］") {
		return bad
	}
	if checkLine("the description", with) != nil {
		return bad
	}
	return nil
}
