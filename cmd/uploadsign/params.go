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
		v := values.Get(k) // keyValues gives one value, lists joined
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
