package crypto

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ShareCard is one share of a split custodian key, as printed on a card.
// Value is a share of the key: the card is secret.
type ShareCard struct {
	SplitID   [8]byte   // random; the same on every card of one split
	Index     int       // this is share Index of Total
	Total     int       // n
	Threshold int       // k: how many shares rebuild the key
	Created   time.Time // the day of the split (UTC)
	Value     []byte    // the share: a ristretto255 scalar, 32 bytes
	Key       []byte    // the age file holding the custodian identity, the same on every card

	// Version is the card format: 2 since cards carry a MAC, 1 for cards
	// written before. The zero value formats as the current version.
	Version int
	// MAC authenticates this card's split ID, index, k, n and value under
	// a key derived from the shared secret (see [shareMAC]): nobody can
	// compute it without k shares. Empty on v1 cards.
	MAC []byte
}

// CurrentShareCardVersion is the card format [SplitCustodianKey] writes.
const CurrentShareCardVersion = 2

const (
	cardTitleV1 = "TVAULT CUSTODIAN KEY SHARE CARD v1"
	cardTitleV2 = "TVAULT CUSTODIAN KEY SHARE CARD v2"
	cardGroup   = 4 // characters per group in Value and Key
	cardGroups  = 8 // groups per line
	cardMACSize = 16
)

// cardTitle returns the first line of a card of format version.
func cardTitle(version int) string {
	if version == 1 {
		return cardTitleV1
	}
	return cardTitleV2
}

// cardCheckTag returns the domain tag of a card's check value.
func cardCheckTag(version int) string {
	if version == 1 {
		return "tvault share card v1\n"
	}
	return "tvault share card v2\n"
}

func (c *ShareCard) version() int {
	if c.Version == 0 {
		return CurrentShareCardVersion
	}
	return c.Version
}

// cardEncoding is base32 without padding: upper case letters and digits 2-7,
// no 0/O or 1/I to confuse when a card is typed back in.
var cardEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// SplitIDString returns the split ID as printed, e.g. "7F3A-9C0E-5B7D-1A24".
func (c *ShareCard) SplitIDString() string { return groupHex(c.SplitID[:]) }

// Format returns the card as printable text. Everything above the "Check:"
// line is covered by the check value.
func (c *ShareCard) Format() []byte {
	var b bytes.Buffer
	c.formatBody(&b)
	fmt.Fprintf(&b, "Check:   %s\n", cardCheck(c.version(), b.Bytes()))
	return b.Bytes()
}

func (c *ShareCard) formatBody(b *bytes.Buffer) {
	fmt.Fprintf(b, "%s\n\n", cardTitle(c.version()))
	fmt.Fprintf(b, "This is share %d of %d of a tvault custodian key.\n", c.Index, c.Total)
	fmt.Fprintf(b, "Any %d of the %d shares rebuild the key with 'tvault custodian recover';\n", c.Threshold, c.Total)
	fmt.Fprintf(b, "fewer reveal nothing. Keep this card apart from the other shares, and\n")
	fmt.Fprintf(b, "type it back exactly: the check value finds any changed character.\n\n")
	fmt.Fprintf(b, "Split:   %s\n", c.SplitIDString())
	fmt.Fprintf(b, "Share:   %d of %d\n", c.Index, c.Total)
	fmt.Fprintf(b, "Needed:  %d\n", c.Threshold)
	fmt.Fprintf(b, "Created: %s\n\n", c.Created.UTC().Format(time.DateOnly))
	fmt.Fprintf(b, "Value:\n%s\n", groupLines(cardEncoding.EncodeToString(c.Value)))
	fmt.Fprintf(b, "Key:\n%s\n\n", groupLines(cardEncoding.EncodeToString(c.Key)))
	if c.version() >= 2 {
		fmt.Fprintf(b, "MAC:     %s\n\n", groupHex(c.MAC))
	}
}

// ParseShareCard parses a card written by [ShareCard.Format], of either
// format version (v1 cards have no MAC line). Line endings
// and trailing spaces do not matter; any other change does. A card that does
// not parse, or whose check value does not match, is reported as
// [ErrDamaged]. The error never contains the share.
func ParseShareCard(data []byte) (*ShareCard, error) {
	if len(data) > 16<<10 {
		return nil, fmt.Errorf("%w: not a share card (too long)", ErrDamaged)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t\r")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	c := &ShareCard{}
	switch {
	case len(lines) > 0 && lines[0] == cardTitleV2:
		c.Version = 2
	case len(lines) > 0 && lines[0] == cardTitleV1:
		c.Version = 1
	default:
		return nil, fmt.Errorf("%w: not a tvault share card (the first line should be %q)", ErrDamaged, cardTitleV2)
	}
	last := lines[len(lines)-1]
	check, ok := strings.CutPrefix(last, "Check:")
	if !ok {
		return nil, fmt.Errorf("%w: the share card has no check line at its end", ErrDamaged)
	}
	body := strings.Join(lines[:len(lines)-1], "\n") + "\n"
	if got, want := strings.TrimSpace(check), cardCheck(c.Version, []byte(body)); got != want {
		return nil, fmt.Errorf("%w: the share card's check value does not match: a character was changed or mistyped", ErrDamaged)
	}

	fields := map[string]string{}
	var section *[]string
	var value, key []string
	for _, line := range lines[1 : len(lines)-1] {
		switch {
		case line == "":
			section = nil
		case line == "Value:":
			section = &value
		case line == "Key:":
			section = &key
		case section != nil:
			*section = append(*section, line)
		default:
			if name, v, ok := strings.Cut(line, ":"); ok && !strings.Contains(name, " ") {
				fields[name] = strings.TrimSpace(v)
			}
		}
	}
	bad := func(what string) error {
		return fmt.Errorf("%w: the share card's %s is malformed", ErrDamaged, what)
	}
	id, err := hex.DecodeString(strings.ReplaceAll(fields["Split"], "-", ""))
	if err != nil || len(id) != len(c.SplitID) {
		return nil, bad("split ID")
	}
	copy(c.SplitID[:], id)
	idx, total, ok := strings.Cut(fields["Share"], " of ")
	if !ok {
		return nil, bad("share number")
	}
	if c.Index, err = cardNumber(idx); err != nil {
		return nil, bad("share number")
	}
	if c.Total, err = cardNumber(total); err != nil {
		return nil, bad("share count")
	}
	if c.Threshold, err = cardNumber(fields["Needed"]); err != nil {
		return nil, bad("number of shares needed")
	}
	if c.Index < 1 || c.Index > c.Total || c.Threshold < 2 || c.Threshold > c.Total || c.Total > MaxShares {
		return nil, bad("share numbers")
	}
	if c.Created, err = time.Parse(time.DateOnly, fields["Created"]); err != nil {
		return nil, bad("date")
	}
	if c.Value, err = cardEncoding.DecodeString(strings.ReplaceAll(strings.Join(value, ""), " ", "")); err != nil || len(c.Value) != 32 {
		return nil, bad("value")
	}
	if c.Key, err = cardEncoding.DecodeString(strings.ReplaceAll(strings.Join(key, ""), " ", "")); err != nil || len(c.Key) == 0 {
		return nil, bad("key")
	}
	if c.Version >= 2 {
		if c.MAC, err = hex.DecodeString(strings.ReplaceAll(fields["MAC"], "-", "")); err != nil || len(c.MAC) != cardMACSize {
			return nil, bad("MAC")
		}
	}
	// The fixed text must be exactly what tvault writes, so that a changed
	// character anywhere on the card is noticed, not only in the fields.
	var again bytes.Buffer
	c.formatBody(&again)
	if again.String() != body {
		return nil, fmt.Errorf("%w: the share card's text differs from what tvault writes", ErrDamaged)
	}
	return c, nil
}

// cardNumber parses a decimal number as printed on a card: no sign, no
// leading zeros.
func cardNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return 0, fmt.Errorf("not a number")
	}
	return n, nil
}

// cardCheck returns the check value of a card's text: the first 8 bytes of
// SHA-256 over a version tag and the text, in hex. It detects typing and
// printing errors; anyone can recompute it, so it proves nothing about who
// wrote the card (the MAC does, see [shareMAC]).
func cardCheck(version int, body []byte) string {
	h := sha256.New()
	h.Write([]byte(cardCheckTag(version)))
	h.Write(body)
	return groupHex(h.Sum(nil)[:8])
}

// shareMAC returns the MAC of a v2 card: HMAC-SHA-256 under macKey (derived
// from the shared secret, see [shareKeys]) over a domain tag, the split ID,
// and the index, k and n as 16-bit big-endian numbers, then the 32-byte
// value; truncated to 16 bytes.
func shareMAC(macKey []byte, c *ShareCard) []byte {
	m := hmac.New(sha256.New, macKey)
	m.Write([]byte("tvault share card mac v2\n"))
	m.Write(c.SplitID[:])
	var nums [6]byte
	binary.BigEndian.PutUint16(nums[0:], uint16(c.Index))
	binary.BigEndian.PutUint16(nums[2:], uint16(c.Threshold))
	binary.BigEndian.PutUint16(nums[4:], uint16(c.Total))
	m.Write(nums[:])
	m.Write(c.Value)
	return m.Sum(nil)[:cardMACSize]
}

func groupHex(b []byte) string {
	s := strings.ToUpper(hex.EncodeToString(b))
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), "-")
}

// groupLines breaks s into lines of cardGroups groups of cardGroup
// characters, groups separated by a space.
func groupLines(s string) string {
	var lines []string
	for len(s) > 0 {
		var groups []string
		for range cardGroups {
			if len(s) == 0 {
				break
			}
			n := min(cardGroup, len(s))
			groups = append(groups, s[:n])
			s = s[n:]
		}
		lines = append(lines, strings.Join(groups, " "))
	}
	return strings.Join(lines, "\n")
}
