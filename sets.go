package uploadsign

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// compiledSet is a registered ParamSet with its fixed fields encoded once.
type compiledSet struct {
	ParamSet
	url      string
	fixed    []field           // sorted by key
	pairs    []string          // fixed as key=value, escaped for the signer's version
	template map[string]string // fixed and api_key, cloned by every payload
}

func (s *Signer) addSet(set ParamSet) error {
	name := fmt.Sprintf("parameter set %q version %d", set.Name, set.Version)
	if set.Name == "" {
		return fmt.Errorf("%w: WithParamSets: a parameter set has no name", ErrInvalidConfig)
	}
	if set.Version < 1 {
		return fmt.Errorf("%w: WithParamSets: %s: the version must be 1 or more", ErrInvalidConfig, name)
	}
	resource := set.ResourceType
	if resource == "" {
		resource = "image"
	}
	if !cloudinary.IsUploadResourceType(resource) {
		return fmt.Errorf("%w: WithParamSets: %s: resource type %q is not image, video, raw or auto", ErrInvalidConfig, name, set.ResourceType)
	}
	if _, err := s.lookup(set.Name, set.Version); err == nil {
		return fmt.Errorf("%w: WithParamSets: %s is registered twice", ErrInvalidConfig, name)
	}
	if !set.Deprecated.IsZero() && !set.Sunset.IsZero() && set.Sunset.Before(set.Deprecated) {
		return fmt.Errorf("%w: WithParamSets: %s: Sunset %s is before Deprecated %s", ErrInvalidConfig, name,
			set.Sunset.UTC().Format(time.RFC3339), set.Deprecated.UTC().Format(time.RFC3339))
	}
	if set.SingleUse {
		switch {
		case set.Params.PublicID != "":
			return fmt.Errorf("%w: WithParamSets: %s: a single-use set makes its own public_id and cannot fix one", ErrInvalidConfig, name)
		case set.Params.Overwrite != nil && *set.Params.Overwrite:
			return fmt.Errorf("%w: WithParamSets: %s: a single-use set signs overwrite=false and cannot fix it to true", ErrInvalidConfig, name)
		}
		set.Params.Overwrite = Bool(false)
	}
	fixed, err := set.Params.fields()
	if err == nil {
		err = s.checkVersion1(fixed)
	}
	if err != nil {
		return fmt.Errorf("WithParamSets: %s: %w", name, err)
	}
	for _, k := range set.ClientParams {
		i, fixedToo := slices.BinarySearchFunc(fixed, k, func(f field, k string) int { return strings.Compare(f.key, k) })
		switch {
		case !validParamName(k) || k == "timestamp" || cloudinary.Unsigned(k):
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: %q is not a parameter a browser may choose", ErrInvalidConfig, name, k)
		case k == "upload_preset":
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: a browser may not choose upload_preset: a preset can turn on overwrite and name assets in ways the signer cannot see; fix the preset in the set's Params instead", ErrInvalidConfig, name)
		case k == "eval" || k == "on_success":
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: a browser may not choose %s: it is JavaScript that Cloudinary runs during the upload, and it can change the upload's parameters (public_id, overwrite) after they were signed; fix it in the set's Params instead", ErrInvalidConfig, name, k)
		case fixedToo:
			return fmt.Errorf("%w: WithParamSets: %s: ClientParams: the set fixes %s=%q", ErrInvalidConfig, name, k, fixed[i].value)
		}
	}
	listed := func(k string) bool { return slices.Contains(set.ClientParams, k) }
	worst := func(k string) string { // a browser's choice, or the set's value
		switch {
		case !listed(k):
			return templateValue(fixed, k)
		case k == "use_asset_folder_as_public_id_prefix":
			return "true"
		}
		return "chosen"
	}
	if why := checkPlacement(worst, listed); why != "" {
		return fmt.Errorf("%w: WithParamSets: %s: ClientParams: %s", ErrInvalidConfig, name, why)
	}
	// The naming rule at the set's level: with overwrite fixed to true,
	// the browser may choose none of what it reads (browserNames).
	if set.Params.Overwrite != nil && *set.Params.Overwrite {
		for _, k := range set.ClientParams {
			if slices.Contains(namingParams, k) {
				return fmt.Errorf("%w: WithParamSets: %s: ClientParams lets the browser choose %s, which names the asset, and the set signs overwrite true: one user could replace another's asset", ErrInvalidConfig, name, k)
			}
		}
	}
	set.Params = set.Params.clone()
	set.ClientParams = slices.Clone(set.ClientParams)
	template := make(map[string]string, len(fixed)+1)
	pairs := make([]string, len(fixed))
	for i, f := range fixed {
		template[f.key] = f.value
		pairs[i] = string(appendPair(nil, f.key, f.value, s.version))
	}
	template["api_key"] = s.apiKey
	versions := append(s.sets[set.Name], &compiledSet{
		ParamSet: set,
		url:      s.UploadURL(resource),
		fixed:    fixed,
		pairs:    pairs,
		template: template,
	})
	slices.SortFunc(versions, func(a, b *compiledSet) int { return cmp.Compare(a.Version, b.Version) })
	s.sets[set.Name] = versions
	return nil
}

// liveSet returns the set name at version, refusing one past its Sunset
// at now with an error naming the versions still served.
func (s *Signer) liveSet(set string, version int, now time.Time) (*compiledSet, error) {
	cs, err := s.lookup(set, version)
	if err != nil || cs.Sunset.IsZero() || now.Before(cs.Sunset) {
		return cs, err
	}
	var live []string
	for _, v := range s.sets[set] {
		if v.Sunset.IsZero() || now.Before(v.Sunset) {
			live = append(live, strconv.Itoa(v.Version))
		}
	}
	served := "no version is served any more"
	if len(live) > 0 {
		served = "live versions: " + strings.Join(live, ", ")
	}
	return nil, fmt.Errorf("%w: %q version %d was retired at %s (%s)", ErrSunset, set, version, cs.Sunset.UTC().Format(time.RFC3339), served)
}

func (s *Signer) lookup(set string, version int) (*compiledSet, error) {
	versions := s.sets[set]
	for _, cs := range versions {
		if cs.Version == version {
			return cs, nil
		}
	}
	if len(versions) > 0 {
		list := make([]string, len(versions))
		for i, cs := range versions {
			list[i] = strconv.Itoa(cs.Version)
		}
		return nil, fmt.Errorf("%w: %q has no version %d (known versions: %s)", ErrUnknownParamSet, set, version, strings.Join(list, ", "))
	}
	var known []string
	for name := range s.sets {
		known = append(known, strconv.Quote(name))
	}
	slices.Sort(known)
	if len(known) == 0 {
		return nil, fmt.Errorf("%w: %q: no parameter sets are registered (see WithParamSets)", ErrUnknownParamSet, set)
	}
	return nil, fmt.Errorf("%w: %q (known sets: %s)", ErrUnknownParamSet, set, strings.Join(known, ", "))
}

// stampLifecycle sets the payload's Deprecated, DeprecatedAt and Sunset
// from the set's dates, each payload with its own copies.
func (cs *compiledSet) stampLifecycle(p *Payload, now time.Time) {
	if cs.Deprecated.IsZero() && cs.Sunset.IsZero() {
		return
	}
	dates := new([2]time.Time)
	if !cs.Deprecated.IsZero() {
		dates[0] = cs.Deprecated.UTC()
		p.DeprecatedAt = &dates[0]
		p.Deprecated = !now.Before(cs.Deprecated)
	}
	if !cs.Sunset.IsZero() {
		dates[1] = cs.Sunset.UTC()
		p.Sunset = &dates[1]
	}
}

// bind returns the parameters a proposal must carry: the set's fixed ones
// merged with the request's, as Sign merges them, encoded.
func (cs *compiledSet) bind(req Params) (map[string]string, error) {
	if err := req.mergeCollections(&cs.Params); err != nil {
		return nil, err
	}
	var e encoder
	if err := req.encode(&e); err != nil {
		return nil, err
	}
	bound := make(map[string]string, len(cs.fixed)+e.n)
	err := mergeFields(cs.fixed, e.sorted(), nil, func(f field, _ int) {
		bound[f.key] = f.value
	})
	return bound, err
}

// mergeFields walks a set's fixed fields, a request's fields and extra
// fields that neither list holds (timestamp, say), each sorted by key, and
// calls emit for every field in key order, with the field's index in fixed
// if it is the set's, else -1. A key in both fixed and own must have the
// same value, except for the collections the request has already merged
// with the set's (tags, context, metadata), whose request value wins.
func mergeFields(fixed, own, extra []field, emit func(f field, set int)) error {
	next := func(f field, set int) {
		for len(extra) > 0 && extra[0].key < f.key {
			emit(extra[0], -1)
			extra = extra[1:]
		}
		emit(f, set)
	}
	i, j := 0, 0
	for i < len(fixed) || j < len(own) {
		switch {
		case j == len(own) || i < len(fixed) && fixed[i].key < own[j].key:
			next(fixed[i], i)
			i++
		case i == len(fixed) || own[j].key < fixed[i].key:
			next(own[j], -1)
			j++
		default:
			if own[j].value != fixed[i].value && !mergedCollection(own[j].key) {
				return fmt.Errorf("%w: %s: the set fixes %q, the request gives %q", ErrParamConflict, own[j].key, fixed[i].value, own[j].value)
			}
			next(own[j], -1)
			i++
			j++
		}
	}
	for _, f := range extra {
		emit(f, -1)
	}
	return nil
}

// templateValue returns the value of key among fields (sorted by key), or
// "".
func templateValue(fields []field, key string) string {
	i, ok := slices.BinarySearchFunc(fields, key, func(f field, k string) int { return strings.Compare(f.key, k) })
	if !ok {
		return ""
	}
	return fields[i].value
}
