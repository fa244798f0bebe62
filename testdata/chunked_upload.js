// chunked_upload.js uploads a file in chunks with the official Cloudinary
// Node SDK's own chunked client (uploader.upload_large, which sends the
// file through upload_chunked_stream: one X-Unique-Upload-Id, a
// Content-Range of bytes START-END/-1 on every chunk but the last, each
// chunk signed anew), to an upload endpoint given on the command line, and
// prints the SDK's result as JSON. uploadsign's tests run it against the
// fake endpoint (uploadsigntest/node_test.go):
//
//	CLOUDINARY_URL=cloudinary://KEY:SECRET@CLOUD \
//	  node chunked_upload.js UPLOAD_PREFIX FILE ['{"chunk_size": 6000000, ...}']
//
// UPLOAD_PREFIX replaces https://api.cloudinary.com; the JSON holds the
// options of upload_large. On failure it prints the SDK's error as JSON
// to stderr and exits with status 1.
"use strict";

const [prefix, file, optionsJSON] = process.argv.slice(2);
if (!prefix || !file) {
  console.error("usage: CLOUDINARY_URL=cloudinary://KEY:SECRET@CLOUD node chunked_upload.js UPLOAD_PREFIX FILE [OPTIONS_JSON]");
  process.exit(2);
}

// The uploader picks http or https from upload_prefix when it is loaded,
// so the prefix is configured before the SDK is.
require("cloudinary/lib/config")({ upload_prefix: prefix });
const cloudinary = require("cloudinary").v2;

const options = optionsJSON ? JSON.parse(optionsJSON) : {};
cloudinary.uploader.upload_large(file, options, (error, result) => {
  if (error) {
    console.error(JSON.stringify(error));
    process.exit(1);
  }
  console.log(JSON.stringify(result));
});
