//go:build windows

package fsx

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/windows"
)

// SyncDir is a no-op on Windows, where folders cannot be opened for fsync
// and NTFS makes renames durable with the file's own flush.
func SyncDir(dir string) error { return nil }

// restrictDir makes dir private on Windows, where Unix mode bits mean
// nothing (os.Chmod only sets the read-only attribute): it replaces the
// folder's access control list with one entry, full control for the current
// user, inherited by every file and folder in it, and protected from the
// parent's entries. Files created in the folder later inherit it; files
// already there get it too, as SetNamedSecurityInfo propagates inheritable
// entries. Administrators and SYSTEM can still take ownership: that is the
// Windows counterpart of root.
func restrictDir(dir string) error {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("failed to find the current user: %w", err)
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_ALL,
		AccessMode:        windows.SET_ACCESS,
		Inheritance:       windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(user.User.Sid),
		},
	}}, nil)
	if err != nil {
		return fmt.Errorf("failed to build the folder's access list: %w", err)
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
	if err != nil {
		return fmt.Errorf("failed to make the folder private: %w", err)
	}
	return nil
}

// placeNoReplace renames tmp to path unless path exists: MoveFileEx without
// MOVEFILE_REPLACE_EXISTING fails rather than replace, atomically.
func placeNoReplace(tmp, path string) error {
	from, err := windows.UTF16PtrFromString(tmp)
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	err = windows.MoveFileEx(from, to, windows.MOVEFILE_WRITE_THROUGH)
	if errors.Is(err, windows.ERROR_FILE_EXISTS) || errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return &fs.PathError{Op: "rename", Path: path, Err: fs.ErrExist}
	}
	return err
}

// NoBlock is no flag on Windows, which opens a named pipe without waiting;
// OpenRegular's check refuses it.
const NoBlock = 0
