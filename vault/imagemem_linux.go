package vault

import "golang.org/x/sys/unix"

// mapNoReserve: Linux charges an anonymous mapping's size against its
// overcommit budget unless told it is a reservation. Pages are still backed
// only once written.
const mapNoReserve = unix.MAP_NORESERVE
