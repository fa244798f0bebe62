// Package uploadsign lets browsers upload straight to Cloudinary without
// ever seeing the API secret. A backend signs named, versioned parameter
// sets into payloads (the upload URL plus every form field to post), and
// verifies what comes back: upload results and webhook notifications.
// Package [github.com/uploadsign/uploadsign/uploadsignhttp] serves it over
// HTTP, and [github.com/uploadsign/uploadsign/uploadsigntest] is a fake
// Cloudinary for tests.
//
//	s, err := uploadsign.New("demo", "123456789012345", secret,
//		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
//			Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}}))
//	req := uploadsign.Request{Owner: "42"} // the logged-in user
//	p, err := s.Sign("avatar", 1, req)
//	// The browser posts p.Fields plus "file" to p.URL, and reports
//	// Cloudinary's answer (result) back:
//	u, err := s.VerifyUploadOf("avatar", 1, req, result)
//	// Store u.Asset.URL, built from what Cloudinary signed.
//
// Signatures equal the official SDKs' byte for byte: values are strings
// (arrays joined with ","), empty ones dropped, keys sorted in byte order,
// each key=value pair with "&" escaped as "%26" (signature version 2, the
// default), pairs joined with "&", the secret appended, the whole hashed
// with SHA-1 or SHA-256. Typed [Params] are encoded as the Node SDK's
// build_upload_params encodes them. [StringToSign] shows the text before
// hashing; [Signer.Explain] reads Cloudinary's "Invalid Signature".
//
// # Sets, versions and owners
//
// A client names the set and version it was built for and keeps getting
// exactly that; to change what an upload signs, register the next version
// and retire the old one (Deprecated, then Sunset: [ErrSunset]). Where an
// upload goes is its set's alone: "{owner}" in its public_id, folder,
// public_id_prefix or asset_folder (once, ending a path segment) stands
// for the [Request]'s Owner, and a Request may not name the upload.
//
// # The naming rule
//
// Cloudinary names an upload PREFIX/NAME. PREFIX is the folder, or the
// public_id_prefix, or the asset_folder with
// use_asset_folder_as_public_id_prefix. NAME is the public_id, or one
// Cloudinary makes: random, or (use_filename) the file's name, with a
// random suffix unless unique_filename is false. [New] refuses:
//
//   - a NAME the browser chooses (proposed, or its file's) without
//     "{owner}" in PREFIX, or a single-use set: a name in a folder shared
//     by users could meet another user's asset; and the file's name
//     without overwrite false (SignProposed refuses such a proposal);
//   - a PREFIX the browser chooses beside one the set binds, and
//     "{owner}" in one PREFIX beside another the set binds (an account
//     may use the other);
//   - two sets that could make the same asset, so that a public_id names
//     its set and owner ([Signer.OwnerOf]); versions of one set may share
//     public_ids made alike (the owner in the same place);
//   - names Cloudinary would not store as signed: "." or ".." segments,
//     empty segments, a folder "v" and digits, a leading "http:/", the
//     characters it forbids ("?&#\%<>+") or replaces (any but letters,
//     digits, marks, "-", "_", ".", "/" and inner spaces), controls and
//     invisible characters; an owner is letters, digits, "-", "_" and ".".
//
// [Signer.VerifyUploadOf] accepts a genuine result only if its public_id
// is one the set makes for the owner, a whole path segment at a time, and
// its resource type, type and format are the set's; what the browser
// chooses proves nothing, and "existing" (a name met) is refused where the
// browser names uploads.
//
// # Security
//
// Cloudinary accepts a signed payload, replays included, for an hour
// after its timestamp, and a signature cannot limit a file: a set's
// [Limits] are checked on what Cloudinary signs in a notification, and
// ValidFor shortens the hour. A single-use set makes each payload create at
// most one asset. The secret lives only inside the hash function New
// builds: no payload, error, log record, JSON or fmt output holds it.
// Values Cloudinary would read otherwise than meant are refused, naming
// the parameter; [StringToSign] and [Signer.SignValues] are the raw
// primitives and sign any bytes. Verification compares in constant time.
//
// A Signer is immutable and safe for concurrent use.
package uploadsign
