//go:build !linux

package static
