//go:build windows

package main

// hardenProcess does nothing on Windows. Windows writes no core files, but
// Windows Error Reporting may keep or send a dump of a crashed process,
// depending on the machine's policy, and a process cannot refuse a debugger
// run by the same user. tvault does not change either; docs/THREAT-MODEL.md
// tells users to rely on full-disk encryption and a locked machine instead.
func hardenProcess() error { return nil }
