// Command uploadsign signs Cloudinary uploads, shows the string Cloudinary
// hashes, verifies upload results and webhooks, explains Cloudinary's
// "Invalid Signature" answers, and serves a demo of the whole browser
// upload flow.
//
// "uploadsign help" prints its commands, where the credentials come from
// and its exit statuses (usageCommand below, the one copy of that text);
// "uploadsign COMMAND --help" prints a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1 // not genuine, or not verified; explain: no known cause
	exitUsage    = 2
	exitRuntime  = 3 // the command could not do its work: a busy port, an unreadable input
	usageCommand = `usage: uploadsign [--cloudinary-url URL] <command> [flags] [key=value...]
       uploadsign --version

Commands:
  sign             sign upload parameters and print the payload a browser posts
  string-to-sign   print the exact string Cloudinary hashes (no credentials needed)
  verify-result    check Cloudinary's answer to an upload: its signature, and with --set-file
                   that the set's payload made it
  verify-webhook   check a webhook notification (body on standard input)
  explain          say why Cloudinary answered "Invalid Signature" to an upload (the fields'
                   causes need no credentials)
  serve            run the demo: a page that uploads through a signed payload
  version          print the version of uploadsign

Credentials come from CLOUDINARY_URL (cloudinary://API_KEY:API_SECRET@CLOUD_NAME)
or --cloudinary-url, before or after the command (so do --algorithm and
--signature-version). Run "uploadsign <command> --help" for a command's flags.
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
	args, status, done := globalFlags(args, e)
	if done {
		return status
	}
	if len(args) == 0 || args[0] == "help" {
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

// globalFlags reads the flags before the command: --help, --version, and
// the credentials' flags, which it moves after the command's name, where
// the command reads them. It returns the command and its arguments, or
// the exit status when it is done.
func globalFlags(args []string, e env) (rest []string, status int, done bool) {
	fs := flag.NewFlagSet("uploadsign", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, usageCommand) }
	var cred credentials
	cred.register(fs)
	version := fs.Bool("version", false, "print the version of uploadsign")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil, exitOK, true
	} else if err != nil {
		return nil, exitUsage, true
	}
	if *version {
		return nil, cmdVersion(fs.Args(), e), true
	}
	if fs.NArg() == 0 || fs.NFlag() == 0 || fs.Arg(0) == "version" || fs.Arg(0) == "help" {
		return fs.Args(), 0, false // version and help use no credentials
	}
	rest = []string{fs.Arg(0)}
	fs.Visit(func(f *flag.Flag) { rest = append(rest, "--"+f.Name+"="+f.Value.String()) })
	return append(rest, fs.Args()[1:]...), 0, false
}

// newFlags returns a flag set whose errors and help go to stderr.
func newFlags(name, usage string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: uploadsign %s\n", usage)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags { // no empty heading
			fmt.Fprint(e.stderr, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses flags anywhere among the arguments, before, between or
// after key=value ones ("--" ends the flags), and reports the exit status
// to return, if any. fs.Args() then holds the other arguments, in order.
func parse(fs *flag.FlagSet, args []string) (status int, done bool) {
	if fs.Lookup("version") == nil {
		for _, arg := range args {
			if arg == "--" {
				break
			}
			if name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "="); isFlag(arg) && name == "version" {
				fmt.Fprintf(fs.Output(), "uploadsign %s: %s\nRun \"uploadsign %s --help\" for usage.\n", fs.Name(), versionHint(fs), fs.Name())
				return exitUsage, true
			}
		}
	}
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

// versionHint says which flag a command has where --version was given:
// --version is the program's.
func versionHint(fs *flag.FlagSet) string {
	var others []string
	if fs.Lookup("asset-version") != nil {
		others = append(others, "the upload's version (Cloudinary's, v1796681116 in its URL) is --asset-version")
	}
	if fs.Lookup("set-version") != nil {
		others = append(others, "the version of --set is --set-version")
	}
	hint := `--version is the program's ("uploadsign --version")`
	if len(others) > 0 {
		hint += "; " + strings.Join(others, ", and ")
	}
	return hint
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

// unprintable finds what text output cannot show on one line as it is: a
// line or paragraph separator, or a control character other than a tab
// (a terminal acts on it). It describes the first one found.
func unprintable(s string) (what string, found bool) {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == '\u2028' || r == '\u2029':
			return fmt.Sprintf("a line break (%U)", r), true
		case r != '\t' && unicode.IsControl(r):
			return fmt.Sprintf("a control character (%U)", r), true
		}
	}
	return "", false
}
