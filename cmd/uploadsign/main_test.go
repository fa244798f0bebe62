package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/cli")

// The credentials of Cloudinary's documentation example, and a body and
// signatures made for them by the official Node SDK (testdata/golden of
// the module root).
const (
	docsURL       = "cloudinary://123456789012345:abcd@demo"
	webhookBody   = `{"notification_type":"upload","public_id":"sample","version":1700000000}`
	webhookSig    = "b18b85f5ef77b9eacd80219e6906d01579512b94"
	uploadSig     = "912d90b6fe28aa6820cf928bc440a65a0f36e002"                         // public_id sample, version 1315060510
	uploadSig256  = "4c6b29696aa9eed51665aa3375c6d83ee83dc8404b5aee7463c2932e30ab4891" // the same with SHA-256
	testTimestamp = 1700000000
	// The Node SDK's signatures, with secret abcd, of
	// folder=avatars&timestamp=1700000000 and of
	// folder=avatars&tags=a,b&timestamp=1700000000.
	explainSig     = "fa6286b7bcb45b735abdcd8be32f9d86e1782a4f"
	explainTagsSig = "a325b4a68a6b915617b0c312c82fc9f1dc8f08e0"
)

// answer returns testdata/answer.json, Cloudinary's answer to an upload
// (its fields as the sample response of Cloudinary's Upload API reference
// shows them, https://cloudinary.com/documentation/image_upload_api_reference;
// its public_id, version and signature from testdata/golden/verify.json of
// the module root, made by the Node SDK), with the changes given.
func answer(changes map[string]any) string {
	data, err := os.ReadFile(filepath.Join("testdata", "answer.json"))
	if err != nil {
		panic(err)
	}
	var a map[string]any
	if err := json.Unmarshal(data, &a); err != nil {
		panic(err)
	}
	for k, v := range changes {
		a[k] = v
	}
	out, _ := json.Marshal(a)
	return string(out)
}

// ownerAnswer is Cloudinary's answer to the upload of avatars/user_42,
// testdata/answer.json's with that public_id, signed here as Cloudinary
// signs an answer (the SHA-1 of public_id and version, then the secret of
// docsURL): an upload of set avatar v2 of testdata/sets.json for owner 42.
var ownerAnswer = answer(map[string]any{"public_id": "avatars/user_42", "display_name": "user_42",
	"signature": sha1Hex("public_id=avatars/user_42&version=1700000001" + "abcd")})

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// answerOf is the JSON answer a with the changes given.
func answerOf(a string, changes map[string]any) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(a), &m); err != nil {
		panic(err)
	}
	for k, v := range changes {
		m[k] = v
	}
	out, _ := json.Marshal(m)
	return string(out)
}

func runCLI(t *testing.T, args []string, environ map[string]string, stdin string, now time.Time) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) string { return environ[k] },
		now:    func() time.Time { return now },
		ctx:    context.Background(),
	})
	return code, out.String(), errOut.String()
}

func TestCLI(t *testing.T) {
	creds := map[string]string{"CLOUDINARY_URL": docsURL}
	none := map[string]string{}
	at := time.Unix(testTimestamp, 0)
	tests := []struct {
		name    string
		args    []string
		environ map[string]string
		stdin   string
		now     time.Time
	}{
		{"no_arguments", nil, none, "", at},
		{"help", []string{"--help"}, none, "", at},
		{"unknown_command", []string{"frobnicate"}, none, "", at},
		{"string_to_sign", []string{"string-to-sign", "timestamp=1700000000", "public_id=tom&jerry", "context=alt=a b", "tags=a", "tags=b", "folder="}, none, "", at},
		{"string_to_sign_v1", []string{"string-to-sign", "--signature-version", "1", "timestamp=1700000000", "public_id=tom&jerry"}, none, "", at},
		{"string_to_sign_help", []string{"string-to-sign", "--help"}, none, "", at},
		{"string_to_sign_not_key_value", []string{"string-to-sign", "public_id"}, none, "", at},
		{"string_to_sign_bad_version", []string{"string-to-sign", "--signature-version", "3", "a=b"}, none, "", at},
		{"sign_docs_example_text", []string{"sign", "--format", "text", "timestamp=1315060510", "public_id=sample_image", "eager=w_400,h_300,c_pad|w_260,h_200,c_crop"}, creds, "", at},
		{"sign_json_now", []string{"sign", "folder=avatars", "tags=a", "tags=b"}, creds, "", at},
		{"sign_sha256_v1_raw", []string{"sign", "--algorithm", "sha256", "--signature-version", "1", "--resource-type", "raw", "public_id=a b"}, creds, "", at},
		{"sign_v1_ampersand", []string{"sign", "--signature-version", "1", "public_id=a&b"}, creds, "", at},
		{"sign_flag_credentials", []string{"sign", "--cloudinary-url", "cloudinary://999:xyz@other", "public_id=x"}, none, "", at},
		{"sign_no_credentials", []string{"sign", "public_id=x"}, none, "", at},
		{"sign_bad_url", []string{"sign", "public_id=x"}, map[string]string{"CLOUDINARY_URL": "https://123:secretvalue@demo"}, "", at},
		{"sign_refuses_file", []string{"sign", "file=@x.png"}, creds, "", at},
		{"sign_bad_timestamp", []string{"sign", "timestamp=yesterday"}, creds, "", at},
		{"sign_set", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2", "--owner", "42", "tags=mine", "context=user=42"}, creds, "", at},
		{"sign_set_raw", []string{"sign", "--set-file", "testdata/sets.json", "--set", "document", "--set-version", "1", "--format", "text", "--owner", "42", "tags=report"}, creds, "", at},
		{"sign_set_unknown_version", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "3"}, creds, "", at},
		{"sign_set_conflict", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2", "--owner", "42", "overwrite=true"}, creds, "", at},
		{"sign_set_without_version", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar"}, creds, "", at},
		{"sign_help", []string{"sign", "--help"}, none, "", at},
		{"verify_result_genuine", []string{"verify-result", "--public-id", "sample", "--asset-version", "1315060510", "--signature", uploadSig}, creds, "", at},
		{"verify_result_json", []string{"verify-result", "--format", "json", "--public-id", "sample", "--asset-version", "v1315060510", "--signature", uploadSig}, creds, "", at},
		{"verify_result_forged", []string{"verify-result", "--public-id", "other", "--asset-version", "1315060510", "--signature", uploadSig}, creds, "", at},
		{"verify_result_missing_flags", []string{"verify-result", "--public-id", "sample"}, creds, "", at},
		{"verify_webhook_genuine", []string{"verify-webhook", "--timestamp", "1700000000", "--signature", webhookSig}, creds, webhookBody, at.Add(time.Minute)},
		{"verify_webhook_tampered", []string{"verify-webhook", "--timestamp", "1700000000", "--signature", webhookSig}, creds, webhookBody + " ", at},
		{"verify_webhook_expired_json", []string{"verify-webhook", "--format", "json", "--timestamp", "1700000000", "--signature", webhookSig}, creds, webhookBody, at.Add(3 * time.Hour)},
		{"verify_webhook_max_age", []string{"verify-webhook", "--max-age", "24h", "--timestamp", "1700000000", "--signature", webhookSig}, creds, webhookBody, at.Add(3 * time.Hour)},
		{"verify_webhook_help", []string{"verify-webhook", "-h"}, none, "", at},
		{"serve_help", []string{"serve", "--help"}, none, "", at},
		{"sign_flags_after_arguments", []string{"sign", "folder=x", "--format", "text", "public_id=y"}, creds, "", at},
		{"sign_after_double_dash", []string{"sign", "--", "folder=x", "--format"}, creds, "", at},
		{"sign_warnings", []string{"sign", "floder=x", "timestamp=1699980000"}, creds, "", at},
		{"sign_future_timestamp", []string{"sign", "timestamp=1700003600"}, creds, "", at},
		{"sign_placeholder_credentials", []string{"sign", "folder=x"}, map[string]string{"CLOUDINARY_URL": "cloudinary://API_KEY:API_SECRET@CLOUD_NAME"}, "", at},
		{"sign_bad_algorithm", []string{"sign", "--algorithm", "md5", "folder=x"}, creds, "", at},
		{"string_to_sign_nothing", []string{"string-to-sign"}, none, "", at},
		{"string_to_sign_two_timestamps", []string{"string-to-sign", "timestamp=1", "timestamp=2"}, none, "", at},
		{"verify_result_without_folder", []string{"verify-result", "--public-id", "sample2", "--asset-version", "1315060510", "--signature", uploadSig}, creds, "", at},
		{"explain_source_added", []string{"explain", "Invalid Signature " + explainSig + ". String to sign - 'folder=avatars&source=uw&timestamp=1700000000'.",
			"folder=avatars", "timestamp=1700000000", "api_key=123456789012345", "signature=" + explainSig}, creds, "", at},
		{"explain_payload_stdin", []string{"explain", "--payload", "testdata/payload.json"}, creds,
			`{"error":{"message":"Invalid Signature ` + explainTagsSig + `. String to sign - 'folder=avatars&tags=b,a&timestamp=1700000000'."}}`, at},
		{"explain_unknown_signature", []string{"explain", "Invalid Signature " + strings.Repeat("0", 40) + ". String to sign - 'folder=avatars&timestamp=1700000000'.",
			"folder=avatars", "timestamp=1700000000"}, creds, "", at},
		{"explain_not_cloudinary", []string{"explain", "Stale request - reported time is 2015-06-20 12:59:41 +0000 which is more than 1 hour ago", "folder=avatars"}, creds, "", at},
		{"explain_help", []string{"explain", "--help"}, none, "", at},
		{"global_flags_before_command", []string{"--cloudinary-url", "cloudinary://999:xyz@other", "--algorithm=sha256", "sign", "public_id=x"}, none, "", at},
		{"global_flags_string_to_sign", []string{"--cloudinary-url", "cloudinary://999:xyz@other?signature_version=1", "--algorithm", "sha256", "string-to-sign", "public_id=a&b"}, none, "", at},
		{"global_signature_version_string_to_sign", []string{"--signature-version", "1", "--cloudinary-url", docsURL, "string-to-sign", "public_id=a&b"}, none, "", at},
		{"string_to_sign_url_version", []string{"string-to-sign", "public_id=a&b"}, map[string]string{"CLOUDINARY_URL": docsURL + "?signature_version=1"}, "", at},
		{"string_to_sign_flag_over_url", []string{"string-to-sign", "--signature-version", "2", "public_id=a&b"}, map[string]string{"CLOUDINARY_URL": docsURL + "?signature_version=1"}, "", at},
		{"string_to_sign_bad_algorithm", []string{"--algorithm", "md5", "string-to-sign", "public_id=a"}, none, "", at},
		{"global_flags_unknown", []string{"--frobnicate", "sign"}, none, "", at},
		{"version_help", []string{"version", "--help"}, none, "", at},
		{"sign_repeated_parameter", []string{"sign", "public_id=a", "public_id=b"}, creds, "", at},
		{"sign_repeated_lists", []string{"sign", "--format", "text", "tags=a", "tags=b", "allowed_formats=jpg", "allowed_formats=png", "eager=w_100", "eager=w_200/webp",
			"face_coordinates=1,2,3,4", "face_coordinates=5,6,7,8", "timestamp=1700000000"}, creds, "", at},
		{"sign_set_repeated_list", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2", "--owner", "42", "tags=mine", "tags=yours"}, creds, "", at},
		{"sign_set_repeated_parameter", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2", "public_id=user_42", "public_id=user_43"}, creds, "", at},
		{"string_to_sign_repeated_context", []string{"string-to-sign", "context=a=1", "context=b=2"}, none, "", at},
		{"sign_masked_secret", []string{"sign", "folder=x"}, map[string]string{"CLOUDINARY_URL": "cloudinary://123456789012345:**********@demo"}, "", at},
		{"sign_quoted_url", []string{"sign", "folder=x"}, map[string]string{"CLOUDINARY_URL": `"cloudinary://123456789012345:secretvalue@demo"`}, "", at},
		{"sign_quoted_flag", []string{"sign", "--cloudinary-url", "'cloudinary://123456789012345:secretvalue@demo'", "folder=x"}, none, "", at},
		{"sign_pasted_name", []string{"sign", "folder=x"}, map[string]string{"CLOUDINARY_URL": `CLOUDINARY_URL="cloudinary://123456789012345:secretvalue@demo" `}, "", at},
		{"sign_url_algorithm", []string{"sign", "folder=x"}, map[string]string{"CLOUDINARY_URL": docsURL + "?signature_algorithm=md5"}, "", at},
		{"sign_url_signature_version", []string{"sign", "folder=x"}, map[string]string{"CLOUDINARY_URL": docsURL + "?signature_version=3"}, "", at},
		{"sign_url_algorithm_flag", []string{"sign", "--algorithm", "md5", "folder=x"}, map[string]string{"CLOUDINARY_URL": docsURL + "?signature_algorithm=sha256"}, "", at},
		{"sign_stale_timestamp_days", []string{"sign", "timestamp=1698272000"}, creds, "", at},
		{"sign_text_line_break", []string{"sign", "--format", "text", "context=alt=a\ntimestamp=1", "public_id=x"}, creds, "", at},
		{"sign_text_control", []string{"sign", "--format", "text", "tags=x\x1b[2J"}, creds, "", at},
		{"sign_text_line_break_key", []string{"sign", "--format", "text", "a\u2028b=1"}, creds, "", at},
		{"sign_text_paragraph_separator", []string{"sign", "--format", "text", "context=alt=a\u2029b"}, creds, "", at},
		{"sign_path_refused", []string{"sign", "public_id=../x"}, creds, "", at},
		{"sign_set_path_refused", []string{"sign", "--set-file", "testdata/sets.json", "--set", "document", "--set-version", "1", "--owner", "../x"}, creds, "", at},
		{"sign_boolean_refused", []string{"sign", "overwrite=maybe"}, creds, "", at},
		{"sign_set_boolean_refused", []string{"sign", "--set-file", "testdata/sets.json", "--set", "document", "--set-version", "1", "overwrite=maybe"}, creds, "", at},
		{"sign_boolean_spelling_refused", []string{"sign", "overwrite=True"}, creds, "", at},
		{"sign_empty_tag_refused", []string{"sign", "tags=a,,b"}, creds, "", at},
		{"sign_context_refused", []string{"sign", "context=alt"}, creds, "", at},
		{"sign_context_escaped", []string{"sign", "--format", "text", "timestamp=1700000000", `context=alt=a\|b\=c|caption=d`}, creds, "", at},
		{"sign_json_line_break", []string{"sign", "context=alt=a\ntimestamp=1"}, creds, "", at},
		{"verify_result_help", []string{"verify-result", "--help"}, none, "", at},
		{"verify_result_old_version_flag", []string{"verify-result", "--public-id", "sample", "--version", "1315060510", "--signature", uploadSig}, creds, "", at},
		{"sign_old_version_flag", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar", "--version", "2"}, creds, "", at},
		{"string_to_sign_version_flag", []string{"string-to-sign", "--version"}, none, "", at},
		{"verify_result_bad_asset_version", []string{"verify-result", "--public-id", "sample", "--asset-version", "1315060510.5", "--signature", uploadSig}, creds, "", at},
		{"verify_result_answer_file", []string{"verify-result", "testdata/answer.json"}, creds, "", at},
		{"verify_result_answer_stdin", []string{"verify-result"}, creds, answer(nil), at},
		{"verify_result_answer_set", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "photo", "--set-version", "1", "testdata/answer.json"}, creds, "", at},
		{"verify_result_answer_set_json", []string{"verify-result", "--format", "json", "--set-file", "testdata/sets.json", "--set", "photo", "--set-version", "1"}, creds, answer(nil), at},
		{"verify_result_answer_other_set", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "1", "testdata/answer.json"}, creds, "", at},
		{"verify_result_answer_other_format", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "photo", "--set-version", "1"}, creds, answer(map[string]any{"format": "gif"}), at},
		{"verify_result_answer_unknown_set", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "photo", "--set-version", "7", "testdata/answer.json"}, creds, "", at},
		{"verify_result_answer_changed", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "photo", "--set-version", "1"}, creds, answer(map[string]any{"version": 1700000002}), at},
		{"verify_result_wrong_secret", []string{"verify-result", "testdata/answer.json"}, map[string]string{"CLOUDINARY_URL": "cloudinary://123456789012345:wrongsecret@demo"}, "", at},
		{"verify_result_other_key", []string{"verify-result", "testdata/answer.json"}, map[string]string{"CLOUDINARY_URL": "cloudinary://999999999999999:wrongsecret@demo"}, "", at},
		{"verify_result_sha256_signature", []string{"verify-result"}, creds, answer(map[string]any{"public_id": "sample", "version": 1315060510, "signature": uploadSig256}), at},
		{"verify_result_sha256_flag", []string{"verify-result", "--algorithm", "sha256"}, creds, answer(map[string]any{"public_id": "sample", "version": 1315060510, "signature": uploadSig256}), at},
		{"verify_result_refusal", []string{"verify-result"}, creds, `{"error":{"message":"Invalid Signature 0000. String to sign - 'timestamp=1'."}}`, at},
		{"verify_result_chunk", []string{"verify-result"}, creds, `{"done":false,"bytes":20000000,"upload_id":"abc"}`, at},
		{"verify_result_empty", []string{"verify-result"}, creds, "", at},
		{"verify_result_not_json", []string{"verify-result"}, creds, "public_id=sample", at},
		{"verify_result_no_signature", []string{"verify-result"}, creds, `{"public_id":"sample","version":1315060510}`, at},
		{"verify_result_missing_file", []string{"verify-result", "testdata/no-such-answer.json"}, creds, "", at},
		{"verify_result_set_without_file", []string{"verify-result", "--set", "photo", "--set-version", "1", "testdata/answer.json"}, creds, "", at},
		{"verify_result_set_and_flags", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "photo", "--set-version", "1", "--public-id", "sample", "--asset-version", "1315060510", "--signature", uploadSig}, creds, "", at},
		{"verify_webhook_empty_body", []string{"verify-webhook", "--timestamp", "1700000000", "--signature", webhookSig}, creds, "\n", at},
		{"verify_webhook_bad_timestamp", []string{"verify-webhook", "--timestamp", "2023-11-14T22:13:20Z", "--signature", webhookSig}, creds, webhookBody, at},
		{"explain_without_credentials", []string{"explain", "Invalid Signature " + explainSig + ". String to sign - 'folder=avatars&source=uw&timestamp=1700000000'.",
			"folder=avatars", "timestamp=1700000000", "api_key=123456789012345", "signature=" + explainSig}, none, "", at},
		{"explain_payload_without_credentials", []string{"explain", "--payload", "testdata/payload.json"}, none,
			`{"error":{"message":"Invalid Signature ` + explainTagsSig + `. String to sign - 'folder=avatars&tags=b,a&timestamp=1700000000'."}}`, at},
		{"explain_signature_without_credentials", []string{"explain", "Invalid Signature " + strings.Repeat("0", 40) + ". String to sign - 'folder=avatars&timestamp=1700000000'.",
			"folder=avatars", "timestamp=1700000000"}, none, "", at},
		{"explain_no_fields", []string{"explain", "Invalid Signature 00. String to sign - 'a=b'."}, creds, "", at},
		// A set whose public_id holds "{owner}": the owner is bound when
		// signing, and checked against the answer's public_id.
		{"sign_set_without_owner", []string{"sign", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2"}, creds, "", at},
		{"verify_result_owner", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2", "--owner", "42"}, creds, ownerAnswer, at},
		{"verify_result_owner_json", []string{"verify-result", "--format", "json", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2", "--owner", "42"}, creds, ownerAnswer, at},
		{"verify_result_other_owner", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2", "--owner", "43"}, creds, ownerAnswer, at},
		{"verify_result_without_owner", []string{"verify-result", "--set-file", "testdata/sets.json", "--set", "avatar", "--set-version", "2"}, creds, ownerAnswer, at},
		{"verify_result_owner_without_set", []string{"verify-result", "--owner", "42"}, creds, ownerAnswer, at},
		// A set file with limits and a validity shorter than Cloudinary's
		// hour: the payload carries the limits and is dated back; a report
		// of a file over them is refused.
		{"sign_set_limits", []string{"sign", "--set-file", "testdata/sets_limits.json", "--set", "avatar", "--set-version", "3", "--owner", "42"}, creds, "", at},
		{"sign_set_limits_video", []string{"sign", "--set-file", "testdata/sets_limits.json", "--set", "clip", "--set-version", "1", "--owner", "42"}, creds, "", at},
		{"verify_result_limits", []string{"verify-result", "--set-file", "testdata/sets_limits.json", "--set", "avatar", "--set-version", "3", "--owner", "42"}, creds, ownerAnswer, at},
		{"verify_result_over_limit", []string{"verify-result", "--set-file", "testdata/sets_limits.json", "--set", "avatar", "--set-version", "3", "--owner", "42"}, creds,
			answerOf(ownerAnswer, map[string]any{"width": 2001}), at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args, tt.environ, tt.stdin, tt.now)
			got := "$ uploadsign " + transcriptArgs(tt.args) + "\nexit " + strconv.Itoa(code) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr
			for _, secret := range []string{docsURL, "secretvalue", "xyz", "api_secret", "wrongsecret"} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("output shows the secret %q", secret)
				}
			}
			file := filepath.Join("testdata", "cli", tt.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", file, diff)
			}
		})
	}
}

// transcriptArgs writes a command line for a transcript: an argument
// that text cannot show on one line as it is appears Go-quoted.
func transcriptArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if _, bad := unprintable(a); bad {
			out[i] = strconv.Quote(a)
		}
	}
	return strings.Join(out, " ")
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := runCLI(t, []string{"version"}, nil, "", time.Now())
	if code != 0 || !strings.HasPrefix(stdout, "uploadsign ") || !strings.Contains(stdout, "go1.") || stderr != "" {
		t.Errorf("version: %d %q %q", code, stdout, stderr)
	}
	if code, _, _ := runCLI(t, []string{"version", "extra"}, nil, "", time.Now()); code != exitUsage {
		t.Errorf("version with an argument: exit %d", code)
	}
	// The global flags may come before version too.
	if code, got, _ := runCLI(t, []string{"--cloudinary-url", docsURL, "--algorithm", "sha256", "version"}, nil, "", time.Now()); code != 0 || got != stdout {
		t.Errorf("version after the global flags: %d %q, want %q", code, got, stdout)
	}
	// --version, before any command, answers as version does.
	if code, flagOut, flagErr := runCLI(t, []string{"--version"}, nil, "", time.Now()); code != 0 || flagOut != stdout || flagErr != "" {
		t.Errorf("--version: %d %q %q, want %q", code, flagOut, flagErr, stdout)
	}
}

// TestVerifyWebhookSaysItReadsStdin: at a terminal, verify-webhook says it
// waits for the body.
func TestVerifyWebhookSaysItReadsStdin(t *testing.T) {
	var stderr bytes.Buffer
	e := env{stdin: strings.NewReader(webhookBody), stdinTerminal: true, stdout: io.Discard, stderr: &stderr,
		getenv: func(string) string { return docsURL }, now: func() time.Time { return time.Unix(testTimestamp, 0) }, ctx: context.Background()}
	if code := run([]string{"verify-webhook", "--timestamp", "1700000000", "--signature", webhookSig}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "reading the notification body from standard input") {
		t.Errorf("stderr %q", stderr.String())
	}
}
