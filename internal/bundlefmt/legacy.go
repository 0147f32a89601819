package bundlefmt

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
)

// Versions 1 and 2: a bundle's plaintext is exactly three lines,
//
//	tvault bundle v2
//	{JSON body: exporter, recipients, created_at, tombstones, sealed, revisions, audit_head}
//	base64 Ed25519 signature, by the exporter, of
//	"tvault bundle v2\n" + hex SHA-256 of the body line
//
// and version 1 the same with "v1" and no recipients. They are still read
// ([Decode] from bytes, [Parse] from a stream); nothing writes them.

// legacyPeek is how much of a version 1 or 2 body [Parse] reads to find
// its exporter: tvault wrote it first, and it is about 2 KB.
const legacyPeek = 64 << 10

// Signed is what the signature of a bundle of version 1 or 2 covers, given
// the body line: the bundle's first line, a newline, and the hex SHA-256 of
// the body line.
func Signed(version int, line []byte) []byte {
	sum := sha256.Sum256(line)
	return signedSum(version, sum[:])
}

func signedSum(version int, sum []byte) []byte {
	magic := MagicV2
	if version == 1 {
		magic = MagicV1
	}
	return []byte(magic + "\n" + hex.EncodeToString(sum))
}

// Decode splits the plaintext of a version 1 or 2 bundle into its body,
// the body line the signature covers, and the signature, and decodes the
// body. It checks form only: [Verify] checks the signature, and the records
// inside are the caller's to verify.
func Decode(plain []byte) (body *Body, line, sig []byte, err error) {
	version := 2
	rest, ok := bytes.CutPrefix(plain, []byte(MagicV2+"\n"))
	if !ok {
		if rest, ok = bytes.CutPrefix(plain, []byte(MagicV1+"\n")); !ok {
			return nil, nil, nil, ErrNotBundle
		}
		version = 1
	}
	line, rest, ok = bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, nil, nil, ErrTruncated
	}
	sigLine, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || len(rest) != 0 {
		return nil, nil, nil, ErrBadSignatureLine
	}
	body, sig, err = decodeLegacy(version, line, sigLine)
	if err != nil {
		return nil, nil, nil, err
	}
	return body, line, sig, nil
}

func decodeLegacy(version int, line, sigLine []byte) (*Body, []byte, error) {
	sig, err := base64.StdEncoding.Strict().DecodeString(string(sigLine))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, nil, ErrBadSignatureLine
	}
	body := new(Body)
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(body); err != nil {
		return nil, nil, ErrBody
	}
	// A version 1 body had no recipients field; a later one must name at
	// least one recipient.
	if (version == 1) != (body.Recipients == nil) || (version > 1 && len(body.Recipients) == 0) {
		return nil, nil, ErrBody
	}
	body.Version = version
	if len(body.Exporter.SigningKey) != ed25519.PublicKeySize {
		return nil, nil, ErrNoSigningKey
	}
	return body, sig, nil
}

// Verify reports whether sig is the exporter's signature of the body line
// of a version 1 or 2 bundle, by the signing key the body names.
func Verify(body *Body, line, sig []byte) bool {
	return ed25519.Verify(body.Exporter.SigningKey, Signed(body.Version, line), sig)
}

// parseLegacy reads the rest of a version 1 or 2 bundle from br, after its
// first line. Before it reads the body, it passes the exporter it names
// (not yet verified: the signature follows the whole body) to check, so
// that a stranger's bundle is refused before its body is read.
func parseLegacy(br *bufio.Reader, version int, check func(*Header) error) (*Body, error) {
	head, _ := br.Peek(legacyPeek)
	var exporter Member
	dec := json.NewDecoder(bytes.NewReader(head))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, ErrBody
	}
	if t, err := dec.Token(); err != nil || t != "exporter" {
		return nil, ErrBody
	}
	if err := dec.Decode(&exporter); err != nil {
		return nil, ErrBody
	}
	if len(exporter.SigningKey) != ed25519.PublicKeySize {
		return nil, ErrNoSigningKey
	}
	if check != nil {
		if err := check(&Header{Version: version, Exporter: exporter}); err != nil {
			return nil, err
		}
	}
	// The body line is signed at its end, by the exporter it names: until
	// the signature verifies, it may be an impostor's (a member's card is
	// handed out). It is hashed as it streams past, into a file encrypted
	// to a key that only this process holds, and read back only once the
	// signature verifies: an impostor's bundle costs disk for a moment,
	// never memory.
	sum, spooled, err := spoolLine(br, MaxSize)
	if spooled != nil {
		defer spooled.Close()
	}
	if err != nil {
		return nil, err
	}
	var total int64
	sigLine, err := readLine(br, nil, 128, &total)
	if err != nil {
		return nil, ErrBadSignatureLine
	}
	if err := atEOF(br); err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(string(sigLine))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, ErrBadSignatureLine
	}
	if !ed25519.Verify(exporter.SigningKey, signedSum(version, sum), sig) {
		return nil, ErrBadSignature
	}
	line, err := spooled.readAll()
	if err != nil {
		return nil, err
	}
	defer wipe(line)
	body, sig, err := decodeLegacy(version, line, sigLine)
	if err != nil {
		return nil, err
	}
	if e := body.Exporter; e.Name != exporter.Name || e.Recipient != exporter.Recipient || !bytes.Equal(e.SigningKey, exporter.SigningKey) {
		// What check saw is not what the signature is checked against.
		return nil, ErrBody
	}
	if !Verify(body, line, sig) {
		return nil, ErrBadSignature
	}
	return body, nil
}
