package bundlefmt

import "encoding/json"

// Redaction is a signed redaction order, as the vault stores it: Body is
// its JSON (which revisions, which byte ranges, the replacement text, and
// each revision's content hash after the redaction; never the redacted
// text), Sig the Ed25519 signature of its author, whose key Body names.
type Redaction struct {
	Body json.RawMessage `json:"body"`
	Sig  []byte          `json:"sig"`
}

// Term is one entry of a team's list of sensitive terms as the exporter's
// vault has it: the term, when it was last added or removed (RFC 3339), and
// whether that was a removal. A removal is kept, as a tombstone, so that it
// travels too. The bundle's signature covers the list.
type Term struct {
	Term    string `json:"term"`
	At      string `json:"at"`
	Removed bool   `json:"removed,omitempty"`
}
