// Package bridge gives the module's own packages (the HTTP handlers, the
// command) what a uploadsign.Signer keeps unexported, so that the Signer's
// exported methods serve users only. Package uploadsign fills in the
// functions when it is initialized; a package that imports uploadsign can
// call them.
package bridge

import "time"

// Set describes one registered parameter set.
type Set struct {
	Name               string
	Version            int
	Deprecated, Sunset time.Time // zero when the set has none
}

// Sets returns the parameter sets a *uploadsign.Signer holds, by name and
// version. signer must be a *uploadsign.Signer: this package cannot name
// the type without an import cycle.
var Sets func(signer any) []Set
