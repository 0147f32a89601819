package vault

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Summary is an interview as listed: no testimony, no identity.
type Summary struct {
	ID            string   `json:"id"`
	Pseudonym     string   `json:"pseudonym"`
	InterviewedOn string   `json:"interviewed_on"`
	Tags          []string `json:"tags"`
	// Heads is the number of head revisions; more than one is a conflict.
	Heads int `json:"heads"`
}

// View is one interview as `tvault show` prints it: the pseudonymised
// interview with spans as [description], and its history.
type View struct {
	Interview
	Heads     int            `json:"heads"`
	Revisions []RevisionInfo `json:"revisions"`
	// Sealed reports whether an identity or span secrets are sealed to the
	// custodian; their content cannot be read here.
	Sealed bool `json:"sealed"`
	// Marked is the stored testimony, spans as {{#N|description}}: what an
	// editor round-trips. It holds no secret.
	Marked string `json:"-"`
}

// RevisionInfo describes one revision.
type RevisionInfo struct {
	ID        string   `json:"id"`
	Parents   []string `json:"parents"`
	Author    string   `json:"author"`
	CreatedAt string   `json:"created_at"`
	// RedactedBy names, as the roster does, the member whose redaction
	// this revision shows (redact.go). Of a format 3 revision the
	// redactor vouches for the [descriptions] only, and the author's
	// signature covers the rest; of a format 1 or 2 revision the
	// author's signature no longer covers it, and the redactor vouches
	// for all of it.
	RedactedBy string `json:"redacted_by,omitempty"`
}

// Resolve turns an ID or a unique prefix of one (at least 4 characters) into
// an interview ID.
func (v *Vault) Resolve(prefix string) (string, error) {
	if err := v.ready(); err != nil {
		return "", err
	}
	prefix = strings.ToLower(strings.TrimSpace(prefix))
	if prefix == "" {
		return "", fmt.Errorf("%w: empty ID", ErrNotFound)
	}
	ctx := v.ctx
	var id string
	err := v.conn.QueryRowContext(ctx, `SELECT id FROM interviews WHERE id = ?`, prefix).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if len(prefix) < 4 || strings.ContainsAny(prefix, "%_") {
		return "", fmt.Errorf("%w: %q", ErrNotFound, prefix)
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT id FROM interviews WHERE id LIKE ? || '%' LIMIT 2`, prefix)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%w: %q", ErrNotFound, prefix)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%w: %q", ErrAmbiguous, prefix)
}

// headRevisions returns the head revisions of an interview, newest first.
func (v *Vault) headRevisions(ctx context.Context, interview string) ([]*Revision, error) {
	rows, err := v.conn.QueryContext(ctx, `
		SELECT r.id, r.body, r.testimony FROM heads h JOIN revisions r ON r.id = h.revision
		WHERE h.interview = ?`, interview)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var revs []*Revision
	for rows.Next() {
		var id, testimony string
		var body []byte
		if err := rows.Scan(&id, &body, &testimony); err != nil {
			return nil, err
		}
		r, err := loadRevision(id, body, testimony)
		if err != nil {
			return nil, err
		}
		revs = append(revs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortNewestFirst(revs)
	return revs, nil
}

// sortNewestFirst sorts in O(n log n): a member can send thousands of heads
// of one interview (an insertion sort took seconds at 20,000).
func sortNewestFirst(revs []*Revision) {
	slices.SortFunc(revs, func(a, b *Revision) int {
		switch {
		case newer(a, b):
			return -1
		case newer(b, a):
			return 1
		}
		return 0
	})
}

func newer(a, b *Revision) bool {
	if a.CreatedAt != b.CreatedAt {
		return a.CreatedAt > b.CreatedAt
	}
	return a.ID > b.ID
}

// List returns every interview, by date of interview then pseudonym.
func (v *Vault) List(ctx context.Context) ([]Summary, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	return v.summaries(ctx, `SELECT id, pseudonym, interviewed_on, tags, heads FROM interviews
		ORDER BY interviewed_on, pseudonym, id`)
}

func (v *Vault) summaries(ctx context.Context, query string, args ...any) ([]Summary, error) {
	rows, err := v.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var s Summary
		var tags string
		if err := rows.Scan(&s.ID, &s.Pseudonym, &s.InterviewedOn, &tags, &s.Heads); err != nil {
			return nil, err
		}
		if err := unmarshalTags(tags, &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Get returns one interview by ID or unique ID prefix. With several heads it
// shows the newest and reports the count.
func (v *Vault) Get(idOrPrefix string) (*View, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	id, err := v.Resolve(idOrPrefix)
	if err != nil {
		return nil, err
	}
	ctx := v.ctx
	heads, err := v.headRevisions(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(heads) == 0 {
		return nil, fmt.Errorf("%w: interview %s has no head revision", ErrDamaged, id)
	}
	head := heads[0]
	view := &View{Interview: head.Record, Heads: len(heads), Marked: head.Record.Testimony}
	view.ID = id
	view.Testimony = RenderPublic(head.Record.Testimony)
	view.Sealed = len(head.Sealed) > 0

	rows, err := v.conn.QueryContext(ctx, `SELECT id, body FROM revisions WHERE interview = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	view.Revisions = []RevisionInfo{}
	names := map[string]string{}
	for rows.Next() {
		var rid string
		var body []byte
		if err := rows.Scan(&rid, &body); err != nil {
			return nil, err
		}
		r, err := loadRevision(rid, body, "")
		if err != nil {
			return nil, err
		}
		name, ok := names[string(r.AuthorKey)]
		if !ok {
			if name, err = v.signerName(ctx, r.AuthorKey); err != nil {
				return nil, err
			}
			names[string(r.AuthorKey)] = name
		}
		view.Revisions = append(view.Revisions, RevisionInfo{ID: rid, Parents: r.Parents, Author: name, CreatedAt: r.CreatedAt})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return view, v.markRedacted(ctx, view.Revisions)
}

// Count returns the number of interviews.
func (v *Vault) Count() (int, error) {
	if err := v.ready(); err != nil {
		return 0, err
	}
	var n int
	err := v.conn.QueryRowContext(v.ctx, `SELECT count(*) FROM interviews`).Scan(&n)
	return n, err
}

// unmarshalTags decodes the tags column, a JSON array of strings, into
// s.Tags. Tags as tvault writes them (["a","b"]: no space, no escape) are
// cut out of the column without encoding/json, which cost a quarter of
// list's time per row; anything else goes to encoding/json, so what is
// accepted or refused as damaged is unchanged.
func unmarshalTags(tags string, s *Summary) error {
	if t, ok := plainTags(tags); ok {
		s.Tags = t
		return nil
	}
	if err := json.Unmarshal([]byte(tags), &s.Tags); err != nil {
		return fmt.Errorf("%w: tags of interview %s", ErrDamaged, s.ID)
	}
	return nil
}

// signerName is how history names the signer of a revision: as this vault
// knows its key (its own member, or the roster), never by the name the
// revision claims, which its signer chose. A key no longer on the roster
// is shown by its first bytes.
func (v *Vault) signerName(ctx context.Context, key []byte) (string, error) {
	name, err := v.authorName(ctx, key)
	if errors.Is(err, errOffRoster) {
		if gone, err := v.removedMemberName(ctx, key); err != nil || gone != "" {
			return gone + " (removed)", err
		}
		return fmt.Sprintf("unknown signer (key %x)", key[:min(len(key), 8)]), nil
	}
	return name, err
}

// plainTags decodes a JSON array of strings that has no space and no escape
// and is valid UTF-8, as encoding/json would; ok is false for anything else.
func plainTags(in string) (tags []string, ok bool) {
	if len(in) < 2 || in[0] != '[' || in[len(in)-1] != ']' {
		return nil, false
	}
	body := in[1 : len(in)-1]
	if body == "" {
		return []string{}, true
	}
	tags = make([]string, 0, strings.Count(body, ",")+1)
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := 1
		for end < len(body) && body[end] != '"' {
			// A control character is refused by JSON, a backslash starts an
			// escape: encoding/json decides.
			if c := body[end]; c < 0x20 || c == '\\' {
				return nil, false
			}
			end++
		}
		if end == len(body) {
			return nil, false
		}
		tag := body[1:end]
		if !utf8.ValidString(tag) {
			return nil, false // encoding/json replaces bad bytes
		}
		tags = append(tags, tag)
		body = body[end+1:]
		if body == "" {
			return tags, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}
