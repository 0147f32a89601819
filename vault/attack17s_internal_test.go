package vault

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirSums is every file under dir and a digest of its bytes.
func dirSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalSums(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAttack17sMigrateFormat5: a vault of format 5 (no interviews_listed)
// opens read-only without a file changing, lists and searches as it did,
// and gains the index in memory; opened to write, it keeps working; a vault
// of a newer format is refused with a clear error and left as it is.
func TestAttack17sMigrateFormat5(t *testing.T) {
	ctx := context.Background()
	v := mustCreateInternal(t)
	dir := v.dir
	var ins []Input
	for i, p := range []string{"Zed", "Amy", "Bo", "Amy"} {
		in := textInput(p, "警察 came; officer "+p)
		in.InterviewedOn = []string{"2019-02-01", "2019-01-01", "", "2019-01-01"}[i]
		in.Tags = []string{"b", "a"}
		ins = append(ins, in)
	}
	if _, err := v.Add(ctx, ins); err != nil {
		t.Fatal(err)
	}
	want, err := v.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP INDEX interviews_listed`, `PRAGMA user_version = 5`} {
		if _, err := v.conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	v.Close()

	open := func(ro bool) (*Vault, error) {
		return Open(ctx, dir, OpenOptions{ReadOnly: ro}, PassphraseIdentity([]byte("correct horse battery staple")))
	}
	check := func(v *Vault) {
		t.Helper()
		var version, index int
		if err := v.conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
			t.Fatal(err)
		}
		if err := v.conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'interviews_listed'`).Scan(&index); err != nil {
			t.Fatal(err)
		}
		if version != len(migrations) || index != 1 {
			t.Fatalf("format %d, index %d: not migrated", version, index)
		}
		got, err := v.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got[:len(want)], want, func(a, b Summary) bool {
			return a.ID == b.ID && slices.Equal(a.Tags, b.Tags)
		}) {
			t.Fatalf("list %v, want %v", got, want)
		}
		page, total, err := v.SearchPage(ctx, "警察", 2)
		if err != nil || total != len(got) || len(page) != 2 || page[0].ID != got[0].ID {
			t.Fatalf("page %v total %d: %v", page, total, err)
		}
	}
	before := dirSums(t, dir)
	ro, err := open(true)
	if err != nil {
		t.Fatal(err)
	}
	check(ro)
	ro.Close()
	if !equalSums(before, dirSums(t, dir)) {
		t.Fatal("a read-only open of a format 5 vault changed its files")
	}

	rw, err := open(false)
	if err != nil {
		t.Fatal(err)
	}
	check(rw)
	if _, err := rw.Add(ctx, []Input{textInput("Cy", "警察 again")}); err != nil {
		t.Fatal(err)
	}
	want, _ = rw.List(ctx)
	rw.Close()
	rw, err = open(false)
	if err != nil {
		t.Fatal(err)
	}
	check(rw)

	// A vault of a newer format: refused, files as they were.
	if _, err := rw.conn.ExecContext(ctx, `PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	if err := rw.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	rw.Close()
	before = dirSums(t, dir)
	for _, readOnly := range []bool{true, false} {
		if v, err := open(readOnly); err == nil {
			v.Close()
			t.Fatal("a vault of format 99 opened")
		} else if !strings.Contains(err.Error(), "newer tvault") || strings.Contains(err.Error(), "警察") {
			t.Fatalf("format 99: %v", err)
		}
	}
	if !equalSums(before, dirSums(t, dir)) {
		t.Fatal("refusing a newer vault changed its files")
	}
}

// TestAttack17sPlantedTags: hostile tags planted in the database with SQL
// make every read that decodes them (List, Search, SearchPage, FindPage)
// fail as ErrDamaged, without a panic, or decode as encoding/json does.
func TestAttack17sPlantedTags(t *testing.T) {
	ctx := context.Background()
	v := mustCreateInternal(t)
	if _, err := v.Add(ctx, []Input{textInput("P", "警察 officer")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql  string
		want []string // nil: damaged
	}{
		{`'["a","b"]'`, []string{"a", "b"}},
		{`x'5b22ff225d'`, []string{"\uFFFD"}},
		{`'["a\u0000"]'`, []string{"a\x00"}},
		{`'["a",]'`, nil},
		{`'["a"'`, nil},
		{`'[' || replace(hex(zeroblob(100000)), '00', ',') || ']'`, nil},
		{`'{"a":1}'`, nil},
		{`5`, nil},
		{`1.5`, nil},
		{`x'5b5d'`, []string{}},
		{`'[""]'`, []string{""}},
		{`'["\ud800"]'`, []string{"\uFFFD"}},
		{`x'5b22e380225d'`, []string{"\uFFFD\uFFFD"}},
	} {
		if _, err := v.conn.ExecContext(ctx, `UPDATE interviews SET tags = `+tc.sql); err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		reads := map[string]func() ([]string, error){
			"list": func() ([]string, error) {
				l, err := v.List(ctx)
				if err != nil {
					return nil, err
				}
				return l[0].Tags, nil
			},
			"search": func() ([]string, error) {
				l, err := v.Search(ctx, "officer")
				if err != nil {
					return nil, err
				}
				return l[0].Tags, nil
			},
			"page": func() ([]string, error) {
				l, _, err := v.SearchPage(ctx, "警察", 1)
				if err != nil {
					return nil, err
				}
				return l[0].Tags, nil
			},
			"find": func() ([]string, error) {
				l, _, err := v.FindPage(ctx, "of", Filter{}, 1)
				if err != nil {
					return nil, err
				}
				return l[0].Tags, nil
			},
		}
		for name, read := range reads {
			got, err := read()
			if tc.want == nil {
				if !errors.Is(err, ErrDamaged) {
					t.Errorf("%s: %s: tags %q, err %v; want ErrDamaged", tc.sql, name, got, err)
				}
				continue
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("%s: %s: tags %q, err %v; want %q", tc.sql, name, got, err, tc.want)
			}
		}
	}
}
