package vault

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/internal/bundlefmt"
	"github.com/tvault/tvault/internal/fsx"
)

// Exporting: what goes into a bundle, for whom, and what the vault
// remembers having sent. The bundle's form is internal/bundlefmt's.

// ExportOptions select what a bundle holds and whom it is for.
type ExportOptions struct {
	// To are roster members to encrypt to.
	To []string
	// Recipients are more recipients: age1pq1…, age1…, ssh-…
	Recipients []age.Recipient
	// IDs and Tags select interviews (either matching); none selects all.
	IDs, Tags []string
	// SinceLast leaves out interviews that every member in To has already
	// been sent, unchanged, from this vault.
	SinceLast bool
	// IncludeUnshareable includes interviews whose consent forbids sharing.
	IncludeUnshareable bool
	// Progress, if set, is called as interviews are gathered.
	Progress func(done, total int)
}

// ExportReport says what went into a bundle.
type ExportReport struct {
	Interviews  int `json:"interviews"`
	Revisions   int `json:"revisions"`
	Tombstones  int `json:"tombstones"`
	Unshareable int `json:"left_out_unshareable"`
	// Files and FileBytes are the attachment files the bundle carries.
	Files     int   `json:"files"`
	FileBytes int64 `json:"file_bytes"`

	interviews []string // the interviews sent
	Redactions int      `json:"redactions"`
}

// sentMark is how far the revisions and tombstones sent to a member reach.
type sentMark struct {
	Revisions  int64 `json:"revisions"`
	Tombstones int64 `json:"tombstones"`
	// KeyChanges is how many member key changes the vault knew of.
	KeyChanges int64 `json:"key_changes,omitempty"`
	Redactions int64 `json:"redactions,omitempty"`
}

// ExportFile writes a signed bundle to a new file at path. The bundle goes
// to a temporary file beside path first, so that a failed or cancelled
// export leaves no half bundle, and never replaces a file, even one that
// appears meanwhile: if path exists the error wraps fs.ErrExist.
func (v *Vault) ExportFile(ctx context.Context, path string, opts ExportOptions) (*ExportReport, error) {
	// Refused before any file exists (Export checks again).
	if err := v.ready(); err != nil {
		return nil, err
	}
	if err := v.checkNoPlantedTombstones(ctx); err != nil {
		return nil, err
	}
	var rep *ExportReport
	var record func() error
	err := fsx.CreateExclusive(path, func(f *os.File) error {
		var err error
		rep, record, err = v.export(ctx, f, opts)
		return err
	})
	if errors.Is(err, fsx.ErrRenamedNotSynced) {
		// The bundle is whole and in place; only its folder's entry may not
		// survive a crash, which a file handed to a person can afford.
		err = nil
	}
	if err != nil {
		return nil, err
	}
	// Recorded only once the bundle is in place: an export that wrote no
	// bundle must not mark anything as sent.
	if err := record(); err != nil {
		return rep, fmt.Errorf("the bundle was written, but the export could not be recorded: %w", err)
	}
	return rep, nil
}

// NothingToSend is what the CLI and the terminal UI say when an export
// to members since the last one fails with [ErrNothingNew].
func NothingToSend(to []string) string {
	return fmt.Sprintf("Nothing new to send to %s since the last export: no bundle was written", strings.Join(to, ", "))
}

// Export writes a signed bundle to w. If ctx is cancelled before the bundle
// is gathered, nothing is written and the vault is unchanged.
func (v *Vault) Export(ctx context.Context, w io.Writer, opts ExportOptions) (*ExportReport, error) {
	report, record, err := v.export(ctx, w, opts)
	if err != nil {
		return nil, err
	}
	if err := record(); err != nil {
		return report, fmt.Errorf("the bundle was written, but the export could not be recorded: %w", err)
	}
	return report, nil
}

// export writes a signed bundle to w and returns the function that records
// the export (the audit event, what each member was sent), for the caller to
// call once the bundle is where it goes. Every export is recorded, so a vault
// that cannot record one (read-only, broken) refuses before writing.
func (v *Vault) export(ctx context.Context, w io.Writer, opts ExportOptions) (*ExportReport, func() error, error) {
	if err := v.ready(); err != nil {
		return nil, nil, err
	}
	if err := v.writable(); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	// Planted tombstones would purge teammates' interviews: refused.
	if err := v.checkNoPlantedTombstones(ctx); err != nil {
		return nil, nil, err
	}
	recipients, err := v.exportRecipients(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	since, err := v.sentSince(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	// How far this vault reaches now, read before gathering, so that the
	// marks never claim more than the bundle holds.
	var current sentMark
	v.conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM revisions`).Scan(&current.Revisions)
	v.conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM tombstones`).Scan(&current.Tombstones)
	v.conn.QueryRowContext(ctx, `SELECT count(*) FROM kv WHERE ns = ?`, kvKeyChanges).Scan(&current.KeyChanges)
	v.conn.QueryRowContext(ctx, `SELECT count(*) FROM kv WHERE ns = ?`, redactionNS).Scan(&current.Redactions)

	body, err := v.bundleHeader(ctx)
	if err != nil {
		return nil, nil, err
	}
	report := &ExportReport{}
	if err := v.gatherInterviews(ctx, body, report, opts, since); err != nil {
		return nil, nil, err
	}
	if body.Tombstones, err = v.gatherTombstones(ctx, since); err != nil {
		return nil, nil, err
	}
	if body.Redactions, err = v.gatherRedactions(ctx, body, since); err != nil {
		return nil, nil, err
	}
	if body.Terms, err = v.termEntries(ctx); err != nil {
		return nil, nil, err
	}
	// Every member key change known, always: a teammate who missed one
	// could not accept what the new key signs.
	if body.KeyChanges, err = v.keyChanges(ctx); err != nil {
		return nil, nil, err
	}
	// The files of the interviews sent, streamed from blobs/ (twice: the
	// header counts them first).
	body.Blobs = v.blobSource(ctx, report)
	report.Revisions, report.Tombstones, report.Redactions = len(body.Revisions), len(body.Tombstones), len(body.Redactions)
	if opts.SinceLast && report.Revisions == 0 && report.Tombstones == 0 && report.Redactions == 0 && current.KeyChanges <= since.KeyChanges {
		return nil, nil, ErrNothingNew
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := bundlefmt.Encrypt(w, body, v.member.SigningKey, recipients...); err != nil {
		return nil, nil, err
	}
	return report, func() error { return v.recordExport(opts, report, current) }, nil
}

// exportRecipients returns whom a bundle is encrypted to: the roster
// recipients of opts.To, and opts.Recipients.
func (v *Vault) exportRecipients(ctx context.Context, opts ExportOptions) ([]age.Recipient, error) {
	recipients := append([]age.Recipient{}, opts.Recipients...)
	for _, name := range opts.To {
		var r string
		if err := v.conn.QueryRowContext(ctx, `SELECT recipient FROM team WHERE name = ?`, name).Scan(&r); err != nil {
			return nil, fmt.Errorf("%w: %q", ErrNoMember, name)
		}
		hr, err := age.ParseHybridRecipient(r)
		if err != nil {
			return nil, fmt.Errorf("%w: roster recipient of %q", ErrDamaged, name)
		}
		recipients = append(recipients, hr)
	}
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	pq := 0
	for _, r := range recipients {
		if _, ok := r.(*age.HybridRecipient); ok {
			pq++
		}
	}
	if pq != 0 && pq != len(recipients) {
		return nil, ErrMixedRecipients
	}
	return recipients, nil
}

// sentSince returns what every member in opts.To has been sent already,
// for SinceLast; nothing otherwise.
func (v *Vault) sentSince(ctx context.Context, opts ExportOptions) (sentMark, error) {
	var since sentMark
	if !opts.SinceLast || len(opts.To) == 0 {
		return since, nil
	}
	since = sentMark{Revisions: 1 << 62, Tombstones: 1 << 62, KeyChanges: 1 << 62, Redactions: 1 << 62}
	for _, name := range opts.To {
		m, err := v.sentMark(ctx, name)
		if err != nil {
			return since, err
		}
		since.Revisions = min(since.Revisions, m.Revisions)
		since.Tombstones = min(since.Tombstones, m.Tombstones)
		since.KeyChanges = min(since.KeyChanges, m.KeyChanges)
		since.Redactions = min(since.Redactions, m.Redactions)
	}
	return since, nil
}

func (v *Vault) sentMark(ctx context.Context, name string) (sentMark, error) {
	var b []byte
	var m sentMark
	err := v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = 'sent' AND key = ?`, name).Scan(&b)
	if err != nil {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%w: sent mark of %q", ErrDamaged, name)
	}
	return m, nil
}

// bundleHeader returns a bundle body with its exporter, time and audit head
// and no records yet.
func (v *Vault) bundleHeader(ctx context.Context) (*bundlefmt.Body, error) {
	body := &bundlefmt.Body{CreatedAt: v.Now().UTC().Format(time.RFC3339)}
	_, card, err := v.Card()
	if err != nil {
		return nil, err
	}
	body.Exporter = bundlefmt.Member{Name: card.Name, Recipient: card.Recipient, SigningKey: card.SigningKey}
	if seq, hash, err := auditHead(ctx, v.conn); err == nil && seq > 0 {
		body.AuditHead = &bundlefmt.AuditHead{Seq: seq, Hash: hash}
	}
	return body, nil
}

// gatherInterviews adds the selected interviews' whole histories and sealed
// items to body, leaving out what was sent since and, unless asked, what
// may not be shared.
func (v *Vault) gatherInterviews(ctx context.Context, body *bundlefmt.Body, report *ExportReport, opts ExportOptions, since sentMark) error {
	ids, err := v.selectInterviews(ctx, opts.IDs, opts.Tags)
	if err != nil {
		return err
	}
	stmts := map[string]string{
		"state":  `SELECT (SELECT max(seq) FROM revisions WHERE interview = ?), shareable FROM interviews WHERE id = ?`,
		"revs":   `SELECT id, body, testimony, sig, proof FROM revisions WHERE interview = ? ORDER BY seq`,
		"sealed": `SELECT id, data FROM sealed WHERE interview = ?`,
	}
	prepared := map[string]*sql.Stmt{}
	for k, q := range stmts {
		st, err := v.conn.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer st.Close()
		prepared[k] = st
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if opts.Progress != nil && (i%500 == 0 || i == len(ids)-1) {
			opts.Progress(i+1, len(ids))
		}
		var newest int64
		var shareable bool
		if err := prepared["state"].QueryRowContext(ctx, id, id).Scan(&newest, &shareable); err != nil {
			return err
		}
		if newest <= since.Revisions {
			continue
		}
		if !shareable && !opts.IncludeUnshareable {
			report.Unshareable++
			continue
		}
		// The whole history: the receiver needs the parents to merge. Every
		// sealed item of an interview belongs to one of its revisions.
		revs, err := scanAll(ctx, prepared["revs"], id, func(rows *sql.Rows) (bundlefmt.Revision, error) {
			var rec bundlefmt.Revision
			var b, proof []byte
			err := rows.Scan(&rec.ID, &b, &rec.Testimony, &rec.Sig, &proof)
			rec.Body, rec.Proof = b, proof
			return rec, err
		})
		if err != nil {
			return err
		}
		body.Revisions = append(body.Revisions, revs...)
		report.interviews = append(report.interviews, id)
		sealed, err := scanAll(ctx, prepared["sealed"], id, func(rows *sql.Rows) (bundlefmt.Sealed, error) {
			rec := bundlefmt.Sealed{Interview: id}
			return rec, rows.Scan(&rec.ID, &rec.Data)
		})
		if err != nil {
			return err
		}
		body.Sealed = append(body.Sealed, sealed...)
		report.Interviews++
	}
	return nil
}

// scanAll runs st with arg and scans every row with scan.
func scanAll[T any](ctx context.Context, st *sql.Stmt, arg any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := st.QueryContext(ctx, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// gatherTombstones returns the purge orders after since.
func (v *Vault) gatherTombstones(ctx context.Context, since sentMark) ([]bundlefmt.Tombstone, error) {
	rows, err := v.conn.QueryContext(ctx, `SELECT body, sig FROM tombstones WHERE seq > ? ORDER BY seq`, since.Tombstones)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bundlefmt.Tombstone
	for rows.Next() {
		var t bundlefmt.Tombstone
		var b []byte
		if err := rows.Scan(&b, &t.Sig); err != nil {
			return nil, err
		}
		t.Body = b
		out = append(out, t)
	}
	return out, rows.Err()
}

// recordExport audits an export and remembers what each member was sent,
// for SinceLast. Only a bundle of everything moves the mark: a selection
// leaves the rest unsent.
func (v *Vault) recordExport(opts ExportOptions, report *ExportReport, current sentMark) error {
	var kv []kvRecord
	if len(opts.IDs) == 0 && len(opts.Tags) == 0 && len(opts.To) > 0 {
		mark, _ := json.Marshal(current)
		for _, name := range opts.To {
			kv = append(kv, kvRecord{NS: "sent", Key: name, Value: mark})
		}
	}
	to := strings.Join(opts.To, ", ")
	if n := len(opts.Recipients); n > 0 {
		to = strings.TrimPrefix(fmt.Sprintf("%s, %d other recipients", to, n), ", ")
	}
	details := fmt.Sprintf("%d interviews, %d revisions, %d purges", report.Interviews, report.Revisions, report.Tombstones)
	return v.commit(&change{KV: kv, Audit: v.event(EventExport, to, details)})
}

// selectInterviews returns the IDs of interviews matching any of ids (unique
// prefixes) or tags; all of them when both are empty.
func (v *Vault) selectInterviews(ctx context.Context, ids, tags []string) ([]string, error) {
	if len(ids) == 0 && len(tags) == 0 {
		rows, err := v.conn.QueryContext(ctx, `SELECT id FROM interviews ORDER BY rowid`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range ids {
		id, err := v.Resolve(p)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, t := range tags {
		rows, err := v.conn.QueryContext(ctx, `SELECT i.id FROM interviews i, json_each(i.tags) t WHERE t.value = ? ORDER BY i.rowid`, strings.ToLower(t))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		rows.Close()
	}
	return out, nil
}
