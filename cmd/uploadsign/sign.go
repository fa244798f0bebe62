package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

func cmdStringToSign(args []string, e env) int {
	fs := newFlags("string-to-sign", "string-to-sign [--signature-version N] key=value...\n\n"+
		"Needs no credentials. The signature version (2 escapes & in values as %26) is --signature-version,\n"+
		"else the signature_version of the Cloudinary URL if one is given, else 2; --algorithm changes\n"+
		"the hash, not the string.", e)
	var cred credentials
	cred.register(fs)
	if status, done := parse(fs, args); done {
		return status
	}
	version, err := cred.stringVersion(e)
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	params, err := keyValues(fs.Args())
	switch {
	case err != nil:
		return usageError(e, fs, "%v", err)
	case len(params) == 0:
		return usageError(e, fs, "give the parameters as key=value arguments")
	}
	fmt.Fprintln(e.stdout, uploadsign.StringToSign(params, version))
	return exitOK
}

func cmdSign(args []string, e env) int {
	fs := newFlags("sign", "sign [--set-file FILE --set NAME --set-version N [--owner ID]] [flags] key=value...", e)
	var cred credentials
	cred.register(fs)
	setFile := fs.String("set-file", "", "a JSON file of parameter sets ([{\"name\": ..., \"version\": ..., \"params\": {...}}]); key=value arguments are then the request's parameters")
	setName := fs.String("set", "", "the parameter set to sign, from --set-file")
	setVersion := fs.Int("set-version", 0, "the version of --set that the client asked for")
	owner := fs.String("owner", "", `the owner the request binds, for a set whose names hold "{owner}"`)
	resourceType := fs.String("resource-type", "image", "image, video, raw or auto: picks the upload URL (without --set-file)")
	format := fs.String("format", "json", "output: json, or text (the URL, then one field per line)")
	if status, done := parse(fs, args); done {
		return status
	}
	if status, bad := checkFormat(e, fs, *format); bad {
		return status
	}
	params, err := keyValues(fs.Args())
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	var payload *uploadsign.Payload
	if *setFile != "" {
		if *setName == "" || *setVersion == 0 {
			return usageError(e, fs, "--set-file needs --set and --set-version")
		}
		sets, err := readSets(*setFile)
		if errors.Is(err, errUnreadable) {
			fmt.Fprintf(e.stderr, "uploadsign sign: --set-file: %v\n", err)
			return exitRuntime
		} else if err != nil {
			return usageError(e, fs, "%v", err)
		}
		req, err := paramsFromValues(params)
		if err != nil {
			return usageError(e, fs, "%v", err)
		}
		if why := ownerFlagProblem(sets, *setName, *setVersion, *owner); why != "" {
			return usageError(e, fs, "%s", why)
		}
		s, err := cred.signer(e, uploadsign.WithParamSets(sets...))
		if err != nil {
			return usageError(e, fs, "%v", err)
		}
		if payload, err = s.Sign(*setName, *setVersion, uploadsign.Request{Owner: *owner, Params: req}); err != nil {
			return usageError(e, fs, "%v", err)
		}
	} else {
		if *setName != "" || *setVersion != 0 || *owner != "" {
			return usageError(e, fs, "--set, --set-version and --owner need --set-file")
		}
		s, err := cred.signer(e)
		if err != nil {
			return usageError(e, fs, "%v", err)
		}
		uploadURL, fields, ts, err := bridge.SignRaw(s, *resourceType, params)
		if err == nil {
			err = checkTyped(params)
		}
		if err != nil {
			return usageError(e, fs, "%v", err)
		}
		payload = &uploadsign.Payload{URL: uploadURL, Fields: fields, Timestamp: ts,
			ExpiresAt: time.Unix(ts, 0).Add(cloudinary.UploadValidity).UTC()}
	}
	warnParams(e, params)
	if *format == "text" {
		keys := make([]string, 0, len(payload.Fields))
		for k := range payload.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys { // check all before printing any
			if c, bad := unprintable(k + payload.Fields[k]); bad {
				return usageError(e, fs, "--format text prints a field a line, and %q holds %s; use --format json", k, c)
			}
		}
		fmt.Fprintln(e.stdout, payload.URL)
		for _, k := range keys {
			fmt.Fprintf(e.stdout, "%s=%s\n", k, payload.Fields[k])
		}
		return exitOK
	}
	var out []byte
	if *setFile != "" {
		out, _ = json.MarshalIndent(payload, "", "  ")
	} else { // no set: no set name and version to show
		out, _ = json.MarshalIndent(rawPayload{payload.URL, payload.Fields, payload.Timestamp, payload.ExpiresAt}, "", "  ")
	}
	fmt.Fprintln(e.stdout, string(out))
	return exitOK
}

// rawPayload is the JSON of a payload signed without a parameter set.
type rawPayload struct {
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	Timestamp int64             `json:"timestamp"`
	ExpiresAt time.Time         `json:"expires_at"`
}

// warnParams warns of what sign would sign without complaint but
// Cloudinary would not take as meant: a parameter name it does not know
// (a misspelling is signed as given), and a timestamp that is stale or
// ahead of the clock.
func warnParams(e env, params url.Values) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known(k) && !cloudinary.Unsigned(k) { // unsigned ones are refused below
			warn(e, "sign", "%q is not a Cloudinary upload parameter (misspelled?); signing it as given", k)
		}
	}
	ts, err := cloudinary.ParseTimestamp(params.Get("timestamp"))
	if err != nil {
		return
	}
	switch age := e.now().Sub(time.Unix(ts, 0)); {
	case age > cloudinary.UploadValidity:
		warn(e, "sign", "timestamp=%d is %s old; Cloudinary refuses an upload signed more than an hour before it arrives", ts, inWords(age))
	case age < -cloudinary.MaxClockSkew:
		warn(e, "sign", "timestamp=%d is %s ahead of this machine's clock", ts, inWords(-age))
	}
}

// inWords says a positive duration as a person reads it, in one unit,
// rounded down: "45 seconds", "65 minutes", "5 hours", "20 days", "56
// years".
func inWords(d time.Duration) string {
	const day = 24 * time.Hour
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= 2*365*day:
		n, unit = int64(d/(365*day)), "year"
	case d >= 2*day:
		n, unit = int64(d/day), "day"
	case d >= 2*time.Hour:
		n, unit = int64(d/time.Hour), "hour"
	case d >= 2*time.Minute:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

func readSets(name string) ([]uploadsign.ParamSet, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnreadable, err)
	}
	var sets []uploadsign.ParamSet
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sets); err != nil {
		return nil, fmt.Errorf("%s: want a JSON array of parameter sets: %v", name, err)
	}
	return sets, nil
}

// ownerFlagProblem says why --owner is wrong for set name at version of
// sets, or returns "": a set whose names hold "{owner}" needs one, and
// another takes none. A set that is not in sets is left to the Signer.
func ownerFlagProblem(sets []uploadsign.ParamSet, name string, version int, owner string) string {
	for _, set := range sets {
		if set.Name != name || set.Version != version {
			continue
		}
		p := set.Params
		hasOwner := strings.Contains(p.PublicID+p.Folder+p.PublicIDPrefix+p.AssetFolder, "{owner}")
		switch {
		case hasOwner && owner == "":
			return fmt.Sprintf("set %q version %d places its uploads by \"{owner}\": give --owner (the user the upload is for)", name, version)
		case !hasOwner && owner != "":
			return fmt.Sprintf("set %q version %d names no \"{owner}\": drop --owner", name, version)
		}
	}
	return ""
}
