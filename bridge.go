package uploadsign

import (
	"maps"
	"slices"

	"github.com/uploadsign/uploadsign/internal/bridge"
)

// The module's own packages reach what only they need through
// internal/bridge.
func init() {
	bridge.Sets = func(signer any) []bridge.Set { return signer.(*Signer).setList() }
}

// setList returns the registered sets, by name and version.
func (s *Signer) setList() []bridge.Set {
	var list []bridge.Set
	for _, name := range slices.Sorted(maps.Keys(s.sets)) {
		for _, cs := range s.sets[name] {
			list = append(list, bridge.Set{Name: cs.Name, Version: cs.Version, Deprecated: cs.Deprecated, Sunset: cs.Sunset})
		}
	}
	return list
}
