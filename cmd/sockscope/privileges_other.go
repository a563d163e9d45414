//go:build !unix

package main

// userDrop: there is no root to drop outside Unix (and no live capture).
type userDrop struct{}

func resolveUserDrop(flagUser string) (*userDrop, error) {
	if flagUser != "" {
		return nil, usageError("capture: -Z is not supported on this system")
	}
	return nil, nil
}

func (d *userDrop) apply() error { return nil }
