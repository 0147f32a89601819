package media

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/tvault/tvault/internal/media/mediatest"
)

// pdfcpuRead reads and validates a PDF with pdfcpu, a PDF library
// independent of ours (used by the tests only: it links an HTTP client, so
// tvault itself cannot), and returns its page count and whether it has an
// Info dictionary or catalog XMP.
func pdfcpuRead(t *testing.T, b []byte) (pages int, info, xmp bool) {
	t.Helper()
	// pdfcpu writes a configuration folder into the user's config folder
	// unless told not to; the test's HOME and XDG_CONFIG_HOME stay empty.
	home, cfg := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", cfg)
	api.DisableConfigDir()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	ctx, err := api.ReadAndValidate(bytes.NewReader(b), conf)
	if err != nil {
		t.Fatalf("pdfcpu: %v", err)
	}
	for _, dir := range []string{home, cfg} {
		if e, _ := os.ReadDir(dir); len(e) > 0 {
			t.Fatalf("pdfcpu wrote %s into the user's folders", e[0].Name())
		}
	}
	return ctx.PageCount, ctx.Info != nil, ctx.RootDict["Metadata"] != nil
}

func TestCleanPDF(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"info and xmp", mediatest.PDFWithInfo()},
		{"incremental update over an older info", mediatest.PDFIncremental()},
		{"object streams", mediatest.PDFObjectStreams()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kinds(inspect(tc.file, 4096)); len(got) == 0 {
				t.Fatal("the test file carries no metadata the inspector sees")
			}
			if !bytes.Contains(tc.file, []byte(mediatest.PDFAuthor)) {
				t.Fatal("the test file does not name the author")
			}
			wantPages, _, _ := pdfcpuRead(t, tc.file)
			out, err := cleanBytes(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"CANARY", mediatest.PDFAuthor, "xmpmeta", "/Metadata", "/Info", "/Author", "/Producer", "0123456789abcdef", "Exif", "Canon"} {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("the cleaned file still holds %q", s)
				}
			}
			if got := inspect(out, 4096); len(got) != 0 {
				t.Errorf("the cleaned file, inspected, still carries %v", kinds(got))
			}
			pages, info, xmp := pdfcpuRead(t, out)
			if pages != wantPages || pages == 0 {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
			if info || xmp {
				t.Errorf("the cleaned file has an Info dictionary (%v) or catalog XMP (%v)", info, xmp)
			}
			if !bytes.Contains(out, []byte("(The letter of summons) Tj")) {
				t.Error("the page content was not copied as it was")
			}
			if i := bytes.Index(tc.file, []byte{0xff, 0xd8, 0xff}); i >= 0 {
				// The photo: without its EXIF, and the same pixels.
				j := bytes.Index(out, []byte{0xff, 0xd8, 0xff})
				k := bytes.Index(out[max(j, 0):], []byte("\nendstream"))
				if j < 0 || k < 0 {
					t.Fatal("the cleaned file has no photo")
				}
				a, b := decode(t, mediatest.JPEGWithEXIF()), decode(t, out[j:j+k])
				if a.Bounds() != b.Bounds() || a.At(5, 7) != b.At(5, 7) {
					t.Error("the photo's pixels changed")
				}
			}
			again, err := cleanBytes(out)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("cleaning the cleaned file changes it (%v)", err)
			}
		})
	}
}

func TestCleanPDFRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		want error
	}{
		{"no catalog", []byte("%PDF-1.7\n1 0 obj\n<</A 1>>\nendobj\n"), ErrMalformed},
		{"encrypted", bytes.Replace(mediatest.PDFWithInfo(), []byte("/Root 1 0 R"), []byte("/Root 1 0 R/Encrypt 3 0 R"), 1), ErrCannotClean},
		// Each "obj" starts a string that runs to the end of the file: read
		// once per "obj", that is hours of work.
		{"unterminated strings", []byte("%PDF-1.7\n" + strings.Repeat("1 0 obj (", 300000)), ErrMalformed},
		{"nested too deep", []byte("%PDF-1.7\n1 0 obj\n" + strings.Repeat("[", 1000) + "\nendobj\ntrailer\n<</Root 1 0 R>>"), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cleanBytes(tc.file); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// Larger than the cleaner holds in memory.
	big := io.MultiReader(bytes.NewReader(mediatest.PDFWithInfo()), io.LimitReader(zeros{}, MaxCleanPDF))
	if err := Clean(io.Discard, big, PDF, nil); !errors.Is(err, ErrCannotClean) {
		t.Fatalf("a PDF over %d MiB: err = %v, want ErrCannotClean", MaxCleanPDF>>20, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Most PDFs written today pack their Info dictionary in a compressed
// object stream, where the inspector's search of the raw bytes cannot see
// it: the author of such a PDF was not reported on arrival.
func TestAttackPDFInfoInObjectStreamNotReported(t *testing.T) {
	got := kinds(inspect(mediatest.PDFObjectStreams(), 4096))
	for _, want := range []string{"author", "software", "xmp"} {
		if !slices.Contains(got, want) {
			t.Errorf("kinds %v, want %q among them", got, want)
		}
	}
}

// A PDF is held whole in memory while it is cleaned, and no more than
// once: with the size from the first pass (as the vault gives it), cleaning
// allocates about the file's size. Before, the buffer grew by doubling and
// held up to twice the file (260 MiB allocated for a 120 MiB PDF).
func TestCleanPDFMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("cleans a 64 MiB PDF")
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]/Contents 4 0 R>>\nendobj\n")
	data := bytes.Repeat([]byte("0 0 m 10 10 l S\n"), 64<<20/16)
	b.WriteString("4 0 obj\n<</Length " + strconv.Itoa(len(data)) + ">>\nstream\n")
	b.Write(data)
	b.WriteString("\nendstream\nendobj\ntrailer\n<</Root 1 0 R>>\n")
	file := b.Bytes()
	tail := NewTail(PDF)
	tail.Write(file)
	var err error
	n := allocated(func() { err = Clean(io.Discard, bytes.NewReader(file), PDF, tail) })
	if err != nil {
		t.Fatal(err)
	}
	if limit := uint64(len(file)) + 16<<20; n > limit {
		t.Errorf("cleaning a %d MiB PDF allocated %d MiB", len(file)>>20, n>>20)
	}
}
