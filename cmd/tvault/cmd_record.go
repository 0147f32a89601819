package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "record",
		args:    "ID [--note TEXT] [--seconds N] [--recorder CMD] [--rate HZ] [--channels N]",
		summary: "(Linux) record audio straight into the vault",
		help: `
Records from the microphone into an encrypted attachment of the interview,
as a WAV file (16-bit PCM), until Ctrl-C, --seconds, or the recorder stops.
The audio streams into the vault in frames of about two seconds, each
encrypted and written to disk as it is made: no plaintext audio file ever
exists, and a crash or a kill loses at most the last frame (the next open
saves the rest).

tvault itself opens no sockets, so it does not talk to the sound server: it
runs the system's recorder and reads raw audio from it through a pipe —
pw-record (PipeWire), parec (PulseAudio) or arecord (ALSA), whichever is
installed — or --recorder CMD, which must write raw signed 16-bit
little-endian samples at --rate and --channels to its standard output.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			note := fs.String("note", "", "a description for the readable tier")
			seconds := fs.Int("seconds", 0, "stop after `N` seconds (default: at Ctrl-C)")
			recorder := fs.String("recorder", "", "the recorder `CMD` (default: pw-record, parec or arecord)")
			rate := fs.Int("rate", 48000, "samples per second")
			channels := fs.Int("channels", 1, "channels")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("record takes one interview ID")
				}
				if *rate < 8000 || *rate > 192000 || *channels < 1 || *channels > 8 || *seconds < 0 {
					return usageError("--rate is 8000 to 192000, --channels 1 to 8, --seconds 0 or more")
				}
				return runRecord(e, args[0], *note, *recorder, *rate, *channels, *seconds)
			}
		},
	})
}

// recorders are tried in order; each writes raw s16le audio to stdout.
func recorderCommand(rate, channels int) ([]string, error) {
	r, c := strconv.Itoa(rate), strconv.Itoa(channels)
	for _, cand := range [][]string{
		{"pw-record", "--rate", r, "--channels", c, "--format", "s16", "-"},
		{"parec", "--raw", "--rate=" + r, "--channels=" + c, "--format=s16le"},
		{"arecord", "-q", "-t", "raw", "-f", "S16_LE", "-r", r, "-c", c},
	} {
		if _, err := exec.LookPath(cand[0]); err == nil {
			return cand, nil
		}
	}
	return nil, errors.New("no recorder found (pw-record, parec or arecord); install one, or give --recorder CMD")
}

// wavHeader is the header of a WAV file whose length is not known when it
// starts: both sizes are 0xFFFFFFFF, which players read as "to the end".
func wavHeader(rate, channels int) []byte {
	h := make([]byte, 0, 44)
	h = append(h, "RIFF\xff\xff\xff\xffWAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)
	h = binary.LittleEndian.AppendUint16(h, 1) // PCM
	h = binary.LittleEndian.AppendUint16(h, uint16(channels))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(rate*channels*2))
	h = binary.LittleEndian.AppendUint16(h, uint16(channels*2))
	h = binary.LittleEndian.AppendUint16(h, 16)
	return append(h, "data\xff\xff\xff\xff"...)
}

func runRecord(e *env, id, note, recorder string, rate, channels, seconds int) error {
	if runtime.GOOS != "linux" {
		return errors.New("recording is not supported here; record with another program and 'tvault attach' the file")
	}
	argv := strings.Fields(recorder)
	if len(argv) == 0 {
		var err error
		if argv, err = recorderCommand(rate, channels); err != nil {
			return err
		}
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	ctx, stop := signal.NotifyContext(e.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if seconds > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(seconds)*time.Second)
		defer cancel()
	}
	if _, err := v.Resolve(id); err != nil {
		return err
	}
	// The recorder first: if it cannot start, nothing is recorded.
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = e.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("the recorder %s: %w", argv[0], err)
	}
	rec, err := v.StartRecording(e.ctx, id, vault.AttachOptions{Description: note})
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return err
	}
	if _, err := rec.Write(wavHeader(rate, channels)); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Recording (%s); Ctrl-C stops and saves.\n", argv[0])
	chunks := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			buf := make([]byte, 32<<10)
			n, err := out.Read(buf)
			if n > 0 {
				chunks <- buf[:n]
			}
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				readErr <- err
				close(chunks)
				return
			}
		}
	}()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	start := time.Now()
	var failed error
loop:
	for {
		select {
		case b, ok := <-chunks:
			if !ok {
				failed = <-readErr
				break loop
			}
			if _, err := rec.Write(b); err != nil {
				failed = err
				break loop
			}
		case <-tick.C:
			if err := rec.Flush(); err != nil {
				failed = err
				break loop
			}
			if s := int(time.Since(start).Seconds()); s%10 < 2 {
				fmt.Fprintf(e.stderr, "… %d:%02d, %d KB\n", s/60, s%60, rec.Size()>>10)
			}
		case <-ctx.Done():
			break loop
		}
	}
	cmd.Process.Signal(os.Interrupt)
	go func() {
		for range chunks { // let the reader finish
		}
	}()
	cmd.Wait()
	rep, err := rec.Finish(context.WithoutCancel(e.ctx))
	if err != nil {
		return err
	}
	a := rep.Attachment
	fmt.Fprintf(e.stdout, "%s\n", a.ID)
	fmt.Fprintf(e.stderr, "Saved a recording of %s to interview %s: %d bytes, SHA-256 %s.\n",
		time.Since(start).Round(time.Second), rep.Interview, a.Size, a.SHA256)
	if failed != nil {
		return fmt.Errorf("the recording stopped early (what was recorded is saved): %w", failed)
	}
	return nil
}
