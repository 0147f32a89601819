// Package places finds place names that narrow a person down in a text: for
// China, the provinces, prefectures and counties of the GB/T 2260
// administrative divisions, in Chinese (黄陂区, 黄陂) and in pinyin (Huangpi).
//
// The list, cn.txt, is generated from permissively licensed npm packages by
// gen/gen.sh (run through `go generate ./vault`); NOTICE.md names them, with
// their versions and licences, and says how the list is filtered so that it
// does not flood a testimony with false hits.
package places

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed cn.txt
var cnList string

// Place is one administrative division.
type Place struct {
	Code string // its GB/T 2260 code: "420116"
	Name string // its full name in Chinese: "黄陂区"
}

// Index finds the place names of a list in a text. It is safe for
// concurrent use.
type Index struct {
	places []Place
	// han holds the Chinese forms; lead maps the first two runes of a form
	// to the length in runes of the longest form that begins with them, so
	// that a rune that begins no form costs one lookup.
	han  map[string]int32
	lead map[[2]rune]int
	// first marks the runes of the main CJK block that begin a form: most
	// runes of a Chinese text begin none, and skip the map.
	first [cjkLast - cjkFirst + 1]bool
	// latin holds the pinyin forms, lower case, apostrophes dropped.
	latin map[string]int32
}

var (
	chinaOnce sync.Once
	china     *Index
)

// China returns the index of China's place names, built on first use (a
// few milliseconds).
func China() *Index {
	chinaOnce.Do(func() { china = parse(cnList) })
	return china
}

// Len returns the number of places in the index.
func (x *Index) Len() int { return len(x.places) }

func parse(list string) *Index {
	x := &Index{han: map[string]int32{}, lead: map[[2]rune]int{}, latin: map[string]int32{}}
	for line := range strings.SplitSeq(list, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		code, rest, _ := strings.Cut(line, "\t")
		name, forms, _ := strings.Cut(rest, "\t")
		n := int32(len(x.places))
		x.places = append(x.places, Place{Code: code, Name: name})
		x.addHan(name, n)
		for f := range strings.FieldsSeq(forms) {
			r, _ := utf8.DecodeRuneInString(f)
			if r < utf8.RuneSelf {
				if _, dup := x.latin[f]; !dup {
					x.latin[f] = n
				}
			} else {
				x.addHan(f, n)
			}
		}
	}
	return x
}

func (x *Index) addHan(form string, n int32) {
	runes := []rune(form)
	if len(runes) < 2 {
		return
	}
	if _, dup := x.han[form]; !dup {
		x.han[form] = n
	}
	k := [2]rune{runes[0], runes[1]}
	x.lead[k] = max(x.lead[k], len(runes))
	if cjkFirst <= runes[0] && runes[0] <= cjkLast {
		x.first[runes[0]-cjkFirst] = true
	}
}

// The main block of CJK ideographs, where nearly every character of a
// Chinese text is.
const cjkFirst, cjkLast = 0x4e00, 0x9fff

// Find calls fn with the byte offsets of each place name in text and the
// place it names, in order. Chinese names match anywhere (Chinese has no
// spaces), the longest at a position first; a name of two characters
// ending in 县 does not match before 长 (赵县长 is Zhao, the county head).
// Pinyin matches whole words only, in any case: "Huangpi", "XI'AN".
func (x *Index) Find(text string, fn func(start, end int, p Place)) {
	var word [32]byte // a Latin word, lower case
	wordStart, wordLen := -1, 0
	endWord := func(end int) {
		if wordStart >= 0 && wordLen <= len(word) {
			if n, ok := x.latin[string(word[:wordLen])]; ok {
				fn(wordStart, end, x.places[n])
			}
		}
		wordStart, wordLen = -1, 0
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
				if wordStart < 0 {
					wordStart = i
				}
				if wordLen < len(word) {
					word[wordLen] = c | 0x20
				}
				wordLen++
			case c == '\'' && wordStart >= 0 && i+1 < len(text) && isASCIILetter(text[i+1]):
				// Xi'an: the apostrophe belongs to the word.
			case '0' <= c && c <= '9' || c == '_':
				// A word with digits is no place name.
				if wordStart < 0 {
					wordStart = i
				}
				wordLen = len(word) + 1
			default:
				endWord(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if cjkFirst <= r && r <= cjkLast {
			endWord(i)
			if x.first[r-cjkFirst] {
				if end := x.matchHan(text, i, r, size); end > i {
					fn(i, end, x.places[x.han[text[i:end]]])
					i = end
					continue
				}
			}
			i += size
			continue
		}
		if unicode.IsLetter(r) && !unicode.Is(unicode.Han, r) {
			// é, ü, Cyrillic: part of a word that is not pinyin.
			if wordStart < 0 {
				wordStart = i
			}
			wordLen = len(word) + 1
			i += size
			continue
		}
		endWord(i)
		if end := x.matchHan(text, i, r, size); end > i {
			fn(i, end, x.places[x.han[text[i:end]]])
			i = end
			continue
		}
		i += size
	}
	endWord(len(text))
}

// matchHan returns the end of the longest Chinese form at text[i:], whose
// first rune r is size bytes long, or i if none begins there.
func (x *Index) matchHan(text string, i int, r rune, size int) int {
	if i+size >= len(text) {
		return i
	}
	r2, size2 := utf8.DecodeRuneInString(text[i+size:])
	longest, ok := x.lead[[2]rune{r, r2}]
	if !ok {
		return i
	}
	// The ends of the first longest runes.
	var ends [16]int
	n := 0
	for j := i + size + size2; n < len(ends) && n+2 <= longest; n++ {
		ends[n] = j
		if j >= len(text) {
			n++
			break
		}
		_, s := utf8.DecodeRuneInString(text[j:])
		j += s
	}
	for k := n - 1; k >= 0; k-- {
		end := ends[k]
		if _, ok := x.han[text[i:end]]; !ok {
			continue
		}
		if k == 0 && strings.HasPrefix(text[i+size:], "县长") {
			continue
		}
		return end
	}
	return i
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
