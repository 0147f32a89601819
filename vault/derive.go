package vault

// What the search indexes hold of a testimony, worked out beside the save.
//
// An add spends a third of its time on one core indexing testimony, while
// the other core waits. Rendering each testimony's public text and its CJK
// pairs does not depend on anything the save decides (IDs, sealing, rows),
// so Add starts it at once in a goroutine, and apply takes the results when
// it reaches the index: on two cores that work is off the save's path.

// indexText is a testimony as the search indexes take it.
type indexText struct {
	public string // for testimony_fts: spans as [description]
	pairs  string // for cjk_fts
}

func newIndexText(marked string) indexText {
	public := RenderPublic(marked)
	return indexText{public: public, pairs: cjkPairs(public)}
}

// indexTexts are the index texts of a batch's testimonies, keyed by marked
// testimony, being worked out.
type indexTexts struct {
	done chan struct{}
	m    map[string]indexText
}

// deriveIndexTexts starts working out the index texts of marked
// testimonies.
func deriveIndexTexts(marked []string) *indexTexts {
	d := &indexTexts{done: make(chan struct{}), m: make(map[string]indexText, len(marked))}
	go func() {
		defer close(d.done)
		for _, t := range marked {
			if _, ok := d.m[t]; !ok {
				d.m[t] = newIndexText(t)
			}
		}
	}()
	return d
}

// get returns the index text of marked: worked out ahead if it was, here
// otherwise. A nil d works everything out here.
func (d *indexTexts) get(marked string) indexText {
	if d != nil {
		<-d.done
		if t, ok := d.m[marked]; ok {
			return t
		}
	}
	return newIndexText(marked)
}
