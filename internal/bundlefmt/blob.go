package bundlefmt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"filippo.io/age"
)

// BlobChunk is a piece of an attachment's file: a version 3 "blob"
// record. The chunks of one attachment come in order, numbered from 0. An
// ordinary attachment travels as its own bytes (the bundle is encrypted);
// a sealed one as the age file sealed to the custodian, as it is, so that
// it stays sealed.
type BlobChunk struct {
	Attachment string `json:"attachment"`
	Interview  string `json:"interview"`
	Seq        int64  `json:"seq"`
	Sealed     bool   `json:"sealed,omitempty"`
	Data       []byte `json:"data"`
}

// MaxBlobChunk is the most bytes one chunk holds.
const MaxBlobChunk = 1 << 20

// blobKind is the "blob" record kind. Its records are never held in
// memory: a writer streams them from [Body.Blobs] and a reader hands each
// to the function [ReadWith] is given, as it arrives. Nothing that reads
// them may act on them before the bundle's end line verifies: Parse says
// so by returning.
var blobKind = Kind{
	Name:  "blob",
	Max:   1 << 22, // 4 TiB in chunks of 1 MiB; MaxSize binds first
	count: func(b *Body) int { return 0 },
	decode: func(b *Body, data []byte) error {
		if b.takeBlob == nil {
			return fmt.Errorf("%w: it carries attachment files, which this reader does not take", ErrBody)
		}
		var c BlobChunk
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil || dec.InputOffset() != int64(len(data)) || len(c.Data) > MaxBlobChunk || c.Seq < 0 {
			return fmt.Errorf("%w: a blob record does not parse", ErrBody)
		}
		return b.takeBlob(&c)
	},
	encode: func(b *Body, emit func(any) error) error {
		if b.Blobs == nil {
			return nil
		}
		return b.Blobs(func(c *BlobChunk) error { return emit(c) })
	},
}

// ReadBlobs is [Read] for a reader that takes attachment files: take is
// called with each blob chunk as it arrives, after check passed and before
// the end line is read. If ReadBlobs returns an error, whatever take kept
// must be dropped: the bundle did not verify.
func ReadBlobs(r io.Reader, id age.Identity, check func(*Header) error, take func(*BlobChunk) error) (*Body, error) {
	ar, err := age.Decrypt(bufio.NewReader(r), id)
	if err != nil {
		return nil, fmt.Errorf("not a bundle, or damaged (%w)", err)
	}
	return parse(ar, check, take)
}
