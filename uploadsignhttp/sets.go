package uploadsignhttp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
)

// Sets makes a handler of [NewHandler] sign, or of [NewReportHandler]
// verify, only the parameter sets named (any of their versions): a request
// for another set answers 404 as an unknown set does, naming only this
// endpoint's sets. It may be given more than once. Both panic when a name
// is not one of the Signer's sets, and, without Sets, when the Signer
// holds more than one set name, so that an endpoint never serves a set it
// was not meant for (an admin's set, say). [NewProposalHandler] serves the
// one set it is given and panics if given Sets, as does
// [NewNotificationHandler], which serves every set.
func Sets(names ...string) HandlerOption {
	return func(o *handlerOptions) { o.sets = append(append([]string{}, o.sets...), names...) }
}

// endpoint is the parameter sets a handler serves.
type endpoint struct {
	signer *uploadsign.Signer
	served []string // the set names, nil for all
}

// newEndpoint returns the sets of s that a handler serves: those named by
// Sets (names), or all of them when Sets was not given (names is nil) and
// s holds one set name. It panics on a misconfiguration, naming the
// handler (who).
func newEndpoint(s *uploadsign.Signer, names []string, who string) *endpoint {
	all := map[string]bool{}
	for _, set := range bridge.Sets(s) {
		all[set.Name] = true
	}
	switch {
	case names == nil && len(all) > 1:
		panic(fmt.Sprintf("uploadsignhttp: %s: the Signer holds the parameter sets %s; name the ones this endpoint signs with uploadsignhttp.Sets, or one endpoint signs every set for every client", who, quoteNames(all)))
	case names != nil && len(names) == 0:
		panic(fmt.Sprintf("uploadsignhttp: %s: Sets names no parameter set", who))
	}
	for _, name := range names {
		if !all[name] {
			panic(fmt.Sprintf("uploadsignhttp: %s: Sets(%.60q): the Signer has no parameter set of that name (it has %s)", who, name, quoteNames(all)))
		}
	}
	return &endpoint{signer: s, served: names}
}

// lookup returns the set name at version if this endpoint serves it, or
// the Signer's error wrapping uploadsign.ErrUnknownParamSet, which names
// only this endpoint's sets or versions.
func (e *endpoint) lookup(name string, version int) (bridge.Set, error) {
	return bridge.Lookup(e.signer, e.served, name, version)
}

// quoteNames returns the names, sorted and quoted.
func quoteNames(names map[string]bool) string {
	var list []string
	for name := range names {
		list = append(list, strconv.Quote(name))
	}
	slices.Sort(list)
	return strings.Join(list, ", ")
}
