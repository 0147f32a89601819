package bundlefmt

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Header is a version 3 bundle's second line: who sent it, to whom, and
// what follows. It is signed on its own, so that it can be checked before
// the records are read. For versions 1 and 2, [Parse]'s check sees only
// Version and Exporter.
type Header struct {
	// Version is the bundle's version, from its first line.
	Version    int        `json:"-"`
	Exporter   Member     `json:"exporter"`
	Recipients []string   `json:"recipients"`
	CreatedAt  string     `json:"created_at"`
	AuditHead  *AuditHead `json:"audit_head,omitempty"`
	// Counts declares how many records of each kind follow, by kind name.
	Counts map[string]int64 `json:"counts"`
	// Size declares the bytes of all record lines, newlines included.
	Size int64 `json:"size"`
	// KeyChanges are the member key rotations the exporter knows of
	// ([Body.KeyChanges]). They are in the header, not records, because
	// the importer needs them to check the signer, who may sign with a new
	// key, before it reads the records.
	KeyChanges []KeyChange `json:"key_changes,omitempty"`
	// Unknown holds the header's fields this version does not know (a
	// newer tvault's), as they were.
	Unknown map[string]json.RawMessage `json:"-"`
}

// A Kind is one kind of record of a version 3 bundle: its name (the
// record's "kind"), the most records of it a bundle may hold, and the
// [Body] slice it fills.
type Kind struct {
	Name string
	Max  int64

	count func(*Body) int
	// parse decodes a record's fields and returns what adds the record to
	// a body; it runs beside the reading, on any core (decode.go). A kind
	// without parse is decoded in order by decode, as it is read.
	parse  func([]byte) (func(*Body), error)
	decode func(*Body, []byte) error
	encode func(*Body, func(any) error) error
}

// Kinds are the record kinds of version 3, in the order they are written.
//
// To add a kind: add a slice to [Body] (omitempty in JSON, so that a
// version 2 body is unchanged) and one entry here, kindOf(name, limit,
// pointer to the slice), for example
//
//	kindOf("key_change", 10_000, func(b *Body) *[]KeyChange { return &b.KeyChanges }),
//
// The slice's element must marshal to a JSON object without a "kind"
// field (a struct). Writing, reading, counting and the limits follow
// from the entry; document the kind and its limit in docs/FORMAT.md. A
// reader that does not know a kind refuses the bundle ([ErrNewerKind]):
// never make a kind that older readers may skip.
//
// The limits are for the largest legitimate exchange: a whole vault of
// 200,000 interviews with up to 20 revisions each.
var Kinds = []Kind{
	kindOf("tombstone", 1_000_000, func(b *Body) *[]Tombstone { return &b.Tombstones }),
	kindOf("sealed", 4_000_000, func(b *Body) *[]Sealed { return &b.Sealed }),
	kindOf("revision", 4_000_000, func(b *Body) *[]Revision { return &b.Revisions }),
	kindOf("redaction", 1_000_000, func(b *Body) *[]Redaction { return &b.Redactions }),
	kindOf("term", 100_000, func(b *Body) *[]Term { return &b.Terms }),
	blobKind, // last: attachment files, streamed (blob.go)
}

// kindOf is the Kind named name whose records are the elements of the
// slice field of Body that field returns.
func kindOf[T any](name string, max int64, field func(*Body) *[]T) Kind {
	return Kind{
		Name:  name,
		Max:   max,
		count: func(b *Body) int { return len(*field(b)) },
		parse: func(data []byte) (func(*Body), error) {
			var x T
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&x); err != nil || dec.InputOffset() != int64(len(data)) {
				return nil, fmt.Errorf("%w: a %s record does not parse", ErrBody, name)
			}
			return func(b *Body) {
				p := field(b)
				*p = append(*p, x)
			}, nil
		},
		encode: func(b *Body, emit func(any) error) error {
			s := *field(b)
			for i := range s {
				if err := emit(&s[i]); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func kindNamed(name string) *Kind {
	for i := range Kinds {
		if Kinds[i].Name == name {
			return &Kinds[i]
		}
	}
	return nil
}

const (
	headerDomain = "tvault bundle v3 header\n"
	endDomain    = "tvault bundle v3 end\n"
	endKind      = "end"
)

// end is a version 3 bundle's last record: how many records came before
// it and the SHA-256 of their lines.
type end struct {
	Kind    string `json:"kind"`
	Records int64  `json:"records"`
	SHA256  string `json:"sha256"`
}

// header returns body's header, its counts and size worked out by
// encoding every record once (the records are written in a second pass).
func header(body *Body) (*Header, error) {
	if len(body.Recipients) == 0 {
		return nil, errors.New("a bundle names at least one recipient")
	}
	h := &Header{Version: Version, Exporter: body.Exporter, Recipients: body.Recipients,
		CreatedAt: body.CreatedAt, AuditHead: body.AuditHead, KeyChanges: body.KeyChanges, Counts: map[string]int64{}}
	var line []byte
	for _, k := range Kinds {
		var n int64
		err := k.encode(body, func(v any) error {
			var err error
			line, err = recordLine(line[:0], k.Name, v)
			h.Size += int64(len(line))
			n++
			return err
		})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			h.Counts[k.Name] = n
		}
	}
	wipe(line)
	if hl, err := json.Marshal(h); err != nil || len(hl) > MaxHeaderLine {
		return nil, fmt.Errorf("%w: the header (recipients, member key changes) does not encode in %d bytes", ErrTooLarge, MaxHeaderLine)
	}
	return h, nil
}

// recordLine appends to dst the record line of v, of kind: v's JSON object
// with "kind" first, and a newline.
func recordLine(dst []byte, kind string, v any) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	buf.WriteString(`{"kind":"` + kind + `"`)
	start := buf.Len()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return buf.Bytes(), err
	}
	b := buf.Bytes()
	// b[start:] is v's object and a newline: drop its "{", and join.
	if b[start+1] == '}' {
		return append(b[:start], "}\n"...), nil
	}
	b[start] = ','
	return b, nil
}

// write writes a version 3 bundle of body with header h, signed with key.
func write(w io.Writer, body *Body, h *Header, key ed25519.PrivateKey) error {
	hl, err := json.Marshal(h)
	if err != nil {
		return err
	}

	hsum := sha256.Sum256(hl)
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(Magic + "\n")
	bw.Write(hl)
	bw.WriteString("\n" + sign(key, headerDomain+hex.EncodeToString(hsum[:])) + "\n")
	records := sha256.New()
	var n int64
	var line []byte
	for _, k := range Kinds {
		err := k.encode(body, func(v any) error {
			var err error
			if line, err = recordLine(line[:0], k.Name, v); err != nil {
				return err
			}
			records.Write(line)
			n++
			_, err = bw.Write(line)
			return err
		})
		if err != nil {
			wipe(line)
			return err
		}
	}
	wipe(line)
	el, _ := json.Marshal(end{Kind: endKind, Records: n, SHA256: hex.EncodeToString(records.Sum(nil))})
	esum := sha256.Sum256(el)
	bw.Write(el)
	bw.WriteString("\n" + sign(key, endDomain+hex.EncodeToString(hsum[:])+"\n"+hex.EncodeToString(esum[:])) + "\n")
	return bw.Flush()
}

func sign(key ed25519.PrivateKey, msg string) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(msg)))
}

func verifySig(key []byte, msg string, line []byte) error {
	sig, err := base64.StdEncoding.Strict().DecodeString(string(line))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return ErrBadSignatureLine
	}
	if !ed25519.Verify(key, []byte(msg), sig) {
		return ErrBadSignature
	}
	return nil
}

// parseHeader decodes and checks a header line: form, limits, kinds.
func parseHeader(line []byte) (*Header, error) {
	h := &Header{Version: Version}
	if err := json.Unmarshal(line, h); err != nil {
		return nil, fmt.Errorf("%w: the header does not parse", ErrBody)
	}
	var all map[string]json.RawMessage
	json.Unmarshal(line, &all)
	for _, known := range []string{"exporter", "recipients", "created_at", "audit_head", "counts", "size", "key_changes"} {
		delete(all, known)
	}
	if len(all) > 0 {
		h.Unknown = all
	}
	if len(h.Exporter.SigningKey) != ed25519.PublicKeySize {
		return nil, ErrNoSigningKey
	}
	if len(h.Recipients) == 0 {
		return nil, fmt.Errorf("%w: the header names no recipient", ErrBody)
	}
	if h.Size < 0 || h.Size > MaxSize {
		return nil, fmt.Errorf("%w: it declares %d bytes of records (at most %d)", ErrTooLarge, h.Size, int64(MaxSize))
	}
	for name, n := range h.Counts {
		k := kindNamed(name)
		if k == nil {
			return nil, fmt.Errorf("%w (%q)", ErrNewerKind, name)
		}
		if n < 0 || n > k.Max {
			return nil, fmt.Errorf("%w: it declares %d %s records (at most %d)", ErrTooLarge, n, name, k.Max)
		}
	}
	return h, nil
}

// parseV3 reads the rest of a version 3 bundle from br, after its first
// line.
func parseV3(br *bufio.Reader, check func(*Header) error, take func(*BlobChunk) error) (*Body, error) {
	var n int64
	hl, err := readLine(br, nil, MaxHeaderLine, &n)
	if err != nil {
		return nil, err
	}
	hsig, err := readLine(br, nil, 128, &n)
	if err != nil {
		return nil, ErrBadSignatureLine
	}
	h, err := parseHeader(hl)
	if err != nil {
		return nil, err
	}
	hsum := sha256.Sum256(hl)
	if err := verifySig(h.Exporter.SigningKey, headerDomain+hex.EncodeToString(hsum[:]), hsig); err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(h); err != nil {
			return nil, err
		}
	}

	body := &Body{Version: Version, Exporter: h.Exporter, Recipients: h.Recipients, CreatedAt: h.CreatedAt, AuditHead: h.AuditHead, KeyChanges: h.KeyChanges, takeBlob: take}
	dec := startDecoding()
	defer dec.stop()
	records := sha256.New()
	counts := map[string]int64{}
	var size, total int64
	var line []byte
	defer func() { wipe(line) }()
	for {
		if line, err = readLine(br, line, MaxRecordLine, &size); err != nil {
			return nil, err
		}
		kind, rest, err := splitKind(line)
		if err != nil {
			return nil, err
		}
		if kind == endKind {
			if err := dec.finish(body); err != nil {
				return nil, err
			}
			return body, finishV3(br, h, hsum[:], line, records, total, size-int64(len(line))-1, counts)
		}
		if err := dec.failed(); err != nil {
			return nil, err
		}
		if size > h.Size {
			return nil, fmt.Errorf("%w: its records exceed the %d bytes the header declares", ErrTooLarge, h.Size)
		}
		k := kindNamed(kind)
		if k == nil {
			return nil, fmt.Errorf("%w (%q)", ErrNewerKind, kind)
		}
		if counts[kind]++; counts[kind] > h.Counts[kind] {
			return nil, fmt.Errorf("%w: more %s records than the header declares", ErrTooLarge, kind)
		}
		total++
		records.Write(line)
		records.Write([]byte{'\n'})
		// The record's own fields: the line from its first field on,
		// opened again.
		rest[0] = '{'
		if k.parse != nil {
			dec.add(k, rest)
		} else if err := k.decode(body, rest); err != nil {
			return nil, err
		}
	}
}

// splitKind returns a record line's kind and the line from the comma (or
// closing brace) after it: a record line starts {"kind":"NAME".
func splitKind(line []byte) (string, []byte, error) {
	rest, ok := bytes.CutPrefix(line, []byte(`{"kind":"`))
	if !ok {
		return "", nil, fmt.Errorf("%w: a record does not start with its kind", ErrBody)
	}
	i := bytes.IndexByte(rest, '"')
	if i < 1 || i > 32 || i+1 >= len(rest) || (rest[i+1] != ',' && rest[i+1] != '}') {
		return "", nil, fmt.Errorf("%w: a record's kind is malformed", ErrBody)
	}
	for _, c := range rest[:i] {
		if (c < 'a' || c > 'z') && c != '_' {
			return "", nil, fmt.Errorf("%w: a record's kind is malformed", ErrBody)
		}
	}
	return string(rest[:i]), rest[i+1:], nil
}

// finishV3 checks a version 3 bundle's end: the end line against what was
// read and declared, its signature, and that nothing follows.
func finishV3(br *bufio.Reader, h *Header, hsum, el []byte, records hash.Hash, total, size int64, counts map[string]int64) error {
	var e end
	dec := json.NewDecoder(bytes.NewReader(el))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return fmt.Errorf("%w: the end line does not parse", ErrBody)
	}
	if e.Records != total || e.SHA256 != hex.EncodeToString(records.Sum(nil)) {
		return fmt.Errorf("%w: the records are not the ones signed", ErrBody)
	}
	if size != h.Size {
		return fmt.Errorf("%w: the records are not the size the header declares", ErrBody)
	}
	for name, n := range h.Counts {
		if counts[name] != n {
			return fmt.Errorf("%w: fewer %s records than the header declares", ErrBody, name)
		}
	}
	var n int64
	sig, err := readLine(br, nil, 128, &n)
	if err != nil {
		return ErrBadSignatureLine
	}
	esum := sha256.Sum256(el)
	if err := verifySig(h.Exporter.SigningKey, endDomain+hex.EncodeToString(hsum)+"\n"+hex.EncodeToString(esum[:]), sig); err != nil {
		return err
	}
	return atEOF(br)
}
