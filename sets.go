package uploadsign

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
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
	owner    *ownerSlot        // where the request's owner goes; nil for none
	fixed    []field           // sorted by key; the owner's parameter is not among them
	pairs    []string          // fixed as key=value, escaped for the signer's version
	template map[string]string // fixed and api_key, cloned by every payload
	shapes   []shape           // the public_ids its uploads can have
}

// addSet checks set, compiles it and registers it, refusing one that
// could make the same public_id as another set (see checkCollisions).
func (s *Signer) addSet(set ParamSet) error {
	name := fmt.Sprintf("parameter set %q version %d", set.Name, set.Version)
	cs, err := s.compileSet(set)
	switch {
	case errors.Is(err, ErrInvalidParam): // a value that cannot be encoded
		return fmt.Errorf("WithParamSets: %s: %w", name, err)
	case err != nil:
		return fmt.Errorf("%w: WithParamSets: %s: %w", ErrInvalidConfig, name, err)
	}
	if _, err := s.lookup(set.Name, set.Version); err == nil {
		return fmt.Errorf("%w: WithParamSets: %s is registered twice", ErrInvalidConfig, name)
	}
	if err := s.checkCollisions(cs); err != nil {
		return fmt.Errorf("%w: WithParamSets: %w", ErrInvalidConfig, err)
	}
	versions := append(s.sets[set.Name], cs)
	slices.SortFunc(versions, func(a, b *compiledSet) int { return cmp.Compare(a.Version, b.Version) })
	s.sets[set.Name] = versions
	return nil
}

// compileSet checks set and encodes it once for every payload. An error
// wraps ErrInvalidParam for a value that cannot be encoded, and no
// sentinel for a set that is refused.
func (s *Signer) compileSet(set ParamSet) (*compiledSet, error) {
	if err := checkSetHeader(&set); err != nil {
		return nil, err
	}
	if err := checkLimits(&set); err != nil {
		return nil, err
	}
	set.Params = set.Params.clone()
	set.ClientParams = slices.Clone(set.ClientParams)
	if set.SingleUse {
		set.Params.Overwrite = Bool(false)
	}
	cs := &compiledSet{url: s.UploadURL(cmp.Or(set.ResourceType, "image"))}
	unfilled := set.Params // with "{owner}" in its place, for the shapes
	var err error
	if cs.owner, err = findOwnerSlot(&set.Params); err != nil {
		return nil, err
	}
	cs.ParamSet = set
	if cs.owner != nil {
		// The template must hold for any owner: check it with one.
		probe := set.Params
		setNamingField(&probe, cs.owner.key, cs.owner.fill("o"))
		if _, err := probe.fields(); err != nil {
			return nil, err
		}
	}
	if cs.fixed, err = set.Params.fields(); err == nil {
		err = s.checkVersion1(cs.fixed)
	}
	if err != nil {
		return nil, err
	}
	for _, f := range cs.fixed {
		if strings.Contains(f.value, ownerPlaceholder) {
			return nil, fmt.Errorf("%s: %q may stand only in public_id, folder, public_id_prefix or asset_folder", f.key, ownerPlaceholder)
		}
	}
	if err := cs.checkClientParams(); err != nil {
		return nil, fmt.Errorf("ClientParams: %w", err)
	}
	if err := cs.checkNaming(); err != nil {
		return nil, err
	}
	cs.template = make(map[string]string, len(cs.fixed)+1)
	cs.pairs = make([]string, len(cs.fixed))
	for i, f := range cs.fixed {
		cs.template[f.key] = f.value
		cs.pairs[i] = string(appendPair(nil, f.key, f.value, s.version))
	}
	cs.template["api_key"] = s.apiKey
	cs.shapes = cs.makeShapes(&unfilled)
	return cs, nil
}

// checkSetHeader checks what a set is before its parameters: its name,
// version, resource type, dates and single use.
func checkSetHeader(set *ParamSet) error {
	switch {
	case set.Name == "":
		return errors.New("the set has no name")
	case set.Version < 1:
		return errors.New("the version must be 1 or more")
	case set.ResourceType != "" && !cloudinary.IsUploadResourceType(set.ResourceType):
		return fmt.Errorf("resource type %q is not image, video, raw or auto", set.ResourceType)
	case !set.Deprecated.IsZero() && !set.Sunset.IsZero() && set.Sunset.Before(set.Deprecated):
		return fmt.Errorf("the set's Sunset %s is before its Deprecated %s",
			set.Sunset.UTC().Format(time.RFC3339), set.Deprecated.UTC().Format(time.RFC3339))
	case set.SingleUse && set.Params.PublicID != "":
		return errors.New("a single-use set makes its own public_id and cannot fix one")
	case set.SingleUse && set.Params.Overwrite != nil && *set.Params.Overwrite:
		return errors.New("a single-use set signs overwrite=false and cannot fix it to true")
	}
	return nil
}

// checkClientParams refuses what a browser may not choose.
func (cs *compiledSet) checkClientParams() error {
	for _, k := range cs.ClientParams {
		i, fixedToo := slices.BinarySearchFunc(cs.fixed, k, func(f field, k string) int { return strings.Compare(f.key, k) })
		switch {
		case !validParamName(k) || k == "timestamp" || cloudinary.Unsigned(k):
			return fmt.Errorf("%q is not a parameter a browser may choose", k)
		case k == "upload_preset":
			return errors.New("a browser may not choose upload_preset: a preset can turn on overwrite and name assets in ways the signer cannot see; fix the preset in the set's Params instead")
		case k == "type":
			return errors.New("a browser may not choose type: it decides whether anyone may fetch the asset (upload) or only a signed URL (authenticated, private), and which asset a public_id names; fix it in the set's Params (Type) instead")
		case k == "eval" || k == "on_success":
			return fmt.Errorf("a browser may not choose %s: it is JavaScript that Cloudinary runs during the upload, and it can change the upload's parameters (public_id, overwrite) after they were signed; fix it in the set's Params instead", k)
		case fixedToo:
			return fmt.Errorf("the set fixes %s=%q", k, cs.fixed[i].value)
		case cs.owner != nil && k == cs.owner.key:
			return fmt.Errorf("the set fixes %s=%q", k, cs.value(k))
		}
	}
	return nil
}

// checkNaming applies the naming rule of the package doc to the set: a
// PREFIX the browser could change beside one the set binds; a NAME the
// browser chooses, which needs "{owner}" in PREFIX (or a single-use
// set), and overwrite false; a raw set whose allowed formats no public_id
// could show.
func (cs *compiledSet) checkNaming() error {
	if why := checkPlacement(cs.worst, cs.listed); why != "" {
		return fmt.Errorf("ClientParams: %s", why)
	}
	if cs.Params.Overwrite != nil && *cs.Params.Overwrite {
		for _, k := range cs.ClientParams {
			if slices.Contains(namingParams, k) {
				return fmt.Errorf("ClientParams lets the browser choose %s, which names the asset, and the set signs overwrite true: one user could replace another's asset", k)
			}
		}
	}
	if why := overwriteProblem(cs.value, func(string) bool { return false }, "the set"); why != "" {
		return errors.New(why)
	}
	why := browserNames(cs.worst, cs.listed)
	ownerPrefix := cs.owner != nil && cs.owner.key != "public_id"
	switch {
	case why == "" || cs.SingleUse:
	case !ownerPrefix:
		return fmt.Errorf("%s, in a place shared by every user: one user's upload could meet another's asset of that name, and Cloudinary answers with that asset. Put %s in the set's folder (Folder: \"uploads/%s\"), or make the set SingleUse", why, ownerPlaceholder, ownerPlaceholder)
	}
	return cs.checkRawFormats()
}

// browserNamed reports whether the browser may choose an upload's NAME
// (see browserNames), so that it may meet an existing asset.
func (cs *compiledSet) browserNamed() bool { return browserNames(cs.worst, cs.listed) != "" }

// listed reports whether the browser may choose k (ClientParams).
func (cs *compiledSet) listed(k string) bool { return slices.Contains(cs.ClientParams, k) }

// worst returns what the set signs for k, or, for a parameter the browser
// may choose, the choice that gives it most say in the naming.
func (cs *compiledSet) worst(k string) string {
	switch {
	case !cs.listed(k):
		return cs.value(k)
	case k == "use_filename" || k == "use_asset_folder_as_public_id_prefix":
		return "true"
	case k == "unique_filename":
		return "false"
	}
	return "chosen"
}

// value returns what the set signs for key, with "{owner}" in its place.
func (cs *compiledSet) value(key string) string {
	if cs.owner != nil && key == cs.owner.key {
		return cs.owner.fill(ownerPlaceholder)
	}
	return templateValue(cs.fixed, key)
}

// checkRawFormats refuses a raw set with allowed formats whose uploads
// would never verify: a raw file's format is its public_id's extension,
// which a public_id the set fixes, or the random one of a single-use set,
// does not have.
func (cs *compiledSet) checkRawFormats() error {
	allowed := cs.value("allowed_formats")
	if cs.ResourceType != "raw" || allowed == "" {
		return nil
	}
	switch id := cs.value("public_id"); {
	case cs.SingleUse:
		return fmt.Errorf("a single-use raw set's public_id has no extension, so no upload of it shows one of its allowed_formats (%s) and none would verify: drop SingleUse (Cloudinary adds the extension to the names it makes) or AllowedFormats", allowed)
	case id != "" && !slices.ContainsFunc(strings.Split(allowed, ","), func(f string) bool { return strings.HasSuffix(strings.ToLower(id), "."+strings.ToLower(f)) }):
		fix := "end the public_id with the extension"
		if strings.HasSuffix(id, ownerPlaceholder) { // "{owner}" ends a segment, so "{owner}.pdf" cannot be
			fix = fmt.Sprintf("make the owner a folder and end the name with the extension (%q)", id+"/file."+strings.Split(allowed, ",")[0])
		}
		return fmt.Errorf("public_id %q ends in none of its allowed_formats (%s), and a raw file's format is its public_id's extension, so no upload of it would verify: %s", id, allowed, fix)
	}
	return nil
}

// checkCollisions refuses cs when another set could make an asset with
// the same type and public_id (whatever the resource type, which the
// browser chooses by the URL it posts to): a public_id would not tell
// which set, and owner, made it. Versions of one set may share a template,
// but not make one public_id for two owners.
func (s *Signer) checkCollisions(cs *compiledSet) error {
	for _, name := range slices.Sorted(maps.Keys(s.sets)) {
		for _, other := range s.sets[name] {
			if name == cs.Name && slices.EqualFunc(cs.shapes, other.shapes, shape.equal) && cs.deliveryType() == other.deliveryType() {
				continue // the same names, for the same owners
			}
			if example, ok := cs.overlaps(other); ok {
				return fmt.Errorf("parameter sets %q version %d and %q version %d could both make the asset %s; give them distinct folders or public_ids", other.Name, other.Version, cs.Name, cs.Version, example)
			}
		}
	}
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
	return s.lookupIn(nil, set, version)
}

// lookupIn returns the set name at version among the set names served
// (nil for all), or an error wrapping ErrUnknownParamSet that names only
// the sets, or versions, served.
func (s *Signer) lookupIn(served []string, set string, version int) (*compiledSet, error) {
	versions := s.sets[set]
	if served != nil && !slices.Contains(served, set) {
		versions = nil
	}
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
		if served == nil || slices.Contains(served, name) {
			known = append(known, strconv.Quote(name))
		}
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

// bind returns the parameters a payload of cs for req signs, but the
// timestamp: the set's merged with the request's, as Sign merges them,
// encoded.
func (cs *compiledSet) bind(req *Request) (map[string]string, error) {
	p, err := cs.requestParams(req)
	if err != nil {
		return nil, err
	}
	if err := p.mergeCollections(&cs.Params); err != nil {
		return nil, err
	}
	var e encoder
	if err := p.encode(&e); err != nil {
		return nil, err
	}
	bound := make(map[string]string, len(cs.fixed)+e.n)
	err = mergeFields(cs.fixed, e.sorted(), nil, func(f field, _ int) {
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
