package vault

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tvault/tvault/crypto"
)

// A change is what one save adds to a vault: revisions and the sealed items
// they use. Changes only add: revisions are immutable and a revision the
// vault already has is skipped, so applying a change twice is the same as
// applying it once. The journal stores changes; replaying them rebuilds the
// vault's state after its snapshot.
type change struct {
	Tombstones []tombstoneRecord `json:"tombstones,omitempty"`
	Sealed     []sealedRecord    `json:"sealed,omitempty"`
	Revisions  []revisionRecord  `json:"revisions,omitempty"`
	// Redactions are signed redaction orders (redact.go).
	Redactions []redactionRecord `json:"redactions,omitempty"`
	// Local only, never in bundles:
	Team  []teamRecord  `json:"team,omitempty"`
	KV    []kvRecord    `json:"kv,omitempty"`
	Audit []auditRecord `json:"audit,omitempty"`
	// Custodian, when set, is the new custodian recipient, and RetireSealed
	// the items sealed to the old one: deleted, and refused if they come
	// back in a bundle.
	// CustodianProof is the new pin, signed by the old custodian's proof
	// key (pin.go): without it a change of custodian is damage.
	Custodian      string          `json:"custodian,omitempty"`
	CustodianProof *custodianProof `json:"custodian_proof,omitempty"`
	RetireSealed   []string        `json:"retire_sealed,omitempty"`
	// Drafts are the terminal UI's autosaves (draft.go).
	Drafts []draftRecord `json:"drafts,omitempty"`
	// DropTombstones are interviews whose planted tombstones are removed
	// (planted_drop.go). Local only, never in bundles.
	DropTombstones []string `json:"drop_tombstones,omitempty"`

	// indexTexts, when set, are the search index texts of the change's
	// testimonies, worked out beside the save (derive.go).
	indexTexts *indexTexts
	// preindexed are the new interviews whose testimony the save indexed
	// ahead (preindex.go), by interview ID.
	preindexed map[string]preindexed

	// replay is set when the change comes from this vault's own journal:
	// it was accepted once, so apply does not refuse it again for a rule
	// added since (a parent of another interview); check reports it.
	replay bool
	// rebase, set on an import, signs the redactions that carry a
	// teammate's over this vault's (redact_rebase.go).
	rebase *rebaseSigner
}

type teamRecord struct {
	Name    string `json:"name"`
	Card    []byte `json:"card,omitempty"`
	AddedAt string `json:"added_at,omitempty"`
	Remove  bool   `json:"remove,omitempty"`
}

type kvRecord struct {
	NS     string `json:"ns"`
	Key    string `json:"key"`
	Value  []byte `json:"value,omitempty"`
	Delete bool   `json:"delete,omitempty"`
}

type sealedRecord struct {
	ID        string `json:"id"`
	Interview string `json:"interview"`
	Data      []byte `json:"data"`
}

type revisionRecord struct {
	ID string `json:"id"`
	// Body is the revision as stored: its JSON with the testimony taken out.
	Body      json.RawMessage `json:"body"`
	Testimony string          `json:"testimony"`
	// Proof, of a format 3 revision (revision3.go): its salts' seed, or
	// once redacted its holes and salts. Absent before format 3.
	Proof json.RawMessage `json:"proof,omitempty"`
	Sig   []byte          `json:"sig"`

	rev *Revision // decoded, when the change was made here
	// viaRedaction: the revision is redacted, and verified through its
	// redaction rather than its own signature (redact.go).
	viaRedaction bool
}

func (r *revisionRecord) revision() (*Revision, error) {
	if r.rev != nil {
		return r.rev, nil
	}
	rev, err := loadRevision(r.ID, r.Body, r.Testimony)
	if err != nil {
		return nil, err
	}
	r.rev = rev
	return rev, nil
}

// applyStmts are the statements of apply, prepared once per transaction.
type applyStmts struct {
	sealed, revision, parent, delHead, children, parentInterview, head, heads,
	interviewRow, insInterview, updInterview, ftsDel, ftsIns, cjkDel, cjkIns, tag, tombstoned, retired *sql.Stmt
}

var applySQL = []struct {
	dst func(*applyStmts) **sql.Stmt
	sql string
}{
	{func(s *applyStmts) **sql.Stmt { return &s.sealed }, `INSERT OR IGNORE INTO sealed (id, interview, data) VALUES (?, ?, ?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.revision }, `INSERT OR IGNORE INTO revisions (id, interview, body, testimony, sig, proof) VALUES (?, ?, ?, ?, ?, ?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.parent }, `INSERT OR IGNORE INTO parents (revision, parent) VALUES (?, ?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.delHead }, `DELETE FROM heads WHERE interview = ? AND revision = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.children }, `SELECT p.revision, r.interview FROM parents p JOIN revisions r ON r.id = p.revision WHERE p.parent = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.parentInterview }, `SELECT interview FROM revisions WHERE id = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.head }, `INSERT OR IGNORE INTO heads (interview, revision) VALUES (?, ?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.heads }, `SELECT revision FROM heads WHERE interview = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.interviewRow }, `SELECT rowid FROM interviews WHERE id = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.insInterview }, `INSERT INTO interviews (rowid, id, revision, pseudonym, interviewed_on, tags, heads, updated_at, shareable)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid`},
	{func(s *applyStmts) **sql.Stmt { return &s.updInterview }, `UPDATE interviews SET revision = ?, pseudonym = ?, interviewed_on = ?, tags = ?,
		heads = ?, updated_at = ?, shareable = ? WHERE rowid = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.ftsDel }, `DELETE FROM testimony_fts WHERE rowid = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.ftsIns }, `INSERT INTO testimony_fts (rowid, testimony) VALUES (?, ?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.cjkDel }, `DELETE FROM cjk_fts WHERE rowid = ?`},
	{func(s *applyStmts) **sql.Stmt { return &s.cjkIns }, `INSERT INTO cjk_fts (rowid, pairs) VALUES (?, ?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.tag }, `INSERT OR IGNORE INTO codebook (tag) VALUES (?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.tombstoned }, `SELECT EXISTS (SELECT 1 FROM tombstones WHERE interview = ?)`},
	{func(s *applyStmts) **sql.Stmt { return &s.retired }, `SELECT EXISTS (SELECT 1 FROM kv WHERE ns = 'retired-sealed' AND key = ?)`},
}

func prepareApply(ctx context.Context, tx *sql.Tx) (*applyStmts, error) {
	st := &applyStmts{}
	for _, s := range applySQL {
		stmt, err := tx.PrepareContext(ctx, s.sql)
		if err != nil {
			st.close()
			return nil, err
		}
		*s.dst(st) = stmt
	}
	return st, nil
}

func (st *applyStmts) close() {
	for _, s := range applySQL {
		if stmt := *s.dst(st); stmt != nil {
			stmt.Close()
		}
	}
}

// apply adds a change to the database inside tx and brings the derived
// tables (heads, interviews, the search index) up to date.
func apply(ctx context.Context, tx *sql.Tx, ch *change) error {
	st, err := prepareApply(ctx, tx)
	if err != nil {
		return err
	}
	defer st.close()

	if err := applyLocal(ctx, tx, ch); err != nil {
		return err
	}
	if err := applyAudit(ctx, tx, ch.Audit); err != nil {
		return err
	}
	if err := applyDrafts(ctx, tx, ch.Drafts); err != nil {
		return err
	}
	if ch.Custodian != "" || ch.CustodianProof != nil {
		if err := applyCustodian(ctx, tx, ch); err != nil {
			return err
		}
	}
	for _, id := range ch.RetireSealed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sealed WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO kv (ns, key, value) VALUES ('retired-sealed', ?, x'')`, id); err != nil {
			return err
		}
	}
	for _, id := range ch.DropTombstones {
		if _, err := tx.ExecContext(ctx, `DELETE FROM tombstones WHERE interview = ?`, id); err != nil {
			return err
		}
	}
	// Tombstones first: a revision of a purged interview never comes back,
	// whichever order they arrive in.
	for _, t := range ch.Tombstones {
		if err := applyTombstone(ctx, tx, t); err != nil {
			return err
		}
	}
	redacted, err := applyRedactions(ctx, tx, ch)
	if err != nil {
		return err
	}
	if err := redactIncoming(ctx, tx, ch); err != nil {
		return err
	}
	purged := map[string]bool{}
	isPurged := func(interview string) (bool, error) {
		if p, ok := purged[interview]; ok {
			return p, nil
		}
		var p bool
		err := st.tombstoned.QueryRowContext(ctx, interview).Scan(&p)
		purged[interview] = p
		return p, err
	}
	for _, s := range ch.Sealed {
		if p, err := isPurged(s.Interview); err != nil || p {
			if err != nil {
				return err
			}
			continue
		}
		var retired bool
		if err := st.retired.QueryRowContext(ctx, s.ID).Scan(&retired); err != nil {
			return err
		}
		if retired {
			continue // sealed to a custodian this vault rotated away from
		}
		if _, err := st.sealed.ExecContext(ctx, s.ID, s.Interview, s.Data); err != nil {
			return err
		}
	}
	var touched []string
	isTouched := map[string]bool{}
	fresh := map[string]*Revision{}
	for i := range ch.Revisions {
		rec := &ch.Revisions[i]
		rev, err := rec.revision()
		if err != nil {
			return err
		}
		if p, err := isPurged(rev.Interview); err != nil || p {
			if err != nil {
				return err
			}
			continue
		}
		res, err := st.revision.ExecContext(ctx, rec.ID, rev.Interview, []byte(rec.Body), rec.Testimony, rec.Sig, nullBytes(rec.Proof))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // already here: changes are idempotent
		}
		fresh[rec.ID] = rev
		for _, p := range rev.Parents {
			if err := checkParent(ctx, st, ch, rec.ID, rev.Interview, p); err != nil {
				return err
			}
			if _, err := st.parent.ExecContext(ctx, rec.ID, p); err != nil {
				return err
			}
			if _, err := st.delHead.ExecContext(ctx, rev.Interview, p); err != nil {
				return err
			}
		}
		// A revision whose child arrived first is not a head.
		hasChild, err := hasChild(ctx, st, ch, rec.ID, rev.Interview, fresh)
		if err != nil {
			return err
		}
		if !hasChild {
			if _, err := st.head.ExecContext(ctx, rev.Interview, rec.ID); err != nil {
				return err
			}
		}
		if !isTouched[rev.Interview] {
			isTouched[rev.Interview] = true
			touched = append(touched, rev.Interview)
		}
	}

	for _, id := range redacted {
		if !isTouched[id] {
			isTouched[id] = true
			touched = append(touched, id)
		}
	}

	// The interviews table and the search index follow the heads. The index
	// is written last, in a run of its own: FTS5 flushes its pending terms
	// whenever another statement opens a savepoint, and a flush per
	// interview costs more than all the rest of a large add.
	type ftsEntry struct {
		rowid   int64
		existed bool
		marked  string
	}
	entries := make([]ftsEntry, 0, len(touched))
	indexed := map[string]bool{} // of ch.preindexed
	tagged := map[string]bool{}  // in the codebook now
	for _, id := range touched {
		head, n, shareable, err := newestHead(ctx, tx, st, id, fresh)
		if err != nil {
			return err
		}
		tags, _ := json.Marshal(head.Record.Tags)
		var rowid int64
		pre, isPre := ch.preindexed[id]
		if isPre {
			// Indexed ahead under the rowid its row takes now, as the
			// interview this head is: anything else would leave the
			// index wrong, so the save fails instead (never: a new
			// interview's ID is random, and its one revision the head).
			// If its row were here already, inserting it again fails on
			// the unique ID: no need to look it up first.
			if head.Record.Testimony != pre.marked {
				return fmt.Errorf("interview %s was indexed ahead of its save as another", id)
			}
			indexed[id] = true
			err = sql.ErrNoRows
		} else {
			err = st.interviewRow.QueryRowContext(ctx, id).Scan(&rowid)
		}
		existed := err == nil
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var at any // the next rowid
			if isPre {
				at = pre.rowid
			}
			err = st.insInterview.QueryRowContext(ctx, at, id, head.ID, head.Record.Pseudonym, head.Record.InterviewedOn,
				string(tags), n, head.CreatedAt, shareable).Scan(&rowid)
		case err == nil:
			_, err = st.updInterview.ExecContext(ctx, head.ID, head.Record.Pseudonym, head.Record.InterviewedOn,
				string(tags), n, head.CreatedAt, shareable, rowid)
		}
		if err != nil {
			return err
		}
		for _, t := range head.Record.Tags {
			if tagged[t] {
				continue
			}
			tagged[t] = true
			if _, err := st.tag.ExecContext(ctx, t); err != nil {
				return err
			}
		}
		if isPre {
			continue
		}
		entries = append(entries, ftsEntry{rowid: rowid, existed: existed, marked: head.Record.Testimony})
	}
	if len(indexed) != len(ch.preindexed) {
		// An interview indexed ahead whose revision was not stored (never:
		// see above) would leave its index entry behind.
		return fmt.Errorf("%d interviews indexed ahead of the save were not saved", len(ch.preindexed)-len(indexed))
	}
	texts := make([]indexText, len(entries))
	for i, e := range entries {
		texts[i] = ch.indexTexts.get(e.marked)
	}
	for i, e := range entries {
		if e.existed {
			if _, err := st.ftsDel.ExecContext(ctx, e.rowid); err != nil {
				return err
			}
		}
		if _, err := st.ftsIns.ExecContext(ctx, e.rowid, texts[i].public); err != nil {
			return err
		}
	}
	// The CJK pair index in a run of its own too, for the same reason.
	for i, e := range entries {
		if e.existed {
			if _, err := st.cjkDel.ExecContext(ctx, e.rowid); err != nil {
				return err
			}
		}
		if _, err := st.cjkIns.ExecContext(ctx, e.rowid, texts[i].pairs); err != nil {
			return err
		}
	}
	return nil
}

// applyLocal applies the parts of a change that only this vault has: the
// roster and local state.
func applyLocal(ctx context.Context, tx *sql.Tx, ch *change) error {
	for _, t := range ch.Team {
		if t.Remove {
			if _, err := tx.ExecContext(ctx, `DELETE FROM team WHERE name = ?`, t.Name); err != nil {
				return err
			}
			continue
		}
		c, err := crypto.ParseCard(t.Card)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team (name, recipient, signing_key, card, added_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET recipient = excluded.recipient, signing_key = excluded.signing_key,
				card = excluded.card, added_at = excluded.added_at`,
			c.Name, c.Recipient, []byte(c.SigningKey), t.Card, t.AddedAt); err != nil {
			return err
		}
	}
	for _, kv := range ch.KV {
		var err error
		if kv.Delete {
			_, err = tx.ExecContext(ctx, `DELETE FROM kv WHERE ns = ? AND key = ?`, kv.NS, kv.Key)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO kv (ns, key, value) VALUES (?, ?, ?)
				ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value`, kv.NS, kv.Key, kv.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// approxSize is about how many bytes the change takes in a journal frame.
func (ch *change) approxSize() int64 {
	var n int64
	for _, s := range ch.Sealed {
		n += int64(len(s.Data))*4/3 + 100
	}
	for _, r := range ch.Revisions {
		n += int64(len(r.Body)+len(r.Testimony)) + 200
	}
	return n + int64(len(ch.Tombstones)+len(ch.Audit)+len(ch.Team)+len(ch.KV))*300
}

// nullBytes is b for a nullable column: NULL when empty.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
