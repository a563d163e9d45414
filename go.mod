module github.com/sockscope/sockscope

go 1.24.0

require (
	github.com/google/gopacket v1.1.19
	golang.org/x/net v0.45.0
	golang.org/x/sys v0.40.0
)
