package vault

// syscallNoFollow: Windows has no O_NOFOLLOW; the folder's access list is
// what protects it.
const syscallNoFollow = 0
