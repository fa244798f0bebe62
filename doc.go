// Package uploadsign lets browsers upload straight to Cloudinary without
// ever seeing the API secret. A backend signs named, versioned parameter
// sets into payloads (the upload URL plus every form field to post), and
// verifies what comes back: upload results and webhook notifications.
//
//	s, err := uploadsign.New("demo", "123456789012345", secret,
//		uploadsign.WithParamSets(uploadsign.ParamSet{
//			Name: "avatar", Version: 1,
//			Params: uploadsign.Params{Folder: "avatars", Overwrite: uploadsign.Bool(false)},
//		}))
//	req := uploadsign.Params{PublicID: "user_42"} // what this request may upload
//	p, err := s.Sign("avatar", 1, req)
//	// Send p as JSON; the browser posts p.Fields plus "file" to p.URL,
//	// then reports Cloudinary's answer back:
//	asset, err := s.VerifyUploadOf("avatar", 1, req, result) // result: an UploadResult
//	// Store asset.URL, built from what Cloudinary signed.
//
// Signatures equal the official SDKs' byte for byte: parameters with empty
// values are dropped, arrays are joined with ",", keys are sorted in byte
// order, each key=value pair has "&" escaped as "%26" (signature version 2,
// the default), the pairs are joined with "&", the secret is appended and
// the whole hashed with SHA-1 or SHA-256. [StringToSign] shows the text
// before hashing, for comparing with the "String to sign" in Cloudinary's
// "Invalid Signature" error; [Signer.Explain] does the comparison and names
// the cause.
//
// # Versioned parameter sets
//
// A signature covers exactly the parameters that were signed, so a client
// built for one set of parameters breaks when the backend changes them. A
// [ParamSet] gives a set of fixed parameters a name and a version; clients
// ask for the name and version they were built for. To change what an
// upload signs, register the new parameters as the next version beside the
// old one, ship clients that ask for it, and remove the old version only
// when no client asks for it any more:
//
//	uploadsign.WithParamSets(
//		uploadsign.ParamSet{Name: "avatar", Version: 1, Params: v1},
//		uploadsign.ParamSet{Name: "avatar", Version: 2, Params: v2}, // adds a tag
//	)
//
// To retire version 1, give it a Deprecated date (its payloads then say
// so, for clients to warn their users) and a Sunset, from which [Signer.Sign]
// refuses it with [ErrSunset], naming the versions still served.
//
// # The naming rule
//
// Cloudinary names an upload PREFIX/NAME. PREFIX is the folder (fixed
// folder mode), or the public_id_prefix, or the asset_folder when
// use_asset_folder_as_public_id_prefix is true (dynamic folder mode); NAME
// is the public_id, or, without one, a random id or (use_filename) the
// name of the file the browser sends, with a random suffix unless
// unique_filename is false. A raw file's public_id may end with the file's
// extension. The public_id and the folders are paths: the library refuses
// a "." or ".." segment, an empty one ("a//b") and a leading or trailing
// "/" in each, when it signs and when it verifies.
//
// Whoever chooses NAME chooses which asset an upload replaces, unless it
// signs overwrite false. So [Signer.Sign] and [Signer.SignProposed] refuse
// a public_id the browser chooses (proposed, or its file name) without
// overwrite false, and so does a bound public_id placed in a PREFIX the
// browser chooses. [Signer.VerifyUploadOf] checks that a result's
// public_id is PREFIX/NAME for the PREFIX and NAME the set and the request
// fix, a whole path segment at a time ("gallery/user_bo" never matches
// "gallery/user_bob/x"), and answers [ErrUploadMismatch] otherwise.
//
// # Security
//
// A signed payload is accepted by Cloudinary for one hour after its
// timestamp and may be replayed within that hour; a signature cannot limit
// file size. Fixing a unique public_id with Overwrite false limits what a
// replay can do. The secret never leaves the Signer: it appears in no
// payload, error, log record, JSON or fmt output of a Signer, for it is
// held only inside the hashing function New builds, which no printer, not
// even a reflection-based one (go-cmp, spew), can look into.
// [WithPreviousKey] lets results and notifications signed with an older
// key verify while a key is rotated.
//
// Cloudinary signs only the public_id and version of an upload result:
// [Signer.VerifyUploadOf] checks them, checks that the request could have
// made that public_id, takes the resource type and type from the set, and
// builds the delivery URL, so that a URL a browser made up never reaches
// storage.
//
// Browsers that propose what to sign, as Cloudinary's Upload Widget does,
// go through [ParseProposal] and [Signer.SignProposed], which signs only
// what a set allows and what the backend binds for the request. A set with
// SingleUse makes each payload create at most one asset per resource type.
//
// # Input checking
//
// The library refuses what Cloudinary would read differently from what was
// meant, and signs faithfully what Cloudinary accepts:
//
//   - [New] and [FromURL] refuse empty credentials, a cloud name other than
//     1 to 128 letters, digits, "-" and "_", a key or secret with a space,
//     control or non-ASCII byte, an upload URL that is not absolute http(s)
//     without query, fragment or user, and a Cloudinary URL with another
//     scheme, no secret, a bad percent-escape or a fragment (errors wrap
//     [ErrInvalidConfig] and name the part at fault without quoting it).
//   - Typed [Params] refuse invalid UTF-8 and NUL bytes, paths that break
//     the naming rule, empty tags or tags with a comma, Context and
//     Metadata keys that are empty or hold "=", "|" or "\" (values are
//     escaped as the SDKs escape them, and a backslash before "=", "|" or
//     the end is refused), Extra names that are not lower-case ASCII,
//     digits and "_" or that a field models, auto_tagging outside (0, 1] or
//     NaN, and negative rectangles (errors wrap [ErrInvalidParam] and name
//     the parameter). Long values and many keys are signed as they are.
//     The incoming Transformation is percent-decoded, as the Node SDK
//     decodes it; a malformed escape is refused.
//   - With signature version 1, [Signer.Sign], [Signer.SignRaw] and
//     [Signer.SignProposed] refuse "&" in any value: "a=x&b=y" could be
//     posted as two parameters under one signature.
//   - [Signer.Sign] refuses a clock before 1970 or after year 9999.
//   - [StringToSign] and [Signer.SignValues] are the raw primitives: they
//     sign any bytes, as the SDKs' api_sign_request does.
//   - Verification refuses timestamps that are not decimal Unix seconds and
//     signatures of the wrong length or not hex; hex digits may be in
//     either case. A notification must be a JSON object.
//
// A Signer is immutable and safe for concurrent use.
package uploadsign
