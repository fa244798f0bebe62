package uploadsign

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign/internal/bridge"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// The module's own packages reach what only they need through
// internal/bridge.
func init() {
	bridge.Sets = func(signer any) []bridge.Set { return signer.(*Signer).setList() }
	bridge.Lookup = func(signer any, served []string, set string, version int) (bridge.Set, error) {
		cs, err := signer.(*Signer).lookupIn(served, set, version)
		if err != nil {
			return bridge.Set{}, err
		}
		return cs.bridgeSet(), nil
	}
	bridge.ProposalPayload = func(signer any, set string, version int, fields map[string]string) (any, error) {
		return signer.(*Signer).proposalPayload(set, version, fields)
	}
	bridge.ParamFields = func() map[string]int {
		fields := make(map[string]int, len(paramFields))
		for name, f := range paramFields {
			fields[name] = f.index
		}
		return fields
	}
	bridge.SignRaw = func(signer any, resourceType string, params url.Values) (string, map[string]string, int64, error) {
		p, err := signer.(*Signer).signRaw(resourceType, params)
		if err != nil {
			return "", nil, 0, err
		}
		return p.URL, p.Fields, p.Timestamp, nil
	}
}

// setList returns the registered sets, by name and version.
func (s *Signer) setList() []bridge.Set {
	var list []bridge.Set
	for _, name := range slices.Sorted(maps.Keys(s.sets)) {
		for _, cs := range s.sets[name] {
			list = append(list, cs.bridgeSet())
		}
	}
	return list
}

func (cs *compiledSet) bridgeSet() bridge.Set {
	set := bridge.Set{Name: cs.Name, Version: cs.Version, Deprecated: cs.Deprecated, Sunset: cs.Sunset}
	if cs.Limits != (Limits{}) {
		set.Limits = &cs.Limits // a pointer: no allocation per request
	}
	return set
}

// proposalPayload describes a signed proposal as a Payload: the set's
// name, version, limits and dates (Deprecated judged at the proposal's
// timestamp), and as Fields the proposal, signature and api_key.
func (s *Signer) proposalPayload(set string, version int, fields map[string]string) (*Payload, error) {
	cs, err := s.lookup(set, version)
	if err != nil {
		return nil, err
	}
	ts, err := cloudinary.ParseTimestamp(fields["timestamp"])
	if err != nil {
		return nil, fmt.Errorf("%w: timestamp: %w", ErrInvalidParam, err)
	}
	p := &Payload{Fields: fields, Timestamp: ts, ParamSet: cs.Name, Version: cs.Version, Limits: cs.Limits}
	cs.stampLifecycle(p, time.Unix(ts, 0))
	return p, nil
}

// signRaw signs params as they are, as SignValues does, into the payload
// a browser posts, for parameters no set describes (the command line's;
// see bridge.SignRaw).
func (s *Signer) signRaw(resourceType string, params url.Values) (*Payload, error) {
	if !cloudinary.IsUploadResourceType(resourceType) {
		return nil, fmt.Errorf("%w: resource type %.40q is not image, video, raw or auto", ErrInvalidParam, resourceType)
	}
	for _, k := range cloudinary.UnsignedKeys {
		if _, ok := params[k]; ok {
			return nil, fmt.Errorf("%w: %s is not a signed parameter; the payload adds api_key and signature itself", ErrInvalidParam, k)
		}
	}
	fields := make(map[string]string, len(params)+3)
	for k, vs := range params {
		if v := strings.Join(vs, ","); v != "" {
			fields[k] = v
		}
		if err := s.checkVersion1([]field{{k, fields[k]}}); err != nil {
			return nil, err
		}
	}
	var ts int64
	switch stamps := params["timestamp"]; {
	case len(stamps) > 1:
		return nil, fmt.Errorf("%w: timestamp is given %d times", ErrInvalidParam, len(stamps))
	case len(stamps) == 1:
		var err error
		if ts, err = cloudinary.ParseTimestamp(stamps[0]); err != nil || ts == 0 {
			return nil, fmt.Errorf("%w: timestamp: %.40q is not decimal Unix seconds", ErrInvalidParam, stamps[0])
		}
	default:
		var err error
		if ts, err = s.timestamp(); err != nil {
			return nil, err
		}
		fields["timestamp"] = strconv.FormatInt(ts, 10)
	}
	values := make(url.Values, len(fields))
	for k, v := range fields {
		values[k] = []string{v}
	}
	fields["signature"] = s.SignValues(values)
	fields["api_key"] = s.apiKey
	return &Payload{
		URL:       s.UploadURL(resourceType),
		Fields:    fields,
		Timestamp: ts,
		ExpiresAt: time.Unix(ts, 0).Add(cloudinary.UploadValidity).UTC(),
	}, nil
}
