package vault

import (
	"strings"
)

// Identity is who an interviewee really is. It is sealed to the custodian on
// save and never stored in the clear: on the laptop that saved it, it cannot
// be read back.
type Identity struct {
	Name      string           `json:"name,omitempty"`
	Aliases   []string         `json:"aliases,omitempty"`
	Contact   string           `json:"contact,omitempty"`
	Relatives []RelativeByName `json:"relatives,omitempty"`
	Notes     string           `json:"notes,omitempty"`
}

// RelativeByName is a relative's real name, sealed with the identity.
type RelativeByName struct {
	Relation string `json:"relation"`
	Name     string `json:"name"`
}

func (id *Identity) empty() bool {
	if id == nil {
		return true
	}
	return strings.TrimSpace(id.Name) == "" && len(id.Aliases) == 0 &&
		strings.TrimSpace(id.Contact) == "" && len(id.Relatives) == 0 &&
		strings.TrimSpace(id.Notes) == ""
}

// sealedPayload is the plaintext of a sealed item.
type sealedPayload struct {
	Identity *Identity      `json:"identity,omitempty"`
	Spans    map[int]string `json:"spans,omitempty"`
	// Fields are a draft's fields that held a hit of CheckNames, as typed
	// (drafts only: a save refuses or protects them instead).
	Fields map[string]string `json:"fields,omitempty"`
	// Files are attachments' original file names, by attachment ID.
	Files map[string]string `json:"files,omitempty"`
	// FileHashes are sealed attachments' original SHA-256 and size
	// ("sha256:HEX size:N"), by attachment ID.
	FileHashes map[string]string `json:"file_hashes,omitempty"`
}

// Revealed is what the custodian sees of an interview.
type Revealed struct {
	ID        string         `json:"id"`
	Pseudonym string         `json:"pseudonym"`
	Identity  *Identity      `json:"identity"`
	Spans     []RevealedSpan `json:"spans"`
	// Files are the original names of the interview's attachments, by
	// attachment ID.
	Files map[string]string `json:"files,omitempty"`
	// FileHashes are the original SHA-256 and size of its sealed
	// attachments, by attachment ID: the chain of custody of a sealed file.
	FileHashes map[string]string `json:"file_hashes,omitempty"`
}

// RevealedSpan is a sensitive span with its secret.
type RevealedSpan struct {
	N           int    `json:"n"`
	Description string `json:"description"`
	Secret      string `json:"secret"`
}
