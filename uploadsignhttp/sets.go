package uploadsignhttp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
)

// Sets makes a handler of [NewHandler] sign only the parameter sets named
// (any of their versions): a request for another set answers 404 as an
// unknown set does, naming only this endpoint's sets. It may be given more
// than once. NewHandler panics when a name is not one of the Signer's
// sets, and, without Sets, when the Signer holds more than one set name,
// so that an endpoint never signs a set it was not meant for (an admin's
// set, say). [NewProposalHandler] serves the one set it is given and
// panics if given Sets.
func Sets(names ...string) HandlerOption {
	return func(o *handlerOptions) { o.sets = append(append([]string{}, o.sets...), names...) }
}

// endpoint is the parameter sets a handler serves, by name and version.
type endpoint struct {
	sets  map[string][]bridge.Set
	names string // the names quoted, for the 404 message
}

// allSets returns an endpoint that serves every set of s.
func allSets(s *uploadsign.Signer) *endpoint {
	e := &endpoint{sets: map[string][]bridge.Set{}}
	for _, set := range bridge.Sets(s) {
		e.sets[set.Name] = append(e.sets[set.Name], set)
	}
	e.names = quoteNames(e.sets)
	return e
}

// newEndpoint returns the sets of s that a handler serves: those named by
// Sets (names), or all of them when Sets was not given (names is nil) and
// s holds one set name, or none. It panics on a misconfiguration, naming
// the handler (who).
func newEndpoint(s *uploadsign.Signer, names []string, who string) *endpoint {
	all := allSets(s)
	switch {
	case names == nil && len(all.sets) > 1:
		panic(fmt.Sprintf("uploadsignhttp: %s: the Signer holds the parameter sets %s; name the ones this endpoint signs with uploadsignhttp.Sets, or one endpoint signs every set for every client", who, all.names))
	case names == nil:
		return all
	case len(names) == 0:
		panic(fmt.Sprintf("uploadsignhttp: %s: Sets names no parameter set", who))
	}
	e := &endpoint{sets: map[string][]bridge.Set{}}
	for _, name := range names {
		if all.sets[name] == nil {
			panic(fmt.Sprintf("uploadsignhttp: %s: Sets(%.60q): the Signer has no parameter set of that name (it has %s)", who, name, all.names))
		}
		e.sets[name] = all.sets[name]
	}
	e.names = quoteNames(e.sets)
	return e
}

// lookup returns the set name at version if this endpoint serves it, or
// an error wrapping uploadsign.ErrUnknownParamSet that names only this
// endpoint's sets or versions. An endpoint of a Signer without sets
// finds none and leaves the error to the Signer (ok false, err nil).
func (e *endpoint) lookup(name string, version int) (set bridge.Set, ok bool, err error) {
	versions := e.sets[name]
	if versions == nil {
		if len(e.sets) == 0 {
			return bridge.Set{}, false, nil
		}
		return bridge.Set{}, false, fmt.Errorf("%w: %q (known sets: %s)", uploadsign.ErrUnknownParamSet, name, e.names)
	}
	list := make([]string, len(versions))
	for i, v := range versions {
		if v.Version == version {
			return v, true, nil
		}
		list[i] = strconv.Itoa(v.Version)
	}
	return bridge.Set{}, false, fmt.Errorf("%w: %q has no version %d (known versions: %s)", uploadsign.ErrUnknownParamSet, name, version, strings.Join(list, ", "))
}

// quoteNames returns the names of sets, sorted and quoted.
func quoteNames(sets map[string][]bridge.Set) string {
	var names []string
	for name := range sets {
		names = append(names, strconv.Quote(name))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
