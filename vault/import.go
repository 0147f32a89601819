package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"github.com/tvault/tvault/crypto"
	"github.com/tvault/tvault/internal/bundlefmt"
)

// Importing: who may sign a bundle, what in it must verify, and how it
// merges. The bundle's form is internal/bundlefmt's.
//
// Identities and span secrets travel as they are stored: sealed to the
// custodian. Importing checks the exporter against the roster, the
// signature, every revision's hash and signature, every sealed item's hash
// and every tombstone's signature, and only then merges, in one save. (The
// search index of a bundle's new interviews is written into that save's
// transaction while the revisions are verified: import_preindex.go. A
// check that fails rolls it back.)

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
	// KeyChanges are teammates' member key rotations the bundle brought:
	// the user is to compare each new fingerprint out loud.
	KeyChanges []KeyChange `json:"key_changes,omitempty"`
	// Files is how many attachment files the bundle brought.
	Files int `json:"files"`
	// Redactions is how many redactions the bundle brought that the vault
	// did not have (redact.go).
	Redactions int `json:"redactions"`
	// Terms is how many entries of the team's sensitive terms the bundle
	// added or removed here (terms_sync.go).
	Terms int `json:"terms"`
	// Warnings are what the import noticed but did not refuse.
	Warnings []string `json:"warnings,omitempty"`
}

// Import decrypts a bundle with this member's key, verifies it, and merges
// it in one save: all or nothing. Importing a bundle twice, or an older one
// after a newer one, changes nothing: revisions are only ever added, and
// heads only move forward. If ctx is cancelled before the save, the vault
// is unchanged.
func (v *Vault) Import(ctx context.Context, r io.Reader) (*ImportReport, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	if v.broken != nil {
		return nil, v.broken
	}
	// The signer is checked on the header, before the body is read: a
	// stranger's bundle of any size costs one age chunk. Member key changes
	// travel in the header and are taken first: the signer may be a
	// member's new key.
	id, fromOldRecipient := v.bundleIdentity(ctx)
	defer func() { v.keys = nil }()
	var report *ImportReport
	var refused error
	// Attachment files stream into temporary blobs as they arrive; they
	// stay only if all of the bundle is taken.
	recv := &blobReceiver{v: v, files: map[string]*incoming{}}
	defer recv.drop()
	body, err := bundlefmt.ReadBlobs(r, id, func(h *bundlefmt.Header) error {
		if _, refused = v.takeKeyChanges(ctx, &bundlefmt.Body{KeyChanges: h.KeyChanges}); refused != nil {
			return refused
		}
		report, refused = v.checkSigner(ctx, h)
		return refused
	}, recv.take)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		switch {
		case refused != nil:
			return nil, refused
		case errors.As(err, &noMatch):
			return nil, ErrNotForMe
		case errors.Is(err, bundlefmt.ErrNewerKind):
			return nil, fmt.Errorf("%w: %v", ErrNewerBundle, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if body.Version < bundlefmt.Version && len(body.KeyChanges) > 0 {
		// A version 2 bundle carries its key changes in its body, read
		// only now: take them, and check the signer again with them.
		if _, err := v.takeKeyChanges(ctx, body); err != nil {
			return nil, err
		}
		if report, err = v.checkSigner(ctx, &bundlefmt.Header{Version: body.Version, Exporter: body.Exporter}); err != nil {
			return nil, err
		}
	}
	if err := v.checkAddressed(ctx, body, report); err != nil {
		return nil, err
	}
	v.keys.signer = body.Exporter.SigningKey
	if fromOldRecipient() {
		report.Warnings = append(report.Warnings, fmt.Sprintf("%s encrypted this bundle to your old member key, which you rotated away from: whoever holds that key could read it. Send %s a bundle, so that they learn your new key", report.Signer, report.Signer))
	}

	// Every record, before anything is merged.
	ch := bundleChange(body)
	ch.rebase = &rebaseSigner{key: v.member.SigningKey, name: v.member.Name, now: v.Now().UTC().Format(time.RFC3339Nano)}
	if err := v.applyKeyChanges(ctx, ch, report); err != nil {
		return nil, err
	}
	tombstoned, err := v.verifyTombstones(ctx, ch)
	if err != nil {
		return nil, err
	}
	if report.Redactions, err = v.importRedactions(ctx, ch, body); err != nil {
		return nil, err
	}
	// The revisions are verified on every core while this one indexes
	// the new interviews ahead, in the save's transaction
	// (import_preindex.go); then every check as before.
	verifying := startVerifying(ctx, ch.Revisions)
	defer verifying.cancel()
	tx := v.preindexBundle(ctx, ch, tombstoned)
	if tx != nil {
		defer tx.Rollback()
	}
	if err := v.verifyRevisions(ctx, ch, tombstoned, verifying.wait); err != nil {
		return nil, err
	}
	// What the search indexes will take of the other revisions that may
	// become heads, worked out on another core while the rest of the
	// import runs (derive.go).
	ch.indexTexts = deriveIndexTexts(headTexts(ch, tombstoned))

	if err := v.countNew(ctx, ch, tombstoned, report); err != nil {
		return nil, err
	}
	files, placed, err := recv.keep(ctx, ch, tombstoned)
	removePlaced := func() {
		for _, p := range placed {
			os.Remove(p)
		}
	}
	if err != nil {
		removePlaced()
		return nil, err
	}
	ch.KV = append(ch.KV, files...)
	report.Files = len(files)
	if err := v.checkAuditHead(ctx, body.AuditHead, ch, report); err != nil {
		return nil, err
	}
	if report.Terms, err = v.mergeTerms(ctx, body.Terms, ch); err != nil {
		return nil, err
	}
	if report.NewRevisions == 0 && report.Purged == 0 && len(report.KeyChanges) == 0 && len(files) == 0 && report.Redactions == 0 && report.Terms == 0 {
		// Nothing new: a bundle seen before. The vault stays exactly as it
		// was, audit log included.
		return report, nil
	}
	if err := ctx.Err(); err != nil {
		removePlaced()
		return nil, err
	}
	rep, err := v.mergeBundle(context.WithoutCancel(ctx), ch, report, tx)
	if err != nil && rep == nil {
		removePlaced()
	}
	return rep, err
}

// headTexts returns the marked testimony of the verified revisions of ch
// that no other of its revisions names as parent and whose interview is
// neither purged nor indexed ahead: those that may become heads.
func headTexts(ch *change, tombstoned map[string]bool) []string {
	parents := map[string]bool{}
	for i := range ch.Revisions {
		for _, p := range ch.Revisions[i].rev.Parents {
			parents[p] = true
		}
	}
	var marked []string
	for i := range ch.Revisions {
		rev := ch.Revisions[i].rev
		if _, pre := ch.preindexed[rev.Interview]; !parents[rev.ID] && !tombstoned[rev.Interview] && !pre {
			marked = append(marked, rev.Record.Testimony)
		}
	}
	return marked
}

// checkSigner checks, on a bundle's header, that it is signed by this
// member or one on the roster, that the exporter it names is that member
// (its recipient is the roster's), and, if the header names them (version
// 3), that the signer addressed it to this member. The report it returns
// names the signer as the roster does, and its fingerprint as the roster
// has it. The signature itself is bundlefmt's to verify.
func (v *Vault) checkSigner(ctx context.Context, h *bundlefmt.Header) (*ImportReport, error) {
	key := ed25519.PublicKey(h.Exporter.SigningKey)
	own := v.member.Identity.Recipient().String()
	report := &ImportReport{}
	var recipient string
	if bytes.Equal(key, v.member.SigningKey.Public().(ed25519.PublicKey)) {
		report.Signer, recipient = v.member.Name, own
	} else {
		name, r, err := v.memberByKey(ctx, key)
		if err != nil {
			return nil, err
		}
		if name == "" {
			if err := v.retiredSigner(ctx, key); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w (fingerprint %s)", ErrUnknownSigner, crypto.Fingerprint(h.Exporter.Recipient, key))
		}
		report.Signer, recipient = name, r
	}
	report.Fingerprint = crypto.Fingerprint(recipient, key)
	if h.Exporter.Recipient != recipient {
		// The signing key is a member's, but the rest of the exporter is
		// not: what the bundle says of its exporter is not to be trusted,
		// nor keyed on (the audit head check is per member).
		return nil, fmt.Errorf("%w: the bundle's exporter has a signing key on your roster (fingerprint %s) but another recipient", ErrUnknownSigner, report.Fingerprint)
	}
	if h.Version >= 3 && !v.addressedToMe(ctx, h.Recipients) {
		return nil, ErrNotAddressed
	}
	return report, nil
}

// checkAddressed checks, once a bundle is read and its signature verified,
// that it was addressed to this member (version 2 names its recipients in
// its body, after the exporter), or warns that it cannot say (version 1).
func (v *Vault) checkAddressed(ctx context.Context, body *bundlefmt.Body, report *ImportReport) error {
	if body.Version == 1 {
		report.Warnings = append(report.Warnings, "the bundle is in the previous format (v1), whose signature does not cover whom it was sent to: anyone it was sent to could have passed it on to you")
	} else if !v.addressedToMe(ctx, body.Recipients) {
		return ErrNotAddressed
	}
	return nil
}

// bundleChange returns a bundle's records as a change to save.
func bundleChange(body *bundlefmt.Body) *change {
	ch := &change{
		Tombstones: make([]tombstoneRecord, len(body.Tombstones)),
		Sealed:     make([]sealedRecord, len(body.Sealed)),
		Revisions:  make([]revisionRecord, len(body.Revisions)),
	}
	for i, t := range body.Tombstones {
		ch.Tombstones[i] = tombstoneRecord(t)
	}
	for i, s := range body.Sealed {
		ch.Sealed[i] = sealedRecord(s)
	}
	for i, r := range body.Revisions {
		ch.Revisions[i] = revisionRecord{ID: r.ID, Body: r.Body, Testimony: r.Testimony, Proof: r.Proof, Sig: r.Sig}
	}
	return ch
}

// errOffRoster is authorName's answer for a key that is neither this
// member's nor on the roster.
var errOffRoster = errors.New("not on the roster")

// authorName returns the name under which this vault knows the member whose
// signing key is key: its own member's, or the roster's. A key that is
// neither is errOffRoster. One rule for everything a bundle brings that a
// member signed (revisions, purge orders) whoever forwards it: a member on
// the roster may forward, not vouch for, what others signed.
func (v *Vault) authorName(ctx context.Context, key []byte) (string, error) {
	if bytes.Equal(key, v.member.SigningKey.Public().(ed25519.PublicKey)) {
		return v.member.Name, nil
	}
	name, _, err := v.memberByKey(ctx, key)
	if err != nil {
		return "", err
	}
	if name == "" {
		return v.retiredAuthor(ctx, key) // errOffRoster if never a member's
	}
	return name, nil
}

// checkAuditHead compares the exporter's audit head with the one seen in
// the last bundle from the same member: a shorter log is a warning. If there
// is none, ch remembers the new head.
//
// The head is remembered under the roster's fingerprint of the signer
// (checkSigner made sure the bundle's exporter is that member), so a
// member cannot start afresh by naming another recipient; and a bundle
// without a head, from a member whose earlier bundle had one, is warned
// about like a shorter log.
func (v *Vault) checkAuditHead(ctx context.Context, h *bundlefmt.AuditHead, ch *change, report *ImportReport) error {
	if report.Signer == v.member.Name {
		return nil
	}
	var b []byte
	shorter := false
	if err := v.conn.QueryRowContext(ctx, `SELECT value FROM kv WHERE ns = 'peer-audit' AND key = ?`, report.Fingerprint).Scan(&b); err == nil {
		var seen bundlefmt.AuditHead
		switch {
		case json.Unmarshal(b, &seen) != nil:
		case h == nil:
			shorter = true
			report.Warnings = append(report.Warnings, fmt.Sprintf(
				"%s's bundle has no audit log head, but one imported before ended at event %d: a log that was removed, or a bundle altered by a modified tvault",
				report.Signer, seen.Seq))
		case h.Seq < seen.Seq:
			shorter = true
			report.Warnings = append(report.Warnings, fmt.Sprintf(
				"%s's audit log ends at event %d in this bundle, but at %d in one imported before: an old bundle, or a log that was rolled back or cut",
				report.Signer, h.Seq, seen.Seq))
		}
	} else if err := ctx.Err(); err != nil {
		return err
	}
	if h != nil && !shorter {
		mark, _ := json.Marshal(h)
		ch.KV = append(ch.KV, kvRecord{NS: "peer-audit", Key: report.Fingerprint, Value: mark})
	}
	return nil
}

// mergeBundle saves a verified bundle's change, in tx if the import began
// it (import_preindex.go). Its caller passes a ctx that is not cancelled:
// once saved, the import has happened, and what follows is housekeeping.
func (v *Vault) mergeBundle(ctx context.Context, ch *change, report *ImportReport, tx *sql.Tx) (*ImportReport, error) {
	details := fmt.Sprintf("%d new revisions, %d new interviews, %d purged, %d redactions (fingerprint %s)",
		report.NewRevisions, report.Interviews, report.Purged, report.Redactions, report.Fingerprint) + keyChangeDetails(report)
	ch.Audit = v.event(EventImport, report.Signer, details)
	var err error
	if tx != nil {
		err = v.commitTx(tx, ch)
	} else {
		err = v.commit(ch)
	}
	if err != nil {
		return nil, err
	}
	if report.Purged > 0 || len(report.KeyChanges) > 0 || report.Redactions > 0 {
		// A purge leaves the disk, redacted text the old generations, and
		// a retired key the roster, for good: a journal cut back (anyone
		// who can write to the folder can cut it) must not undo any.
		if report.Purged > 0 || report.Redactions > 0 {
			optimizeSearch(ctx, v.conn)
		}
		if err := v.Checkpoint(ctx); err != nil {
			return report, fmt.Errorf("imported, but the checkpoint that makes it final (purged interviews and redacted text off the disk, retired keys off the roster) failed (it will run at the next close): %w", err)
		}
		if err := v.sweepBlobs(ctx); err != nil {
			return report, fmt.Errorf("imported, but the files of purged attachments could not all be removed (the next open retries): %w", err)
		}
	}
	v.conn.QueryRowContext(ctx, `SELECT count(*) FROM interviews WHERE heads > 1`).Scan(&report.Conflicts)
	return report, nil
}

// verifyAll decodes every revision and checks its hash and signature, on
// every core: the costliest part of an import (JSON, SHA-256, Ed25519), and
// each revision's check stands alone. The error is the first revision's in
// bundle order, whichever core found it, so that a bad bundle is always
// refused with the same message.
func verifyAll(ctx context.Context, recs []revisionRecord) error {
	errs := make([]error, len(recs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(recs) || ctx.Err() != nil {
					return
				}
				errs[i] = recs[i].verifyAny()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
