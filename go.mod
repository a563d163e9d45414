module github.com/sockscope/sockscope

go 1.24

require github.com/google/gopacket v1.1.19
