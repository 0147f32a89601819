package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// strictJSON refuses JSON that tvault and other readers (SQLite's
// json_extract, jq, a person) could read differently: invalid UTF-8, an
// object with a key twice, or two keys that encoding/json takes for the
// same field (it matches names without regard to case: "Pseudonym" and
// "pseudonym"), and a key that is a known field's name in another case
// (encoding/json reads it as that field, json_extract does not). Keys
// this version does not know are allowed: a newer tvault's fields.
func strictJSON(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	// One set of folded keys per open object; nil for an open array.
	var stack []map[string]bool
	expectKey := func() bool { return len(stack) > 0 && stack[len(stack)-1] != nil }
	var keyNext bool // the next token of the innermost object is a key
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errors.New("not JSON")
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, map[string]bool{})
				keyNext = true
			case '[':
				stack = append(stack, nil)
				keyNext = false
			default:
				stack = stack[:len(stack)-1]
				keyNext = expectKey()
			}
			continue
		}
		if keyNext {
			key := tok.(string)
			f := foldKey(key)
			if stack[len(stack)-1][f] {
				return fmt.Errorf("the key %q appears twice", key)
			}
			stack[len(stack)-1][f] = true
			if name, ok := knownFields()[f]; ok && name != key {
				return fmt.Errorf("the key %q is the field %q in another case", key, name)
			}
			keyNext = false
			continue
		}
		keyNext = expectKey()
	}
	return nil
}

// foldKey folds s as encoding/json matches field names: two keys are the
// same field to it exactly when their folds are equal.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		b.WriteRune(r)
	}
	return b.String()
}

// knownFields maps the fold of every JSON field name of a Revision (and of
// the types inside it) to the name.
var knownFields = sync.OnceValue(func() map[string]string {
	names := map[string]string{}
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
			names[foldKey(name)] = name
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Revision]())
	return names
})
