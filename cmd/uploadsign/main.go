// Command uploadsign signs Cloudinary uploads, shows the string Cloudinary
// hashes, verifies upload results and webhooks, and serves a demo of the
// whole browser upload flow.
//
// Usage:
//
//	uploadsign sign [flags] key=value...
//	uploadsign string-to-sign [--signature-version N] key=value...
//	uploadsign verify-result --public-id ID --version N --signature SIG
//	uploadsign verify-webhook --timestamp T --signature SIG < body
//	uploadsign explain [--payload FILE] [MESSAGE] [key=value...]
//	uploadsign serve [--addr HOST:PORT]
//
// Credentials come from the CLOUDINARY_URL environment variable
// (cloudinary://API_KEY:API_SECRET@CLOUD_NAME) or the --cloudinary-url
// flag. The exit status is 0 when all went well, 1 when a verification
// failed or explain found no known cause, 2 for a usage error, and 3 when
// the command could not do its work (a busy port, an unreadable input).
// Results go to standard output, errors to standard error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1 // not genuine; explain: no known cause
	exitUsage    = 2
	exitRuntime  = 3 // the command could not do its work: a busy port, an unreadable input
	usageCommand = `usage: uploadsign <command> [flags] [key=value...]

Commands:
  sign             sign upload parameters and print the payload a browser posts
  string-to-sign   print the exact string Cloudinary hashes (no credentials needed)
  verify-result    check the signature of an upload response
  verify-webhook   check a webhook notification (body on standard input)
  explain          say why Cloudinary answered "Invalid Signature" to an upload
  serve            run the demo: a page that uploads through a signed payload
  version          print the version of uploadsign

Credentials come from CLOUDINARY_URL (cloudinary://API_KEY:API_SECRET@CLOUD_NAME)
or --cloudinary-url. Run "uploadsign <command> --help" for a command's flags.
Exit status: 0 ok, 1 verification failed (explain: no known cause fits), 2 usage error,
3 runtime failure (a busy port, an unreadable input).
`
)

// env is what a command may use from its surroundings, so that tests can
// run commands in-process with fixed input, output, environment and clock.
type env struct {
	stdin          io.Reader
	stdinTerminal  bool // stdin is a terminal, where a reader waits for typing
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	ctx            context.Context
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	terminal := false
	if fi, err := os.Stdin.Stat(); err == nil {
		terminal = fi.Mode()&os.ModeCharDevice != 0
	}
	os.Exit(run(os.Args[1:], env{
		stdin: os.Stdin, stdinTerminal: terminal, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, now: time.Now, ctx: ctx,
	}))
}

// run runs one command and returns the exit status.
func run(args []string, e env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stderr, usageCommand)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	commands := map[string]func([]string, env) int{
		"sign":           cmdSign,
		"string-to-sign": cmdStringToSign,
		"verify-result":  cmdVerifyResult,
		"verify-webhook": cmdVerifyWebhook,
		"explain":        cmdExplain,
		"serve":          cmdServe,
		"version":        cmdVersion,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "uploadsign: unknown command %q\n\n%s", args[0], usageCommand)
		return exitUsage
	}
	return cmd(args[1:], e)
}

// newFlags returns a flag set whose errors and help go to stderr.
func newFlags(name, usage string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: uploadsign %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags anywhere among the arguments, before, between or
// after key=value ones ("--" ends the flags), and reports the exit status
// to return, if any. fs.Args() then holds the other arguments, in order.
func parse(fs *flag.FlagSet, args []string) (status int, done bool) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK, true
			}
			return exitUsage, true
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...) // after "--", nothing is a flag
			break
		}
		i := 0
		for i < len(rest) && !isFlag(rest[i]) {
			i++
		}
		positional = append(positional, rest[:i]...)
		if i == len(rest) {
			break
		}
		args = rest[i:]
	}
	_ = fs.Parse(append([]string{"--"}, positional...)) // fs.Args() is now positional
	return 0, false
}

// isFlag reports whether arg is a flag: "-x" or "--x", not "-" or "--".
func isFlag(arg string) bool {
	return len(arg) > 1 && arg[0] == '-' && arg != "--"
}

// checkFormat refuses a --format other than json or text.
func checkFormat(e env, fs *flag.FlagSet, format string) (status int, bad bool) {
	if format != "json" && format != "text" {
		return usageError(e, fs, "--format must be json or text"), true
	}
	return 0, false
}

func usageError(e env, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "uploadsign %s: %s\n", fs.Name(), cliWords(fmt.Sprintf(format, args...)))
	fmt.Fprintf(e.stderr, "Run \"uploadsign %s --help\" for usage.\n", fs.Name())
	return exitUsage
}

// cliWords rewrites a library error in the command's words: without the
// package's "uploadsign: " prefix, and with flags for the Go options.
var cliWords = strings.NewReplacer(
	"uploadsign: ", "",
	"WithAlgorithm", "--algorithm",
	"WithSignatureVersion", "--signature-version",
	"WithParamSets", "--set-file",
	"WithNotificationMaxAge", "--max-age",
	"WithUploadURL", "the upload_prefix of the Cloudinary URL",
	"WithClock", "the clock",
).Replace

// errUnreadable marks a file the command could not read: a runtime
// failure (exit 3), not a usage error.
var errUnreadable = errors.New("cannot read")

// warn prints a warning on stderr; the command goes on.
func warn(e env, command, format string, args ...any) {
	fmt.Fprintf(e.stderr, "uploadsign %s: warning: %s\n", command, fmt.Sprintf(format, args...))
}

// credentials adds the flags that choose the account.
type credentials struct {
	command   string // the command's name, for warnings
	url       string
	algorithm string
	version   int
}

func (c *credentials) register(fs *flag.FlagSet) {
	c.command = fs.Name()
	fs.StringVar(&c.url, "cloudinary-url", "", "cloudinary://API_KEY:API_SECRET@CLOUD_NAME (default $CLOUDINARY_URL)")
	fs.StringVar(&c.algorithm, "algorithm", "", "signature algorithm: sha1 or sha256 (default sha1, or the URL's signature_algorithm)")
	fs.IntVar(&c.version, "signature-version", 0, "signature version: 1 or 2 (default 2, or the URL's signature_version)")
}

// signer makes a Signer from the flags and the environment.
func (c *credentials) signer(e env, opts ...uploadsign.Option) (*uploadsign.Signer, error) {
	u := c.url
	if u == "" {
		u = e.getenv("CLOUDINARY_URL")
	}
	if u == "" {
		return nil, errors.New("no credentials: set CLOUDINARY_URL=cloudinary://API_KEY:API_SECRET@CLOUD_NAME or pass --cloudinary-url")
	}
	if placeholder(u) {
		warn(e, c.command, "the Cloudinary URL looks like a placeholder (API_KEY, API_SECRET, CLOUD_NAME, <...>); use your account's, from Cloudinary's console")
	}
	if c.algorithm != "" {
		opts = append(opts, uploadsign.WithAlgorithm(uploadsign.Algorithm(c.algorithm)))
	}
	if c.version != 0 {
		opts = append(opts, uploadsign.WithSignatureVersion(c.version))
	}
	return uploadsign.FromURL(u, append(opts, uploadsign.WithClock(e.now))...)
}

// placeholder reports whether a Cloudinary URL holds the words of an
// example instead of credentials.
func placeholder(cloudinaryURL string) bool {
	u := strings.ToUpper(cloudinaryURL)
	for _, word := range []string{"API_KEY", "API_SECRET", "CLOUD_NAME", "APIKEY", "APISECRET", "CLOUDNAME", "YOUR_", "MY_CLOUD", "<", ">", "XXXX"} {
		if strings.Contains(u, word) {
			return true
		}
	}
	return false
}

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

func cmdVerifyResult(args []string, e env) int {
	fs := newFlags("verify-result", "verify-result --public-id ID --version N --signature SIG", e)
	var cred credentials
	cred.register(fs)
	publicID := fs.String("public-id", "", "public_id of the upload response")
	version := fs.Int64("version", 0, "version of the upload response")
	signature := fs.String("signature", "", "signature of the upload response")
	format := fs.String("format", "text", "output: text or json")
	if status, done := parse(fs, args); done {
		return status
	}
	if status, bad := checkFormat(e, fs, *format); bad {
		return status
	}
	if *publicID == "" || *version == 0 || *signature == "" || fs.NArg() > 0 {
		return usageError(e, fs, "need --public-id, --version and --signature, and no other arguments")
	}
	s, err := cred.signer(e)
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	err = s.VerifyUploadResult(*publicID, *version, *signature)
	status := report(e, *format, "upload result", err)
	if err != nil && !strings.Contains(*publicID, "/") {
		fmt.Fprintln(e.stderr, "hint: a public_id includes its folder (avatars/user_42), as Cloudinary's answer gives it")
	}
	return status
}

func cmdVerifyWebhook(args []string, e env) int {
	fs := newFlags("verify-webhook", "verify-webhook --timestamp T --signature SIG < body", e)
	var cred credentials
	cred.register(fs)
	timestamp := fs.String("timestamp", "", "the X-Cld-Timestamp header")
	signature := fs.String("signature", "", "the X-Cld-Signature header")
	maxAge := fs.Duration("max-age", cloudinary.NotificationMaxAge, "how old the notification may be")
	format := fs.String("format", "text", "output: text or json")
	if status, done := parse(fs, args); done {
		return status
	}
	if status, bad := checkFormat(e, fs, *format); bad {
		return status
	}
	if *timestamp == "" || *signature == "" || fs.NArg() > 0 {
		return usageError(e, fs, "need --timestamp and --signature, the body on standard input, and no other arguments")
	}
	s, err := cred.signer(e, uploadsign.WithNotificationMaxAge(*maxAge))
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	if e.stdinTerminal {
		fmt.Fprintln(e.stderr, "uploadsign verify-webhook: reading the notification body from standard input (end it with Ctrl-D)...")
	}
	body, err := io.ReadAll(e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "uploadsign verify-webhook: reading the body: %v\n", err)
		return exitRuntime
	}
	return report(e, *format, "notification", s.VerifyNotification(body, *timestamp, *signature))
}

// report prints a verification's outcome and returns the exit status.
func report(e env, format, what string, err error) int {
	if format == "json" {
		out := map[string]any{"genuine": err == nil}
		if err != nil {
			out["error"] = cliWords(err.Error())
		}
		data, _ := json.Marshal(out)
		fmt.Fprintln(e.stdout, string(data))
	} else if err == nil {
		fmt.Fprintf(e.stdout, "genuine %s\n", what)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "not genuine: %s\n", cliWords(err.Error()))
		return exitFailed
	}
	return exitOK
}

func cmdVersion(args []string, e env) int {
	fs := newFlags("version", "version", e)
	if status, done := parse(fs, args); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, "version takes no arguments")
	}
	version, goVersion := "(unknown)", runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		version, goVersion = info.Main.Version, info.GoVersion
	}
	fmt.Fprintf(e.stdout, "uploadsign %s (%s)\n", version, goVersion)
	return exitOK
}
