package vault

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/fsx"
)

// Bundles.
//
// A bundle is one age file, encrypted to the members it is for. Its
// plaintext is three lines:
//
//	tvault bundle v1
//	{JSON body: exporter, created_at, tombstones, sealed, revisions}
//	base64 Ed25519 signature, by the exporter, of
//	"tvault bundle v1\n" + hex SHA-256 of the body line
//
// Identities and span secrets travel as they are stored: sealed to the
// custodian. Importing checks the exporter against the roster, the
// signature, every revision's hash and signature, every sealed item's hash
// and every tombstone's signature, and only then merges, in one save.

const (
	bundleMagic  = "tvault bundle v1"
	bundleDomain = bundleMagic + "\n"
	maxBundle    = 4 << 30
)

var (
	// ErrNotForMe means a bundle is not encrypted to this member.
	ErrNotForMe = errors.New("this bundle is not encrypted to you")
	// ErrUnknownSigner means a bundle's signer is not on the roster.
	ErrUnknownSigner = fmt.Errorf("%w: the bundle is signed by someone not on your team roster", ErrDamaged)
	// ErrMixedRecipients means post-quantum and classic recipients were
	// given for one bundle, which age cannot do.
	ErrMixedRecipients = errors.New("post-quantum (age1pq1…) and classic (age1…, ssh-…) recipients cannot be mixed in one bundle")
	// ErrRetiredCustodian means a bundle's current revisions use items
	// sealed to a custodian this vault rotated away from.
	ErrRetiredCustodian = errors.New("the bundle holds identities sealed to the custodian this vault rotated away from; the sender must rotate to the new custodian first")
	// ErrNoRecipients means an export names nobody to encrypt to.
	ErrNoRecipients = errors.New("a bundle needs at least one recipient")
)

type bundleMember struct {
	Name       string `json:"name"`
	Recipient  string `json:"recipient"`
	SigningKey []byte `json:"signing_key"`
}

type bundleBody struct {
	Exporter   bundleMember      `json:"exporter"`
	CreatedAt  string            `json:"created_at"`
	Tombstones []tombstoneRecord `json:"tombstones"`
	Sealed     []sealedRecord    `json:"sealed"`
	Revisions  []revisionRecord  `json:"revisions"`
	// AuditHead is the exporter's audit log head when it exported: the
	// number and hash of its last event. Importers remember it per member,
	// and notice if a later bundle's log is shorter.
	AuditHead *bundleAuditHead `json:"audit_head,omitempty"`
}

type bundleAuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

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
}

type sentMark struct {
	Revisions  int64 `json:"revisions"`
	Tombstones int64 `json:"tombstones"`
}

// ExportFile writes a signed bundle to a new file at path. The bundle goes
// to a temporary file beside path first, so that a failed export leaves no
// half bundle, and never replaces a file, even one that appears meanwhile:
// if path exists the error wraps fs.ErrExist.
func (v *Vault) ExportFile(path string, opts ExportOptions) (*ExportReport, error) {
	var rep *ExportReport
	err := fsx.CreateExclusive(path, func(f *os.File) error {
		var err error
		rep, err = v.Export(f, opts)
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
	return rep, nil
}

// Export writes a signed bundle to w.
func (v *Vault) Export(w io.Writer, opts ExportOptions) (*ExportReport, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if v.broken != nil {
		return nil, v.broken
	}
	ctx := context.Background()
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

	// What the members in To have been sent already.
	var since sentMark
	if opts.SinceLast && len(opts.To) > 0 {
		since = sentMark{Revisions: 1 << 62, Tombstones: 1 << 62}
		for _, name := range opts.To {
			m, err := v.sentMark(ctx, name)
			if err != nil {
				return nil, err
			}
			since.Revisions = min(since.Revisions, m.Revisions)
			since.Tombstones = min(since.Tombstones, m.Tombstones)
		}
	}

	ids, err := v.selectInterviews(ctx, opts.IDs, opts.Tags)
	if err != nil {
		return nil, err
	}
	report := &ExportReport{}
	body := bundleBody{CreatedAt: v.Now().UTC().Format(time.RFC3339)}
	_, card, err := v.Card()
	if err != nil {
		return nil, err
	}
	body.Exporter = bundleMember{Name: card.Name, Recipient: card.Recipient, SigningKey: card.SigningKey}
	if seq, hash, err := auditHead(ctx, v.conn); err == nil && seq > 0 {
		body.AuditHead = &bundleAuditHead{Seq: seq, Hash: hash}
	}
	var current sentMark
	v.conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM revisions`).Scan(&current.Revisions)
	v.conn.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM tombstones`).Scan(&current.Tombstones)

	stmts := map[string]string{
		"state":  `SELECT (SELECT max(seq) FROM revisions WHERE interview = ?), shareable FROM interviews WHERE id = ?`,
		"revs":   `SELECT id, body, testimony, sig FROM revisions WHERE interview = ? ORDER BY seq`,
		"sealed": `SELECT id, data FROM sealed WHERE interview = ?`,
	}
	prepared := map[string]*sql.Stmt{}
	for k, q := range stmts {
		st, err := v.conn.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		prepared[k] = st
	}
	for i, id := range ids {
		if opts.Progress != nil && (i%500 == 0 || i == len(ids)-1) {
			opts.Progress(i+1, len(ids))
		}
		var newest int64
		var shareable bool
		if err := prepared["state"].QueryRowContext(ctx, id, id).Scan(&newest, &shareable); err != nil {
			return nil, err
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
		rows, err := prepared["revs"].QueryContext(ctx, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var rec revisionRecord
			var b []byte
			if err := rows.Scan(&rec.ID, &b, &rec.Testimony, &rec.Sig); err != nil {
				rows.Close()
				return nil, err
			}
			rec.Body = b
			body.Revisions = append(body.Revisions, rec)
		}
		rows.Close()
		rows, err = prepared["sealed"].QueryContext(ctx, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			rec := sealedRecord{Interview: id}
			if err := rows.Scan(&rec.ID, &rec.Data); err != nil {
				rows.Close()
				return nil, err
			}
			body.Sealed = append(body.Sealed, rec)
		}
		rows.Close()
		report.Interviews++
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT body, sig FROM tombstones WHERE seq > ? ORDER BY seq`, since.Tombstones)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t tombstoneRecord
		var b []byte
		if err := rows.Scan(&b, &t.Sig); err != nil {
			rows.Close()
			return nil, err
		}
		t.Body = b
		body.Tombstones = append(body.Tombstones, t)
	}
	rows.Close()
	report.Revisions, report.Tombstones = len(body.Revisions), len(body.Tombstones)

	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	bodyBytes := bytes.TrimSuffix(js.Bytes(), []byte("\n"))
	sig := ed25519.Sign(v.member.SigningKey, bundleSigned(bodyBytes))
	aw, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, fmt.Errorf("cannot encrypt the bundle: %w", err)
	}
	for _, part := range [][]byte{[]byte(bundleDomain), bodyBytes, []byte("\n" + base64.StdEncoding.EncodeToString(sig) + "\n")} {
		if _, err := aw.Write(part); err != nil {
			return nil, err
		}
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	crypto.Wipe(js.Bytes())

	// Remember what each member was sent, for --since-last. Only a bundle of
	// everything moves the mark: a selection leaves the rest unsent.
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
	if err := v.commit(&change{KV: kv, Audit: v.event(EventExport, to, details)}); err != nil {
		return report, fmt.Errorf("the bundle was written, but the export could not be recorded: %w", err)
	}
	return report, nil
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

// bundleSigned is what a bundle's signature covers: the domain and the
// SHA-256 of the body. Signing the digest rather than the body keeps a
// large bundle from being hashed twice more with SHA-512 inside Ed25519.
func bundleSigned(body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte(bundleDomain + hex.EncodeToString(sum[:]))
}

// ImportReport says what a bundle brought.
type ImportReport struct {
	Signer       string `json:"signer"`
	Fingerprint  string `json:"fingerprint"`
	Revisions    int    `json:"revisions"`
	NewRevisions int    `json:"new_revisions"`
	Interviews   int    `json:"new_interviews"`
	Tombstones   int    `json:"tombstones"`
	Purged       int    `json:"purged"`
	Conflicts    int    `json:"conflicts"`
	// Warnings are what the import noticed but did not refuse.
	Warnings []string `json:"warnings,omitempty"`
}

// parseBundle splits a bundle's plaintext into its body and signature and
// decodes the body. It checks form only, not signatures.
func parseBundle(plain []byte) (*bundleBody, []byte, []byte, error) {
	rest, ok := bytes.CutPrefix(plain, []byte(bundleDomain))
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: not a tvault bundle", ErrDamaged)
	}
	bodyBytes, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: the bundle is truncated", ErrDamaged)
	}
	sigLine, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("%w: the bundle's signature line is malformed", ErrDamaged)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(string(sigLine))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, nil, nil, fmt.Errorf("%w: the bundle's signature line is malformed", ErrDamaged)
	}
	body := new(bundleBody)
	dec := json.NewDecoder(bytes.NewReader(bodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(body); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: the bundle's body does not parse", ErrDamaged)
	}
	if len(body.Exporter.SigningKey) != ed25519.PublicKeySize {
		return nil, nil, nil, fmt.Errorf("%w: the bundle names no signing key", ErrDamaged)
	}
	return body, bodyBytes, sig, nil
}

// Import decrypts a bundle with this member's key, verifies it, and merges
// it in one save: all or nothing. Importing a bundle twice, or an older one
// after a newer one, changes nothing: revisions are only ever added, and
// heads only move forward.
func (v *Vault) Import(r io.Reader) (*ImportReport, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if v.broken != nil {
		return nil, v.broken
	}
	ctx := context.Background()
	ar, err := age.Decrypt(bufio.NewReader(r), v.member.Identity)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, ErrNotForMe
		}
		return nil, fmt.Errorf("%w: not a bundle, or damaged (%v)", ErrDamaged, err)
	}
	plain, err := io.ReadAll(io.LimitReader(ar, maxBundle))
	defer crypto.Wipe(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: the bundle is truncated or altered (%v)", ErrDamaged, err)
	}
	body, bodyBytes, sig, err := parseBundle(plain)
	if err != nil {
		return nil, err
	}

	// The signer: this member, or one on the roster.
	key := ed25519.PublicKey(body.Exporter.SigningKey)
	report := &ImportReport{Fingerprint: crypto.Fingerprint(body.Exporter.Recipient, key)}
	if bytes.Equal(key, v.member.SigningKey.Public().(ed25519.PublicKey)) {
		report.Signer = v.member.Name
	} else {
		name, _, err := v.memberByKey(ctx, key)
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, fmt.Errorf("%w (fingerprint %s)", ErrUnknownSigner, report.Fingerprint)
		}
		report.Signer = name
	}
	if !ed25519.Verify(key, bundleSigned(bodyBytes), sig) {
		return nil, fmt.Errorf("%w: the bundle's signature does not verify", ErrDamaged)
	}

	// Every record, before anything is merged.
	ch := &change{Tombstones: body.Tombstones, Sealed: body.Sealed, Revisions: body.Revisions}
	tombstoned := map[string]bool{}
	own := []byte(v.member.SigningKey.Public().(ed25519.PublicKey))
	for i := range ch.Tombstones {
		t, err := ch.Tombstones[i].verify()
		if err != nil {
			return nil, err
		}
		// A purge destroys: only this member or one on the roster may order
		// it, whoever forwards it.
		if !bytes.Equal(t.AuthorKey, own) {
			name, _, err := v.memberByKey(ctx, t.AuthorKey)
			if err != nil {
				return nil, err
			}
			if name == "" {
				return nil, fmt.Errorf("%w: a purge in the bundle was ordered by someone not on your roster", ErrUnknownSigner)
			}
		}
		tombstoned[t.Interview] = true
	}
	hasSealed, err := v.conn.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM sealed WHERE id = ?)`)
	if err != nil {
		return nil, err
	}
	defer hasSealed.Close()
	state, err := v.conn.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ?),
		EXISTS (SELECT 1 FROM tombstones WHERE interview = ?), EXISTS (SELECT 1 FROM interviews WHERE id = ?)`)
	if err != nil {
		return nil, err
	}
	defer state.Close()
	isRetired, err := v.conn.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM kv WHERE ns = 'retired-sealed' AND key = ?)`)
	if err != nil {
		return nil, err
	}
	defer isRetired.Close()
	inBundle := map[string]bool{}
	for _, s := range ch.Sealed {
		sum := sha256.Sum256(s.Data)
		if hex.EncodeToString(sum[:]) != s.ID {
			return nil, fmt.Errorf("%w: sealed item %s does not match its hash", ErrDamaged, short(s.ID))
		}
		inBundle[s.ID] = true
	}
	isParent := map[string]bool{}
	for i := range ch.Revisions {
		rec := &ch.Revisions[i]
		rev, err := rec.revision()
		if err != nil {
			return nil, err
		}
		if err := rev.verify(rec.Sig); err != nil {
			return nil, err
		}
		for _, p := range rev.Parents {
			isParent[p] = true
		}
	}
	for i := range ch.Revisions {
		rev := ch.Revisions[i].rev
		if isParent[rev.ID] {
			// History: its sealed items may have been retired by a
			// custodian rotation. The heads must be complete.
			continue
		}
		for _, s := range rev.Sealed {
			var retired bool
			if err := isRetired.QueryRowContext(ctx, s).Scan(&retired); err != nil {
				return nil, err
			}
			if retired && !tombstoned[rev.Interview] {
				return nil, fmt.Errorf("%w: interview %s", ErrRetiredCustodian, rev.Interview)
			}
			if inBundle[s] {
				continue
			}
			var have bool
			if err := hasSealed.QueryRowContext(ctx, s).Scan(&have); err != nil {
				return nil, err
			}
			if !have && !tombstoned[rev.Interview] {
				return nil, fmt.Errorf("%w: the bundle lacks sealed item %s of interview %s", ErrDamaged, short(s), rev.Interview)
			}
		}
	}

	// What is new, counted before the merge.
	newInterviews := map[string]bool{}
	for i := range ch.Revisions {
		rec := &ch.Revisions[i]
		if tombstoned[rec.rev.Interview] {
			continue
		}
		var have, purged, known bool
		if err := state.QueryRowContext(ctx, rec.ID, rec.rev.Interview, rec.rev.Interview).Scan(&have, &purged, &known); err != nil {
			return nil, err
		}
		if !have && !purged {
			report.NewRevisions++
			if !known {
				newInterviews[rec.rev.Interview] = true
			}
		}
	}
	report.Interviews = len(newInterviews)
	for i := range ch.Tombstones {
		t, _ := ch.Tombstones[i].parse()
		var purged bool
		v.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tombstones WHERE interview = ?)`, t.Interview).Scan(&purged)
		if !purged {
			report.Purged++
		}
	}
	report.Revisions, report.Tombstones = len(ch.Revisions), len(ch.Tombstones)
	if h := body.AuditHead; h != nil && report.Signer != v.member.Name {
		var b []byte
		if err := v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = 'peer-audit' AND key = ?`, report.Fingerprint).Scan(&b); err == nil {
			var seen bundleAuditHead
			if json.Unmarshal(b, &seen) == nil && h.Seq < seen.Seq {
				report.Warnings = append(report.Warnings, fmt.Sprintf(
					"%s's audit log ends at event %d in this bundle, but at %d in one imported before: an old bundle, or a log that was rolled back or cut",
					report.Signer, h.Seq, seen.Seq))
			}
		}
		if len(report.Warnings) == 0 {
			mark, _ := json.Marshal(h)
			ch.KV = append(ch.KV, kvRecord{NS: "peer-audit", Key: report.Fingerprint, Value: mark})
		}
	}
	details := fmt.Sprintf("%d new revisions, %d new interviews, %d purged (fingerprint %s)",
		report.NewRevisions, report.Interviews, report.Purged, report.Fingerprint)
	if report.NewRevisions == 0 && report.Purged == 0 {
		// Nothing new: a bundle seen before. The vault stays exactly as it
		// was, audit log included.
		return report, nil
	}
	ch.Audit = v.event(EventImport, report.Signer, details)
	if err := v.commit(ch); err != nil {
		return nil, err
	}
	if report.Purged > 0 {
		optimizeSearch(ctx, v.conn)
		if err := v.Checkpoint(); err != nil {
			return report, fmt.Errorf("imported, but the checkpoint that removes purged interviews from disk failed (it will run at the next close): %w", err)
		}
	}
	v.conn.QueryRowContext(ctx, `SELECT count(*) FROM interviews WHERE heads > 1`).Scan(&report.Conflicts)
	return report, nil
}
