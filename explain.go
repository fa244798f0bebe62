package uploadsign

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// maxExplainBytes is the longest answer Explain reads: Cloudinary's are a
// few kilobytes at most.
const maxExplainBytes = 1 << 20

// Diagnosis explains an "Invalid Signature" answer from Cloudinary: what
// Cloudinary hashed, what the backend signed, and why they differ.
type Diagnosis struct {
	ServerString string   // the string Cloudinary hashed from what the browser posted, from its message
	SignedString string   // StringToSign of what the backend signed (version 2)
	Causes       []string // each a sentence naming the parameter, key or setting at fault, most likely first
	Unexplained  bool     // no known cause fits (Causes says so)
}

// Explain says why Cloudinary answered "Invalid Signature" to an upload:
// cloudinaryError is its message, JSON error body or X-Cld-Error header
// (at most 1 MiB), signed what the backend handed out (a payload's Fields,
// or a signed proposal). Causes, most likely first, name a parameter
// posted but not signed or the reverse, a value that differs, or what is
// wrong with the signature; never a secret. Bad input wraps
// [ErrInvalidParam].
func (s *Signer) Explain(cloudinaryError string, signed url.Values) (*Diagnosis, error) {
	if len(cloudinaryError) > maxExplainBytes {
		return nil, fmt.Errorf("%w: cloudinaryError is %d bytes, over the 1 MiB Explain reads; Cloudinary's answers are far shorter", ErrInvalidParam, len(cloudinaryError))
	}
	answer, err := parseAnswer(cloudinaryError)
	if err != nil {
		return nil, fmt.Errorf("%w: cloudinaryError: %w", ErrInvalidParam, err)
	}
	d := &Diagnosis{ServerString: answer.StringToSign, SignedString: StringToSign(signed, 2)}
	_, server := cloudinary.Pairs(d.ServerString)
	_, mine := cloudinary.Pairs(d.SignedString)
	posted := strings.ToLower(answer.Signature)
	issued := strings.ToLower(strings.Join(signed["signature"], ","))
	otherSignature := issued != "" && issued != posted
	if d.Causes = compareParams(server, mine); len(d.Causes) > 0 {
		if otherSignature {
			d.Causes = append(d.Causes, "signature: the browser also posted another signature than the backend returned for these fields.")
		}
		return d, nil
	}
	d.Causes, d.Unexplained = signatureCauses(d.ServerString, posted, signed.Get("api_key"), s.keys)
	if otherSignature {
		d.Causes = append(d.Causes, "signature: the browser posted another signature than the backend returned for these fields: it signs itself, or reuses an old signature.")
	}
	return d, nil
}

// cloudinaryAnswer is what an "Invalid Signature" answer says.
type cloudinaryAnswer struct {
	// Signature is the signature the browser posted, as Cloudinary quotes
	// it: usually 40 or 64 hex digits, but taken as written.
	Signature string
	// StringToSign is the string Cloudinary hashed from what was posted,
	// before the secret.
	StringToSign string
}

// errNotCloudinary is returned for text that is not Cloudinary's "Invalid
// Signature" message, its JSON error body, or its X-Cld-Error header.
var errNotCloudinary = errors.New(`not Cloudinary's "Invalid Signature" answer`)

// The parts of Cloudinary's "Invalid Signature" message.
const (
	answerPrefix    = "Invalid Signature "
	answerSeparator = ". String to sign - '"
	answerSuffix    = "'."
)

// parseAnswer reads Cloudinary's answer: the message
//
//	Invalid Signature HEX. String to sign - 'STRING'.
//
// as the X-Cld-Error header carries it, or the JSON body
// {"error": {"message": "..."}} around it. Surrounding white space is
// ignored; a truncated or other message wraps [errNotCloudinary].
func parseAnswer(text string) (cloudinaryAnswer, error) {
	msg := strings.TrimSpace(text)
	if strings.HasPrefix(msg, "{") {
		var body struct {
			Error struct {
				Message *string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(msg), &body); err != nil || body.Error.Message == nil {
			return cloudinaryAnswer{}, fmt.Errorf("%w: JSON without error.message", errNotCloudinary)
		}
		msg = strings.TrimSpace(*body.Error.Message)
	}
	rest, ok := strings.CutPrefix(msg, answerPrefix)
	if !ok {
		return cloudinaryAnswer{}, fmt.Errorf("%w: it does not start with %q", errNotCloudinary, strings.TrimSpace(answerPrefix))
	}
	sig, str, ok := strings.Cut(rest, answerSeparator)
	if !ok {
		return cloudinaryAnswer{}, fmt.Errorf("%w: it has no %q", errNotCloudinary, strings.TrimPrefix(answerSeparator, ". "))
	}
	str, ok = strings.CutSuffix(str, answerSuffix)
	if !ok {
		return cloudinaryAnswer{}, fmt.Errorf("%w: the string to sign does not end with %q (truncated?)", errNotCloudinary, answerSuffix)
	}
	if !utf8.ValidString(msg) {
		return cloudinaryAnswer{}, fmt.Errorf("%w: it is not valid UTF-8", errNotCloudinary)
	}
	return cloudinaryAnswer{Signature: sig, StringToSign: str}, nil
}

// quote quotes at most 80 bytes of v, for a cause's text.
func quote(v string) string {
	if len(v) <= 80 {
		return fmt.Sprintf("%q", v)
	}
	cut := 80
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", v[:cut])
}

// compareParams returns a cause for each difference between the pairs
// Cloudinary hashed (server, values escaped as in its string) and the
// pairs the backend signed (signed, escaped the same way), most likely
// first: keys posted but not signed, keys signed but not posted, then
// values that differ.
func compareParams(server, signed map[string]string) []string {
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
			missing = append(missing, fmt.Sprintf("%s was signed but not posted: the browser left it out (signed as %s); post every field of the payload, verbatim.", k, quote(signed[k])))
		}
	}
	return append(append(extra, missing...), differ...)
}

func notSigned(k, v string) string {
	switch k {
	case "source":
		return fmt.Sprintf("source was posted (as %s) but not signed: the Upload Widget adds source=uw to every upload. Let the widget's set list it (ClientParams: []string{\"source\"}) and sign the widget's own proposal (uploadsignhttp.NewProposalHandler), not a payload of your own.", quote(v))
	case "upload_preset":
		return fmt.Sprintf("upload_preset was posted (as %s) but not signed: the frontend adds a preset. Fix it in the parameter set (Params.UploadPreset), so that it is signed.", quote(v))
	case "timestamp":
		return "timestamp was posted but not signed: the backend signed no timestamp, and Cloudinary requires one."
	}
	return fmt.Sprintf("%s was posted (as %s) but not signed: the frontend adds it. Post only the payload's fields, or add %s to the parameter set.", k, quote(v), k)
}

func valueDiffers(k, signed, posted string) string {
	switch {
	case k == "timestamp":
		return fmt.Sprintf("timestamp differs: %s was posted, %s signed. Something replaced the signed timestamp (the Go SDK's uploader stamps its own time when it signs); post the payload's timestamp.", quote(posted), quote(signed))
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
	return fmt.Sprintf("%s differs: %s was posted, %s signed. Post the payload's fields verbatim.", k, quote(posted), quote(signed))
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

// signatureCauses says why Cloudinary refused the posted signature (hex)
// of text, the string it hashed, when text holds what the backend signed.
// keys are the Signer's, its current one first; apiKey is the api_key the
// backend handed out, if known. It tests the signature against each way of
// signing text that is right or known to be wrong, and reports
// unexplained when none fits.
func signatureCauses(text, posted, apiKey string, keys []key) (causes []string, unexplained bool) {
	if n := len(posted); n != 2*sha1.Size && n != 2*sha256.Size || strings.Trim(posted, "0123456789abcdef") != "" {
		return []string{fmt.Sprintf("signature: the posted signature %s is not the hex of a SHA-1 (40 digits) or SHA-256 (64 digits): the browser posted something else in the signature field.", quote(posted))}, false
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
	matches := func(k key, t string, w wrapping) bool {
		sum := k.sum(useSHA256, []byte(t), w)
		return subtle.ConstantTimeCompare(sum[:len(want)], want) == 1
	}
	current := keys[0]
	if apiKey == "" {
		apiKey = current.apiKey
	}
	secretChanged := fmt.Sprintf("secret: the signature is right for this Signer's secret, but Cloudinary checked it with another: the secret of API key %s was regenerated in Cloudinary's console, or the browser posted the api_key of another key.", apiKey)
	switch {
	case matches(current, text, wrapping{}) && !useSHA256:
		return []string{secretChanged,
			"algorithm: a right SHA-1 signature was refused: the account may accept SHA-256 signatures only (Settings > Security); sign with uploadsign.WithAlgorithm(uploadsign.SHA256)."}, false
	case matches(current, text, wrapping{}):
		return []string{secretChanged}, false
	case v1 != text && matches(current, v1, wrapping{}):
		return []string{"signature version: the signature was made with signature version 1, which hashes \"&\" inside values as it is; Cloudinary checked version 2, which escapes it as %26. Sign with version 2 (the default; uploadsign.WithSignatureVersion(2))."}, false
	}
	for _, k := range keys[1:] {
		if matches(k, text, wrapping{}) || matches(k, v1, wrapping{}) {
			return []string{fmt.Sprintf("secret: the signature was made with the previous key %s's secret (WithPreviousKey); Cloudinary checks the secret of the api_key posted: sign with the current key, %s.", k.apiKey, current.apiKey)}, false
		}
	}
	for _, m := range misuses(algorithm) {
		for _, k := range keys {
			for _, t := range []string{text, v1} {
				for _, w := range m.ways {
					if matches(k, t, w) {
						return []string{m.cause}, false
					}
				}
			}
		}
	}
	return []string{"signature: the posted signature matches no known way of signing this string with this Signer's secret (SHA-1 or SHA-256, signature version 1 or 2, the secret with a line break, spaces or quotes around it, or an HMAC): it was made with another key's secret, or belongs to another request."}, true
}

// misuses are the wrong ways of using the secret that people are known to
// sign with, in the order Explain tests them, each with its cause.
func misuses(algorithm string) []struct {
	ways  []wrapping
	cause string
} {
	return []struct {
		ways  []wrapping
		cause string
	}{
		{[]wrapping{{after: "\n"}, {after: "\r\n"}},
			"secret: the signature was made with the secret followed by a line break: the secret was read from a file or environment with its newline; trim it."},
		{[]wrapping{{before: " "}, {after: " "}, {before: " ", after: " "}},
			"secret: the signature was made with spaces around the secret: trim the secret where it is loaded."},
		{[]wrapping{{before: `"`, after: `"`}, {before: "'", after: "'"}},
			"secret: the signature was made with the secret in quotes: the quotes of a .env file or config value were kept; remove them."},
		{[]wrapping{{hmac: true}},
			fmt.Sprintf("algorithm: the signature is an HMAC keyed with the secret: Cloudinary hashes the string to sign followed by the secret with plain %s, not an HMAC.", algorithm)},
	}
}
