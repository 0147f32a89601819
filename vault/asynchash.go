package vault

import (
	"hash"
	"io"
	"sync"
)

// asyncWriter feeds what is written to w (a hash, an inspector) on another
// goroutine, so that hashing a large attachment overlaps with encrypting
// and writing it: on two cores that is most of the difference between
// attaching a file and age encrypting it. Write copies p, so the caller may
// reuse it at once; at most four copies are in flight.
type asyncWriter struct {
	w    io.Writer
	ch   chan *[]byte
	pool sync.Pool
	done chan struct{}
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, ch: make(chan *[]byte, 4), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for b := range a.ch {
			a.w.Write(*b)
			a.pool.Put(b)
		}
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	b, _ := a.pool.Get().(*[]byte)
	if b == nil {
		b = new([]byte)
	}
	*b = append((*b)[:0], p...)
	a.ch <- b
	return len(p), nil
}

// wait stops the writer and returns once everything written has reached w.
func (a *asyncWriter) wait() {
	close(a.ch)
	<-a.done
}

// asyncHash is a hash fed by an asyncWriter.
type asyncHash struct {
	*asyncWriter
	h hash.Hash
}

func newAsyncHash(h hash.Hash, also ...io.Writer) *asyncHash {
	return &asyncHash{asyncWriter: newAsyncWriter(io.MultiWriter(append([]io.Writer{h}, also...)...)), h: h}
}

// sum waits for every write and returns the hash.
func (a *asyncHash) sum() []byte {
	a.wait()
	return a.h.Sum(nil)
}
