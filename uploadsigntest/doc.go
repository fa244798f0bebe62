// Package uploadsigntest provides a fake Cloudinary upload endpoint for
// tests, in the manner of net/http/httptest: signed uploads run end to end
// without an account or a network.
//
//	srv := uploadsigntest.NewServer("demo", "123456789012345", secret)
//	defer srv.Close()
//	signer, _ := uploadsign.New("demo", "123456789012345", secret,
//		uploadsign.WithUploadURL(srv.URL), uploadsign.WithParamSets(sets...))
//	payload, _ := signer.Sign("avatar", 1, uploadsign.Params{})
//	status, answer, _ := uploadsigntest.Post(payload.URL, payload.Fields, "a.png", png)
//	uploads := srv.Uploads()
//
// The server checks an upload as Cloudinary's upload endpoint does: a known
// api_key; the signature over every posted field except file, api_key,
// cloud_name, resource_type and signature, with blank values dropped, in
// signature version 2 (or 1, when no signed value holds "&") and SHA-1 or
// SHA-256 (SHA-256 only with [WithSHA256Only]); a timestamp at most one
// hour old; a file. It answers failures with the messages and statuses
// Cloudinary's users report, and success with the fields of Cloudinary's
// upload response (public_id, version, signature, width and height,
// format, bytes, tags, context, url, secure_url, created_at,
// original_filename, ...); the response signature uses the account's
// algorithm, SHA-1 unless [WithSHA256Only]. The url and secure_url point at
// the server itself, which serves the uploaded bytes. An upload that signs
// a notification_url is followed by Cloudinary's upload notification,
// POSTed there and signed with the account's secret ([Server.Deliveries]);
// [Server.NotificationRequest] makes one for a webhook handler's tests.
// Signatures are checked with the package's own plain implementation of
// Cloudinary's rules, not with the uploadsign library, so that a bug in
// the library shows up as a refused upload instead of being mirrored.
//
// Large files arrive as Cloudinary's SDKs and Upload Widget send them: in
// chunks, each a complete signed upload request of its own, carrying the
// headers X-Unique-Upload-Id (one random id for every chunk of a file) and
// Content-Range: bytes START-END/TOTAL, where TOTAL is the file's size, or
// -1 on every chunk but the last (the official Node SDK's
// upload_chunked_stream, which signs each chunk anew). The server checks
// each chunk as an upload (signature, timestamp within the hour), then
// that the chunks arrive in order from byte 0 without gap or overlap,
// agree on the total, are posted to the same resource type, and that
// every chunk but the last holds at least [DefaultMinChunkBytes].
// (Cloudinary needs the last chunk last, and is said to need the first
// one first; the fake wants them all in order, as the official clients
// send them.) A chunk but the last is answered {"done": false, "bytes":
// N}, N the bytes received so far; the last one with the upload response
// of the whole file, recorded as one [Upload]. A chunk that does not fit
// is refused with a 400 and changes nothing, so the client may send it
// again. [PostChunked] sends a file that way.
//
// Limits are Cloudinary's: a file of more than [DefaultMaxRequestBytes]
// in one request (a whole file or a chunk) is refused with a 400 "File
// size too large. Got N. Maximum is M."; [WithMaxRequestBytes],
// [WithMinChunkBytes] and [WithMaxFileBytes] change them. Files larger
// than [MaxUploadBytes], and chunks, are kept in temporary files, which
// Close removes with the chunks of uploads never finished.
//
// What it does not do: transformations, eager or analysis results, upload
// presets, remote fetching of a file given as a URL, and the limits of a
// plan unless set with [WithMaxFileBytes]. Some values (asset_id,
// generated public_ids) are random.
package uploadsigntest
