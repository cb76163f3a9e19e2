//go:build unix

package connector_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used so far, user and
// system: the benchmarks report it beside wall time, since the simulator
// runs in the same process and the machine is shared.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
