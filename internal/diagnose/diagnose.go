// Package diagnose reads Cloudinary's "Invalid Signature" answers,
// compares the string Cloudinary hashed with what a backend signed, and
// tests the posted signature against the ways of signing that string,
// right and wrong, with the Signer's keys (which keep their secrets).
package diagnose

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
	"github.com/uploadsign/uploadsign/internal/keys"
)

// Answer is what an "Invalid Signature" answer says.
type Answer struct {
	// Signature is the signature the browser posted, as Cloudinary quotes
	// it: usually 40 or 64 hex digits, but taken as written.
	Signature string
	// StringToSign is the string Cloudinary hashed from what was posted,
	// before the secret.
	StringToSign string
}

// ErrNotCloudinary is returned for text that is not Cloudinary's "Invalid
// Signature" message, its JSON error body, or its X-Cld-Error header.
var ErrNotCloudinary = errors.New(`not Cloudinary's "Invalid Signature" answer`)

const (
	prefix    = "Invalid Signature "
	separator = ". String to sign - '"
	suffix    = "'."
)

// Parse reads Cloudinary's answer: the message
//
//	Invalid Signature HEX. String to sign - 'STRING'.
//
// as the X-Cld-Error header carries it, or the JSON body
// {"error": {"message": "..."}} around it. Surrounding white space is
// ignored; a truncated or other message wraps [ErrNotCloudinary].
func Parse(text string) (Answer, error) {
	msg := strings.TrimSpace(text)
	if strings.HasPrefix(msg, "{") {
		var body struct {
			Error struct {
				Message *string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(msg), &body); err != nil || body.Error.Message == nil {
			return Answer{}, fmt.Errorf("%w: JSON without error.message", ErrNotCloudinary)
		}
		msg = strings.TrimSpace(*body.Error.Message)
	}
	rest, ok := strings.CutPrefix(msg, prefix)
	if !ok {
		return Answer{}, fmt.Errorf("%w: it does not start with %q", ErrNotCloudinary, strings.TrimSpace(prefix))
	}
	sig, str, ok := strings.Cut(rest, separator)
	if !ok {
		return Answer{}, fmt.Errorf("%w: it has no %q", ErrNotCloudinary, strings.TrimPrefix(separator, ". "))
	}
	str, ok = strings.CutSuffix(str, suffix)
	if !ok {
		return Answer{}, fmt.Errorf("%w: the string to sign does not end with %q (truncated?)", ErrNotCloudinary, suffix)
	}
	if !utf8.ValidString(msg) {
		return Answer{}, fmt.Errorf("%w: it is not valid UTF-8", ErrNotCloudinary)
	}
	return Answer{Signature: sig, StringToSign: str}, nil
}

// Pairs splits a string to sign into its keys, in order, and their values.
// A piece without "=" (an "&" that was not escaped inside a value) is
// joined back to the value before it. Values are cut from s, so the work
// is linear in its length.
func Pairs(s string) (keys []string, values map[string]string) {
	values = map[string]string{}
	if s == "" {
		return nil, values
	}
	key, start := "", -1 // the current key, and where its value starts in s
	for pos := 0; pos <= len(s); {
		end := strings.IndexByte(s[pos:], '&')
		if end < 0 {
			end = len(s)
		} else {
			end += pos
		}
		k, _, ok := strings.Cut(s[pos:end], "=")
		if ok || start < 0 {
			if start >= 0 {
				values[key] = s[start : pos-1]
			}
			if _, dup := values[k]; !dup {
				keys = append(keys, k)
			}
			key, start = k, min(pos+len(k)+1, end)
		}
		pos = end + 1
	}
	values[key] = s[start:]
	return keys, values
}

// Quote quotes at most 80 bytes of v, for a cause's text.
func Quote(v string) string {
	if len(v) <= 80 {
		return fmt.Sprintf("%q", v)
	}
	cut := 80
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", v[:cut])
}

// CompareParams returns a cause for each difference between the pairs
// Cloudinary hashed (server, values escaped as in its string) and the
// pairs the backend signed (signed, escaped the same way), most likely
// first: keys posted but not signed, keys signed but not posted, then
// values that differ.
func CompareParams(server, signed map[string]string) []string {
	var extra, missing, differ []string
	for _, k := range sortedKeys(server) {
		want, ok := signed[k]
		switch {
		case !ok:
			extra = append(extra, notSigned(k, server[k]))
		case want != server[k]:
			differ = append(differ, valueDiffers(k, want, server[k]))
		}
	}
	for _, k := range sortedKeys(signed) {
		if _, ok := server[k]; !ok {
			missing = append(missing, fmt.Sprintf("%s was signed but not posted: the browser left it out (signed as %s); post every field of the payload, verbatim.", k, Quote(signed[k])))
		}
	}
	return append(append(extra, missing...), differ...)
}

func notSigned(k, v string) string {
	switch k {
	case "source":
		return fmt.Sprintf("source was posted (as %s) but not signed: the Upload Widget adds source=uw to every upload. Let the widget's set list it (ClientParams: []string{\"source\"}) and sign the widget's own proposal (uploadsignhttp.NewProposalHandler), not a payload of your own.", Quote(v))
	case "upload_preset":
		return fmt.Sprintf("upload_preset was posted (as %s) but not signed: the frontend adds a preset. Fix it in the parameter set (Params.UploadPreset), so that it is signed.", Quote(v))
	case "timestamp":
		return "timestamp was posted but not signed: the backend signed no timestamp, and Cloudinary requires one."
	}
	return fmt.Sprintf("%s was posted (as %s) but not signed: the frontend adds it. Post only the payload's fields, or add %s to the parameter set.", k, Quote(v), k)
}

func valueDiffers(k, signed, posted string) string {
	switch {
	case k == "timestamp":
		return fmt.Sprintf("timestamp differs: %s was posted, %s signed. Something replaced the signed timestamp (the Go SDK's uploader stamps its own time when it signs); post the payload's timestamp.", Quote(posted), Quote(signed))
	case k == "tags" && sameItems(signed, posted):
		return "tags were posted in another order than signed: Cloudinary hashes the string as posted. Post the payload's tags field verbatim instead of rebuilding it."
	case (k == "context" || k == "metadata") && maps.Equal(cloudinary.ParseContext(signed), cloudinary.ParseContext(posted)):
		if sameItems(signed, posted, '|') {
			return fmt.Sprintf("%s was posted with its entries in another order than signed: post the payload's %s field verbatim.", k, k)
		}
		return fmt.Sprintf("%s is escaped differently than signed (\"=\" and \"|\" inside values are escaped as \\= and \\|): post the payload's %s field verbatim instead of rebuilding it.", k, k)
	case strings.ReplaceAll(signed, "%26", "&") == strings.ReplaceAll(posted, "%26", "&"):
		return fmt.Sprintf("%s differs only in how \"&\" is written: Cloudinary's string holds %%26 where the signed value holds \"&\", or the reverse. A frontend percent-encodes or decodes the value, or the two sides use different signature versions.", k)
	}
	return fmt.Sprintf("%s differs: %s was posted, %s signed. Post the payload's fields verbatim.", k, Quote(posted), Quote(signed))
}

// sameItems reports whether a and b hold the same items, separated by sep
// (a comma by default), in another order.
func sameItems(a, b string, sep ...byte) bool {
	s := ","
	if len(sep) > 0 {
		s = string(sep[0])
	}
	x, y := strings.Split(a, s), strings.Split(b, s)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, s) == strings.Join(y, s)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Signature says why Cloudinary refused the posted signature (hex) of
// text, the string it hashed, when text holds what the backend signed.
// keys are the Signer's, its current one first; apiKey is the api_key the
// backend handed out, if known. It tests the signature against each way of
// signing text that is right or known to be wrong, and reports
// unexplained when none fits.
func Signature(text, posted, apiKey string, signer []keys.Key) (causes []string, unexplained bool) {
	if n := len(posted); n != 2*sha1.Size && n != 2*sha256.Size || strings.Trim(posted, "0123456789abcdef") != "" {
		return []string{fmt.Sprintf("signature: the posted signature %s is not the hex of a SHA-1 (40 digits) or SHA-256 (64 digits): the browser posted something else in the signature field.", Quote(posted))}, false
	}
	want, _ := hex.DecodeString(posted)
	useSHA256 := len(want) == sha256.Size
	algorithm := "SHA-1"
	if useSHA256 {
		algorithm = "SHA-256"
	}
	// The string in the message escapes "&" as %26 (version 2); version 1
	// hashes it as it is.
	v1 := strings.ReplaceAll(text, "%26", "&")
	matches := func(k keys.Key, t string) bool {
		sum := k.Sum(useSHA256, []byte(t))
		return subtle.ConstantTimeCompare(sum[:len(want)], want) == 1
	}
	current := signer[0]
	if apiKey == "" {
		apiKey = current.APIKey
	}
	secretChanged := fmt.Sprintf("secret: the signature is right for this Signer's secret, but Cloudinary checked it with another: the secret of API key %s was regenerated in Cloudinary's console, or the browser posted the api_key of another key.", apiKey)
	switch {
	case matches(current, text) && !useSHA256:
		return []string{secretChanged,
			"algorithm: a right SHA-1 signature was refused: the account may accept SHA-256 signatures only (Settings > Security); sign with uploadsign.WithAlgorithm(uploadsign.SHA256)."}, false
	case matches(current, text):
		return []string{secretChanged}, false
	case v1 != text && matches(current, v1):
		return []string{"signature version: the signature was made with signature version 1, which hashes \"&\" inside values as it is; Cloudinary checked version 2, which escapes it as %26. Sign with version 2 (the default; uploadsign.WithSignatureVersion(2))."}, false
	}
	for _, k := range signer[1:] {
		if matches(k, text) || matches(k, v1) {
			return []string{fmt.Sprintf("secret: the signature was made with the previous key %s's secret (WithPreviousKeys); Cloudinary checks the secret of the api_key posted: sign with the current key, %s.", k.APIKey, current.APIKey)}, false
		}
	}
	words := map[keys.Misuse]string{
		keys.LineBreak: "secret: the signature was made with the secret followed by a line break: the secret was read from a file or environment with its newline; trim it.",
		keys.Spaces:    "secret: the signature was made with spaces around the secret: trim the secret where it is loaded.",
		keys.Quotes:    "secret: the signature was made with the secret in quotes: the quotes of a .env file or config value were kept; remove them.",
		keys.HMAC:      fmt.Sprintf("algorithm: the signature is an HMAC keyed with the secret: Cloudinary hashes the string to sign followed by the secret with plain %s, not an HMAC.", algorithm),
	}
	for m := keys.Misuse(0); m < keys.Misuses; m++ {
		for _, k := range signer {
			for _, t := range []string{text, v1} {
				for _, sum := range k.Misused(m, useSHA256, t) {
					if subtle.ConstantTimeCompare(sum, want) == 1 {
						return []string{words[m]}, false
					}
				}
			}
		}
	}
	return []string{"signature: the posted signature matches no known way of signing this string with this Signer's secret (SHA-1 or SHA-256, signature version 1 or 2, the secret with a line break, spaces or quotes around it, or an HMAC): it was made with another key's secret, or belongs to another request."}, true
}
