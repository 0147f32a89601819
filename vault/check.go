package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"filippo.io/age"
	"github.com/tvault/tvault/internal/fsx"
)

// CheckResult is one line of a vault check.
type CheckResult struct {
	What    string `json:"what"`
	OK      bool   `json:"ok"`
	Details string `json:"details"`
}

// Check verifies everything the open vault holds: the database's integrity,
// every revision's hash and signature, every sealed item's hash, the heads,
// and the key slots' format. Open has already authenticated the snapshot
// and every journal frame. Check changes nothing; open the vault read-only
// to keep it so.
func (v *Vault) Check(ctx context.Context) ([]CheckResult, error) {
	if err := v.ready(); err != nil {
		return nil, err
	}
	var out []CheckResult
	add := func(what string, ok bool, format string, args ...any) {
		out = append(out, CheckResult{What: what, OK: ok, Details: fmt.Sprintf(format, args...)})
	}

	add("snapshot", true, "vault.age decrypts and authenticates (%d bytes, generation %d)", v.snapshotSize, v.journal.Gen)
	add("journal", true, "%d frames since the snapshot, each authenticated and in order", v.journal.Seq)
	for _, w := range v.warnings {
		add("journal", true, "warning: %s", w)
	}

	ok, details := v.checkPins(ctx)
	add("custodian", ok, "%s", details)

	var integrity string
	if err := v.conn.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil {
		return nil, err
	}
	add("database", integrity == "ok", "SQLite integrity check: %s", integrity)

	// Revisions: hash and signature, or for a redacted one its redaction's
	// (redact.go).
	rc, err := v.newRedactionChecker(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := v.conn.QueryContext(ctx, `SELECT id, body, testimony, sig, proof FROM revisions`)
	if err != nil {
		return nil, err
	}
	n, bad := 0, 0
	var firstBad string
	for rows.Next() {
		var id, testimony string
		var body, sig, proof []byte
		if err := rows.Scan(&id, &body, &testimony, &sig, &proof); err != nil {
			rows.Close()
			return nil, err
		}
		n++
		if err := rc.verify(ctx, id, body, testimony, proof, sig); err != nil {
			bad++
			if firstBad == "" {
				firstBad = err.Error()
			}
		}
	}
	rows.Close()
	if bad == 0 {
		add("revisions", true, "%d revisions, every hash and signature verified%s", n, rc.summary())
	} else {
		add("revisions", false, "%d of %d revisions fail: %s", bad, n, firstBad)
	}

	// Sealed items: named by the hash of their ciphertext.
	rows, err = v.conn.QueryContext(ctx, `SELECT id, data FROM sealed`)
	if err != nil {
		return nil, err
	}
	n, bad = 0, 0
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return nil, err
		}
		n++
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != id {
			bad++
		}
	}
	rows.Close()
	add("sealed", bad == 0, "%d sealed items, %d with a wrong hash (they cannot be opened here: that needs the custodian key)", n, bad)

	// Parents: of the same interview as their child. A link across
	// interviews is ignored for heads (a bundle accepted before parents
	// were checked, or whose parent arrived later).
	var crossLinks int
	if err := v.conn.QueryRowContext(ctx, `
		SELECT count(*) FROM parents p JOIN revisions c ON c.id = p.revision JOIN revisions r ON r.id = p.parent
		WHERE c.interview != r.interview`).Scan(&crossLinks); err != nil {
		return nil, err
	}
	add("parents", crossLinks == 0, "%d revisions name a parent of another interview (ignored for heads)", crossLinks)

	// Heads: exactly the revisions no other revision of their interview
	// names as a parent. Every lookup goes through a key (heads by interview
	// and revision): by revision alone it was a scan per revision, and
	// check of 200,000 interviews did not finish in 45 minutes.
	var wrongHeads int
	if err := v.conn.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM heads h WHERE EXISTS (SELECT 1 FROM parents p JOIN revisions c ON c.id = p.revision
		                                                   WHERE p.parent = h.revision AND c.interview = h.interview))
		     + (SELECT count(*) FROM revisions r WHERE NOT EXISTS (SELECT 1 FROM parents p JOIN revisions c ON c.id = p.revision
		                                                           WHERE p.parent = r.id AND c.interview = r.interview)
		                                     AND NOT EXISTS (SELECT 1 FROM heads h WHERE h.interview = r.interview AND h.revision = r.id))
		     + (SELECT count(*) FROM interviews i WHERE i.heads != (SELECT count(*) FROM heads h WHERE h.interview = i.id))`).Scan(&wrongHeads); err != nil {
		return nil, err
	}
	var conflicts int
	v.conn.QueryRowContext(ctx, `SELECT count(*) FROM interviews WHERE heads > 1`).Scan(&conflicts)
	add("heads", wrongHeads == 0, "%d inconsistencies; %d interviews in conflict (two or more heads)", wrongHeads, conflicts)

	blobs, problems, err := v.checkBlobs(ctx)
	if err != nil {
		return nil, err
	}
	if len(problems) == 0 {
		add("attachments", true, "%d attachment files, each the file recorded on arrival (sealed ones checked as written: opening them needs the custodian key)", blobs)
	}
	for _, p := range problems {
		add("attachments", false, "%s", p)
	}

	if v.data != nil {
		add("data key", true, "keys/%s.age holds generation %d's data key and authenticates vault.age", v.data.file, v.data.gen)
	} else {
		add("data key", true, "warning: no data key (a vault of the old format; the next checkpoint adds one)")
	}

	// Tombstones: each matched by a purge here.
	planted, err := v.plantedTombstones(ctx)
	if err != nil {
		return nil, err
	}
	var tombs int
	v.conn.QueryRowContext(ctx, `SELECT count(*) FROM tombstones`).Scan(&tombs)
	if len(planted) == 0 {
		add("tombstones", true, "%d tombstones, none without a matching purge", tombs)
	}
	for _, p := range planted {
		add("tombstones", false, "%s: planted, not purged here; export refuses to send it", p)
	}

	// Key slots: each must at least be an age file.
	slots, _ := slotPaths(v.dir)
	badSlots := 0
	for _, s := range slots {
		data, err := fsx.ReadRegular(s)
		if err != nil || !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n")) {
			badSlots++
			continue
		}
		if _, err := age.ExtractHeader(bytes.NewReader(data)); err != nil {
			badSlots++
		}
	}
	add("key slots", badSlots == 0, "%d slots, %d malformed (a slot's content can only be checked with its passphrase)", len(slots), badSlots)

	if tmps, _ := filepath.Glob(filepath.Join(v.dir, "."+snapshotName+".tmp-*")); len(tmps) > 0 {
		add("leftovers", true, "warning: %d temporary snapshot files from an interrupted checkpoint (removed at the next open for writing)", len(tmps))
	}
	return out, nil
}
