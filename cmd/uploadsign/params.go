package main

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/bridge"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// listSeparators holds the parameters that are lists, and what joins
// their items, as the official Node SDK's build_upload_params encodes an
// array: tags and allowed_formats with ",", eager transformations and
// face or custom coordinates (one x,y,w,h per item) with "|". A list may
// be given several times on the command line, an item each time; any
// other parameter only once. TestListsAsTheNodeSDK checks this against
// the SDK.
var listSeparators = map[string]string{
	"tags":               ",",
	"allowed_formats":    ",",
	"eager":              "|",
	"face_coordinates":   "|",
	"custom_coordinates": "|",
}

// keyValues reads key=value arguments: a value may hold "=" (the split is
// at the first). A list given several times gets its items joined as the
// SDK joins them; any other parameter given twice is refused.
func keyValues(args []string) (url.Values, error) {
	v := url.Values{}
	for _, arg := range args {
		k, val, ok := strings.Cut(arg, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("argument %q is not key=value", arg)
		}
		old, seen := v[k]
		if !seen {
			v[k] = []string{val}
			continue
		}
		sep, list := listSeparators[k]
		if !list {
			return nil, fmt.Errorf("%s is given more than once; Cloudinary takes one value (only lists may be repeated: %s)", k, listNames())
		}
		v[k] = []string{old[0] + sep + val}
	}
	return v, nil
}

// listNames names the lists, for an error.
func listNames() string {
	names := make([]string, 0, len(listSeparators))
	for k := range listSeparators {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// paramFields are the upload parameters uploadsign.Params models, with
// their fields' indexes.
var paramFields = bridge.ParamFields()

// known reports whether k is one of Cloudinary's upload parameters: one
// uploadsign.Params models, the timestamp, or the Upload Widget's source.
func known(k string) bool {
	_, modeled := paramFields[k]
	return modeled || k == "timestamp" || k == "source"
}

// paramsFromValues turns key=value arguments into Params by the type of the
// field whose json tag is the key: lists are split at ",", booleans are
// true/false/1/0, maps are k=v pairs joined with "|". Other keys go to
// Extra.
func paramsFromValues(values url.Values) (uploadsign.Params, error) {
	var p uploadsign.Params
	rv := reflect.ValueOf(&p).Elem()
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := values.Get(k) // keyValues gives one value, lists joined
		i, ok := paramFields[k]
		if !ok {
			if p.Extra == nil {
				p.Extra = map[string]string{}
			}
			p.Extra[k] = v
			continue
		}
		if err := setField(k, rv.Field(i), v); err != nil {
			return p, fmt.Errorf("%s=%.80q: %w", k, v, err)
		}
	}
	return p, nil
}

// errNotKeyValue: a parameter whose Params field cannot be given as
// key=value.
var errNotKeyValue = errors.New("this parameter cannot be given as key=value; put it in the --set-file")

// setField sets the field f of the parameter named key from its value as
// Cloudinary reads it.
func setField(key string, f reflect.Value, v string) error {
	switch dst := f.Addr().Interface().(type) {
	case *string:
		*dst = v
	case *[]string:
		*dst = strings.Split(v, ",")
	case **bool:
		var b bool
		switch v { // the spellings the SDKs send
		case "true", "1":
			b = true
		case "false", "0":
		default:
			return errors.New("want true or false (or 1 or 0)")
		}
		*dst = &b
	case *float64:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return errors.New("want a number")
		}
		*dst = n
	case *map[string]string:
		if key == "headers" { // Name:value lines
			m := map[string]string{}
			for _, line := range strings.Split(v, "\n") {
				name, val, ok := strings.Cut(line, ":")
				if !ok {
					return errors.New("want Name:value lines")
				}
				m[name] = val
			}
			*dst = m
			return nil
		}
		// key=value pairs joined with "|", "=" and "|" in values escaped
		// with a backslash, as Cloudinary reads context and metadata
		m := cloudinary.ParseContext(v)
		if _, ok := m[""]; ok {
			return errors.New(`want key=value pairs joined with | (with \= and \| inside values)`)
		}
		*dst = m
	default:
		return errNotKeyValue
	}
	return nil
}

// checkTyped runs key=value arguments, each alone, through the checks of
// a parameter set's Params, as sign does with --set-file: a path that
// breaks the naming rule, a boolean Cloudinary would not read as one, an
// empty tag, a malformed context, and so on. The timestamp and lists
// given as Cloudinary writes them (eager, coordinates) are left to the
// caller. The error is the check's, without the set it was made in.
func checkTyped(values url.Values) error {
	for k, v := range values {
		if k == "timestamp" || cloudinary.Unsigned(k) {
			continue
		}
		p, err := paramsFromValues(url.Values{k: v})
		switch {
		case errors.Is(err, errNotKeyValue):
			continue // a list as Cloudinary writes it: the caller's
		case err != nil:
			return err
		}
		_, err = uploadsign.New("check", "000000000000000", "unused", uploadsign.WithParamSets(uploadsign.ParamSet{Name: "check", Version: 1, Params: p}))
		if err != nil {
			msg := err.Error()
			if i := strings.Index(msg, "uploadsign: "); i >= 0 {
				msg = msg[i:] // from the sentinel on: the set is the command's own
			}
			return errors.New(msg)
		}
	}
	return nil
}
