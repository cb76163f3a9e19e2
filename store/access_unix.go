//go:build unix

package store

import "syscall"

// dirWritable reports whether this process may create files in dir, as
// the kernel decides (root may, whatever the mode).
func dirWritable(dir string) bool {
	const wOK = 0x2 // W_OK
	return syscall.Access(dir, wOK) == nil
}
