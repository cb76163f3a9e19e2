//go:build !unix

package store

import "os"

// Without flock the locks exclude nothing: Radar's supported platforms are
// unix, and this only keeps other builds compiling.
func lockFile(f *os.File) error { return nil }

func unlockFile(f *os.File) error { return nil }
