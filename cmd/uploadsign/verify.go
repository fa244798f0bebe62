package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/uploadsign/uploadsign"
)

const verifyResultUsage = `verify-result [flags] [ANSWER.json]

Checks Cloudinary's JSON answer to an upload, read from ANSWER.json or
standard input: its signature and, with --set-file, --set and --set-version
(and --owner for a set whose names hold "{owner}"), that it is an upload a
payload of that set made, as the backend's VerifyUploadOf checks it. Or
checks a signature alone, given as --public-id, --asset-version and
--signature.`

// maxAnswerBytes is the most verify-result reads of an answer: Cloudinary's
// are a few kilobytes.
const maxAnswerBytes = 1 << 20

func cmdVerifyResult(args []string, e env) int {
	fs := newFlags("verify-result", verifyResultUsage, e)
	var cred credentials
	cred.register(fs)
	setFile := fs.String("set-file", "", "a JSON file of parameter sets, as for sign")
	setName := fs.String("set", "", "the parameter set the upload's payload was signed for, from --set-file")
	setVersion := fs.Int("set-version", 0, "the version of --set that the client asked for")
	owner := fs.String("owner", "", `the owner the request bound, for a set whose names hold "{owner}"`)
	publicID := fs.String("public-id", "", "without an answer: the public_id to check, folders included")
	var version assetVersion
	fs.Var(&version, "asset-version", "without an answer: the upload's version, as Cloudinary gives it (1796681116) or as URLs write it (v1796681116)")
	signature := fs.String("signature", "", "without an answer: the signature to check")
	format := fs.String("format", "text", "output: text or json")
	if status, done := parse(fs, args); done {
		return status
	}
	if status, bad := checkFormat(e, fs, *format); bad {
		return status
	}
	bySet := *setFile != "" || *setName != "" || *setVersion != 0 || *owner != ""
	if bySet && (*setFile == "" || *setName == "" || *setVersion == 0) {
		return usageError(e, fs, "--set-file, --set and --set-version go together (--owner with them)")
	}
	var result uploadsign.UploadResult
	fromFlags := *publicID != "" || version.set || *signature != ""
	switch {
	case fromFlags && (*publicID == "" || !version.set || *signature == "" || fs.NArg() > 0):
		return usageError(e, fs, "give --public-id, --asset-version and --signature together, or Cloudinary's answer instead")
	case fromFlags && bySet:
		return usageError(e, fs, "--set needs Cloudinary's whole answer (a file or standard input): its resource_type, type and format are checked too")
	case fromFlags:
		result = uploadsign.UploadResult{PublicID: *publicID, Version: version.n, Signature: *signature}
	case fs.NArg() > 1:
		return usageError(e, fs, "give one answer file, or the answer on standard input")
	default:
		var status int
		if result, status = readAnswer(e, fs); status != 0 {
			return status
		}
	}
	var opts []uploadsign.Option
	if bySet {
		sets, err := readSets(*setFile)
		if errors.Is(err, errUnreadable) {
			fmt.Fprintf(e.stderr, "uploadsign verify-result: --set-file: %v\n", err)
			return exitRuntime
		} else if err != nil {
			return usageError(e, fs, "%v", err)
		}
		if why := ownerFlagProblem(sets, *setName, *setVersion, *owner); why != "" {
			return usageError(e, fs, "%s", why)
		}
		opts = append(opts, uploadsign.WithParamSets(sets...))
	}
	s, err := cred.signer(e, opts...)
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	if !bySet {
		err := s.VerifyUploadResult(result.PublicID, result.Version, result.Signature)
		status := report(e, *format, "upload result", err)
		if err != nil {
			signatureHints(e, s, result, fromFlags)
		}
		return status
	}
	up, err := s.VerifyUploadOf(*setName, *setVersion, uploadsign.Request{Owner: *owner}, result)
	if errors.Is(err, uploadsign.ErrUnknownParamSet) {
		return usageError(e, fs, "%v", err)
	}
	if err != nil {
		status := report(e, *format, "", err)
		if errors.Is(err, uploadsign.ErrInvalidSignature) {
			signatureHints(e, s, result, false)
		}
		return status
	}
	printUpload(e, *format, up)
	return exitOK
}

// assetVersion is the --asset-version flag: Cloudinary's version of an
// upload, Unix seconds, with or without the "v" delivery URLs write
// before it.
type assetVersion struct {
	n   int64
	set bool
}

func (v *assetVersion) String() string {
	if v == nil || !v.set {
		return ""
	}
	return strconv.FormatInt(v.n, 10)
}

func (v *assetVersion) Set(s string) error {
	digits := strings.TrimPrefix(s, "v")
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 || strings.Trim(digits, "0123456789") != "" {
		return errors.New("want the upload's version as Cloudinary gives it, 1796681116, or as a URL writes it, v1796681116")
	}
	v.n, v.set = n, true
	return nil
}

// readAnswer reads Cloudinary's JSON answer to an upload from the file
// argument or standard input. A status other than 0 is the command's, the
// error said.
func readAnswer(e env, fs *flag.FlagSet) (uploadsign.UploadResult, int) {
	var r uploadsign.UploadResult
	src, from := e.stdin, "standard input"
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(e.stderr, "uploadsign verify-result: %v\n", err)
			return r, exitRuntime
		}
		defer f.Close()
		src, from = f, fs.Arg(0)
	} else if e.stdinTerminal {
		fmt.Fprintln(e.stderr, "uploadsign verify-result: reading Cloudinary's answer from standard input (end it with Ctrl-D)...")
	}
	data, err := io.ReadAll(io.LimitReader(src, maxAnswerBytes+1))
	if err != nil {
		fmt.Fprintf(e.stderr, "uploadsign verify-result: reading %s: %v\n", from, err)
		return r, exitRuntime
	}
	bad := func(format string, args ...any) (uploadsign.UploadResult, int) {
		fmt.Fprintf(e.stderr, "uploadsign verify-result: %s: %s\n", from, fmt.Sprintf(format, args...))
		fmt.Fprintln(e.stderr, `Run "uploadsign verify-result --help" for usage.`)
		return r, exitUsage
	}
	const want = `want Cloudinary's JSON answer to an upload, {"public_id": ..., "version": ..., "signature": ...}`
	var fields map[string]json.RawMessage
	switch {
	case len(data) > maxAnswerBytes:
		return bad("over %d bytes; %s", maxAnswerBytes, want)
	case strings.TrimSpace(string(data)) == "":
		return bad("empty; %s", want)
	case json.Unmarshal(data, &fields) != nil || json.Unmarshal(data, &r) != nil:
		return bad("not JSON of an upload; %s", want)
	}
	var refusal struct {
		Error struct{ Message string }
	}
	if _, ok := fields["error"]; ok && json.Unmarshal(data, &refusal) == nil {
		return bad("that is Cloudinary's refusal of an upload, not an upload: %.200q", refusal.Error.Message)
	}
	if string(fields["done"]) == "false" {
		return bad("that is Cloudinary's answer to a chunk before the last; the answer to the last chunk is the upload's")
	}
	var missing []string
	for _, k := range []string{"public_id", "version", "signature"} {
		if _, ok := fields[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return bad("the answer has no %s; %s", strings.Join(missing, ", "), want)
	}
	return r, 0
}

// signatureHints says on stderr what commonly makes a genuine answer fail
// its signature check: a public_id without its folders (given by flag),
// a signature of the other algorithm, credentials of another key, or
// another secret.
func signatureHints(e env, s *uploadsign.Signer, r uploadsign.UploadResult, fromFlags bool) {
	hint := func(format string, args ...any) { fmt.Fprintf(e.stderr, "hint: "+format+"\n", args...) }
	if fromFlags && !strings.Contains(r.PublicID, "/") {
		hint("a public_id includes its folder (avatars/user_42), as Cloudinary's answer gives it")
	}
	algorithm := signerAlgorithm(s)
	switch {
	case len(r.Signature) == 64 && algorithm == uploadsign.SHA1:
		hint("the signature has 64 hex digits, a SHA-256 one: pass --algorithm sha256 (or add ?signature_algorithm=sha256 to the Cloudinary URL)")
		return
	case len(r.Signature) == 40 && algorithm == uploadsign.SHA256:
		hint("the signature has 40 hex digits, a SHA-1 one: leave out --algorithm sha256 (or the Cloudinary URL's signature_algorithm)")
		return
	}
	if r.APIKey != "" && r.APIKey != s.APIKey() {
		hint("Cloudinary made this answer for API key %s, and the credentials are of API key %s: use the Cloudinary URL of key %s", r.APIKey, s.APIKey(), r.APIKey)
		return
	}
	hint("if this is Cloudinary's answer as it gave it, the credentials are not the account's that made it: check the API secret of CLOUDINARY_URL (or --cloudinary-url) against Cloudinary's console")
}

// signerAlgorithm reads the Signer's algorithm from its description.
func signerAlgorithm(s *uploadsign.Signer) uploadsign.Algorithm {
	for _, a := range s.LogValue().Group() {
		if a.Key == "algorithm" {
			return uploadsign.Algorithm(a.Value.String())
		}
	}
	return ""
}

// printUpload prints a verified upload.
func printUpload(e env, format string, up *uploadsign.Upload) {
	if format == "json" {
		out := struct {
			Genuine bool `json:"genuine"`
			Upload  struct {
				Set        string           `json:"set"`
				SetVersion int              `json:"set_version"`
				Owner      string           `json:"owner,omitempty"`
				Asset      uploadsign.Asset `json:"asset"`
			} `json:"upload"`
		}{Genuine: true}
		out.Upload.Set, out.Upload.SetVersion, out.Upload.Owner, out.Upload.Asset = up.Set, up.Version, up.Owner, up.Asset
		data, _ := json.Marshal(out)
		fmt.Fprintln(e.stdout, string(data))
		return
	}
	owner := ""
	if up.Owner != "" {
		owner = ", for owner " + shown(up.Owner)
	}
	fmt.Fprintf(e.stdout, "genuine upload of set %s, set version %d%s\n", shown(up.Set), up.Version, owner)
	a := up.Asset
	for _, line := range [][2]string{
		{"public_id", a.PublicID}, {"asset version", strconv.FormatInt(a.Version, 10)}, {"resource type", a.ResourceType},
		{"type", a.Type}, {"format", a.Format}, {"url", a.URL},
	} {
		fmt.Fprintf(e.stdout, "  %-14s %s\n", line[0], shown(line[1]))
	}
}

// shown is v as text output shows it: as it is, or Go-quoted when it
// holds what would break the line.
func shown(v string) string {
	if _, bad := unprintable(v); bad {
		return strconv.Quote(v)
	}
	return v
}
