package vault

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The audit log.
//
// Every unlock, failed unlock, custodian reveal, export, import, purge and
// key or roster change is an event. Events form a hash chain: each names the
// hash of the one before it, and each is signed by the member key of the
// vault that recorded it. Events travel through the journal like any save,
// so an acknowledged event survives a crash. Events never hold testimony,
// names or secrets: an interview ID, a slot or member name, a count.

// Event kinds.
const (
	EventUnlock       = "unlock"
	EventUnlockFailed = "unlock-failed"
	EventReveal       = "reveal"
	// EventRevealFailed is a reveal refused: a wrong custodian passphrase,
	// a file that is not a custodian key, or another custodian's key. Its
	// details say which, never with the passphrase.
	EventRevealFailed = "reveal-failed"
	EventExport       = "export"
	EventImport       = "import"
	EventPurge        = "purge"
	EventRedact       = "redact"
	EventKeyAdded     = "key-added"
	EventKeyRemoved   = "key-removed"
	EventPasswd       = "passwd"
	EventTeamAdd      = "team-add"
	EventTeamRemove   = "team-remove"
	EventAttach       = "attach"
	EventQuote        = "quote"
	EventPublish      = "publish"
)

// Event is one audit event.
type Event struct {
	Seq     int64  `json:"seq"`
	Time    string `json:"time"`
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	Details string `json:"details,omitempty"`
	Author  string `json:"author"`
	// AuthorKey is the Ed25519 key that signed the event.
	AuthorKey []byte `json:"author_key"`
	// Prev is the hash of the previous event, "" for the first.
	Prev string `json:"prev"`
}

type auditRecord struct {
	Body json.RawMessage `json:"body"`
	Hash string          `json:"hash"`
	Sig  []byte          `json:"sig"`
}

const auditDomain = "tvault audit v1\n"

func auditHash(body []byte) string {
	sum := sha256.Sum256(append([]byte(auditDomain), body...))
	return hex.EncodeToString(sum[:])
}

// auditHead returns the sequence number and hash of the last event.
func auditHead(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, string, error) {
	var seq int64
	var hash string
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return seq, hash, err
}

// newEvents builds signed events that continue the chain.
func (v *Vault) newEvents(ctx context.Context, events ...Event) ([]auditRecord, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	seq, prev, err := auditHead(ctx, v.conn)
	if err != nil {
		return nil, err
	}
	now := v.Now().UTC().Format(time.RFC3339Nano)
	var out []auditRecord
	for _, e := range events {
		seq++
		e.Seq, e.Prev = seq, prev
		if e.Time == "" {
			e.Time = now
		}
		e.Author = v.member.Name
		e.AuthorKey = []byte(v.member.SigningKey.Public().(ed25519.PublicKey))
		body, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		hash := auditHash(body)
		sig := ed25519.Sign(v.member.SigningKey, []byte(auditDomain+hash))
		out = append(out, auditRecord{Body: body, Hash: hash, Sig: sig})
		prev = hash
	}
	return out, nil
}

// event returns the records of one event, to go in the change it audits.
func (v *Vault) event(kind, subject, details string) []auditRecord {
	recs, err := v.newEvents(v.ctx, Event{Kind: kind, Subject: subject, Details: details})
	if err != nil {
		// Reading the chain's head from memory cannot fail short of a
		// broken database, which the commit will report.
		return nil
	}
	return recs
}

// record adds events to the audit log and makes them durable.
func (v *Vault) record(events ...Event) error {
	recs, err := v.newEvents(v.ctx, events...)
	if err != nil {
		return err
	}
	return v.commit(&change{Audit: recs})
}

func applyAudit(ctx context.Context, tx *sql.Tx, recs []auditRecord) error {
	for _, r := range recs {
		var e Event
		if err := json.Unmarshal(r.Body, &e); err != nil {
			return fmt.Errorf("%w: an audit event does not parse", ErrDamaged)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO audit (seq, body, hash, sig) VALUES (?, ?, ?, ?)`,
			e.Seq, []byte(r.Body), r.Hash, r.Sig); err != nil {
			return err
		}
	}
	return nil
}

// Audit returns the audit log, oldest first.
func (v *Vault) Audit(ctx context.Context) ([]Event, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT body FROM audit ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e Event
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("%w: an audit event does not parse", ErrDamaged)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditProblem is one break in the audit chain.
type AuditProblem struct {
	Seq     int64  `json:"seq"`
	Problem string `json:"problem"`
}

// VerifyAudit checks the audit chain: every event's hash, signature and link
// to the one before, numbering without gaps, and that the chain ends where
// the vault's recorded head says. It returns the number of events and every
// problem found; an altered, reordered or deleted event is one.
func (v *Vault) VerifyAudit(ctx context.Context) (int, []AuditProblem, error) {
	if err := v.ready(); err != nil {
		return 0, nil, err
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT seq, body, hash, sig FROM audit ORDER BY seq`)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	// This member's keys: the current one and those it rotated away from
	// (keychange.go). A retired key signs nothing after its rotation event.
	own, replaced, err := v.ownKeys(ctx)
	if err != nil {
		return 0, nil, err
	}
	retired := map[string]bool{}
	var problems []AuditProblem
	n := 0
	var wantSeq int64 = 1
	prev := ""
	for rows.Next() {
		var seq int64
		var body, sig []byte
		var hash string
		if err := rows.Scan(&seq, &body, &hash, &sig); err != nil {
			return 0, nil, err
		}
		n++
		bad := func(format string, args ...any) {
			problems = append(problems, AuditProblem{Seq: seq, Problem: fmt.Sprintf(format, args...)})
		}
		var e Event
		if err := json.Unmarshal(body, &e); err != nil {
			bad("does not parse")
			continue
		}
		if seq != wantSeq {
			bad("expected event %d here: events are missing or reordered", wantSeq)
		}
		if e.Seq != seq {
			bad("numbered %d inside, stored as %d: moved", e.Seq, seq)
		}
		if auditHash(body) != hash {
			bad("altered: its content does not match its hash")
		}
		if e.Prev != prev {
			bad("does not follow the event before it: an event was deleted, inserted or reordered")
		}
		author := hex.EncodeToString(e.AuthorKey)
		switch {
		case !own[author] || !ed25519.Verify(ed25519.PublicKey(e.AuthorKey), []byte(auditDomain+hash), sig):
			bad("bad signature")
		case retired[author]:
			bad("signed with a member key retired before it")
		case e.Kind == EventMemberKeyRotated && replaced[author] != "":
			retired[replaced[author]] = true
		}
		prev, wantSeq = hash, seq+1
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	return n, problems, nil
}
