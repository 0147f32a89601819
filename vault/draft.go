package vault

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
)

// Drafts
//
// A draft is unsaved work on an interview, autosaved by the terminal UI. It
// lives inside the encrypted database like everything else, never in a file
// of its own. But the database opens with the vault passphrase, and a draft
// is typed before the identity and span secrets are sealed, so a draft keeps
// only the public part readable: new spans become [description], and the
// identity and span secrets are sealed to the custodian, as a save would.
// Someone holding the laptop and the passphrase learns from a draft no more
// than from a saved interview.

// Draft is a saved draft, as read back: public fields only.
type Draft struct {
	// Key identifies the draft.
	Key string
	// Interview is the ID of the interview the draft edits, or "" for a new
	// interview.
	Interview string
	// Record is the pseudonymised interview. Its testimony keeps the
	// {{#N|…}} markers of saved spans, and of the draft's own spans, whose
	// secrets are in Seal.
	Record Interview
	// Sealed reports whether the draft held an identity or span secrets,
	// now sealed to the custodian: they cannot be read back here.
	Sealed bool
	// Seal is the sealed part, to pass on in [Input].Sealed so that a later
	// draft or the save keeps it; nil if nothing was sealed (or the draft is
	// older than seals that can be kept).
	Seal      *DraftSeal
	UpdatedAt time.Time
}

// NewDraftKey returns a key for the draft of a new interview.
func NewDraftKey() string { return "draft-" + randomID() }

// SaveDraft stores in as the draft named key, replacing any earlier one.
// interview is the ID of the interview being edited, or "". The identity and
// the secrets of unsaved spans are sealed to the custodian before anything is
// stored, and so is every hit of [CheckNames] in the readable fields but
// place names, which are warnings: a name typed into the testimony becomes a
// span, one typed into another field reads [a name]. in.Sealed, the seal of the draft in continues, is kept as
// it is. in is not changed.
func (v *Vault) SaveDraft(key, interview string, in Input) error {
	if err := v.ready(); err != nil {
		return err
	}
	if key == "" {
		return errors.New("a draft needs a key")
	}
	rec := in.Interview
	rec.ID = ""
	rec.Tags = append([]string{}, rec.Tags...)
	rec.Relatives = append([]Relative{}, rec.Relatives...)
	for n := range rec.Relatives {
		rec.Relatives[n].Harms = append([]string{}, rec.Relatives[n].Harms...)
	}
	seal := &DraftSeal{}
	if in.Sealed != nil {
		*seal = *in.Sealed
		seal.parts = append([][]byte{}, in.Sealed.parts...)
	} else if interview != "" {
		heads, err := v.headRevisions(v.ctx, interview)
		if err != nil {
			return err
		}
		for _, h := range heads {
			seal.base = max(seal.base, h.SpanCount)
		}
		seal.spans = seal.base
	}
	payload := &sealedPayload{}
	// What would identify the interviewee is sealed, never in the clear:
	// in the testimony as a span, elsewhere replaced by [description].
	terms, err := v.Terms()
	if err != nil {
		return err
	}
	// Place names are warnings (see [Hit.Warning]): the draft keeps them
	// as typed, for the interviewer to judge at the save. Sealing each one
	// would turn every 北京 of a testimony into a span the interviewer can
	// no longer read back.
	var hits []Hit
	for _, h := range CheckNames(rec, in.Identity, terms) {
		if !h.Warning() {
			hits = append(hits, h)
		}
	}
	rec.Testimony = ProtectNames(rec.Testimony, hits)
	payload.Fields = redactFields(&rec, hits)
	rec.Testimony, payload.Spans = redactDraft(rec.Testimony, &seal.spans)
	if !in.Identity.empty() {
		payload.Identity = in.Identity
	}
	if payload.Identity != nil || len(payload.Spans) > 0 || len(payload.Fields) > 0 {
		plain, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		sealed, err := crypto.Seal(v.custodian, plain)
		// The plaintext copy of the identity is no longer needed.
		crypto.Wipe(plain)
		if err != nil {
			return fmt.Errorf("failed to seal the draft to the custodian: %w", err)
		}
		seal.parts = append(seal.parts, sealed)
		seal.identity = seal.identity || payload.Identity != nil
	}
	body, err := json.Marshal(draftBody{Interview: rec, Seal: seal.stored()})
	if err != nil {
		return err
	}
	var last []byte
	if len(seal.parts) > 0 {
		last = seal.parts[len(seal.parts)-1]
	}
	now := v.Now().UTC().Format(time.RFC3339Nano)
	// A draft is one journal frame: an autosave costs the same in a vault of
	// ten interviews as in one of ten thousand.
	return v.commit(&change{Drafts: []draftRecord{{Key: key, Interview: interview, Body: body, Sealed: last, UpdatedAt: now}}})
}

// draftRecord is a draft as a change carries it: stored, or (Delete)
// removed.
type draftRecord struct {
	Key       string          `json:"key"`
	Interview string          `json:"interview,omitempty"`
	Body      json.RawMessage `json:"body,omitempty"`
	Sealed    []byte          `json:"sealed,omitempty"`
	UpdatedAt string          `json:"updated_at,omitempty"`
	Delete    bool            `json:"delete,omitempty"`
}

func applyDrafts(ctx context.Context, tx *sql.Tx, drafts []draftRecord) error {
	for _, d := range drafts {
		var err error
		if d.Delete {
			_, err = tx.ExecContext(ctx, `DELETE FROM drafts WHERE key = ?`, d.Key)
		} else {
			_, err = tx.ExecContext(ctx, `
				INSERT INTO drafts (key, interview, body, sealed, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET interview = excluded.interview, body = excluded.body,
					sealed = excluded.sealed, updated_at = excluded.updated_at`,
				d.Key, d.Interview, string(d.Body), d.Sealed, d.UpdatedAt)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Drafts returns every draft, newest first.
func (v *Vault) Drafts() ([]Draft, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(v.ctx,
		`SELECT key, interview, body, sealed IS NOT NULL, updated_at FROM drafts ORDER BY updated_at DESC, key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Draft{}
	for rows.Next() {
		var d Draft
		var body, updated string
		if err := rows.Scan(&d.Key, &d.Interview, &body, &d.Sealed, &updated); err != nil {
			return nil, err
		}
		var b draftBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return nil, fmt.Errorf("%w: draft %s", ErrDamaged, short(d.Key))
		}
		d.Record, d.Seal = b.Interview, b.Seal.open()
		d.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDraft removes a draft; a missing one is not an error.
func (v *Vault) DeleteDraft(key string) error {
	if err := v.ready(); err != nil {
		return err
	}
	var n int
	err := v.conn.QueryRowContext(v.ctx, `SELECT count(*) FROM drafts WHERE key = ?`, key).Scan(&n)
	if err != nil || n == 0 {
		return err
	}
	return v.commit(&change{Drafts: []draftRecord{{Key: key, Delete: true}}})
}

// redactDraft returns the public form of testimony being typed: each new
// span {{secret|description}} becomes a marker {{#N|description}}, numbered
// from *spans+1, and its secret goes to secrets; saved markers {{#N|…}} stay.
// Text after a {{ that is not closed may be a secret half typed: it is
// withheld too, whole, as an "unfinished sensitive span".
func redactDraft(text string, spans *int) (public string, secrets map[int]string) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	secrets = map[int]string{}
	var b strings.Builder
	for {
		open := strings.Index(text, "{{")
		if open < 0 {
			b.WriteString(text)
			break
		}
		b.WriteString(text[:open])
		closing := strings.Index(text[open+2:], "}}")
		if closing < 0 {
			*spans++
			secrets[*spans] = text[open+2:]
			fmt.Fprintf(&b, "{{#%d|unfinished sensitive span}}", *spans)
			break
		}
		closing += open + 2
		inner := text[open+2 : closing]
		if _, ok := parseMarker(strings.SplitN(inner, "|", 2)[0]); ok {
			b.WriteString(text[open : closing+2])
		} else {
			secret, desc, _ := strings.Cut(inner, "|")
			desc = strings.TrimSpace(desc)
			if desc == "" || strings.Contains(desc, "{{") {
				desc = "sensitive"
			}
			*spans++
			secrets[*spans] = secret
			fmt.Fprintf(&b, "{{#%d|%s}}", *spans, desc)
		}
		text = text[closing+2:]
	}
	return b.String(), secrets
}

// DraftSecrets is what a draft sealed to the custodian.
type DraftSecrets struct {
	Identity *Identity `json:"identity,omitempty"`
	// Spans are the draft's spans as typed, {{secret|description}}.
	Spans []string `json:"spans,omitempty"`
	// Fields are the fields other than the testimony that held a hit of
	// [CheckNames], as typed: "location", "relatives[0].relation"…
	Fields map[string]string `json:"fields,omitempty"`
}

// RevealDraft opens the sealed part of a draft with the custodian identity,
// for recovering what was typed before a crash or a lock. It returns nil if
// the draft sealed nothing. Like [Vault.Reveal], it is recorded in the audit
// log (the draft's interview, or "draft"), and refused if it cannot be. The
// result is secret: show it, never store or log it.
func (v *Vault) RevealDraft(key string, custodian *age.HybridIdentity) (*DraftSecrets, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	var body, interview string
	var last []byte
	err := v.conn.QueryRowContext(v.ctx, `SELECT body, sealed, interview FROM drafts WHERE key = ?`, key).Scan(&body, &last, &interview)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no draft %q", ErrNotFound, key)
	}
	if err != nil || last == nil {
		return nil, err
	}
	var b draftBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return nil, fmt.Errorf("%w: draft %s", ErrDamaged, short(key))
	}
	parts := [][]byte{last}
	if b.Seal != nil {
		parts = b.Seal.Parts
	}
	out := &DraftSecrets{}
	secrets := map[int]string{}
	for _, part := range parts {
		plain, err := crypto.Unseal(custodian, part)
		if errors.Is(err, crypto.ErrWrongKey) {
			return nil, ErrWrongCustodianKey
		}
		if err != nil {
			return nil, fmt.Errorf("sealed draft: %w", err)
		}
		var p sealedPayload
		err = json.Unmarshal(plain, &p)
		crypto.Wipe(plain)
		if err != nil {
			return nil, fmt.Errorf("%w: sealed draft", ErrDamaged)
		}
		if p.Identity != nil {
			out.Identity = p.Identity
		}
		for n, s := range p.Spans {
			secrets[n] = s
		}
		for f, s := range p.Fields {
			if out.Fields == nil {
				out.Fields = map[string]string{}
			}
			out.Fields[f] = s
		}
	}
	for _, s := range markedSpans(b.Testimony) {
		if secret, ok := secrets[s.N]; ok {
			out.Spans = append(out.Spans, "{{"+secret+"|"+s.Description+"}}")
		}
	}
	if interview == "" {
		interview = "draft"
	}
	if err := v.record(Event{Kind: EventReveal, Subject: interview, Details: "draft, custodian " + shortFingerprint(custodian.Recipient().String())}); err != nil {
		return nil, fmt.Errorf("the reveal could not be recorded in the audit log, so it is refused: %w", err)
	}
	return out, nil
}
