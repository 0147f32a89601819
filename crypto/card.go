package crypto

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"filippo.io/age"
)

// A Card is what a member gives teammates so they can send them bundles and
// check their signatures: a name, a post-quantum age recipient and an
// Ed25519 signing key, signed by that key.
type Card struct {
	Name       string
	Recipient  string // age1pq1…
	SigningKey ed25519.PublicKey
}

const (
	cardBegin  = "-----BEGIN TVAULT MEMBER CARD-----"
	cardEnd    = "-----END TVAULT MEMBER CARD-----"
	cardDomain = "tvault member card v1\n"
)

// ErrBadCard means a member card does not parse or its signature fails.
var ErrBadCard = errors.New("not a valid member card")

// signedPart is the message a card's signature covers.
func (c *Card) signedPart() []byte {
	return []byte(cardDomain + "name: " + c.Name + "\nrecipient: " + c.Recipient +
		"\nsigning-key: " + base64.StdEncoding.EncodeToString(c.SigningKey) + "\n")
}

// Fingerprint is what two people compare out loud before trusting a card:
// 16 bytes of SHA-256 over the recipient and the signing key, in groups.
func (c *Card) Fingerprint() string {
	return Fingerprint(c.Recipient, c.SigningKey)
}

// Fingerprint of a recipient and signing key pair.
func Fingerprint(recipient string, signingKey ed25519.PublicKey) string {
	h := sha256.New()
	h.Write([]byte("tvault fingerprint v1\n" + recipient + "\n"))
	h.Write(signingKey)
	sum := fmt.Sprintf("%X", h.Sum(nil)[:16])
	var groups []string
	for i := 0; i < len(sum); i += 4 {
		groups = append(groups, sum[i:i+4])
	}
	return strings.Join(groups, " ")
}

// CheckMemberName reports whether a member name can go on a card.
func CheckMemberName(name string) error {
	if name == "" || len(name) > 64 || !utf8.ValidString(name) || strings.ContainsAny(name, "\r\n:") || strings.TrimSpace(name) != name {
		return errors.New("a member name is 1 to 64 characters, without line breaks, colons or surrounding spaces")
	}
	return nil
}

// MarshalCard returns c as a signed, printable card. sk must be the private
// half of c.SigningKey.
func MarshalCard(c *Card, sk ed25519.PrivateKey) ([]byte, error) {
	if err := CheckMemberName(c.Name); err != nil {
		return nil, err
	}
	if !bytes.Equal(sk.Public().(ed25519.PublicKey), c.SigningKey) {
		return nil, errors.New("the signing key does not match the card")
	}
	sig := ed25519.Sign(sk, c.signedPart())
	var b bytes.Buffer
	fmt.Fprintln(&b, cardBegin)
	fmt.Fprintf(&b, "name: %s\n", c.Name)
	fmt.Fprintf(&b, "recipient: %s\n", c.Recipient)
	fmt.Fprintf(&b, "signing-key: %s\n", base64.StdEncoding.EncodeToString(c.SigningKey))
	fmt.Fprintf(&b, "fingerprint: %s\n", c.Fingerprint())
	fmt.Fprintf(&b, "signature: %s\n", base64.StdEncoding.EncodeToString(sig))
	fmt.Fprintln(&b, cardEnd)
	return b.Bytes(), nil
}

// ParseCard parses a member card and verifies its self-signature. Text before
// and after the card's BEGIN and END lines is ignored, so a card can travel
// inside a note.
func ParseCard(data []byte) (*Card, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	fields := map[string]string{}
	var order []string
	state := 0 // 0 before BEGIN, 1 inside, 2 after END
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case state == 0 && line == cardBegin:
			state = 1
		case state == 1 && line == cardEnd:
			state = 2
		case state == 1:
			k, v, ok := strings.Cut(line, ": ")
			if !ok {
				return nil, fmt.Errorf("%w: malformed line", ErrBadCard)
			}
			if _, dup := fields[k]; dup {
				return nil, fmt.Errorf("%w: %s twice", ErrBadCard, k)
			}
			fields[k] = v
			order = append(order, k)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCard, err)
	}
	if state != 2 {
		return nil, fmt.Errorf("%w: no BEGIN and END lines", ErrBadCard)
	}
	if strings.Join(order, ",") != "name,recipient,signing-key,fingerprint,signature" {
		return nil, fmt.Errorf("%w: wrong fields", ErrBadCard)
	}
	c := &Card{Name: fields["name"], Recipient: fields["recipient"]}
	if err := CheckMemberName(c.Name); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCard, err)
	}
	if _, err := age.ParseHybridRecipient(c.Recipient); err != nil {
		return nil, fmt.Errorf("%w: the recipient is not a post-quantum age recipient", ErrBadCard)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(fields["signing-key"])
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: bad signing key", ErrBadCard)
	}
	c.SigningKey = key
	sig, err := base64.StdEncoding.Strict().DecodeString(fields["signature"])
	if err != nil || !ed25519.Verify(c.SigningKey, c.signedPart(), sig) {
		return nil, fmt.Errorf("%w: the signature does not verify", ErrBadCard)
	}
	if fields["fingerprint"] != c.Fingerprint() {
		return nil, fmt.Errorf("%w: the fingerprint does not match the keys", ErrBadCard)
	}
	return c, nil
}
