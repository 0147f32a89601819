package vault

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/tvault/tvault/crypto"
)

func mustCreateInternal(t *testing.T) *Vault {
	t.Helper()
	c, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Create(filepath.Join(t.TempDir(), "v"), CreateOptions{Name: "R1", Custodian: c.Recipient(), Passphrase: []byte("correct horse battery staple")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func textInput(pseudonym, testimony string) Input {
	var in Input
	in.Pseudonym, in.Testimony = pseudonym, testimony
	return in
}

var cjkTexts = []string{
	"当地公安局的警察每周两次到我父母家里来。",
	"我父亲去办护照的时候，办事员说他的名字在一个名单上。他住在{{南昌|一个城市}}。",
	"警 察 are two words here, not the word 警察 split: 警。察",
	"東京の警察官が来ました。パスポートを取られた。",
	"경찰이 집에 왔다. 여권을 빼앗겼다.",
	"Officers came twice a week; no Chinese at all.",
}

// TestSearchCJKPairs: a two-character CJK query finds exactly the interviews
// whose public testimony holds those two characters side by side (what a
// substring check finds), and finds them through the pair index alone.
func TestSearchCJKPairs(t *testing.T) {
	v := mustCreateInternal(t)
	var ins []Input
	for i, text := range cjkTexts {
		ins = append(ins, textInput(fmt.Sprintf("P%d", i), text))
	}
	if _, err := v.Add(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"警察", "护照", "名单", "一个", "城市", "南昌", "察來", "東京", "パス", "경찰", "여권", "察，", "警察 护照", "警察 week"} {
		got, err := v.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		var want []string
		for i, text := range cjkTexts {
			if containsAll(strings.ToLower(RenderPublic(markedFor(t, text))), strings.Fields(strings.ToLower(q))) {
				want = append(want, fmt.Sprintf("P%d", i))
			}
		}
		var names []string
		for _, s := range got {
			names = append(names, s.Pseudonym)
		}
		slices.Sort(names)
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Errorf("search %q = %v, want %v", q, names, want)
		}
	}

	// The pair index alone answers: with the testimony column emptied, a
	// pair query still finds its interviews (a scan would find none).
	if _, err := v.conn.ExecContext(context.Background(), `UPDATE revisions SET testimony = ''`); err != nil {
		t.Fatal(err)
	}
	got, err := v.Search(context.Background(), "警察")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("with the testimony gone, 警察 finds %d interviews, want 3 from the index", len(got))
	}
}

// markedFor is the stored (marked) form of a typed testimony: spans as
// {{#N|description}}.
func markedFor(t *testing.T, typed string) string {
	t.Helper()
	spans, err := parseSpans(typed)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	last := 0
	for i, s := range spans {
		b.WriteString(typed[last:s.start])
		fmt.Fprintf(&b, "{{#%d|%s}}", i+1, s.description)
		last = s.end
	}
	b.WriteString(typed[last:])
	return b.String()
}

// TestPurgeLeavesNoPairs: after a purge, the pair index holds nothing of the
// purged interview, not even marked deleted.
func TestPurgeLeavesNoPairs(t *testing.T) {
	v := mustCreateInternal(t)
	ids, err := v.Add(context.Background(), []Input{textInput("Gone", "独特的词语出现在这里。겨울"), textInput("Kept", "别的内容。")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Purge(context.Background(), ids[0]); err != nil {
		t.Fatal(err)
	}
	got, err := v.Search(context.Background(), "独特")
	if err != nil || len(got) != 0 {
		t.Fatalf("after purge, search = %v, %v", got, err)
	}
	var n int
	if err := v.conn.QueryRowContext(context.Background(), `SELECT count(*) FROM cjk_fts WHERE cjk_fts MATCH '"独特"'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the pair index still matches the purged interview (%d rows)", n)
	}
	// Nor do its segments hold the pair, marked deleted. 겨울 is the only
	// Hangul pair, and Hangul sorts after Han: its bytes are stored whole,
	// not cut by the prefix compression of the terms before it.
	if err := v.conn.QueryRowContext(context.Background(), `SELECT count(*) FROM cjk_fts_data WHERE instr(block, CAST('겨울' AS BLOB)) > 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the pair index's segments still hold a purged pair (%d blocks)", n)
	}
	if got, err := v.Search(context.Background(), "别的"); err != nil || len(got) != 1 {
		t.Fatalf("the kept interview: %v, %v", got, err)
	}
}

// TestMigrateFormat2: a database written by a tvault before the pair index
// and the rowid sealed table opens with its sealed items intact and its
// interviews findable by two-character queries.
func TestMigrateFormat2(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:/tvault-migrate-"+randomID()+"?vfs=memdb")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i, m := range migrations[:2] {
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA user_version = 2`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO revisions (id, interview, body, testimony, sig) VALUES ('r1', 'i1', '{}', '他说警察来了 {{#1|一个城市}}', x'00')`,
		`INSERT INTO interviews (id, revision, pseudonym, interviewed_on, tags, heads, updated_at) VALUES ('i1', 'r1', 'P', '2018-04-02', '[]', 1, '')`,
		`INSERT INTO sealed (id, interview, data) VALUES ('s1', 'i1', x'0102030405')`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	var data []byte
	if err := conn.QueryRowContext(ctx, `SELECT data FROM sealed WHERE id = 's1' AND interview = 'i1'`).Scan(&data); err != nil {
		t.Fatal(err)
	}
	if string(data) != "\x01\x02\x03\x04\x05" {
		t.Fatalf("sealed data = %x", data)
	}
	var withoutRowid int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_list WHERE name = 'sealed' AND wr = 1`).Scan(&withoutRowid); err != nil {
		t.Fatal(err)
	}
	if withoutRowid != 0 {
		t.Fatal("sealed is still a WITHOUT ROWID table")
	}
	for q, want := range map[string]int{`"警察"`: 1, `"城市"`: 1, `"他说"`: 1, `"南昌"`: 0} {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM cjk_fts WHERE cjk_fts MATCH ?`, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("pairs %s: %d rows, want %d", q, n, want)
		}
	}
}

func TestCJKPairs(t *testing.T) {
	for in, want := range map[string]string{
		"警察来了":       "警察 察来 来了",
		"警 察":        "",
		"警察，警察":      "警察",
		"abc東京def경찰": "東京 경찰",
		"パスポート":      "パス スポ",
		"":           "",
	} {
		if got := cjkPairs(in); got != want {
			t.Errorf("cjkPairs(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkCJKPairs(b *testing.B) {
	text := strings.Repeat("我父亲去办护照的时候，办事员说他的名字在一个名单上。Officers came twice a week. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		cjkPairs(text)
	}
}

// TestIsCJKFastPath: the fast path agrees with the definition on every rune
// of the Basic Multilingual Plane and beyond.
func TestIsCJKFastPath(t *testing.T) {
	for r := rune(0); r <= 0x2FFFF; r++ {
		want := unicode.IsLetter(r) && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
			unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r))
		if got := isCJK(r); got != want {
			t.Fatalf("isCJK(%U) = %v, want %v", r, got, want)
		}
	}
}
