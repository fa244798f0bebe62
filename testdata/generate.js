// generate.js writes uploadsign's golden files from the official Cloudinary
// Node SDK (the version package-lock.json pins). Run it from testdata/:
//
//	npm ci && node generate.js
//
// Every expected string and signature in golden/ comes from the SDK's own
// functions: api_sign_request, build_upload_params, sign_request,
// webhook_signature and verify_api_response_signature. This program only
// chooses the inputs, records what the SDK hashed, and writes JSON.
//
// The SDK does not export its string to sign, so the program wraps
// crypto.createHash while the SDK signs and records the hashed text, minus
// the secret at its end.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
// The uploader picks http or https from upload_prefix when it is loaded:
// its destroy posts to a loopback server of this program (see (f)).
require("cloudinary/lib/config")({ upload_prefix: "http://127.0.0.1" });
const cloudinary = require("cloudinary").v2;
const sdkVersion = require("cloudinary/package.json").version;

const utils = cloudinary.utils;
const API_KEY = "123456789012345";
const SECRET = "abcd";
const ALGORITHMS = ["sha1", "sha256"];
const VERSIONS = [1, 2];

// signRecorded calls sign() and returns [its result, the text it hashed
// without the secret at the end].
function signRecorded(secret, sign) {
  const original = crypto.createHash;
  const hashed = [];
  crypto.createHash = function (algorithm) {
    const h = original.apply(crypto, arguments);
    const update = h.update;
    h.update = function (data) {
      hashed.push(String(data));
      return update.apply(h, arguments);
    };
    return h;
  };
  let result;
  try {
    result = sign();
  } finally {
    crypto.createHash = original;
  }
  if (hashed.length !== 1) {
    throw new Error(`expected one hash, saw ${hashed.length}`);
  }
  const text = hashed[0];
  if (!text.endsWith(secret)) {
    throw new Error("hashed text does not end with the secret");
  }
  return [result, text.slice(0, text.length - secret.length)];
}

// ---- (a) raw parameter sets: api_sign_request ----

const longValue = Array.from({ length: 500 }, (_, i) => `seg${i}`).join("/");
const manyKeys = {};
for (let i = 0; i < 60; i++) {
  // Lower-case letters and "_" only: the order Node's localeCompare gives
  // them is byte order, the order Cloudinary and Go use.
  const name = "param_" + String.fromCharCode(97 + (i % 26)) + "_" + "x".repeat(Math.floor(i / 26) + 1);
  manyKeys[name] = `value ${i} & more`;
}
manyKeys.timestamp = 1700000000;

const rawCases = [
  {
    name: "docs_example",
    params: { eager: "w_400,h_300,c_pad|w_260,h_200,c_crop", public_id: "sample_image", timestamp: 1315060510 },
  },
  { name: "article", params: { timestamp: 1700000000, folder: "avatars", tags: "avatar-image" } },
  { name: "ampersand_in_value", params: { timestamp: 1700000000, public_id: "tom&jerry", folder: "a&b&c" } },
  { name: "smuggled_param", params: { timestamp: 1700000000, public_id: "x&overwrite=true" } },
  { name: "ampersand_in_key", params: { timestamp: 1700000000, "a&b": "c" } },
  { name: "equals_in_value", params: { timestamp: 1700000000, context: "caption=a=b", public_id: "k=v" } },
  { name: "pipe_in_value", params: { timestamp: 1700000000, eager: "w_100|w_200", context: "a=1|b=2" } },
  { name: "plus_percent_space", params: { timestamp: 1700000000, public_id: "a+b c%20d %zz", folder: "my folder/sub" } },
  { name: "slashes_and_colons", params: { timestamp: 1700000000, notification_url: "https://example.com/hook?x=1&y=2#frag" } },
  { name: "unicode", params: { timestamp: 1700000000, public_id: "café-日本語-😀", context: "alt=Grüße" } },
  { name: "newline_tab", params: { timestamp: 1700000000, context: "caption=line1\nline2\tend" } },
  { name: "empty_value_dropped", params: { timestamp: 1700000000, folder: "", public_id: "sample" } },
  { name: "null_value_dropped", params: { timestamp: 1700000000, folder: null, public_id: "sample" } },
  { name: "zero_and_false_strings", params: { timestamp: 1700000000, overwrite: "0", invalidate: "false" } },
  { name: "array_joined", params: { timestamp: 1700000000, tags: ["a", "b", "c"] } },
  { name: "array_single", params: { timestamp: 1700000000, tags: ["only"] } },
  { name: "array_with_empty_element", params: { timestamp: 1700000000, tags: ["a", "", "b"] } },
  { name: "array_of_empty", params: { timestamp: 1700000000, tags: [""] } },
  { name: "array_empty", params: { timestamp: 1700000000, tags: [] } },
  { name: "array_with_ampersand", params: { timestamp: 1700000000, tags: ["rock&roll", "x"] } },
  { name: "key_order_prefixes", params: { timestamp: 1700000000, public_id_prefix: "p", public_id: "i", public: "x" } },
  { name: "no_timestamp", params: { public_id: "sample" } },
  { name: "only_timestamp", params: { timestamp: 1700000000 } },
  { name: "empty", params: {} },
  { name: "long_value", params: { timestamp: 1700000000, public_id: longValue } },
  { name: "many_keys", params: manyKeys },
];

function rawGolden() {
  const out = [];
  for (const c of rawCases) {
    for (const algorithm of ALGORITHMS) {
      for (const version of VERSIONS) {
        const [signature, stringToSign] = signRecorded(SECRET, () =>
          utils.api_sign_request(c.params, SECRET, algorithm, version));
        out.push({
          name: `${c.name}/${algorithm}/v${version}`,
          params: c.params,
          algorithm,
          signature_version: version,
          string_to_sign: stringToSign,
          signature,
        });
      }
    }
  }
  // The value Cloudinary's documentation publishes for its example.
  const docs = out.find((c) => c.name === "docs_example/sha1/v2");
  if (docs.signature !== "bfd09f95f331f558cbd1320e67aa8d488770583e") {
    throw new Error("docs example does not give the documented signature");
  }
  return out;
}

// ---- (b) typed upload options: build_upload_params + sign_request ----

// Each case's params are written in the JSON shape of uploadsign.Params (its
// json tags), with map keys and object fields in the order the Go encoder
// writes them (sorted map keys, struct field order). nodeOptions turns that
// shape into the options the Node SDK takes.
const typedCases = [
  { name: "public_id_only", params: { public_id: "sample" } },
  { name: "article", params: { folder: "avatars", tags: ["avatar-image"] } },
  {
    name: "naming",
    params: {
      public_id: "user_42/avatar",
      public_id_prefix: "pre",
      folder: "uploads",
      asset_folder: "assets/avatars",
      display_name: "My avatar & me",
      filename_override: "face.png",
      use_filename: true,
      use_filename_as_display_name: false,
      unique_filename: false,
      unique_display_name: true,
      use_asset_folder_as_public_id_prefix: true,
      overwrite: false,
    },
  },
  {
    name: "delivery_and_access",
    params: {
      type: "authenticated",
      access_mode: "authenticated",
      access_control: [
        { access_type: "anonymous", start: "2026-01-01T00:00:00Z", end: "2026-12-31T23:59:59+02:00" },
        { access_type: "token" },
      ],
      upload_preset: "signed_avatars",
      discard_original_filename: true,
      backup: true,
      invalidate: true,
    },
  },
  {
    name: "tags_context_metadata",
    params: {
      tags: ["a", "b c", "d&e"],
      context: { alt: "a = b | c", caption: "Hello, world", "user id": "42" },
      metadata: { color_id: "green", in_stock_id: "50", note: "x=y|z" },
      clear_invalid: true,
    },
  },
  {
    name: "transformations",
    params: {
      transformation: "c_limit,w_1000",
      format: "jpg",
      allowed_formats: ["jpg", "png", "webp"],
      eager: [
        { transformation: "w_400,h_300,c_pad" },
        { transformation: "w_260,h_200,c_crop", format: "webp" },
        { transformation: "e_sepia/a_90" },
      ],
      eager_async: true,
      eager_notification_url: "https://example.com/eager?a=1&b=2",
      responsive_breakpoints: [
        { create_derived: true, format: "webp", transformation: "c_fill,g_auto", min_width: 200, max_width: 1000, bytes_step: 20000, max_images: 5 },
        { create_derived: false, max_width: 500 },
      ],
    },
  },
  {
    name: "analysis_flags_true",
    params: {
      colors: true,
      faces: true,
      image_metadata: true,
      media_metadata: true,
      exif: true,
      phash: true,
      quality_analysis: true,
      accessibility_analysis: true,
      cinemagraph_analysis: true,
      visual_search: true,
      auto_chaptering: true,
      auto_transcription: true,
    },
  },
  {
    name: "analysis_flags_false",
    params: {
      colors: false,
      faces: false,
      image_metadata: false,
      media_metadata: false,
      exif: false,
      phash: false,
      quality_analysis: false,
      accessibility_analysis: false,
      cinemagraph_analysis: false,
      visual_search: false,
      auto_chaptering: false,
      auto_transcription: false,
    },
  },
  {
    name: "add_ons",
    params: {
      auto_tagging: 0.7,
      categorization: "google_tagging,aws_rek_tagging",
      detection: "coco",
      ocr: "adv_ocr",
      background_removal: "cloudinary_ai",
      raw_convert: "aspose",
      similarity_search: "tineye",
      moderation: "manual|aws_rek",
      quality_override: "80",
    },
  },
  {
    name: "coordinates",
    params: {
      face_coordinates: [{ x: 10, y: 20, width: 150, height: 130 }, { x: 213, y: 345, width: 82, height: 61 }],
      custom_coordinates: [{ x: 0, y: 0, width: 5, height: 5 }],
    },
  },
  {
    name: "processing",
    params: {
      async: true,
      notification_url: "https://example.com/hooks/cloudinary?token=a&b",
      callback: "https://example.com/cloudinary_cors.html",
      eval: "upload_options['tags'] = 'x'",
      on_success: "current_asset.update({tags: ['ok']})",
      proxy: "http://proxy.example.com:8080",
      return_delete_token: true,
      headers: { "Link": "<https://example.com>", "X-Robots-Tag": "noindex" },
    },
  },
  {
    name: "unicode_and_specials",
    params: {
      public_id: "café/日本語 😀",
      folder: "a+b %20 c",
      context: { "légende": "été = chaud | sec" },
      tags: ["ünïcödé", "a+b"],
    },
  },
  { name: "extra_params", params: { public_id: "sample", extra: { source: "uw", custom_param: "a&b" } } },
  // The SDK percent-decodes the incoming transformation.
  { name: "transformation_escapes", params: { transformation: "l_text:Arial_20:Hello%20World%2C%20you/fl_layer_apply" } },
  // JavaScript enumerates integer-like keys first, by number.
  { name: "integer_like_keys", params: { context: { "10": "x", "9": "y", "01": "z", b: "1" }, metadata: { "2": "two", "10": "ten" } } },
  // Dates are written as JSON.stringify writes a Date.
  {
    name: "access_control_dates",
    params: { access_control: [{ access_type: "anonymous", start: "2026-01-01T00:00:00.500+01:00", end: "2026-06-30T12:00:00Z" }] },
  },
  // The payload of ExampleSigner_Sign in example_test.go.
  {
    name: "example_sign",
    params: { public_id: "user_42", folder: "avatars", tags: ["avatar", "profile"], overwrite: false },
    timestamp: 1700000000,
    only: "sha1/v2",
  },
];

function nodeOptions(p) {
  const o = { ...p };
  delete o.extra;
  // A raw transformation string: the SDK's "transformation" option would
  // treat a string as the name of a named transformation.
  if (o.transformation != null) {
    o.raw_transformation = o.transformation;
    delete o.transformation;
  }
  if (o.eager != null) {
    o.eager = o.eager.map((e) => ({ raw_transformation: e.transformation, format: e.format }));
  }
  // A Go time.Time is a JavaScript Date.
  if (o.access_control != null) {
    o.access_control = o.access_control.map((r) => {
      const rule = { access_type: r.access_type };
      if (r.start != null) rule.start = new Date(r.start);
      if (r.end != null) rule.end = new Date(r.end);
      return rule;
    });
  }
  for (const k of ["face_coordinates", "custom_coordinates"]) {
    if (o[k] != null) {
      o[k] = o[k].map((r) => [r.x, r.y, r.width, r.height]);
    }
  }
  return o;
}

function typedGolden() {
  const out = [];
  let timestamp = 1700000000;
  for (const c of typedCases) {
    for (const algorithm of ALGORITHMS) {
      for (const version of VERSIONS) {
        if (c.only && c.only !== `${algorithm}/v${version}`) {
          continue;
        }
        timestamp++;
        const options = { ...nodeOptions(c.params), timestamp: c.timestamp || timestamp };
        const built = utils.build_upload_params(options);
        Object.assign(built, c.params.extra || {});
        const [signed, stringToSign] = signRecorded(SECRET, () =>
          utils.sign_request(built, {
            api_key: API_KEY,
            api_secret: SECRET,
            signature_algorithm: algorithm,
            signature_version: version,
          }));
        const fields = {};
        for (const k of Object.keys(signed).sort()) {
          fields[k] = String(signed[k]);
        }
        out.push({
          name: `${c.name}/${algorithm}/v${version}`,
          params: c.params,
          algorithm,
          signature_version: version,
          timestamp: options.timestamp,
          string_to_sign: stringToSign,
          fields,
        });
      }
    }
  }
  return out;
}

// ---- (c) what the verifiers check ----

function verifyGolden() {
  const results = [];
  const uploads = [
    { public_id: "sample", version: 1315060510 },
    { public_id: "folder/sub/image with space", version: 1700000001 },
    { public_id: "tom&jerry", version: 1700000002 },
    { public_id: "café 😀", version: 1 },
    { public_id: "avatars/user_42", version: 1700000000 },
    { public_id: "clips/42/intro", version: 1700000000 },
  ];
  for (const algorithm of ALGORITHMS) {
    cloudinary.config({ api_key: API_KEY, api_secret: SECRET, signature_algorithm: algorithm });
    for (const u of uploads) {
      // verify_api_response_signature computes exactly this and compares.
      const [signature, stringToSign] = signRecorded(SECRET, () =>
        utils.api_sign_request({ public_id: u.public_id, version: u.version }, SECRET, null, 1));
      if (!utils.verify_api_response_signature(u.public_id, u.version, signature)) {
        throw new Error("SDK rejects its own upload signature");
      }
      results.push({ ...u, algorithm, string_to_sign: stringToSign, signature });
    }
  }

  const notifications = [];
  const bodies = [
    '{"notification_type":"upload","public_id":"sample","version":1700000000}',
    '{"notification_type":"upload","public_id":"café & co","context":{"custom":{"alt":"a=b|c"}}}\n',
    "",
    // The shape of Cloudinary's upload notification (the fake's fidelity
    // table lists its fields), for an avatar of a set with "{owner}".
    '{"notification_type":"upload","timestamp":"2023-11-14T22:13:20+00:00","request_id":"9e2f63bc2c6a4fcb8c1e3f6b55d5a3b1",' +
      '"asset_id":"3515c6000a548515f1134043f9785c2f","public_id":"avatars/user_42","version":1700000000,' +
      '"version_id":"7d2cc533bee9ff39f7da7414b61fce7e","width":640,"height":480,"format":"png","resource_type":"image",' +
      '"created_at":"2023-11-14T22:13:20Z","tags":["avatar"],"bytes":52814,"type":"upload","etag":"a56e9e88c2add15cac1775c1f687bf73",' +
      '"placeholder":false,"url":"http://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png",' +
      '"secure_url":"https://res.cloudinary.com/demo/image/upload/v1700000000/avatars/user_42.png","access_mode":"public",' +
      '"original_filename":"me","api_key":"123456789012345"}',
  ];
  for (const algorithm of ALGORITHMS) {
    cloudinary.config({ api_key: API_KEY, api_secret: SECRET, signature_algorithm: algorithm });
    bodies.forEach((body, i) => {
      const timestamp = 1700000000 + i;
      const signature = utils.webhook_signature(body, timestamp, { api_secret: SECRET, signature_algorithm: algorithm });
      // A very long validity window: the SDK compares with the real clock.
      if (body !== "" && !utils.verifyNotificationSignature(body, timestamp, signature, 1e12)) {
        throw new Error("SDK rejects its own notification signature");
      }
      notifications.push({ body, timestamp: String(timestamp), algorithm, signature });
    });
  }
  return { upload_results: results, notifications };
}

// ---- (d) proposals from the Upload Widget: JSON.parse + api_sign_request ----

// Each proposal is JSON text, as a browser posts it (params_to_sign of the
// widget, paramsToSign of next-cloudinary; String.raw keeps JSON's
// escapes); the Go tests parse the same text. The signature is what a Node
// backend that signs whatever arrives returns:
// api_sign_request(JSON.parse(text), secret).
const proposalCases = [
  { name: "next_cloudinary_default", json: '{"source":"uw","timestamp":1700000000}' },
  {
    name: "widget_avatar",
    json: '{"timestamp":1700000000,"source":"uw","folder":"avatars","tags":["avatar","user_42"],"public_id":"user_42",' +
      '"overwrite":false,"unique_filename":true,"use_filename":false,"custom_coordinates":"35,39,612,706","upload_preset":"signed_avatars"}',
  },
  {
    name: "widget_eager_callback",
    json: '{"callback":"https://widget.cloudinary.com/v2.0/global/cloudinary_cors.html","eager":"w_400,h_300,c_pad|w_260,h_200,c_crop",' +
      '"source":"uw","timestamp":1700000000,"unique_filename":true,"upload_preset":"i0ketrzb"}',
  },
  { name: "timestamp_as_string", json: '{"timestamp":"1700000000","source":"uw"}' },
  {
    name: "numbers",
    json: '{"timestamp":1700000000,"a":1.50,"b":1E21,"c":1e2,"d":-0.0,"e":12345678901234567890,"f":0.1,"g":1e-7,' +
      '"h":0.000001,"i":123456789012345678901234,"j":-1.5e-10,"k":5e-324,"l":1.7976931348623157e308,"m":100,' +
      '"n":0.30000000000000004,"o":1e20,"p":123e-20,"q":-42,"r":9007199254740993,"s":0.000001234,"t":1.5e300}',
  },
  { name: "arrays", json: '{"timestamp":1700000000,"tags":["a",1,true,null,"b",2.50],"x":[],"y":[""],"z":[null],"w":[false]}' },
  { name: "null_and_empty", json: '{"timestamp":1700000000,"folder":null,"public_id":"","tags":"a"}' },
  { name: "booleans", json: '{"timestamp":1700000000,"overwrite":true,"unique_filename":false,"use_filename":true}' },
  {
    name: "specials",
    json: String.raw`{"timestamp":1700000000,"public_id":"a&b=c","overwrite":false,"context":"alt=x\\=y|caption=z","folder":"\u00fcn\u00ef c\u00f6d\u00e9/\ud83d\ude00"}`,
  },
  { name: "escapes", json: String.raw`{"timestamp":1700000000,"caption":"line1\nline2\t\"q\" \\ \/ \u00e9"}` },
  { name: "lone_surrogate", json: String.raw`{"timestamp":1700000000,"caption":"x\ud800y"}` },
  { name: "raw_utf8", json: '{"timestamp":1700000000,"caption":"Grüße 日本語 😀"}' },
  { name: "whitespace", json: ' {\n  "timestamp" : 1700000000 ,\t"source":"uw"\r\n} ' },
];

function proposalGolden() {
  const out = [];
  for (const c of proposalCases) {
    const params = JSON.parse(c.json);
    for (const algorithm of ALGORITHMS) {
      for (const version of VERSIONS) {
        const [signature, stringToSign] = signRecorded(SECRET, () =>
          utils.api_sign_request(params, SECRET, algorithm, version));
        out.push({ name: `${c.name}/${algorithm}/v${version}`, json: c.json, algorithm, signature_version: version, string_to_sign: stringToSign, signature });
      }
    }
  }
  return out;
}

function write(name, cases, extra = {}) {
  const doc = {
    comment: "Generated by testdata/generate.js from the official Cloudinary Node SDK. Do not edit.",
    sdk: `cloudinary ${sdkVersion}`,
    api_key: API_KEY,
    api_secret: SECRET,
    ...extra,
    cases,
  };
  const file = path.join(__dirname, "golden", name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
}

// ---- (e) delivery URLs: cloudinary.url ----

const CLOUD_NAME = "demo";
const DEFAULT_PREFIX = `https://res.cloudinary.com/${CLOUD_NAME}`;
const SIGNED_TYPES = ["authenticated", "private"];

// urlOptions turns a case (the inputs of uploadsign's delivery URL builder)
// into the options of cloudinary.url. A prefix other than the default is
// given whole, so it maps to a private CDN distribution: "https://" + host
// and path as secure_distribution (the SDK then adds no cloud name), or,
// for "http://", the same as cname with secure off.
function urlOptions(c) {
  const o = { secure: true, urlAnalytics: false, version: c.version, resource_type: c.resource_type, type: c.type };
  if (c.format !== "") {
    o.format = c.format;
  }
  if (SIGNED_TYPES.includes(c.type)) {
    o.sign_url = true;
  }
  if (c.prefix !== DEFAULT_PREFIX) {
    o.private_cdn = true;
    if (c.prefix.startsWith("https://")) {
      o.secure_distribution = c.prefix.slice("https://".length);
    } else if (c.prefix.startsWith("http://")) {
      o.secure = false;
      o.cname = c.prefix.slice("http://".length);
    } else {
      throw new Error(`prefix ${c.prefix} is neither https:// nor http://`);
    }
  }
  return o;
}

// The configuration every URL is built with: the SDK reads cloud_name,
// api_secret, signature_algorithm, private_cdn, cname and more from it, and
// from CLOUDINARY_URL when it is reset.
function resetURLConfig() {
  delete process.env.CLOUDINARY_URL;
  delete process.env.CLOUDINARY_ACCOUNT_URL;
  delete process.env.CLOUDINARY_API_PROXY;
  cloudinary.config(true);
  cloudinary.config({ cloud_name: CLOUD_NAME, api_key: API_KEY, api_secret: SECRET });
}

// sdkURL returns [the URL cloudinary.url builds, the SDK options it was
// given, the text it hashed without the secret or null if it signed
// nothing].
function sdkURL(c) {
  const options = urlOptions(c);
  const given = { ...options };
  if (options.sign_url) {
    const [url, toSign] = signRecorded(SECRET, () => cloudinary.url(c.public_id, options));
    return [url, given, toSign];
  }
  return [cloudinary.url(c.public_id, options), given, null];
}

// The inputs of each case, as uploadsign's builder takes them: prefix,
// resource_type, type, public_id, version and format ("" for none; raw
// files carry their extension in the public_id and get no format).
const urlCases = [
  { name: "image_with_format", public_id: "sample", version: 1315060510, format: "jpg" },
  { name: "image_without_format", public_id: "sample", version: 1315060510, format: "" },
  { name: "image_png", public_id: "avatars/user_42", version: 1700000000, format: "png" },
  { name: "folders", public_id: "a/b/c/d/image", version: 1700000001, format: "webp" },
  { name: "space", public_id: "my folder/my image", version: 1700000002, format: "jpg" },
  { name: "plus", public_id: "a+b", version: 1700000003, format: "jpg" },
  { name: "equals", public_id: "k=v", version: 1700000004, format: "jpg" },
  { name: "at", public_id: "user@example.com", version: 1700000005, format: "jpg" },
  { name: "parentheses", public_id: "photo (1)", version: 1700000006, format: "jpg" },
  { name: "unicode", public_id: "café/日本語 😀", version: 1700000007, format: "jpg" },
  { name: "question_hash_ampersand", public_id: "q?x#y&z", version: 1700000008, format: "jpg" },
  // Every printable ASCII character but "%" and "/": the ones
  // encodeURIComponent keeps, ":" which the SDK puts back, and the rest.
  { name: "ascii_punctuation", public_id: "!\"#$&'()*+,-.:;<=>?@[\\]^_`{|}~", version: 1700000009, format: "" },
  { name: "controls", public_id: "tab\there\nnewline\u007fdel", version: 1700000010, format: "" },
  { name: "colon_no_slash", public_id: "http:example", version: 1700000011, format: "" },
  { name: "dots_in_name", public_id: "archive.tar", version: 1700000012, format: "gz" },
  { name: "version_like_file_name", public_id: "folder/v123", version: 1700000013, format: "jpg" },
  { name: "version_like_folder_with_letters", public_id: "v1x/y", version: 1700000014, format: "jpg" },
  { name: "uppercase_format", public_id: "Sample", version: 1700000015, format: "JPG" },
  { name: "version_1", public_id: "f/x", version: 1, format: "jpg" },
  { name: "version_max_safe_integer", public_id: "x", version: Number.MAX_SAFE_INTEGER, format: "jpg" },
  { name: "raw_pdf", resource_type: "raw", public_id: "docs/report.pdf", version: 1700000016, format: "" },
  { name: "raw_space_unicode", resource_type: "raw", public_id: "files/my notes – été.txt", version: 1700000017, format: "" },
  { name: "raw_no_extension", resource_type: "raw", public_id: "blob", version: 1700000018, format: "" },
  { name: "video_mp4", resource_type: "video", public_id: "clips/intro", version: 1700000019, format: "mp4" },
  { name: "video_without_format", resource_type: "video", public_id: "clips/intro", version: 1700000020, format: "" },
  { name: "authenticated_image", type: "authenticated", public_id: "private/user_42", version: 1700000021, format: "jpg" },
  { name: "authenticated_without_format", type: "authenticated", public_id: "sample", version: 1700000022, format: "" },
  { name: "authenticated_unicode_space", type: "authenticated", public_id: "café/mon image (1)+x", version: 1700000023, format: "png" },
  { name: "authenticated_raw", resource_type: "raw", type: "authenticated", public_id: "contracts/2024 deal.pdf", version: 1700000024, format: "" },
  { name: "authenticated_video", resource_type: "video", type: "authenticated", public_id: "clips/secret", version: 1700000025, format: "mp4" },
  { name: "private_image", type: "private", public_id: "sample", version: 1700000026, format: "jpg" },
  { name: "private_raw", resource_type: "raw", type: "private", public_id: "a b/c.zip", version: 1700000027, format: "" },
  { name: "private_video", resource_type: "video", type: "private", public_id: "v", version: 1700000028, format: "webm" },
  // Signatures whose base64 has "+" or "/", which the SDK turns into "-"
  // and "_".
  { name: "signature_with_underscore", type: "authenticated", public_id: "s6", version: 1700000029, format: "jpg" },
  { name: "signature_with_dash", type: "authenticated", public_id: "s22", version: 1700000029, format: "jpg" },
  { name: "custom_domain", prefix: "https://images.example.com", public_id: "avatars/user_42", version: 1700000033, format: "jpg" },
  { name: "custom_prefix_with_path", prefix: "https://cdn.example.com/media/demo", public_id: "sample", version: 1700000034, format: "png" },
  { name: "custom_prefix_http_port", prefix: "http://127.0.0.1:8080/demo", public_id: "a b", version: 1700000035, format: "jpg" },
  { name: "custom_prefix_authenticated", prefix: "https://images.example.com", type: "authenticated", public_id: "private/user_42", version: 1700000036, format: "jpg" },
  { name: "custom_prefix_raw", prefix: "https://files.example.com/demo", resource_type: "raw", public_id: "docs/report.pdf", version: 1700000037, format: "" },
  { name: "default_prefix_given_whole", prefix: DEFAULT_PREFIX, public_id: "sample", version: 1700000038, format: "jpg" },
];

// Public_ids cloudinary.url treats specially: it reads them as something
// else than a name (a remote URL, an already built path, escapes to decode,
// a version), changes them (collapses "//"), or throws. uploadsign refuses
// them; each case records what the SDK makes of it, and where the SDK
// builds the same URL for another public_id, that one.
const urlSpecialCases = [
  { name: "percent_escape_decoded", public_id: "a%20b", same_as: "a b" },
  { name: "percent_escaped_slash_decoded", public_id: "a%2Fb", same_as: "a/b" },
  { name: "percent_malformed", public_id: "100%" },
  { name: "percent_malformed_hex", public_id: "a%zz" },
  { name: "percent_invalid_utf8", public_id: "a%C3" },
  { name: "remote_https", public_id: "https://example.com/x.jpg" },
  { name: "remote_http_uppercase", public_id: "HTTP://example.com/x" },
  { name: "preloaded_path", public_id: "image/upload/v3/x", same_as: "x", same_as_options: { version: 3 } },
  { name: "preloaded_path_raw", public_id: "raw/private/v3/x.pdf", same_as: "x.pdf", same_as_options: { version: 3, resource_type: "raw", type: "private" } },
  { name: "double_slash_collapsed", public_id: "a//b", same_as: "a/b" },
  { name: "triple_slash", public_id: "a///b" },
  { name: "leading_slash", public_id: "/a" },
  { name: "trailing_slash", public_id: "a/" },
  { name: "dot_segment", public_id: "a/./b" },
  { name: "dot_dot_segment", public_id: "a/../b" },
  { name: "version_folder", public_id: "v123/x" },
  { name: "version_folder_inside", public_id: "a/v1/x" },
];

function urlGolden() {
  resetURLConfig();
  const cases = urlCases.map((input) => {
    const c = { prefix: DEFAULT_PREFIX, resource_type: "image", type: "upload", ...input };
    const [url, sdkOptions, toSign] = sdkURL(c);
    // The prefix is given whole: it must be exactly what comes before
    // "/RESOURCE_TYPE/TYPE/".
    if (!url.startsWith(`${c.prefix}/${c.resource_type}/${c.type}/`)) {
      throw new Error(`${c.name}: ${url} does not start with the prefix`);
    }
    const out = {
      name: c.name,
      prefix: c.prefix,
      resource_type: c.resource_type,
      type: c.type,
      public_id: c.public_id,
      version: c.version,
      format: c.format,
      sdk_options: sdkOptions,
      url,
    };
    if (toSign !== null) {
      out.string_to_sign = toSign;
    }
    return out;
  });
  for (const [name, char] of [["signature_with_underscore", "_"], ["signature_with_dash", "-"]]) {
    const c = cases.find((c) => c.name === name);
    if (!/\/s--(.{8})--\//.exec(c.url)[1].includes(char)) {
      throw new Error(`${name}: pick a public_id whose signature has "${char}"`);
    }
  }

  const special = urlSpecialCases.map((c) => {
    const base = { version: 1700000000, resource_type: "image", type: "upload", format: "jpg" };
    const options = { secure: true, urlAnalytics: false, ...base };
    const out = { name: c.name, public_id: c.public_id, sdk_options: { ...options } };
    try {
      out.sdk_url = cloudinary.url(c.public_id, options);
    } catch (e) {
      out.sdk_error = `${e.name}: ${e.message}`;
    }
    if (c.same_as !== undefined) {
      const other = cloudinary.url(c.same_as, { secure: true, urlAnalytics: false, ...base, ...c.same_as_options });
      if (other !== out.sdk_url) {
        throw new Error(`${c.name}: the SDK no longer builds the URL of ${c.same_as}`);
      }
      out.same_url_as = { public_id: c.same_as, ...base, ...c.same_as_options };
    }
    return out;
  });
  return [cases, { cloud_name: CLOUD_NAME, default_prefix: DEFAULT_PREFIX, refused: special }];
}

write("sign.json", rawGolden());
write("upload_params.json", typedGolden());
write("verify.json", verifyGolden());
write("proposals.json", proposalGolden());
{
  const [cases, extra] = urlGolden();
  write("urls.json", cases, extra);
}

// ---- (f) destroy: uploader.destroy, posted to a loopback server ----
//
// The SDK's uploader.destroy signs and posts the request itself; the
// program points it at a server of its own on 127.0.0.1, with the SDK's
// clock fixed, and records the path and the form fields it receives.

const http = require("http");

const destroyInputs = [
  { name: "image", public_id: "avatars/user_42", resource_type: "image", type: "upload", algorithm: "sha1" },
  { name: "raw_authenticated_unicode", public_id: "docs/42/café & co.pdf", resource_type: "raw", type: "authenticated", algorithm: "sha1" },
  { name: "video_private_sha256", public_id: "clips/intro", resource_type: "video", type: "private", algorithm: "sha256" },
];

// multipartFields reads the fields of a multipart/form-data body.
function multipartFields(body, contentType) {
  const boundary = /boundary=(.+)$/.exec(contentType)[1];
  const fields = {};
  for (const part of body.split(`--${boundary}`)) {
    const m = /^\r\nContent-Disposition: form-data; name="([^"]+)"\r\n\r\n([\s\S]*)\r\n$/.exec(part);
    if (m) {
      fields[m[1]] = m[2];
    }
  }
  return fields;
}

async function destroyGolden() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push({ method: req.method, path: req.url, fields: multipartFields(body, req.headers["content-type"]) });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"result":"ok"}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const prefix = `http://127.0.0.1:${server.address().port}`;
  const timestamp = utils.timestamp;
  utils.timestamp = () => 1700000000;
  const cases = [];
  try {
    for (const c of destroyInputs) {
      received.length = 0;
      await cloudinary.uploader.destroy(c.public_id, {
        resource_type: c.resource_type, type: c.type, invalidate: true,
        cloud_name: CLOUD_NAME, api_key: API_KEY, api_secret: SECRET, upload_prefix: prefix,
        signature_algorithm: c.algorithm,
      });
      if (received.length !== 1 || received[0].method !== "POST") {
        throw new Error(`${c.name}: the SDK sent ${received.length} requests`);
      }
      cases.push({ ...c, timestamp: 1700000000, path: received[0].path, fields: received[0].fields });
    }
  } finally {
    utils.timestamp = timestamp;
    server.close();
  }
  write("destroy.json", cases, { cloud_name: CLOUD_NAME });
}

destroyGolden().catch((e) => {
  console.error(e);
  process.exit(1);
});
