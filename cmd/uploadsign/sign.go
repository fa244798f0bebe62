package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// keyValues reads key=value arguments: a value may hold "=" (the split is
// at the first), and a repeated key gives several values.
func keyValues(args []string) (url.Values, error) {
	v := url.Values{}
	for _, arg := range args {
		k, val, ok := strings.Cut(arg, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("argument %q is not key=value", arg)
		}
		v[k] = append(v[k], val)
	}
	return v, nil
}

func cmdStringToSign(args []string, e env) int {
	fs := newFlags("string-to-sign", "string-to-sign [--signature-version N] key=value...", e)
	version := fs.Int("signature-version", 2, "signature version: 1, or 2 which escapes & in values as %26")
	if status, done := parse(fs, args); done {
		return status
	}
	if *version != 1 && *version != 2 {
		return usageError(e, fs, "--signature-version must be 1 or 2")
	}
	params, err := keyValues(fs.Args())
	switch {
	case err != nil:
		return usageError(e, fs, "%v", err)
	case len(params) == 0:
		return usageError(e, fs, "give the parameters as key=value arguments")
	case len(params["timestamp"]) > 1:
		return usageError(e, fs, "timestamp is given %d times; Cloudinary takes one", len(params["timestamp"]))
	}
	fmt.Fprintln(e.stdout, uploadsign.StringToSign(params, *version))
	return exitOK
}

func cmdSign(args []string, e env) int {
	fs := newFlags("sign", "sign [flags] key=value...", e)
	var cred credentials
	cred.register(fs)
	setFile := fs.String("set-file", "", "a JSON file of parameter sets ([{\"name\": ..., \"version\": ..., \"params\": {...}}]); key=value arguments are then the request's parameters")
	setName := fs.String("set", "", "the parameter set to sign, from --set-file")
	setVersion := fs.Int("version", 0, "the version of --set")
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
	warnParams(e, params)
	var payload *uploadsign.Payload
	if *setFile != "" {
		if *setName == "" || *setVersion == 0 {
			return usageError(e, fs, "--set-file needs --set and --version")
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
		s, err := cred.signer(e, uploadsign.WithParamSets(sets...))
		if err != nil {
			return usageError(e, fs, "%v", err)
		}
		if payload, err = s.Sign(*setName, *setVersion, req); err != nil {
			return usageError(e, fs, "%v", err)
		}
	} else {
		if *setName != "" || *setVersion != 0 {
			return usageError(e, fs, "--set and --version need --set-file")
		}
		s, err := cred.signer(e)
		if err != nil {
			return usageError(e, fs, "%v", err)
		}
		if payload, err = s.SignRaw(*resourceType, params); err != nil {
			return usageError(e, fs, "%v", err)
		}
	}
	if *format == "text" {
		fmt.Fprintln(e.stdout, payload.URL)
		keys := make([]string, 0, len(payload.Fields))
		for k := range payload.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(e.stdout, "%s=%s\n", k, payload.Fields[k])
		}
		return exitOK
	}
	out, _ := json.MarshalIndent(payload, "", "  ")
	fmt.Fprintln(e.stdout, string(out))
	return exitOK
}

// knownParams holds the names of Cloudinary's upload parameters: those
// of uploadsign.Params, the timestamp, and the Upload Widget's source.
var knownParams = func() map[string]bool {
	known := map[string]bool{"timestamp": true, "source": true}
	t := reflect.TypeOf(uploadsign.Params{})
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "extra" {
			known[name] = true
		}
	}
	return known
}()

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
		if !knownParams[k] && !cloudinary.Unsigned(k) { // unsigned ones are refused below
			warn(e, "sign", "%q is not a Cloudinary upload parameter (misspelled?); signing it as given", k)
		}
	}
	ts, err := cloudinary.ParseTimestamp(params.Get("timestamp"))
	if err != nil || len(params["timestamp"]) != 1 {
		return
	}
	switch age := e.now().Sub(time.Unix(ts, 0)); {
	case age > cloudinary.UploadValidity:
		warn(e, "sign", "timestamp=%d is %v old; Cloudinary refuses an upload signed more than an hour before it arrives", ts, age.Truncate(time.Second))
	case age < -cloudinary.MaxClockSkew:
		warn(e, "sign", "timestamp=%d is %v ahead of this machine's clock", ts, (-age).Truncate(time.Second))
	}
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

// paramsFromValues turns key=value arguments into Params by the type of the
// field whose json tag is the key: lists are split at ",", booleans are
// true/false/1/0, maps are k=v pairs joined with "|". Other keys go to
// Extra.
func paramsFromValues(values url.Values) (uploadsign.Params, error) {
	var p uploadsign.Params
	rv := reflect.ValueOf(&p).Elem()
	byTag := map[string]reflect.Value{}
	for i := 0; i < rv.NumField(); i++ {
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		byTag[name] = rv.Field(i)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.Join(values[k], ",")
		f, ok := byTag[k]
		if !ok || k == "extra" {
			if p.Extra == nil {
				p.Extra = map[string]string{}
			}
			p.Extra[k] = v
			continue
		}
		if err := setField(f, v); err != nil {
			return p, fmt.Errorf("%s=%s: %v", k, v, err)
		}
	}
	return p, nil
}

func setField(f reflect.Value, v string) error {
	switch dst := f.Addr().Interface().(type) {
	case *string:
		*dst = v
	case *[]string:
		*dst = strings.Split(v, ",")
	case **bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*dst = &b
	case *float64:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return errors.New("want a number")
		}
		*dst = n
	case *map[string]string:
		m := map[string]string{}
		for _, pair := range strings.Split(v, "|") {
			k, val, ok := strings.Cut(pair, "=")
			if !ok {
				return errors.New("want key=value pairs joined with |")
			}
			m[k] = val
		}
		*dst = m
	default:
		return errors.New("this parameter cannot be given as key=value; put it in the --set-file")
	}
	return nil
}
