package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tvault/tvault/crypto"
)

// Interview is a pseudonymised interview: everything about it that may be
// read on the laptop that holds the vault. Its real identity is not here.
type Interview struct {
	ID                 string     `json:"id,omitempty"`
	Pseudonym          string     `json:"pseudonym"`
	InterviewedOn      string     `json:"interviewed_on,omitempty"`
	Location           string     `json:"location,omitempty"`
	Mode               string     `json:"mode,omitempty"`
	Language           string     `json:"language,omitempty"`
	Interviewer        string     `json:"interviewer,omitempty"`
	AnonymityRequested bool       `json:"anonymity_requested"`
	Consent            Consent    `json:"consent"`
	Tags               []string   `json:"tags"`
	Testimony          string     `json:"testimony"`
	Relatives          []Relative `json:"relatives"`
	// Attachments are recorded by [Vault.Attach] only: an edit keeps its
	// interview's attachments whatever it says of them.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Quotes are passages marked for publication ([Vault.AddQuote]); an
	// edit keeps them too.
	Quotes []Quote `json:"quotes,omitempty"`
}

// Consent records what the interviewee agreed to.
type Consent struct {
	Record bool `json:"record"`
	Quote  bool `json:"quote"`
	Share  bool `json:"share"`
}

// Relative is a relative of the interviewee and what was done to them. It has
// no name: names go in the sealed Identity.
type Relative struct {
	Relation string   `json:"relation"`
	Harms    []string `json:"harms"`
}

// Input is one interview as given to Add: the interview, and its identity in
// the clear until it is sealed.
type Input struct {
	Interview
	Identity *Identity `json:"identity,omitempty"`
	// Sealed is the seal of the draft this input continues ([Draft].Seal),
	// kept as it is: its identity (unless Identity replaces it) and its span
	// secrets, whose markers the testimony holds. Never read from JSON.
	Sealed *DraftSeal `json:"-"`
	// merge, set by [Vault.SaveMerge], makes the revision a three-way
	// merge of two heads.
	merge *Merge
}

// Modes are the ways an interview can be held.
var Modes = []string{"in-person", "phone", "video", "written"}

var (
	dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	tagRe  = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}_-]*$`)
)

// MaxTestimony is the largest testimony accepted, in bytes.
const MaxTestimony = 16 << 20

// MaxPseudonym is the longest pseudonym accepted, in characters. A
// pseudonym is a name to call the interviewee by, shown in every list; a
// long one is a slip (a sentence, a pasted paragraph of testimony) that
// lists, exports and bundles would carry.
const MaxPseudonym = 80

// CheckPseudonym returns an error wrapping [ErrInvalid] if p, trimmed, is
// not a pseudonym: empty, longer than [MaxPseudonym] characters, or
// holding a control character, a line break or an invisible formatting
// character (checkLine). The error never repeats p. Add and import apply it; front ends may check a
// form field with it.
func CheckPseudonym(p string) error {
	p = strings.TrimSpace(p)
	if p == "" {
		return fmt.Errorf("%w: pseudonym is required", ErrInvalid)
	}
	if n := utf8.RuneCountInString(p); n > MaxPseudonym {
		return fmt.Errorf("%w: the pseudonym has %d characters; at most %d", ErrInvalid, n, MaxPseudonym)
	}
	return checkLine("pseudonym", p)
}

// normalize trims fields and checks an interview. Errors name the field,
// never its value: values may be testimony.
//
// Every interview that enters the vault passes here: typed in the terminal
// UI, added from JSON (both through [Vault.Add]), or imported in a bundle
// ([Revision.validate] checks that normalizing changes nothing, since an
// imported revision is signed and cannot be changed).
func (in *Interview) normalize() error {
	in.Pseudonym = strings.TrimSpace(in.Pseudonym)
	in.InterviewedOn = strings.TrimSpace(in.InterviewedOn)
	in.Location = strings.TrimSpace(in.Location)
	in.Mode = strings.ToLower(strings.TrimSpace(in.Mode))
	in.Language = strings.TrimSpace(in.Language)
	in.Interviewer = strings.TrimSpace(in.Interviewer)
	if err := CheckPseudonym(in.Pseudonym); err != nil {
		return err
	}
	if in.InterviewedOn != "" {
		if !dateRe.MatchString(in.InterviewedOn) {
			return fmt.Errorf("%w: interviewed_on must be a date as YYYY-MM-DD", ErrInvalid)
		}
		if _, err := time.Parse("2006-01-02", in.InterviewedOn); err != nil {
			return fmt.Errorf("%w: interviewed_on is not a real date", ErrInvalid)
		}
	}
	if in.Mode != "" && !contains(Modes, in.Mode) {
		return fmt.Errorf("%w: mode must be one of %s", ErrInvalid, strings.Join(Modes, ", "))
	}
	if len(in.Testimony) > MaxTestimony {
		return fmt.Errorf("%w: testimony is larger than %d MiB", ErrInvalid, MaxTestimony>>20)
	}
	// Windows line ends become newlines; a lone carriage return is refused
	// below, like every other control character.
	in.Testimony = strings.ReplaceAll(in.Testimony, "\r\n", "\n")
	for _, f := range []struct{ name, text string }{
		{"pseudonym", in.Pseudonym}, {"location", in.Location}, {"language", in.Language},
		{"interviewer", in.Interviewer},
	} {
		if err := checkLine(f.name, f.text); err != nil {
			return err
		}
	}
	// Testimony keeps every format character (escaped on a terminal when
	// it would reorder or hide text: Escape): it is what was said, as
	// written, in any script.
	if err := checkText("testimony", in.Testimony); err != nil {
		return err
	}
	if err := validateAttachments(in.Attachments); err != nil {
		return err
	}
	if err := validateQuotes(in.Quotes); err != nil {
		return err
	}
	if in.Tags == nil {
		in.Tags = []string{}
	}
	seen := map[string]bool{}
	tags := in.Tags[:0]
	for _, t := range in.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if !tagRe.MatchString(t) {
			return fmt.Errorf("%w: tags are words joined by - or _ (tag %d is not)", ErrInvalid, len(tags)+1)
		}
		if !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	in.Tags = tags
	if in.Relatives == nil {
		in.Relatives = []Relative{}
	}
	for i := range in.Relatives {
		r := &in.Relatives[i]
		r.Relation = strings.TrimSpace(r.Relation)
		if r.Relation == "" {
			return fmt.Errorf("%w: relative %d has no relation", ErrInvalid, i+1)
		}
		if err := checkLine(fmt.Sprintf("relative %d's relation", i+1), r.Relation); err != nil {
			return err
		}
		if r.Harms == nil {
			r.Harms = []string{}
		}
		for j := range r.Harms {
			r.Harms[j] = strings.ToLower(strings.TrimSpace(r.Harms[j]))
			if err := checkLine(fmt.Sprintf("relative %d's harm %d", i+1, j+1), r.Harms[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// DecodeInputs reads interviews as JSON: one object, an array of objects, or
// JSON Lines. encoding/json decodes every field, identities included, into
// Go strings, which cannot be wiped: the input buffer is wiped once decoded,
// and Add drops each identity once sealed. Unknown fields are refused: a misspelt "identity" must not be
// silently dropped. Errors name the record number, never its content.
func DecodeInputs(r io.Reader) ([]Input, error) {
	data, err := io.ReadAll(r)
	defer crypto.Wipe(data)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("no interviews in the input")
	}
	var inputs []Input
	if trimmed[0] == '[' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&inputs); err != nil {
			return nil, fmt.Errorf("the input is not a JSON array of interviews: %s", jsonError(err))
		}
		if dec.More() {
			return nil, errors.New("the input has data after its JSON array")
		}
		return inputs, nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	for n := 1; ; n++ {
		var in Input
		err := dec.Decode(&in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("interview %d of the input is not valid JSON: %s", n, jsonError(err))
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// jsonError describes a decoding error without quoting the input.
func jsonError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	}
	return "malformed"
}
