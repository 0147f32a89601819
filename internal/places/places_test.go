package places

import (
	"strings"
	"testing"
)

func find(text string) []string {
	var out []string
	China().Find(text, func(start, end int, p Place) {
		out = append(out, text[start:end]+"="+p.Code)
	})
	return out
}

func TestChinaLen(t *testing.T) {
	if n := China().Len(); n < 3000 {
		t.Fatalf("%d places, want 3,000 or more", n)
	}
}

func TestFind(t *testing.T) {
	for _, tt := range []struct {
		text string
		want string
	}{
		{"我家在武汉市黄陂区的一个村子", "武汉市=420100 黄陂区=420116"},
		{"回到黄陂以后", "黄陂=420116"},
		{"He grew up in Huangpi, near WUHAN.", "Huangpi=420116 WUHAN=420100"},
		{"She moved to Xi'an in 2019.", "Xi'an=610100"},
		// Whole words only; digits and accents make another word.
		{"Huangpis huangpi2 Huangpié", ""},
		// Ordinary words and one-character short forms do not match.
		{"和平 朝阳 东方 太平 光明", ""},
		{"他和县里的人谈过", ""},
		// Zhao, the county head, is not 赵县.
		{"赵县长来了。他去了赵县。", "赵县=130133"},
		// Pinyin that is an English word does not match.
		{"The dean said a longan is a fruit.", ""},
		// The location field's coarse place, and a prefecture.
		{"新疆维吾尔自治区 伊犁", "新疆维吾尔自治区=650000 伊犁=654000"},
		{"", ""},
		{"黄", ""},
	} {
		if got := strings.Join(find(tt.text), " "); got != tt.want {
			t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// BenchmarkFind100KB searches 100 KB of Chinese and English testimony with
// a place name every few hundred bytes.
func BenchmarkFind100KB(b *testing.B) {
	text := benchText(100_000)
	x := China()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		n := 0
		x.Find(text, func(int, int, Place) { n++ })
		if n == 0 {
			b.Fatal("no hits")
		}
	}
}

func benchText(size int) string {
	var sb strings.Builder
	zh := "我们那时候住在村子里，警察每个星期都来家里问我父亲的情况。后来他们把我母亲叫到派出所，说如果我不回国就要影响弟弟的工作。我老家在黄陂，"
	en := "They summoned my brother twice and told him that the family would suffer unless I came back from abroad. My mother lives in Huangpi now. "
	for sb.Len() < size*2/3 {
		sb.WriteString(zh)
	}
	for sb.Len() < size {
		sb.WriteString(en)
	}
	return sb.String()
}
