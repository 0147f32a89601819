package bundlefmt

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
)

// TestDecodeInOrder: records decoded on every core join the body in bundle
// order, and of several records that do not parse, the error is always the
// first one's in bundle order, whichever core decodes it first.
func TestDecodeInOrder(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	var records []string
	size := 0
	for i := range 2000 {
		r := fmt.Sprintf(`{"kind":"revision","id":"r%d","body":{},"testimony":"%s","sig":null}`, i, strings.Repeat("x", i%50))
		records = append(records, r)
		size += len(r) + 1
	}
	body, err := Parse(bytes.NewReader(signed(key, headerJSON(pub, `{"revision":2000}`, size), records...)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range body.Revisions {
		if want := fmt.Sprintf("r%d", i); r.ID != want || len(r.Testimony) != i%50 {
			t.Fatalf("revision %d is %s, want %s", i, r.ID, want)
		}
	}

	// Two bad records: a sealed one early, a revision later. Both kinds
	// are declared; the error must name the sealed one every time.
	bad := append([]string{}, records[:1500]...)
	bad[900] = `{"kind":"sealed","id":"s","interview":"i","data":1}`
	bad[1400] = `{"kind":"revision","id":1}`
	size = 0
	for _, r := range bad {
		size += len(r) + 1
	}
	plain := signed(key, headerJSON(pub, `{"revision":1499,"sealed":1}`, size), bad...)
	for range 20 {
		_, err := Parse(bytes.NewReader(plain), nil)
		if err == nil || !strings.Contains(err.Error(), "a sealed record does not parse") {
			t.Fatalf("err=%v, want the sealed record's", err)
		}
	}
}
