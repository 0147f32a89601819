package vault

import (
	"os"
	"path/filepath"
	"strings"
)

// ExpandHome returns path with a leading ~ (alone, or followed by a path
// separator) replaced by the user's home folder, as a shell would: the
// terminal UI's path fields read paths as people type them. Any other path,
// ~user included, is returned as it is, and so is every path when the home
// folder is not known.
func ExpandHome(path string) string {
	if path != "~" && !strings.HasPrefix(path, "~/") && !strings.HasPrefix(path, "~"+string(filepath.Separator)) {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return path
	}
	return filepath.Join(home, path[1:])
}
