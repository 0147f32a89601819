package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// No plaintext written anywhere.
//
// The nocanary checks look for canaries in the files a session leaves. A
// file written and deleted, or written outside the folders looked at,
// escapes them. nowrite looks at every byte a session writes instead: it
// runs the session under strace, which logs every write-like system call
// of tvault and every process it starts, with the data written and the
// file each descriptor is open on, and fails if a canary is among the data
// written to anything but a pipe, /dev/null or an in-memory file.
//
// Pipes are allowed: they are how the recorder hands audio to tvault, how
// `attachment open --stdout` hands a file to the program that asked, and
// how the test reads tvault's output (which the scripts check for canaries
// themselves). What strace cannot show the data of, an in-kernel copy
// (copy_file_range, sendfile, splice) into a file, fails whatever it
// copies. Writes through a shared memory mapping are not system calls and
// are not seen; tvault maps no file for writing.
//
// A file's name and its extended attributes reach the disk too, without a
// write: nameCalls are traced as well, and a canary in a name created
// (open with O_CREAT, mkdir, rename, link, symlink, mknod) or in an
// extended attribute set fails. A canary split across two writes to one
// file is still found: each write is searched together with the end of
// the one before it to the same file.

// writeCalls are the system calls that write data somewhere.
const writeCalls = "write,pwrite64,writev,pwritev,pwritev2,sendto,sendmsg,sendmmsg,sendfile,copy_file_range,splice,tee,vmsplice"

// nameCalls are the system calls that write a name, or an extended
// attribute, to a file system.
const nameCalls = "open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,mknod,mknodat,setxattr,lsetxattr,fsetxattr"

// straceName is a line of one of nameCalls.
var straceName = regexp.MustCompile(`^(\d+)\s+(open|openat|openat2|creat|mkdir|mkdirat|rename|renameat|renameat2|link|linkat|symlink|symlinkat|mknod|mknodat|setxattr|lsetxattr|fsetxattr)\(`)

var (
	// "1234  write(3</path/to/file>, ..." or "1234  <... write resumed>..."
	straceCall    = regexp.MustCompile(`^(\d+)\s+(\w+)\((\d+)(<[^>]*>)?`)
	straceResumed = regexp.MustCompile(`^(\d+)\s+<\.\.\. (\w+) resumed>`)
	// " | 00000  68 65 6c ...  hello |": one line of a write's data.
	straceDump = regexp.MustCompile(`^ \| [0-9a-f]{5}  `)
	// Which argument of an in-kernel copy is the descriptor written to.
	kernelCopyOut = map[string]int{"sendfile": 0, "copy_file_range": 2, "splice": 2, "tee": 1}
)

// fileAllowed reports whether a descriptor's target, as strace -y shows
// it ("<pipe:[123]>", "</dev/null>", "</home/x/out.txt>"), may receive
// plaintext: a pipe, /dev/null or an in-memory file. A descriptor strace
// could not name may not.
func fileAllowed(target string) bool {
	return strings.HasPrefix(target, "<pipe:") || target == "</dev/null>" || strings.HasPrefix(target, "</memfd:")
}

// nowrite CANARY[,CANARY...] PROGRAM ARGS...: run PROGRAM under strace and
// fail if any CANARY is written to a file (see above). Its output is the
// script's stdout and stderr, as with exec. With !, expect a canary to be
// written.
func cmdNoWrite(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: nowrite CANARY[,CANARY...] PROGRAM [ARGS...]")
	}
	canaries := strings.Split(args[0], ",")
	log := ts.MkAbs(".strace-writes.log")
	os.Remove(log)
	// -f follows every child and thread; -y names the file behind each
	// descriptor; -e write=all dumps the data of every write, whatever its
	// size (the call's own string argument is cut at 32 bytes).
	straceArgs := append([]string{"-f", "-qq", "-y", "-s", "65536", "-e", "trace=" + writeCalls + "," + nameCalls, "-e", "signal=none", "-e", "write=all", "-o", log}, args[1:]...)
	err := ts.Exec("strace", straceArgs...)
	data, rerr := os.ReadFile(log)
	os.Remove(log) // it holds the canaries
	if rerr != nil {
		ts.Fatalf("strace wrote no log (is ptrace allowed here?): %v", rerr)
	}
	found, calls := canaryWrites(data, canaries)
	ts.Logf("nowrite: %d write calls traced", calls)
	if calls == 0 {
		ts.Fatalf("strace logged no write at all: the trace is broken")
	}
	if neg {
		if len(found) == 0 {
			ts.Fatalf("no canary written to a file (expected one)")
		}
		return
	}
	if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	if len(found) > 0 {
		ts.Fatalf("canaries written where they must not be:\n%s", strings.Join(found, "\n"))
	}
}

// canaryWrites reads a strace log made with -f -y -e write=all and returns
// a line for each write-like call that puts a canary into a file, and how
// many calls it read.
func canaryWrites(log []byte, canaries []string) (found []string, calls int) {
	type call struct {
		name, fd, target string
		data             []byte
	}
	pending := map[string]*call{} // by process: a call not finished yet
	var cur *call                 // the call whose data the dump lines are
	longest := 0
	for _, w := range canaries {
		longest = max(longest, len(w))
	}
	tails := map[string][]byte{} // by file: the end of the last write to it
	check := func(c *call) {
		if c == nil {
			return
		}
		data := append(tails[c.target], c.data...)
		tails[c.target] = append([]byte{}, data[max(0, len(data)-longest+1):]...)
		for _, w := range canaries {
			if !fileAllowed(c.target) && bytes.Contains(data, []byte(w)) {
				found = append(found, fmt.Sprintf("%s(%s%s) wrote %q", c.name, c.fd, c.target, w))
			}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		if straceDump.MatchString(line) {
			if cur != nil {
				cur.data = append(cur.data, dumpBytes(line)...)
			}
			continue
		}
		if strings.HasPrefix(line, " * ") { // writev: "* N bytes in buffer K"
			continue
		}
		// A new call: the one before it has all its data.
		check(cur)
		cur = nil
		if m := straceResumed.FindStringSubmatch(line); m != nil {
			c := pending[m[1]]
			delete(pending, m[1])
			if c != nil && !strings.Contains(line, "<unfinished") {
				cur = c
			}
			continue
		}
		if m := straceName.FindStringSubmatch(line); m != nil {
			if strings.HasPrefix(m[2], "open") && !strings.Contains(line, "O_CREAT") {
				continue // opening a file that exists writes no name
			}
			calls++
			for _, w := range canaries {
				if i := strings.Index(line, " = "); strings.Contains(line[:max(i, 0)], w) || (i < 0 && strings.Contains(line, w)) {
					found = append(found, fmt.Sprintf("a name or attribute written: %s", line))
				}
			}
			continue
		}
		m := straceCall.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		calls++
		c := &call{name: m[2], fd: m[3], target: m[4]}
		if out, ok := kernelCopyOut[c.name]; ok {
			// The kernel copies: strace cannot show the data. Into a
			// file, it fails whatever it copies.
			args := strings.Split(line[strings.Index(line, "(")+1:], ", ")
			if out < len(args) && strings.Contains(args[out], "</") && !fileAllowed(args[out][strings.Index(args[out], "<"):]) {
				found = append(found, fmt.Sprintf("an in-kernel copy into a file: %s", line))
			}
			continue
		}
		if strings.HasSuffix(line, "<unfinished ...>") {
			pending[m[1]] = c
			continue
		}
		cur = c
	}
	check(cur)
	return found, calls
}

// dumpBytes reads the bytes of one line of strace's hex dump:
// " | 00000  68 65 6c 6c 6f 20 43 41  4e 41 52 59 20 77 6f 72  hello CANARY wor |".
func dumpBytes(line string) []byte {
	var out []byte
	for i := range 16 {
		col := 10 + 3*i
		if i >= 8 {
			col++
		}
		if col+2 > len(line) {
			break
		}
		b, ok := unhexPair(line[col], line[col+1])
		if !ok {
			break
		}
		out = append(out, b)
	}
	return out
}

func unhexPair(a, b byte) (byte, bool) {
	d := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		}
		return 0, false
	}
	x, ok1 := d(a)
	y, ok2 := d(b)
	return x<<4 | y, ok1 && ok2
}

func TestCanaryWrites(t *testing.T) {
	log := `100  write(3</vault/blobs/x.age>, "age"..., 3) = 3
 | 00000  61 67 65                                          age              |
101  write(5</vault/leak>, "CAN"... <unfinished ...>
100  write(1<pipe:[7]>, "CANARY", 6) = 6
 | 00000  43 41 4e 41 52 59                                 CANARY           |
101  <... write resumed>) = 6
 | 00000  43 41 4e 41 52 59                                 CANARY           |
102  writev(4</out.txt>, [{iov_base="CAN", iov_len=3}, {iov_base="ARY", iov_len=3}], 2) = 6
 * 3 bytes in buffer 0
 | 00000  43 41 4e                                          CAN              |
 * 3 bytes in buffer 1
 | 00000  41 52 59                                          ARY              |
103  copy_file_range(3</in.txt>, NULL, 4</out2.txt>, NULL, 100, 0) = 100
104  copy_file_range(3</in.txt>, NULL, 4</dev/null>, NULL, 100, 0) = 100
`
	found, calls := canaryWrites([]byte(log), []string{"CANARY"})
	if calls != 6 {
		t.Errorf("%d calls, want 6", calls)
	}
	want := []string{"write(5</vault/leak>)", "writev(4</out.txt>)", "an in-kernel copy into a file: 103"}
	if len(found) != len(want) {
		t.Fatalf("found %q, want %d", found, len(want))
	}
	for i, w := range want {
		if !strings.Contains(found[i], w) {
			t.Errorf("found[%d] = %q, want it to name %q", i, found[i], w)
		}
	}
}

// A file's name and its extended attributes reach the disk without a write,
// and a canary can be cut in two by the boundary between two writes: the
// log parser saw neither.
func TestCanaryNamesAndSplitWrites(t *testing.T) {
	log := `200  openat(AT_FDCWD</w>, "Zhou-CANARY.txt", O_RDONLY|O_CLOEXEC) = 3</w/Zhou-CANARY.txt>
201  openat(AT_FDCWD</w>, "scratch/Zhou-CANARY.partial", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600) = 4</w/scratch/Zhou-CANARY.partial>
202  renameat2(AT_FDCWD</w>, "scratch/a", AT_FDCWD</w>, "scratch/CANARY-b", RENAME_NOREPLACE) = 0
203  fsetxattr(5</w/vault/blob.age>, "user.origin", "CANARY", 6, 0) = 0
204  write(6</w/scratch/leak>, "xxCAN", 5) = 5
 | 00000  78 78 43 41 4e                                    xxCAN            |
204  write(6</w/scratch/leak>, "ARYxx", 5) = 5
 | 00000  41 52 59 78 78                                    ARYxx            |
205  write(7</w/scratch/other>, "xxCAN", 5) = 5
 | 00000  78 78 43 41 4e                                    xxCAN            |
206  write(8</w/scratch/another>, "ARYxx", 5) = 5
 | 00000  41 52 59 78 78                                    ARYxx            |
`
	found, _ := canaryWrites([]byte(log), []string{"CANARY"})
	want := []string{"openat(AT_FDCWD</w>, \"scratch/Zhou-CANARY.partial\"", "renameat2", "fsetxattr", "write(6</w/scratch/leak>)"}
	if len(found) != len(want) {
		t.Fatalf("found %q, want %d", found, len(want))
	}
	for i, w := range want {
		if !strings.Contains(found[i], w) {
			t.Errorf("found[%d] = %q, want it to name %q", i, found[i], w)
		}
	}
}
