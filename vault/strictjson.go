package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

var errNotJSON = errors.New("not JSON")

// strictJSON refuses JSON that tvault and other readers (SQLite's
// json_extract, jq, a person) could read differently: invalid UTF-8, an
// object with a key twice, or two keys that encoding/json takes for the
// same field (it matches names as strings.EqualFold does: "Pseudonym" and
// "pseudonym"), and a key that is a known field's name in another case
// (encoding/json reads it as that field, json_extract does not). Keys this
// version does not know are allowed: a newer tvault's fields.
//
// It scans for object keys only, without allocating for the rest: whether
// b is JSON at all is for json.Unmarshal, which every caller runs after.
func strictJSON(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("not valid UTF-8")
	}
	type frame struct {
		object bool
		keys   []string
	}
	var stack []frame
	expectKey := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{':
			stack = append(stack, frame{object: true})
			expectKey = true
		case '[':
			stack = append(stack, frame{})
			expectKey = false
		case '}', ']':
			if len(stack) == 0 {
				return errNotJSON
			}
			stack = stack[:len(stack)-1]
			expectKey = false
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
		case '"':
			j, escaped := i+1, false
			for ; j < len(b) && b[j] != '"'; j++ {
				if b[j] != '\\' {
					continue
				}
				escaped = true
				if j+1 < len(b) && b[j+1] == 'u' {
					n, err := loneSurrogate(b[j:])
					if err != nil {
						return err
					}
					j += n - 1
					continue
				}
				j++
			}
			if j >= len(b) {
				return errNotJSON
			}
			if expectKey {
				var key string
				if !escaped {
					key = string(b[i+1 : j])
				} else if json.Unmarshal(b[i:j+1], &key) != nil {
					return errNotJSON
				}
				f := &stack[len(stack)-1]
				for _, k := range f.keys {
					if strings.EqualFold(k, key) {
						return fmt.Errorf("the key %q appears twice", key)
					}
				}
				f.keys = append(f.keys, key)
				if name := knownField(key); name != "" && name != key {
					return fmt.Errorf("the key %q is the field %q in another case", key, name)
				}
				expectKey = false
			}
			i = j
		}
	}
	return nil
}

// loneSurrogate checks the \\u escape at the start of b and returns its
// length: 6, or 12 for a surrogate pair. A surrogate that is not half of a
// pair is refused: encoding/json reads it as U+FFFD, other readers
// otherwise.
func loneSurrogate(b []byte) (int, error) {
	r, ok := hex4(b)
	switch {
	case !ok:
		return 0, errNotJSON
	case r < 0xd800 || r > 0xdfff:
		return 6, nil
	case r <= 0xdbff:
		if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if lo, ok := hex4(b[6:]); ok && lo >= 0xdc00 && lo <= 0xdfff {
				return 12, nil
			}
		}
	}
	return 0, errors.New("a string holds half of a UTF-16 surrogate pair")
}

// hex4 decodes the four hex digits of the \\u escape at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// knownField returns the JSON field name of a Revision (or of a type inside
// it) that encoding/json would decode key into, or "".
func knownField(key string) string {
	names := knownFields()
	if names[key] {
		return key
	}
	for name := range names {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

// knownFields is the set of every JSON field name of a Revision and of the
// types inside it.
var knownFields = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			names[name] = true
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Revision]())
	return names
})
