// Package media recognises the files tvault attaches to interviews, finds
// the metadata they carry (where a photo was taken, which camera took it,
// who wrote a PDF) and writes copies without it.
//
// Everything here reads untrusted bytes: every parser bounds what it reads,
// never allocates by a length it was given, and has a fuzz target.
package media

import (
	"bytes"
	"unicode/utf8"
)

// Media types [Sniff] returns.
const (
	JPEG    = "image/jpeg"
	PNG     = "image/png"
	GIF     = "image/gif"
	WebP    = "image/webp"
	HEIC    = "image/heic"
	PDF     = "application/pdf"
	ZIP     = "application/zip"
	MP3     = "audio/mpeg"
	FLAC    = "audio/flac"
	WAV     = "audio/wav"
	Ogg     = "audio/ogg"
	MP4     = "video/mp4"
	Text    = "text/plain"
	Unknown = "application/octet-stream"
)

// SniffLen is how many leading bytes [Sniff] looks at.
const SniffLen = 512

// Sniff returns the media type of a file from its first bytes (up to
// [SniffLen] of them; fewer if the file is shorter). It looks at content,
// never at a file name.
func Sniff(head []byte) string {
	h := head[:min(len(head), SniffLen)]
	switch {
	case bytes.HasPrefix(h, []byte{0xff, 0xd8, 0xff}):
		return JPEG
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return GIF
	case len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		return WebP
	case len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WAVE":
		return WAV
	case len(h) >= 12 && string(h[4:8]) == "ftyp":
		switch string(h[8:12]) {
		case "heic", "heix", "mif1", "msf1":
			return HEIC
		}
		return MP4
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return PDF
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		return ZIP
	case bytes.HasPrefix(h, []byte("ID3")), len(h) >= 2 && h[0] == 0xff && h[1]&0xe0 == 0xe0:
		return MP3
	case bytes.HasPrefix(h, []byte("fLaC")):
		return FLAC
	case bytes.HasPrefix(h, []byte("OggS")):
		return Ogg
	}
	if len(h) > 0 && bytes.IndexByte(h, 0) < 0 && validPrefix(h, len(head) > len(h)) {
		return Text
	}
	return Unknown
}

// validPrefix reports whether h is UTF-8, allowing a rune cut at its end
// when more follows.
func validPrefix(h []byte, more bool) bool {
	if utf8.Valid(h) {
		return true
	}
	if !more {
		return false
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(h); cut++ {
		if utf8.Valid(h[:len(h)-cut]) {
			return true
		}
	}
	return false
}
