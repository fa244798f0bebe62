package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/uploadsign/uploadsign"
	"github.com/uploadsign/uploadsign/internal/cloudinary"
)

// maxNotificationBytes is the most verify-webhook reads of a body.
const maxNotificationBytes = 16 << 20

func cmdVerifyWebhook(args []string, e env) int {
	fs := newFlags("verify-webhook", "verify-webhook --timestamp T --signature SIG < body", e)
	var cred credentials
	cred.register(fs)
	timestamp := fs.String("timestamp", "", "the X-Cld-Timestamp header: Unix seconds")
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
	if _, err := cloudinary.ParseTimestamp(*timestamp); err != nil {
		return usageError(e, fs, "--timestamp %.40q is not the X-Cld-Timestamp header: want Unix seconds, such as 1700000000", *timestamp)
	}
	s, err := cred.signer(e, uploadsign.WithNotificationMaxAge(*maxAge))
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	if e.stdinTerminal {
		fmt.Fprintln(e.stderr, "uploadsign verify-webhook: reading the notification body from standard input (end it with Ctrl-D)...")
	}
	body, err := io.ReadAll(io.LimitReader(e.stdin, maxNotificationBytes+1))
	switch {
	case err != nil:
		fmt.Fprintf(e.stderr, "uploadsign verify-webhook: reading the body: %v\n", err)
		return exitRuntime
	case len(body) > maxNotificationBytes:
		return usageError(e, fs, "the body on standard input is over %d bytes; Cloudinary's notifications are far smaller", maxNotificationBytes)
	case len(bytes.TrimSpace(body)) == 0:
		return usageError(e, fs, "the body on standard input is empty: give the notification's body, byte for byte as it was received (uploadsign verify-webhook ... < body.json)")
	}
	_, err = s.VerifyNotification(body, *timestamp, *signature)
	return report(e, *format, "notification", err)
}

// report prints a verification's outcome and returns the exit status:
// "genuine WHAT", or why not: not genuine (a signature or its age), or not
// verified (a genuine upload that its set did not make, or a malformed
// one).
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
	if err == nil {
		return exitOK
	}
	verdict := "not verified"
	if errors.Is(err, uploadsign.ErrInvalidSignature) || errors.Is(err, uploadsign.ErrExpired) {
		verdict = "not genuine"
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", verdict, cliWords(err.Error()))
	return exitFailed
}
