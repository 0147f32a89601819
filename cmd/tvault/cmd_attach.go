package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/tvault/tvault/internal/fsx"
	"github.com/tvault/tvault/vault"
)

func init() {
	register(&command{
		name:    "attach",
		args:    "ID FILE|- [--note TEXT] [--seal] [--name NAME] [--json]",
		summary: "attach a document, photo or recording to an interview",
		help: `
Streams FILE (or standard input, for "-") into the vault, encrypted; it is
never copied anywhere in the clear. On arrival tvault records, in a signed
revision of the interview and in the audit log, the SHA-256 of the bytes,
their size and media type, who attached them and when: the chain of custody.

The original file name often is a name: it is sealed to the custodian and
never stored readable (--name gives it for standard input). --note is the
description the readable tier shows instead. --seal encrypts the file to the
custodian alone, for an ID card or a letter with a name: afterwards this
laptop cannot open it.

tvault shows what metadata the file carries (a photo's GPS position, the
camera's make and serial number, a PDF's author) and keeps the original as
evidence, untouched; 'tvault attachment export --clean' writes a copy
without it.`,
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			note := fs.String("note", "", "a description for the readable tier")
			seal := fs.Bool("seal", false, "encrypt the file to the custodian alone")
			name := fs.String("name", "", "the original file `NAME`, when reading standard input (sealed)")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) != 2 {
					return usageError("attach takes an interview ID and a FILE (or - for standard input)")
				}
				return runAttach(e, args[0], args[1], *note, *name, *seal, *asJSON)
			}
		},
	})
	register(&command{
		name:    "attachments",
		args:    "ID [--json]",
		summary: "list an interview's attachments",
		setup: func(fs *flag.FlagSet) func(*env, []string) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usageError("attachments takes one interview ID")
				}
				return runAttachments(e, args[0], *asJSON)
			}
		},
	})
	register(&command{
		name:    "attachment",
		args:    "open | export | proof | verify",
		summary: "open, export or prove an attachment",
		subs: []*command{{
			name:    "open",
			args:    "ATT [--stdout | --viewer CMD] [--custodian-key FILE]",
			summary: "show an attachment without writing it to disk",
			help: `
Checks every byte of the attachment against the hash recorded on arrival,
then hands it to a viewer without writing it to disk: on Linux through an
anonymous file in memory, which the viewer opens as /dev/fd/3. The viewer is
--viewer CMD, else $TVAULT_VIEWER; it must stay in the foreground until it
is closed (xdg-open does not: name the program, for example evince or mpv).
--stdout writes the bytes to standard output instead, for a pipe. Where the
system has no in-memory file, open refuses rather than write a temporary
file. An attachment sealed to the custodian needs --custodian-key (and the
custodian passphrase); that opening is audited like a reveal.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				stdout := fs.Bool("stdout", false, "write the bytes to standard output")
				viewer := fs.String("viewer", "", "the viewer `CMD` (default $TVAULT_VIEWER)")
				keyFile := fs.String("custodian-key", "", "the custodian key `FILE`, for a sealed attachment")
				return func(e *env, args []string) error {
					if len(args) != 1 {
						return usageError("attachment open takes one attachment ID")
					}
					return runAttachmentOpen(e, args[0], *stdout, *viewer, *keyFile)
				}
			},
		}, {
			name:    "export",
			args:    "ATT -o FILE [--clean] [--custodian-key FILE]",
			summary: "write an attachment to a file, or a copy without metadata",
			help: `
Writes the attachment to FILE, which must not exist, after checking every
byte against the hash recorded on arrival. FILE holds it in the clear: keep
it off shared disks. --clean writes a copy without metadata instead: JPEG and
PNG without EXIF, GPS, XMP, IPTC, comments and text chunks; MP3, FLAC and WAV
without tags and pictures (appended tags included); PDF written anew without
its document information (author, title, producer, dates), XMP metadata,
edit history (incremental updates) and file identifiers, its JPEG images
without EXIF. Image and audio data are copied, never re-encoded. A PDF is
cleaned in memory, up to 128 MiB; an encrypted one is refused. A cleaned
PDF can still name people in its text, annotations, bookmarks, form fields
and embedded files: see docs/THREAT-MODEL.md. The original in the vault is
kept untouched as evidence.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				out := fs.String("o", "", "the `FILE` to write (must not exist)")
				clean := fs.Bool("clean", false, "write a copy without metadata")
				keyFile := fs.String("custodian-key", "", "the custodian key `FILE`, for a sealed attachment")
				return func(e *env, args []string) error {
					if len(args) != 1 || *out == "" {
						return usageError("attachment export takes one attachment ID and -o FILE")
					}
					return runAttachmentExport(e, args[0], *out, *clean, *keyFile)
				}
			},
		}, {
			name:    "proof",
			args:    "ATT -o FILE",
			summary: "write a proof that a file is the one recorded",
			help: `
Writes a proof (JSON) that anyone can check with 'tvault attachment verify',
without a vault or a key: the statement signed when the file arrived (its
SHA-256, size, media type, time and description), the signature, and the
signer's member card. It holds no testimony and no file name.`,
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				out := fs.String("o", "", "the proof `FILE` to write (must not exist)")
				return func(e *env, args []string) error {
					if len(args) != 1 || *out == "" {
						return usageError("attachment proof takes one attachment ID and -o FILE")
					}
					return runAttachmentProof(e, args[0], *out)
				}
			},
		}, {
			name:    "verify",
			args:    "PROOF FILE [--json]",
			summary: "check that FILE is the file a proof names (no vault needed)",
			setup: func(fs *flag.FlagSet) func(*env, []string) error {
				asJSON := fs.Bool("json", false, "print JSON")
				return func(e *env, args []string) error {
					if len(args) != 2 {
						return usageError("attachment verify takes a PROOF and a FILE")
					}
					return runAttachmentVerify(e, args[0], args[1], *asJSON)
				}
			},
		}},
	})
}

func runAttach(e *env, id, file, note, name string, seal, asJSON bool) error {
	src := io.Reader(e.stdin)
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return usageError("%v", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			return usageError("%s is not a regular file", filepath.Base(file))
		}
		src = f
		if name == "" {
			name = filepath.Base(file)
		}
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	next := int64(256 << 20)
	rep, err := v.Attach(e.ctx, id, src, vault.AttachOptions{
		FileName: name, Description: note, Seal: seal,
		Progress: func(n int64) {
			if n >= next {
				fmt.Fprintf(e.stderr, "… %d MiB\n", n>>20)
				next += 256 << 20
			}
		},
	})
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, rep)
	}
	a := rep.Attachment
	fmt.Fprintf(e.stdout, "%s\n", a.ID)
	if a.Sealed {
		fmt.Fprintf(e.stderr, "Attached to interview %s, sealed to the custodian: its size and SHA-256 are sealed with it.\n", rep.Interview)
	} else {
		fmt.Fprintf(e.stderr, "Attached to interview %s: %d bytes, %s, SHA-256 %s.\n", rep.Interview, a.Size, a.MediaType, a.SHA256)
	}
	if name != "" {
		fmt.Fprintln(e.stderr, "The file name is sealed to the custodian.")
	}
	if a.Sealed {
		fmt.Fprintln(e.stderr, "The file is sealed to the custodian: this laptop can no longer open it.")
	}
	if len(rep.Findings) > 0 {
		fmt.Fprintln(e.stderr, "Warning: the file carries metadata that can identify a person, a place or a device:")
		for _, f := range rep.Findings {
			fmt.Fprintf(e.stderr, "  - %s\n", vault.Escape(f.Detail))
		}
		fmt.Fprintf(e.stderr, "The original is kept untouched as evidence; 'tvault attachment export %s -o FILE --clean' writes a copy without it.\n", a.ID[:12])
	}
	return nil
}

func runAttachments(e *env, id string, asJSON bool) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	list, err := v.Attachments(e.ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		if list == nil {
			list = []vault.AttachmentInfo{}
		}
		return writeJSON(e.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "No attachments. Add one with 'tvault attach ID FILE'.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSIZE\tTYPE\tATTACHED\tBY\tNOTES\tDESCRIPTION")
	for _, a := range list {
		var notes []string
		if a.Sealed {
			notes = append(notes, "sealed")
		}
		if !a.Here {
			notes = append(notes, "file not here")
		}
		if len(a.Metadata) > 0 {
			notes = append(notes, "metadata: "+strings.Join(a.Metadata, ","))
		}
		size := fmt.Sprint(a.Size)
		if a.Sealed {
			size = "sealed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID[:12], size, a.MediaType, dateOf(a.AttachedAt),
			vault.Escape(a.AttachedBy), strings.Join(notes, "; "), vault.Escape(a.Description))
	}
	return tw.Flush()
}

func dateOf(rfc3339 string) string {
	if len(rfc3339) >= 10 {
		return rfc3339[:10]
	}
	return rfc3339
}

// readOptions opens the custodian key if one is given.
func readOptions(e *env, keyFile string, clean bool) (vault.ReadOptions, error) {
	opts := vault.ReadOptions{Clean: clean}
	if keyFile == "" {
		return opts, nil
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return opts, usageError("--custodian-key: %v", err)
	}
	c, err := openCustodianKey(e, key)
	if err != nil {
		return opts, err
	}
	opts.Custodian = c
	return opts, nil
}

func sealedHint(err error) error {
	if errors.Is(err, vault.ErrSealedAttachment) {
		return &exitError{code: exitWrongPassphrase, err: err, hint: "the custodian opens it with --custodian-key FILE"}
	}
	return err
}

func runAttachmentOpen(e *env, att string, stdout bool, viewer, keyFile string) error {
	if !stdout {
		if viewer == "" {
			viewer = e.getenv("TVAULT_VIEWER")
		}
		if strings.TrimSpace(viewer) == "" {
			return usageError("attachment open needs a viewer (--viewer CMD or $TVAULT_VIEWER), or --stdout")
		}
	}
	// The attachment's bytes, raw: not through the escaper, so never to a
	// terminal, where they could be taken for control sequences.
	out := rawOf(e.stdout)
	if stdout {
		if f, ok := out.(*os.File); ok && isTerminal(f) {
			return usageError("standard output is a terminal; pipe --stdout into a program, or use --viewer")
		}
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	opts, err := readOptions(e, keyFile, false)
	if err != nil {
		return err
	}
	if stdout {
		_, err := v.ReadAttachment(e.ctx, att, out, opts)
		return sealedHint(err)
	}
	return sealedHint(openInViewer(e, v, att, viewer, opts))
}

func runAttachmentExport(e *env, att, out string, clean bool, keyFile string) error {
	if _, err := os.Lstat(out); err == nil {
		return usageError("%s exists; tvault never overwrites a file", out)
	}
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	opts, err := readOptions(e, keyFile, clean)
	if err != nil {
		return err
	}
	var info *vault.AttachmentInfo
	err = fsx.CreateExclusive(out, func(f *os.File) error {
		var err error
		info, err = v.ReadAttachment(e.ctx, att, f, opts)
		return err
	})
	if err != nil {
		return sealedHint(err)
	}
	what := "the attachment"
	if clean {
		what = "a copy without metadata"
	}
	fmt.Fprintf(e.stderr, "Wrote %s of %s to %s. It is in the clear: keep it off shared disks, and delete it when done.\n", what, info.ID[:12], out)
	return nil
}

func runAttachmentProof(e *env, att, out string) error {
	v, err := openVault(e)
	if err != nil {
		return err
	}
	defer v.Close()
	p, err := v.AttachmentProof(e.ctx, att)
	if err != nil {
		return err
	}
	f := func(w *os.File) error { return writeJSON(w, p) }
	if err := fsx.CreateExclusive(out, f); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Wrote the proof to %s. Anyone can check a file with 'tvault attachment verify %s FILE'; tell them the signer's fingerprint, %s, by another way.\n", out, filepath.Base(out), p.Fingerprint)
	return nil
}

func runAttachmentVerify(e *env, proofFile, file string, asJSON bool) error {
	proof, err := os.ReadFile(proofFile)
	if err != nil {
		return usageError("%v", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return usageError("%v", err)
	}
	defer f.Close()
	a, c, err := vault.VerifyAttachmentProof(proof, f)
	if errors.Is(err, vault.ErrProofMismatch) {
		return &exitError{code: exitDamaged, err: err}
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(e.stdout, map[string]any{"ok": true, "attachment": a, "signer": c.Name, "fingerprint": c.Fingerprint()})
	}
	fmt.Fprintf(e.stdout, "OK: %s is attachment %s (%d bytes, %s, SHA-256 %s),\nattached by %s at %s.\nSigner's fingerprint: %s\nCompare it with the fingerprint %s gave you, out loud or on paper.\n",
		filepath.Base(file), a.ID, a.Size, a.MediaType, a.SHA256, vault.Escape(c.Name), a.AttachedAt, c.Fingerprint(), vault.Escape(c.Name))
	return nil
}
