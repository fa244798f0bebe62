package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
	"github.com/uploadsign/uploadsign/internal/random"
)

const explainUsage = `explain [flags] [MESSAGE] [key=value...]

Explains Cloudinary's "Invalid Signature" answer to an upload. MESSAGE is
Cloudinary's error message or its JSON error body; without it, the body is
read from standard input. The signed fields are key=value arguments or
--payload, the JSON the signature endpoint returned.

Without credentials it shows the fields that differ and their causes;
when the fields agree, the cause is in the signature itself, and finding
it needs the credentials (CLOUDINARY_URL or --cloudinary-url).`

func cmdExplain(args []string, e env) int {
	fs := newFlags("explain", explainUsage, e)
	var cred credentials
	cred.register(fs)
	payload := fs.String("payload", "", `the payload JSON the backend returned ({"url": ..., "fields": {...}}), instead of key=value arguments`)
	if status, done := parse(fs, args); done {
		return status
	}
	var message string
	var pairs []string
	for _, arg := range fs.Args() {
		if isKeyValue(arg) {
			pairs = append(pairs, arg)
		} else if message == "" {
			message = arg
		} else {
			return usageError(e, fs, "give Cloudinary's message once; %.40q is neither it nor key=value", arg)
		}
	}
	signed, err := keyValues(pairs)
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	if *payload != "" {
		if len(pairs) > 0 {
			return usageError(e, fs, "give the signed fields as --payload or as key=value arguments, not both")
		}
		if signed, err = readPayload(*payload); errors.Is(err, errUnreadable) {
			fmt.Fprintf(e.stderr, "uploadsign explain: %v\n", err)
			return exitRuntime
		} else if err != nil {
			return usageError(e, fs, "%v", err)
		}
	}
	if len(signed) == 0 {
		return usageError(e, fs, "give the fields that were signed, as key=value arguments or --payload FILE")
	}
	if message == "" {
		if e.stdinTerminal {
			fmt.Fprintln(e.stderr, "uploadsign explain: reading Cloudinary's answer from standard input (end it with Ctrl-D)...")
		}
		data, err := io.ReadAll(io.LimitReader(e.stdin, 1<<20))
		if err != nil {
			fmt.Fprintf(e.stderr, "uploadsign explain: reading Cloudinary's answer from standard input: %v\n", err)
			return exitRuntime
		}
		message = string(data)
	}
	s, err := cred.signer(e)
	withoutSecret := errors.Is(err, errNoCredentials)
	if withoutSecret {
		// The fields' causes need no secret: a throwaway one compares them.
		s, err = uploadsign.New("explain", "000000000000000", random.Hex(16))
	}
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	d, err := s.Explain(message, signed)
	if errors.Is(err, uploadsign.ErrInvalidParam) {
		return usageError(e, fs, `that is not Cloudinary's "Invalid Signature" answer (want "Invalid Signature HEX. String to sign - '...'." or its JSON body)`)
	} else if err != nil {
		return usageError(e, fs, "%v", err)
	}
	if withoutSecret && sameFields(d) {
		// The causes are the throwaway secret's: say what finding them needs.
		d.Causes, d.Unexplained = []string{"The fields Cloudinary hashed are the ones the backend signed, so the cause is in the signature itself " +
			"(another secret, a known misuse of it, the algorithm): finding it needs the credentials; " +
			"set CLOUDINARY_URL=cloudinary://API_KEY:API_SECRET@CLOUD_NAME or pass --cloudinary-url."}, true
	}
	printDiagnosis(e.stdout, d)
	if d.Unexplained {
		return exitFailed
	}
	return exitOK
}

// isKeyValue reports whether arg is a key=value argument, not a message.
func isKeyValue(arg string) bool {
	k, _, ok := strings.Cut(arg, "=")
	if !ok || k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// readPayload reads the fields of a payload's JSON.
func readPayload(name string) (url.Values, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errUnreadable, err)
	}
	var p struct {
		Fields map[string]string `json:"fields"`
	}
	if err := json.Unmarshal(data, &p); err != nil || p.Fields == nil {
		return nil, fmt.Errorf(`%s: want the payload JSON, {"url": ..., "fields": {...}}`, name)
	}
	v := url.Values{}
	for k, x := range p.Fields {
		v.Set(k, x)
	}
	return v, nil
}

// sameFields reports whether Cloudinary hashed the fields the backend
// signed, with the same values: then no cause lies in the fields.
func sameFields(d *uploadsign.Diagnosis) bool {
	_, server := cloudinary.Pairs(d.ServerString)
	_, signed := cloudinary.Pairs(d.SignedString)
	return maps.Equal(server, signed)
}

// printDiagnosis prints the two strings, a diff of their pairs, and the
// causes.
func printDiagnosis(w io.Writer, d *uploadsign.Diagnosis) {
	fmt.Fprintf(w, "Cloudinary hashed:  %s\n", d.ServerString)
	fmt.Fprintf(w, "The backend signed: %s\n\n", d.SignedString)
	_, server := cloudinary.Pairs(d.ServerString)
	_, signed := cloudinary.Pairs(d.SignedString)
	keys := map[string]bool{}
	for k := range server {
		keys[k] = true
	}
	for k := range signed {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	fmt.Fprintln(w, "  posted (+) against signed (-):")
	for _, k := range sorted {
		p, posted := server[k]
		s, wasSigned := signed[k]
		switch {
		case posted && wasSigned && p == s:
			fmt.Fprintf(w, "    %s=%s\n", k, p)
		case posted && wasSigned:
			fmt.Fprintf(w, "  - %s=%s\n  + %s=%s\n", k, s, k, p)
		case posted:
			fmt.Fprintf(w, "  + %s=%s\n", k, p)
		default:
			fmt.Fprintf(w, "  - %s=%s\n", k, s)
		}
	}
	fmt.Fprintln(w, "\nCauses, most likely first:")
	for i, c := range d.Causes {
		fmt.Fprintf(w, "%d. %s\n", i+1, c)
	}
}
