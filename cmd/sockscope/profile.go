package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole run to the file that
// SOCKSCOPE_CPUPROFILE names, for `go tool pprof` (README, Speed): the
// speed of replay is measured on the binary as users run it, and this is
// how to see where its time goes. It returns the function that ends the
// profile; a file that cannot be made is said once and the run goes on.
func startProfile() func() {
	path := os.Getenv("SOCKSCOPE_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sockscope: SOCKSCOPE_CPUPROFILE: %v (no profile written)\n", err)
		if f != nil {
			f.Close()
		}
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
