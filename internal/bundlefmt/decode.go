package bundlefmt

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Decoding records beside the reading.
//
// Reading a bundle is decrypting, hashing and splitting lines, in order, on
// one core; decoding each record's JSON costs about as much again and
// depends on nothing but the record. So the reader hands each record to
// decoders on every core and goes on reading; the records join the body in
// bundle order once all are read, and the error, if any, is the first
// record's in bundle order, whichever core found it.

// decoders decode records on workers.
type decoders struct {
	jobs  chan decodeJob
	order []*decoded // every record handed over, in bundle order
	bad   atomic.Bool
	wg    sync.WaitGroup
}

type decodeJob struct {
	k    *Kind
	data []byte
	out  *decoded
}

type decoded struct {
	add func(*Body)
	err error
}

func startDecoding() *decoders {
	jobs := make(chan decodeJob, 256)
	d := &decoders{jobs: jobs}
	for range runtime.GOMAXPROCS(0) {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			// Every record handed over is decoded, so that the first
			// error in bundle order is always found: the reader stops
			// handing over once one fails.
			for j := range jobs {
				j.out.add, j.out.err = j.k.parse(j.data)
				wipe(j.data) // a copy of the decrypted line
				if j.out.err != nil {
					d.bad.Store(true)
				}
			}
		}()
	}
	return d
}

// add hands over a record of kind k; data is copied.
func (d *decoders) add(k *Kind, data []byte) {
	out := &decoded{}
	d.order = append(d.order, out)
	d.jobs <- decodeJob{k: k, data: append([]byte(nil), data...), out: out}
}

// failed returns, once a record failed to decode, the first error in
// bundle order; nil until then.
func (d *decoders) failed() error {
	if !d.bad.Load() {
		return nil
	}
	d.stop()
	return d.firstError()
}

// finish waits for every record and adds them to b in bundle order, or
// returns the first error.
func (d *decoders) finish(b *Body) error {
	d.stop()
	if err := d.firstError(); err != nil {
		return err
	}
	for _, r := range d.order {
		r.add(b)
	}
	d.order = nil
	return nil
}

func (d *decoders) firstError() error {
	for _, r := range d.order {
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// stop ends the workers, once, and waits for them.
func (d *decoders) stop() {
	if d.jobs != nil {
		close(d.jobs)
		d.jobs = nil
	}
	d.wg.Wait()
}
