package vault

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations build the schema; migrations[i] takes user_version i to i+1.
// Each runs in its own transaction: its SQL, then its Go step if it has one
// (filling a new index from what is stored). Never edit one that has shipped:
// add another.
var migrations = []migration{
	{sql: `
-- Settings of this vault: format, custodian recipient, this member's keys.
-- The whole database is encrypted at rest, so secrets here are only ever
-- plaintext in memory.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;

-- The codebook: tags an interview may carry.
CREATE TABLE codebook (
	tag     TEXT PRIMARY KEY,
	builtin INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Immutable revisions. id is the SHA-256 of the canonical JSON of the
-- revision (body with testimony put back in); testimony is kept in its own
-- column so that substring scans need no JSON parsing. Testimony here is in
-- marked form: sensitive spans are {{#N|description}}, never the secret.
CREATE TABLE revisions (
	-- AUTOINCREMENT: a purge deletes rows, and a reused seq would hide a
	-- later revision from export --since-last.
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	id        TEXT NOT NULL UNIQUE,
	interview TEXT NOT NULL,
	body      TEXT NOT NULL,
	testimony TEXT NOT NULL,
	sig       BLOB NOT NULL
);
CREATE INDEX revisions_interview ON revisions (interview);

-- The parents of each revision, for finding heads when revisions arrive out
-- of order.
CREATE TABLE parents (
	revision TEXT NOT NULL,
	parent   TEXT NOT NULL,
	PRIMARY KEY (revision, parent)
) WITHOUT ROWID;
CREATE INDEX parents_parent ON parents (parent);

-- Head revisions of each interview: more than one is a conflict.
CREATE TABLE heads (
	interview TEXT NOT NULL,
	revision  TEXT NOT NULL,
	PRIMARY KEY (interview, revision)
) WITHOUT ROWID;

-- Sealed items: age ciphertext to the custodian recipient alone, holding an
-- identity and/or span secrets. id is the SHA-256 of the ciphertext.
CREATE TABLE sealed (
	id        TEXT PRIMARY KEY,
	interview TEXT NOT NULL,
	data      BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX sealed_interview ON sealed (interview);

-- One row per interview, for listing: the fields of the head shown.
CREATE TABLE interviews (
	rowid          INTEGER PRIMARY KEY,
	id             TEXT NOT NULL UNIQUE,
	revision       TEXT NOT NULL,
	pseudonym      TEXT NOT NULL,
	interviewed_on TEXT NOT NULL,
	tags           TEXT NOT NULL,
	heads          INTEGER NOT NULL,
	updated_at     TEXT NOT NULL,
	-- 1 when every head's consent allows sharing: what export may send.
	shareable      INTEGER NOT NULL DEFAULT 0
);

-- The team roster: members whose bundles this vault accepts. card is the
-- member's self-signed card as they gave it.
CREATE TABLE team (
	name        TEXT PRIMARY KEY,
	recipient   TEXT NOT NULL,
	signing_key BLOB NOT NULL UNIQUE,
	card        BLOB NOT NULL,
	added_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Signed tombstones of purged interviews (ID and time only). An interview
-- with a tombstone never comes back: its revisions are refused. seq orders
-- tombstones for --since-last exports.
CREATE TABLE tombstones (
	interview TEXT PRIMARY KEY,
	body      TEXT NOT NULL,
	sig       BLOB NOT NULL,
	seq       INTEGER NOT NULL
) WITHOUT ROWID;

-- The audit log: a hash chain of signed events (see audit.go).
CREATE TABLE audit (
	seq  INTEGER PRIMARY KEY,
	body TEXT NOT NULL,
	hash TEXT NOT NULL,
	sig  BLOB NOT NULL
);

-- Small local settings and state, by namespace: what was sent to whom.
CREATE TABLE kv (
	ns    TEXT NOT NULL,
	key   TEXT NOT NULL,
	value BLOB NOT NULL,
	PRIMARY KEY (ns, key)
) WITHOUT ROWID;

-- Full-text index of the public testimony (spans shown as [description]) of
-- each interview's head, keyed by interviews.rowid. The trigram tokenizer
-- finds any substring of three or more characters, which is what Chinese
-- needs: unicode61 would make one token of a whole run of Han characters.
-- Contentless: the text lives once, in revisions.
CREATE VIRTUAL TABLE testimony_fts USING fts5 (
	testimony,
	content = '',
	contentless_delete = 1,
	detail = none,
	tokenize = 'trigram'
);
-- No merging of index segments as part of each save: automerge made one
-- save cost five times more in a vault of 10,000 interviews than in one of
-- ten. Segments still merge when 64 pile up at a level (crisismerge; with
-- the default 16 a save still cost twice as much at 10,000), and a
-- checkpoint merges some more.
INSERT INTO testimony_fts (testimony_fts, rank) VALUES ('automerge', 0);
INSERT INTO testimony_fts (testimony_fts, rank) VALUES ('crisismerge', 64);
`},
	{sql: `
-- Drafts: unsaved work of the terminal UI, autosaved. key is the draft's
-- own ID; interview is the interview it edits, or '' for a new one. body is
-- the public part only (testimony with unsaved spans as [description]);
-- sealed holds the identity and span secrets, sealed to the custodian like
-- a saved identity, or NULL.
CREATE TABLE drafts (
	key        TEXT PRIMARY KEY,
	interview  TEXT NOT NULL,
	body       TEXT NOT NULL,
	sealed     BLOB,
	updated_at TEXT NOT NULL
) WITHOUT ROWID;
`},
	{sql: `
-- Two-character words of Chinese, Japanese and Korean (警察, 护照) are
-- common, and the trigram index has no token for them. This index holds, for
-- each interview's head, every pair of adjacent CJK characters of its public
-- testimony, space-separated, so that unicode61 makes each pair one token:
-- a two-character CJK query is an index lookup, exact without a scan.
-- Keyed by interviews.rowid, like testimony_fts; contentless too.
CREATE VIRTUAL TABLE cjk_fts USING fts5 (
	pairs,
	content = '',
	contentless_delete = 1,
	detail = none,
	tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO cjk_fts (cjk_fts, rank) VALUES ('automerge', 0);
INSERT INTO cjk_fts (cjk_fts, rank) VALUES ('crisismerge', 64);
-- A purge deletes the interview's row: its pairs go with it.
CREATE TRIGGER interviews_cjk_delete AFTER DELETE ON interviews BEGIN
	DELETE FROM cjk_fts WHERE rowid = old.rowid;
END;
`, fill: fillCJKIndex},
	{sql: `
-- Sealed items as an ordinary rowid table. WITHOUT ROWID keeps rows in a
-- b-tree built for small keys: a sealed item of 2-3 KB spilled into overflow
-- pages that were more than half empty (58% of the table's pages wasted).
CREATE TABLE sealed_rowid (
	rowid     INTEGER PRIMARY KEY,
	id        TEXT NOT NULL UNIQUE,
	interview TEXT NOT NULL,
	data      BLOB NOT NULL
);
INSERT INTO sealed_rowid (id, interview, data) SELECT id, interview, data FROM sealed;
DROP TABLE sealed;
ALTER TABLE sealed_rowid RENAME TO sealed;
CREATE INDEX sealed_interview ON sealed (interview);
`},
	{sql: `
-- The proof of a format 3 revision (salted commitments: revision3.go), as
-- signed; NULL for formats 1 and 2.
ALTER TABLE revisions ADD COLUMN proof BLOB;
`},
	{sql: `
-- The interviews in list order, with every column the list shows: list
-- reads it in order instead of sorting every row, and a search with many
-- hits walks it to its first page (search_page.go). List of 90,000
-- interviews: 122 against 292 ms for the rows alone.
CREATE INDEX interviews_listed ON interviews (interviewed_on, pseudonym, id, tags, heads);
`},
}

// A migration is SQL and, optionally, a Go step run after it in the same
// transaction.
type migration struct {
	sql  string
	fill func(ctx context.Context, tx *sql.Tx) error
}

func migrate(ctx context.Context, conn *sql.Conn) error {
	var version int
	if err := conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("the vault was written by a newer tvault (format %d; this one knows %d)", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, migrations[i].sql); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if f := migrations[i].fill; f != nil {
			if err := f(ctx, tx); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
