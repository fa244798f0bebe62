// Package uploadsigntest provides a fake Cloudinary upload endpoint for
// tests, in the manner of net/http/httptest: signed uploads run end to end
// without an account or a network.
//
//	const secret = "any-secret-of-the-test"
//	srv := uploadsigntest.NewServer("demo", "123456789012345", secret)
//	defer srv.Close()
//	signer, _ := uploadsign.New("demo", "123456789012345", secret, uploadsign.WithUploadURL(srv.URL),
//		uploadsign.WithParamSets(uploadsign.ParamSet{Name: "avatar", Version: 1,
//			Params: uploadsign.Params{PublicID: "avatars/user_{owner}"}}))
//	req := uploadsign.Request{Owner: "42"}
//	payload, _ := signer.Sign("avatar", 1, req)
//	png, _ := os.ReadFile("testdata/me.png")
//	answer, _ := uploadsigntest.Post(payload.URL, payload.Fields, "me.png", png)
//	upload, err := signer.VerifyUploadOf("avatar", 1, req, answer.Result)
//	uploads := srv.Uploads() // what the fake stored
//
// The server checks an upload as Cloudinary's upload endpoint does, in
// Cloudinary's words and statuses: a known api_key ([WithKey] adds keys),
// the signature, a timestamp at most one hour old, a file within the
// limits, content of the resource type posted to and a format that a
// signed allowed_formats allows. It answers success with the fields of
// Cloudinary's upload response, signed by the secret of the key that
// signed the upload; its url and secure_url point at the server, which
// serves the uploaded bytes. It speaks Cloudinary's destroy too (POST
// .../RESOURCE_TYPE/destroy), which removes an asset. An upload that
// signs a notification_url, or any upload once the account has one
// ([WithNotificationURL]), is followed by Cloudinary's upload
// notification, POSTed there and signed with the notification key's
// secret ([WithNotificationKey], [Server.Deliveries]); so is a destroy,
// by a delete notification. [Server.NotificationRequest] makes one for a
// webhook handler's tests. Signatures are checked with the package's own
// plain implementation of Cloudinary's rules, not with the uploadsign
// library, so that a bug in the library shows up as a refused upload
// instead of being mirrored.
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
// every chunk but the last holds at least [DefaultMinChunkBytes]. A chunk
// but the last is answered {"done": false, "bytes": N}, N the bytes
// received so far; the last one with the upload response of the whole
// file, which it judges, recorded as one [Upload]. A chunk that does not
// fit is refused with a 400 and changes nothing, so the client may send
// it again. [PostChunked] sends a file that way.
//
// Limits are Cloudinary's: a file of more than [DefaultMaxRequestBytes]
// in one request (a whole file or a chunk) is refused with a 400 "File
// size too large. Got N. Maximum is M."; [WithMaxRequestBytes],
// [WithMinChunkBytes] and [WithMaxFileBytes] change them. Accepted files
// larger than [MaxUploadBytes], and chunks, are kept in temporary files,
// which Close removes with the chunks of uploads never finished.
//
// The fake may be the target of a page in a browser on the same machine,
// so it keeps no bytes of a refused request. It reads multipart and
// url-encoded forms as they arrive, unescaping and decoding as it reads:
// the fields within 10 MiB in all, the file (a part or a data URI) in
// memory up to 1 MiB and in a temporary file beyond, so that a request it
// refuses costs no more memory than that, whatever its size (an accepted
// file, at most [MaxUploadBytes], is then held in memory). When the fields posted
// before the file (api_key, signature and timestamp among them) are
// refused, it counts the file without keeping it; any other refused
// request has its file dropped, from memory and disk, as soon as it is
// refused, and is recorded without its fields ([Upload]). What it serves carries X-Content-Type-Options: nosniff and the
// content type of the format read from the file; a raw file is served as
// application/octet-stream and as an attachment, never as a page. Its
// notifications go only to this machine and follow no redirect.
//
// # Fidelity
//
// Each rule of Cloudinary's upload API, and whether the fake follows it
// as Cloudinary does (with the tests that pin it), differently (how), or
// not at all:
//
//   - The string to sign: every posted field but file, cloud_name,
//     resource_type, api_key and signature, blank values dropped, sorted
//     by name, as name=value joined with "&", each "&" within a pair
//     written %26 from signature version 2; hashed with the secret by
//     SHA-1 or SHA-256. As Cloudinary does: TestServerAcceptsEveryGoldenCase,
//     TestOracleSortsNames, TestOracleLeavesOutUnsignedKeys.
//   - A signature in upper-case (or mixed-case) hex. Differently: the fake
//     accepts it, as a hex decoder reads either case; Cloudinary documents
//     lower-case hex only ("a hexadecimal message digest", its
//     authentication signatures page, whose examples and every official
//     SDK write lower-case: the Node SDK's compute_hash digest("hex"),
//     pycloudinary's hexdigest, cloudinary-go's hex.EncodeToString), and no
//     public report says whether it accepts upper-case: do not send it.
//     Pinned by TestSignatureHexCase.
//   - An array posted as NAME[] (pycloudinary's uploader.call_api posts
//     each item of a list so, and signs the list joined with ","): one
//     parameter, its values joined with ",". As Cloudinary does:
//     TestArrayFields. A name posted several times without [] (tags=a and
//     tags=b): Differently: the fake joins the values as an array;
//     Cloudinary documents no such form (its SDKs join arrays themselves,
//     or post NAME[]), and servers of its kind keep the last value.
//   - Signature version 1 only when no signed value holds "&"; SHA-256 only
//     for an account that asked for it ([WithSHA256Only]). As Cloudinary
//     does: TestServerAcceptsEveryGoldenCase, TestServerVerifiesWithSHA256.
//   - A wrong signature: 401 "Invalid Signature HEX. String to sign -
//     'STRING'.", also in the X-Cld-Error header. As Cloudinary does:
//     TestServerInvalidSignatureHeader.
//   - Another cloud name; no api_key, an unknown one, no signature, no
//     timestamp: 401 "Invalid cloud_name C", 401 "Must supply api_key",
//     401 "Unknown API key K", 400 "Upload preset must be specified when
//     using unsigned upload", 400 "Missing required parameter -
//     timestamp". As Cloudinary does: TestServerRefusals.
//   - A timestamp more than an hour old: 400 "Stale request - reported
//     time is 2023-12-19 23:07:41 +0000 which is more than 1 hour ago", the
//     time in UTC (the words in cloudinary/cloudinary_ios#417 and
//     cloudinary/cloudinary_java#25; the status, 400, as the Node SDK
//     reports it, http_code 400, in users' logs); exactly an hour old is
//     not more than an hour, and is accepted. As Cloudinary does:
//     TestServerRefusals, TestTimestampEdges.
//   - A timestamp ahead of the clock. Differently: the fake accepts any;
//     Cloudinary documents no limit and no report shows it refusing one
//     (devices with wrong clocks report only "Stale request", e.g.
//     cloudinary/cloudinary_java#95). Pinned by TestTimestampEdges.
//   - Several API keys, each with its own secret; the answer carries the
//     key that signed the upload and a response signature by its secret.
//     As Cloudinary does: TestKeyRotation.
//   - Unsigned uploads with an upload preset, and presets at all. Not at
//     all: an upload without signature is refused.
//   - No file, an empty file: 400 "Missing required parameter - file",
//     400 "Empty file". As Cloudinary does: TestServerRefusals.
//   - A file of more than 100 MiB in one request, or over a plan's limit
//     ([WithMaxFileBytes]): 400 "File size too large. Got N. Maximum is
//     M.". As Cloudinary does: TestRequestLimit, TestLimitOptions.
//   - A file as a data URI. As Cloudinary does: TestServerURLEncodedDataURI.
//   - A file as a remote URL (http, s3, gs, ftp). Not at all: refused with
//     the fake's own message.
//   - Format and resource type from the content: PNG, JPEG, GIF and WebP
//     images with their width and height; ISO BMFF (mp4, or mov for
//     QuickTime's brand, qt), EBML (webm or mkv by DocType), RIFF (avi, wav) and
//     MP3 as videos; for resource type auto, image, video, or raw named by
//     its extension. As Cloudinary does: TestFormatFromContent, TestSniff,
//     TestChunkedFormatOfWholeFile.
//   - An image or video upload of content that is neither: 400 "Invalid
//     image file", 400 "Unsupported video format or file". As Cloudinary
//     does: TestUnreadableContent, TestJudge.
//   - Formats Cloudinary reads and the fake does not (HEIC, AVIF, TIFF,
//     BMP, SVG, PDF, FLV, Ogg, ...). Differently: refused as unreadable by
//     an image or video upload, raw under auto. A test video needs a real
//     container header: an MP4's 24-byte ftyp box,
//     "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41", is enough.
//   - A file whose header is sound and whose body is not (a truncated
//     video). Differently: accepted; the fake reads only the header.
//   - allowed_formats: a format outside it is refused with 400 "Image file
//     format png not allowed" ("Video file format ...", and "Raw file
//     format ..." for a raw file's extension); format converts what it
//     does not allow, and only that. As Cloudinary does: TestAllowedFormats,
//     TestJudge. (The words are those users report for images and raw
//     files, e.g. djade007/cloudinary_public#1 and
//     cloudinary/pycloudinary#266; the official SDKs' tests pin the 400
//     and the conversion. Whether "jpeg" in the list allows a jpg is not
//     known; the fake says no.)
//   - format converts an image or video. Differently: the answer and the
//     URLs name the new format; the bytes served are the original's.
//   - Chunks: X-Unique-Upload-Id and Content-Range, each chunk signed,
//     every chunk but the last at least 5 MiB ("All parts except EOF-chunk
//     must be larger than 5mb"), the last answered with the whole file's
//     upload response. As Cloudinary does: TestChunkedUpload,
//     TestDefaultMinChunk, TestNodeSDKChunkedUpload.
//   - The order of chunks. Differently: the fake wants every chunk in
//     order from byte 0; Cloudinary needs the last one last (and, it is
//     said, the first one first). Its refusals of malformed sequences are
//     in its own words.
//   - public_id and the folder that prefixes it: folder + "/" + public_id
//     (fixed folder mode), public_id_prefix + "/" + public_id, or
//     asset_folder + "/" + public_id with
//     use_asset_folder_as_public_id_prefix (dynamic folder mode). As
//     Cloudinary does: TestServerUploadResponse, TestPublicIDComposition.
//   - A raw file's public_id: one Cloudinary makes ends with the file's
//     extension; a given one is kept as given (Cloudinary's docs ask for
//     the extension in it; read from the docs, not checked against the
//     service). As Cloudinary does: TestServerRawHasNoFormat,
//     TestChunkedUpload.
//   - Both folder modes at once. Differently: the fake uses the folder
//     when one is posted, else the dynamic mode's prefixes; an account is
//     in one mode.
//   - use_filename and unique_filename; generated public_ids. Differently:
//     the file name, with a random 6-character suffix unless
//     unique_filename is false; generated ids are 20 random characters.
//   - Dynamic folder mode's asset_folder and display_name. Not at all:
//     they are only echoed.
//   - overwrite=false: an existing asset is answered with "existing":
//     true, and nothing is replaced. As Cloudinary does:
//     TestServerOverwriteFalseKeepsExisting, TestSingleUseReplay.
//   - The upload response: public_id, version, signature (version 1 of
//     public_id and version, with the account's algorithm),
//     resource_type, type, format (none for a raw file, whose extension
//     stays in its public_id), width and height, bytes, tags, context,
//     url, secure_url, created_at, original_filename, api_key. As
//     Cloudinary does: TestServerUploadResponse, TestServerRawHasNoFormat,
//     TestServerAnswersWithAccountAlgorithm.
//   - A video's width, height and duration (seconds) in the response and
//     the notification. Differently: read from an MP4 or QuickTime file's
//     header (moov's mvhd, and the tkhd of its first track with a
//     picture), wherever moov lies; other containers' videos, and MP4s
//     without moov, are answered without them, which Cloudinary always
//     gives. Pinned by TestMP4Info, TestUploadNotificationFields.
//   - asset_id, version_id, etag and the URLs. Differently: random ids,
//     the MD5 of the file, and URLs at the fake's own address.
//   - Notifications: POSTed to the request's notification_url, else to
//     the account's notification URL (the Console's; "when the
//     notification_url parameter is included in the method call, then the
//     value set there overrides the global value", its notifications
//     page), with X-Cld-Timestamp and X-Cld-Signature, the hash of body,
//     timestamp and the notification key's secret. As Cloudinary does:
//     TestDeliveries, TestKeyRotation, TestUploadNotificationFields,
//     TestDestroy.
//   - The upload notification: the upload's fields as answered (asset_id,
//     public_id, version, version_id, width, height, format,
//     resource_type, created_at, tags, bytes, type, etag, placeholder,
//     url, secure_url, original_filename, api_key, and asset_folder,
//     display_name, context when set), with notification_type "upload",
//     timestamp ("2021-04-15T16:45:47+00:00"), request_id, access_mode,
//     notification_context {triggered_at, triggered_by {source "api", id:
//     the api_key}} and signature_key (the key that signs it), and without
//     the answer's signature: the fields of upload notifications captured
//     from the service (a 2021 one quoted in an app's source, one modelled
//     field by field in another's), which carry no signature. As
//     Cloudinary does: TestUploadNotificationFields. The fake sends no
//     original_extension, and an existing: true where the upload met an
//     asset kept by overwrite false (unknown for Cloudinary's): no check
//     should read either.
//   - Telling deliveries of one event apart. Not at all: Cloudinary
//     documents no delivery id; an upload notification's request_id and
//     asset_id and version, a delete's resources, are what a receiver can
//     key on. Cloudinary retries a notification its receiver does not
//     answer with 200 (three times, some minutes apart, by a description
//     of its webhooks); the fake sends each once.
//   - Where notifications go. Differently: only to this machine
//     (localhost or a loopback address), following no redirect.
//   - Delivery. Differently: the fake serves the original bytes at url
//     and secure_url, with nosniff, raw files as attachments; no
//     transformations, no signed URLs, and private and authenticated
//     types are served like upload.
//   - destroy: POST /v1_1/CLOUD/RESOURCE_TYPE/destroy with public_id,
//     type, invalidate and notification_url (what the official Node SDK's
//     uploader.destroy posts), signed and checked as an upload; answered
//     {"result": "ok"} when it removes the asset, {"result": "not found"}
//     when there is none (Cloudinary's destroy method reference); the
//     asset is gone from delivery, and from [Upload]s
//     ([Upload.Destroyed]). As Cloudinary does: TestDestroy,
//     TestNodeSDKDestroy.
//   - The delete notification of a destroyed asset: notification_type
//     "delete" and resources, each with resource_type, type, asset_id,
//     public_id and version, as captured from the service (in 2021; no
//     request_id, timestamp or signature_key). As Cloudinary does:
//     TestDestroy.
//   - destroy without public_id, or posted to auto, and invalidate.
//     Differently: refused in the fake's words ("Missing required
//     parameter - public_id", 404 "Invalid resource type auto"); the fake
//     has no CDN to invalidate.
//   - Eager and incoming transformations, moderation, analysis (faces,
//     colors, OCR, ...), auto-tagging, callbacks, background removal.
//     Not at all: their fields are signed and otherwise ignored.
package uploadsigntest
