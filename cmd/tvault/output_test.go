package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// --json output, as run writes it (through the escaper), holds no raw
// control character (C0, DEL, C1) and no bidi control, and is JSON that
// means the same text: the escapes are JSON's \u form.
func TestJSONOutputEscapes(t *testing.T) {
	text := "a\x1b[2J b\x7f c\u0085 d\u009b31m e\u202eecilA\u202c f\u2067x\u2069 g\U000e0041 שלום\u200f"
	var buf bytes.Buffer
	if err := writeJSON(escaping(&buf), map[string]string{"testimony": text}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if i := strings.IndexAny(out, "\x1b\x7f\u0085\u009b\u202e\u202c\u2067\u2069\U000e0041"); i >= 0 {
		t.Fatalf("raw %q in the output %q", out[i:i+1], out)
	}
	var back map[string]string
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("the output is not JSON: %v\n%s", err, out)
	}
	if back["testimony"] != text {
		t.Fatalf("decoded %q, want %q", back["testimony"], text)
	}
}
