package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/tvault/tvault/internal/memfile"
	"github.com/tvault/tvault/vault"
)

// openInViewer checks the attachment into an anonymous in-memory file and
// runs the viewer on it, as /dev/fd/3. Nothing is written to disk; where
// there is no such file, it refuses.
func openInViewer(e *env, v *vault.Vault, att, viewer string, opts vault.ReadOptions) error {
	mf, err := memfile.New("tvault-attachment")
	if err != nil {
		return fmt.Errorf("%w; use --stdout and pipe it to a viewer", err)
	}
	defer mf.Close()
	if _, err := v.ReadAttachment(e.ctx, att, mf, opts); err != nil {
		return err
	}
	if err := memfile.Seal(mf); err != nil {
		return err
	}
	if _, err := mf.Seek(0, 0); err != nil {
		return err
	}
	argv := strings.Fields(viewer)
	cmd := exec.CommandContext(e.ctx, argv[0], append(argv[1:], "/dev/fd/3")...)
	cmd.ExtraFiles = []*os.File{mf}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, e.stdout, e.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the viewer %s: %w", argv[0], err)
	}
	return nil
}
