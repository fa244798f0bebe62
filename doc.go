// Package uploadsign lets browsers upload straight to Cloudinary without
// ever seeing the API secret. A backend signs named, versioned parameter
// sets into payloads (the upload URL plus every form field to post), and
// verifies what comes back: upload results and webhook notifications.
//
//	s, err := uploadsign.New("demo", "123456789012345", secret,
//		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
//			Params: uploadsign.Params{Folder: "avatars", Overwrite: uploadsign.Bool(false)}}))
//	req := uploadsign.Params{PublicID: "user_42"} // what this request may upload
//	p, err := s.Sign("avatar", 1, req)
//	// The browser posts p.Fields plus "file" to p.URL, and reports
//	// Cloudinary's answer (result) back:
//	asset, err := s.VerifyUploadOf("avatar", 1, req, result)
//	// Store asset.URL, built from what Cloudinary signed.
//
// Signatures equal the official SDKs' byte for byte: values are strings
// (arrays joined with ","), empty ones are dropped, keys are sorted in byte
// order, each key=value pair has "&" escaped as "%26" (signature version
// 2, the default), the pairs are joined with "&", the secret is appended
// and the whole hashed with SHA-1 or SHA-256. Typed [Params] are encoded as
// the Node SDK's build_upload_params encodes them. [StringToSign] shows the
// text before hashing; [Signer.Explain] compares it with Cloudinary's
// "Invalid Signature" answer and names the cause.
//
// # Versioned parameter sets
//
// A client names the set and version it was built for and keeps getting
// exactly that: to change what an upload signs, register the next version
// beside the old one. To retire a version, give it a Deprecated date (its
// payloads then say so) and a Sunset, from which it is refused with
// [ErrSunset].
//
// # The naming rule
//
// Cloudinary names an upload PREFIX/NAME. PREFIX is the folder (fixed
// folder mode), or the public_id_prefix, or the asset_folder when
// use_asset_folder_as_public_id_prefix is true (dynamic folder mode). NAME
// is the public_id, or, without one, a random id or (use_filename) the
// name of the file the browser posts, with a random suffix unless
// unique_filename is false (a raw file's keeps its extension).
//
//   - Whoever chooses NAME chooses which asset an upload replaces, so a
//     public_id the browser chooses (proposed, or its file name), or one
//     the backend binds in a PREFIX the browser chooses, must be signed
//     with overwrite false. Where the backend binds a PREFIX, the browser
//     may not choose another.
//   - The public_id and the folders are paths, refused when signed and
//     when verified if they hold a "." or ".." segment, an empty segment
//     (a leading, trailing or double "/"), a folder "v" and digits (a
//     version in delivery URLs), or a leading "http:/" or "https:/".
//   - [Signer.VerifyUploadOf] accepts a genuine result only if its
//     public_id is PREFIX/NAME for the PREFIX and NAME the set and request
//     bind, a whole path segment at a time ("gallery/user_bo" never
//     matches "gallery/user_bob/x"), and its resource type, type and format
//     are the set's; otherwise [ErrUploadMismatch]. What the browser
//     chooses, and a dynamic-mode asset_folder, which Cloudinary does not
//     sign, prove nothing.
//
// # Security
//
// Cloudinary accepts a signed payload for an hour after its timestamp and
// a replay within that hour; a signature cannot limit file size. A
// single-use set makes each payload create at most one asset per resource
// type. The secret is held only inside the hash function [New] builds: no
// payload, error, log record, JSON or fmt output holds it, and no
// reflection-based printer reaches it. [WithPreviousKey] verifies what an
// older key signed while a key is rotated.
//
// The library refuses what Cloudinary would read otherwise than meant,
// naming the parameter (errors wrap one sentinel each; see [ErrInvalidParam]):
// invalid UTF-8 and NUL bytes; paths that break the naming rule; empty
// tags or tags with a comma; Context and Metadata keys that are empty or
// hold "=", "|" or "\", and a value's "\" before "=", "|" or its end; Extra
// names that are not lower-case ASCII, digits and "_" or that a field
// models; auto_tagging outside (0, 1]; negative rectangles; and under
// signature version 1, "&" in any value. [StringToSign] and
// [Signer.SignValues] are the raw primitives: they sign any bytes, as the
// SDKs' api_sign_request does. Verification compares in constant time and
// refuses malformed timestamps and signatures; a notification must be a
// JSON object.
//
// A Signer is immutable and safe for concurrent use.
package uploadsign
