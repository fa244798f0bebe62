package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

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
	_, err = s.VerifyNotification(body, *timestamp, *signature)
	return report(e, *format, "notification", err)
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
