// The browser side of a signed upload, in plain JavaScript. It never
// composes a signed field itself: it posts the payload's fields verbatim,
// with the whole file in one request, or with each chunk of a file larger
// than one chunk (the loop of the README's "Large files", with progress).
"use strict";

const $ = (id) => document.getElementById(id);

// The parameter sets this page was built for: a client names the set and
// the set version it knows. The backend says where each uploads to and
// which formats it takes (/api/info).
const SETS = [
  { param_set: "avatar", version: 1, kind: "image" },
  { param_set: "video", version: 1, kind: "video" },
];

// A file's format as Cloudinary names it, guessed from its name, else from
// its type. Cloudinary reads the file itself; this lets the page refuse a
// file no set takes before sending a byte of it.
const FORMAT_ALIASES = { jpeg: "jpg", jpe: "jpg", tif: "tiff", qt: "mov" };
const FORMAT_OF_TYPE = {
  "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
  "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm",
};
function formatsOf(file) {
  const ext = (/\.([^./]+)$/.exec(file.name) || [])[1]?.toLowerCase();
  return [FORMAT_ALIASES[ext] ?? ext, FORMAT_OF_TYPE[file.type]].filter(Boolean);
}

// setFor returns the set (with the backend's details) that takes the
// file's format, or throws an error that names the formats each set takes.
function setFor(file, sets) {
  const formats = formatsOf(file);
  for (const set of SETS) {
    const info = sets.find((s) => s.name === set.param_set && s.version === set.version);
    if (info && formats.some((f) => info.allowed_formats.includes(f))) return { ...set, info };
  }
  const err = new Error(
    `Not sent: ${file.name} is ${formats.length ? `a ${formats[0]} file` : "of no format this page knows"}, and this page uploads ` +
      sets.map((s) => `${list(s.allowed_formats, "or")} files with set ${s.name} (set version ${s.version})`).join(", and ") +
      ". Nothing was signed or sent.",
  );
  err.before = true;
  throw err;
}

// The limits of a set, in words: its payload carries them (as the
// library's Limits write them: max_bytes, max_width, max_height, and
// max_duration in seconds), and the page refuses a file over them before
// sending a byte of it. Cloudinary cannot be told them; the backend's
// webhook destroys an upload over them that a script sent anyway.
const megabytes = (n) => `${+(n / 2 ** 20).toFixed(2)} MB`;
const bytes = (n) => `${n.toLocaleString("en-US")} bytes`;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
function durationWords(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = +(seconds % 60).toFixed(1);
  const words = [h && plural(h, "hour"), m && plural(m, "minute"), s && plural(s, "second")].filter(Boolean);
  return words.length ? words.join(" ") : "0 seconds";
}
function pixels(width, height) {
  if (width && height) return `${width} × ${height} pixels`;
  return width ? `${width} pixels wide` : `${height} pixels high`;
}

// limitWords says a set's limit named by its JSON name: "2 MB",
// "2000 × 2000 pixels", "1 minute".
function limitWords(limits, name) {
  switch (name) {
    case "max_bytes":
      return megabytes(limits.max_bytes);
    case "max_width":
    case "max_height":
      return pixels(limits.max_width, limits.max_height);
    case "max_duration":
      return durationWords(limits.max_duration);
  }
  return name;
}

// factWords says what a file measures by the limit named: its size,
// dimensions or duration.
function factWords(file, name) {
  switch (name) {
    case "max_bytes":
      if (file.bytes < 1024) return bytes(file.bytes);
      return `${file.bytes < 2 ** 20 ? `${+(file.bytes / 1024).toFixed(1)} KB` : megabytes(file.bytes)} (${bytes(file.bytes)})`;
    case "max_width":
    case "max_height":
      return pixels(file.width, file.height);
    case "max_duration":
      return durationWords(file.duration);
  }
  return "";
}

// limitsWords says all of a set's limits: "at most 2 MB and at most
// 2000 × 2000 pixels".
function limitsWords(limits) {
  const names = [];
  if (limits.max_bytes) names.push("max_bytes");
  if (limits.max_width || limits.max_height) names.push("max_width");
  if (limits.max_duration) names.push("max_duration");
  return list(names.map((n) => `at most ${limitWords(limits, n)}`), "and");
}

// measure reads what the browser can of a file: an image's dimensions, a
// video's and its duration. It resolves with null for a file the browser
// cannot read: the webhook checks what Cloudinary reads.
function measure(file, kind) {
  if (kind === "image") {
    return createImageBitmap(file).then(
      (bitmap) => {
        const size = { width: bitmap.width, height: bitmap.height };
        bitmap.close();
        return size;
      },
      () => null,
    );
  }
  return new Promise((resolve) => {
    const video = document.createElement("video");
    const url = URL.createObjectURL(file);
    const done = (result) => {
      clearTimeout(timer);
      video.removeAttribute("src");
      video.load();
      URL.revokeObjectURL(url);
      resolve(result);
    };
    const timer = setTimeout(() => done(null), 5000);
    video.preload = "metadata";
    video.onloadedmetadata = () =>
      done({ width: video.videoWidth, height: video.videoHeight, duration: Number.isFinite(video.duration) ? video.duration : 0 });
    video.onerror = () => done(null);
    video.src = url;
  });
}

// checkLimits refuses, before any byte of the file is sent, a file over
// the limits the payload carries: its size, and the dimensions or the
// duration the browser reads from it.
async function checkLimits(file, set, limits) {
  const refuse = (what, name) => {
    const err = new Error(
      `Not sent: ${file.name} is ${what}, and set ${set.param_set} takes files of at most ${limitWords(limits, name)}. ` +
        "No byte of it was sent; the payload is left unused.",
    );
    err.before = true;
    throw err;
  };
  if (limits.max_bytes && file.size > limits.max_bytes) refuse(factWords({ bytes: file.size }, "max_bytes"), "max_bytes");
  if (!limits.max_width && !limits.max_height && !limits.max_duration) return;
  const m = await measure(file, set.kind);
  if (!m) return;
  if ((limits.max_width && m.width > limits.max_width) || (limits.max_height && m.height > limits.max_height)) {
    refuse(pixels(m.width, m.height), "max_width");
  }
  if (limits.max_duration && m.duration > limits.max_duration) refuse(durationWords(m.duration), "max_duration");
}

// list writes ["a", "b", "c"] as "a, b or c".
const list = (items, word) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} ${word} ${items.at(-1)}` : items.join(""));

// Only the latest choice may change the page. Each choice is a job, and a
// new choice abandons the job before it: its requests are aborted, and
// whatever it was waiting for changes nothing.
let current = null;

class Job {
  constructor() {
    this.controller = new AbortController(); // aborts the job's fetches
    this.xhr = null; // the upload request under way
    this.accepted = 0; // bytes of the file the upload endpoint has accepted
    this.requests = 0; // the requests the file is sent in: 1, or one per chunk
  }
  get live() {
    return current === this;
  }
  abandon() {
    this.controller.abort();
    if (this.xhr) this.xhr.abort();
  }
  // check throws once the job has been abandoned: call it after each wait.
  check() {
    if (!this.live) throw new DOMException("a newer choice replaced this upload", "AbortError");
  }
}

function setStatus(state, text) {
  $("status").dataset.state = $("frame").dataset.state = state;
  $("status").textContent = text;
}

// setProgress shows a fraction of the file; the bar reaches 100 % only
// when the upload endpoint has accepted the whole file.
function setProgress(fraction, state = "") {
  $("progress").value = 100 * fraction;
  $("progress").dataset.state = state;
}

// backend calls the demo's backend and says in words what failed. An
// error carries the backend's JSON answer as err.data.
async function backend(path, init = {}) {
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new Error(
      `Could not reach the demo backend at ${location.origin}${path}: the browser got no answer (${err.message}). ` +
        `Check that "uploadsign serve" is still running (its terminal says why it stopped) ` +
        `and that ${location.host} reaches it.`,
    );
  }
  let data;
  try {
    data = await res.json();
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new Error(
      `The demo backend answered ${path} with HTTP ${res.status} ${res.statusText} and no JSON: ` +
        `is something else (a proxy?) answering at ${location.host}?`,
    );
  }
  if (!res.ok) {
    const err = new Error(data.error || `${path}: HTTP ${res.status}`);
    err.data = data;
    throw err;
  }
  return data;
}

function postJSON(path, body, signal, headers = {}) {
  return backend(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

// The page's settings: where uploads go, the sets' formats, the limits
// and the chunk size. info holds them once they have come.
let infoRequest = null;
let info = null;
function getInfo() {
  infoRequest ??= backend("/api/info").then(
    (got) => (info = got),
    (err) => {
      infoRequest = null; // ask again next time
      throw err;
    },
  );
  return infoRequest;
}

// send posts the payload's fields and one part of the file to payload.url,
// with XMLHttpRequest because fetch cannot report upload progress. It
// resolves with the upload endpoint's answer and rejects with its error
// (err.status, err.answer) or a network error.
function send(job, payload, part, filename, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(payload.fields)) form.append(name, value);
    form.append("file", part, filename);
    const xhr = new XMLHttpRequest();
    job.xhr = xhr;
    xhr.open("POST", payload.url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let answer;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {
        return reject(new Error(`The upload endpoint answered HTTP ${xhr.status} ${xhr.statusText}, not Cloudinary's JSON.`));
      }
      if (xhr.status !== 200) {
        const message = answer.error ? answer.error.message : `HTTP ${xhr.status}`;
        const err = new Error(`${endpointName()} refused the upload (HTTP ${xhr.status}).`);
        err.status = xhr.status;
        err.answer = answer;
        err.cloudinaryMessage = message;
        return reject(err);
      }
      resolve(answer);
    };
    xhr.onerror = () =>
      reject(
        new Error(
          `Could not reach the upload endpoint ${payload.url}: the browser got no answer. ` +
            `Check that this browser can reach that address (the demo's terminal shows it) and that no proxy or extension blocks it.`,
        ),
      );
    xhr.onabort = () => reject(new DOMException("upload aborted", "AbortError"));
    xhr.send(form);
  });
}

// upload sends the file in one request or, when it is larger than one
// chunk, as the README's uploadInChunks does: one upload id for every
// chunk, Content-Range bytes START-END/TOTAL, the payload's fields with
// each chunk, one chunk at a time so that the last arrives last.
// onProgress gets the bytes sent so far; job.requests counts the requests.
async function upload(job, payload, file, chunkBytes, onProgress) {
  if (file.size <= chunkBytes) {
    job.requests = 1;
    const answer = await send(job, payload, file, file.name, {}, (f) => onProgress(f * file.size));
    job.accepted = file.size;
    return answer;
  }
  const id = uploadID();
  const chunks = Math.ceil(file.size / chunkBytes);
  let answer;
  for (let start = 0, n = 1; start < file.size; start += chunkBytes, n++) {
    const end = Math.min(start + chunkBytes, file.size);
    job.requests = n;
    setStatus("uploading", `Uploading chunk ${n} of ${chunks} straight to ${payload.url} …`);
    answer = await send(
      job,
      payload,
      file.slice(start, end),
      file.name,
      { "X-Unique-Upload-Id": id, "Content-Range": `bytes ${start}-${end - 1}/${file.size}` },
      (f) => onProgress(start + f * (end - start)),
    );
    job.check();
    job.accepted = end;
    $("answer").textContent = JSON.stringify(answer, null, 2); // {"done": false, ...} until the last chunk
  }
  return answer; // the last chunk's answer: the upload of the whole file
}

// uploadID is a random X-Unique-Upload-Id. (crypto.randomUUID, as in the
// README, exists only in secure contexts: https and localhost. The demo
// may be opened over plain http at another address.)
function uploadID() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// endpointName names the upload endpoint: Cloudinary, or the demo's fake.
function endpointName() {
  return info?.mode === "fake" ? "The fake Cloudinary upload endpoint" : "Cloudinary";
}

// showUpload shows a verified upload from the URL the backend built, or,
// with none, the placeholder, which says label.
function showUpload(verified, label = "No upload yet") {
  const img = $("preview");
  const video = $("preview-video");
  img.hidden = video.hidden = true;
  img.removeAttribute("src");
  if (video.hasAttribute("src")) {
    video.removeAttribute("src");
    video.load();
  }
  $("placeholder").hidden = Boolean(verified);
  $("placeholder-label").textContent = label;
  $("frame").dataset.kind = verified ? (verified.resource_type === "video" ? "video" : "image") : "empty";
  if (!verified) return;
  const el = verified.resource_type === "video" ? video : img;
  el.src = verified.url;
  el.hidden = false;
}

// listItems puts one li per text in the list el.
function listItems(el, texts) {
  el.replaceChildren(...texts.map((c) => Object.assign(document.createElement("li"), { textContent: c })));
}

// explain asks the backend why the upload endpoint refused the upload,
// and lists the causes it finds first, under "Why Cloudinary refused
// it", above Cloudinary's own message.
async function explain(job, message, fields, set) {
  $("why").hidden = false;
  listItems($("causes"), ["Finding out why …"]);
  let items;
  try {
    const diagnosis = await postJSON("/api/explain", { error: message, fields, param_set: set.param_set }, job.controller.signal);
    items = diagnosis.causes;
  } catch (err) {
    items = ["No explanation: " + err.message];
  }
  if (!job.live) return;
  $("why").hidden = items.length === 0;
  listItems($("causes"), items);
}

// showReport shows the report the backend refused, as it got it, and
// the fields in which it differs from the answer Cloudinary gave.
function showReport(report, answer) {
  $("report-section").hidden = false;
  $("report").textContent = JSON.stringify(report, null, 2);
  const keys = [...new Set([...Object.keys(answer ?? {}), ...Object.keys(report ?? {})])];
  const changed = keys.filter((k) => JSON.stringify(answer?.[k]) !== JSON.stringify(report?.[k]));
  $("altered").textContent = changed.length
    ? "Changed in the report, against the answer Cloudinary gave: " +
      changed.map((k) => `${k} ${JSON.stringify(report?.[k]) ?? "left out"} (Cloudinary's: ${JSON.stringify(answer?.[k]) ?? "none"})`).join("; ") +
      "."
    : "The report is the answer Cloudinary gave.";
}

// showMode says where uploads go, for the set in use or for every set,
// and what the command line needs to work on them.
function showMode(set) {
  const { mode, sets, demo_secret, signs, why_not, api_key, cloudinary_url } = info;
  $("cli").hidden = false;
  $("api-key").textContent = api_key;
  $("cloudinary-url").textContent = `CLOUDINARY_URL='${cloudinary_url}'`;
  $("cli-secret").textContent =
    mode !== "fake"
      ? " (put your API secret in place of API_SECRET: this page never shows it)."
      : demo_secret
        ? "."
        : " (put the demo secret in place of API_SECRET: it is shown only in a browser on the machine the demo runs on, at localhost).";
  const urls = set
    ? `${set.info.upload_url} (set ${set.param_set}, set version ${set.version})`
    : sets.map((s) => `${s.upload_url} (${s.resource_type}s, set ${s.name})`).join(" or ");
  $("mode").textContent =
    mode === "fake"
      ? `No CLOUDINARY_URL is set, so uploads go to a fake Cloudinary upload endpoint served by the demo, ${urls}, ` +
        `that checks signatures like the real one. ` +
        (demo_secret
          ? `It uses a random demo secret for this run only: ${demo_secret}`
          : "Its random secret for this run is shown only in a browser on the machine the demo runs on, at localhost.")
      : `Uploads go to your Cloudinary account: ${urls}.` + (signs ? "" : ` ${why_not}`);
}

async function onFile(file) {
  if (current) current.abandon();
  const job = (current = new Job());
  showUpload(null);
  setProgress(0);
  $("causes").replaceChildren();
  $("why").hidden = $("message").hidden = $("note").hidden = $("report-section").hidden = true;
  $("payload").textContent = $("answer").textContent = "(none yet)";
  let payload, set, answer;
  try {
    setStatus("signing", "Checking the file …");
    const { sets, limits } = await getInfo();
    job.check();
    set = setFor(file, sets); // before any byte is sent
    showMode(set);
    setStatus("signing", `Asking the backend for a signed payload (set ${set.param_set}, set version ${set.version}) …`);
    payload = await postJSON("/api/signature", { param_set: set.param_set, version: set.version }, job.controller.signal);
    job.check();
    $("payload").textContent = JSON.stringify(payload, null, 2);
    await checkLimits(file, set, payload.limits ?? {}); // before any byte is sent
    job.check();

    setStatus("uploading", `Uploading straight to ${payload.url} …`);
    answer = await upload(job, payload, file, limits.chunk_bytes, (sent) => {
      if (job.live) setProgress(Math.min(0.99, sent / file.size)); // 100 % once accepted
    });
    job.check();
    $("answer").textContent = JSON.stringify(answer, null, 2);
    setProgress(1);

    // The answer's secure_url is whatever the browser says it is: show
    // nothing until the backend has verified the answer and built the URL.
    setStatus("verifying", "Asking the backend to verify Cloudinary's answer …");
    // The header names the upload, as a real page's session cookie names
    // its user: the backend finds the upload's owner from it.
    const verified = await postJSON(
      "/api/uploaded",
      { param_set: set.param_set, version: set.version, result: answer },
      job.controller.signal,
      { "X-Signed-Public-Id": payload.fields.public_id },
    );
    job.check();
    showUpload(verified);
    setStatus(
      "verified",
      `Verified by the backend: ${verified.public_id}, uploaded in ` +
        (job.requests > 1 ? `${job.requests} chunks` : "one request") +
        `. This upload's version is ${verified.version}: Cloudinary's number for this upload, from the time it was made ` +
        `(v${verified.version} in its URL). The client's set version is ${verified.set_version}: the version of the ` +
        `${verified.param_set} settings this page was built to ask for.`,
    );
    if (verified.reported_url_ignored) {
      $("note").hidden = false;
      $("note").textContent =
        `The answer the browser reported carried another secure_url, ${verified.reported_url_ignored}: ` +
        `the backend ignored it, and the page shows the URL the backend built from what Cloudinary signed.`;
    }
  } catch (err) {
    if (!job.live) return; // an abandoned upload changes nothing
    showUpload(null, err.before ? "Not sent" : err.data?.report ? "Not stored" : "Not uploaded");
    // The bar shows what the upload endpoint accepted: nothing for a
    // refused upload, the chunks before the refused one.
    setProgress(file.size > 0 ? job.accepted / file.size : 0, "error");
    if (err.answer) $("answer").textContent = JSON.stringify(err.answer, null, 2);
    setStatus("error", err.message);
    if (err.data?.report) {
      showReport(err.data.report, answer);
      $("status").textContent += " The report it refused is shown below, under Cloudinary's answer.";
    }
    if (err.cloudinaryMessage) {
      $("message").hidden = false;
      $("message").textContent = `${endpointName() === "Cloudinary" ? "Cloudinary's" : "Its"} message: ${err.cloudinaryMessage}`;
      if (payload) await explain(job, err.cloudinaryMessage, payload.fields, set);
    }
  }
}

$("file").addEventListener("change", (e) => {
  const file = e.target.files[0];
  e.target.value = ""; // so that choosing the same file again uploads it again
  if (file) onFile(file);
});

// eventWords says what the webhook did with one notification.
function eventWords(e) {
  const id = e.public_id || "(no public_id)";
  switch (e.outcome) {
    case "kept": {
      const facts = [factWords(e.file, "max_bytes")];
      if (e.file.width) facts.push(pixels(e.file.width, e.file.height));
      if (e.file.duration) facts.push(durationWords(e.file.duration));
      return `${id}: kept: within the limits of set ${e.param_set} (Cloudinary says ${list(facts, "and")}).`;
    }
    case "destroyed":
      return e.limit
        ? `${id}: destroyed: over the ${limitWords(e.limits, e.limit)} limit of set ${e.param_set} (Cloudinary says ${factWords(e.file, e.limit)}).`
        : `${id}: destroyed: ${e.problem}.`;
    case "destroy failed":
      return `${id}: not destroyed yet (${e.error}): the webhook answered 500, so Cloudinary delivers the notification again. Why: ${e.problem}.`;
    case "left":
      return `${id}: left alone: ${e.problem}. An account holds uploads that no set of this demo made.`;
  }
  return e.type === "delete" ? `${id}: deleted, says Cloudinary's delete notification.` : `${id}: a ${e.type} notification.`;
}

// pollWebhook shows, every second, what the backend's webhook did with
// Cloudinary's notifications, newest first.
async function pollWebhook() {
  try {
    const res = await fetch("/api/webhook-log");
    if (res.ok) {
      const { events } = await res.json();
      const items = events.map((e) => {
        const li = Object.assign(document.createElement("li"), { textContent: eventWords(e) });
        Object.assign(li.dataset, { publicId: e.public_id ?? "", outcome: e.outcome, type: e.type });
        return li;
      });
      if (items.length) $("webhook-log").replaceChildren(...items);
    }
  } catch {
    // the backend is gone; the status line says so at the next upload
  }
  setTimeout(pollWebhook, 1000);
}

getInfo().then(
  ({ mode, sets, limits, webhook_url }) => {
    showMode(null);
    $("sets").textContent = sets
      .map((s) => `${s.name}, set version ${s.version}, for ${list(s.allowed_formats, "or")} ${s.resource_type}s`)
      .join("; ");
    $("set-limits").textContent =
      sets
        .map(
          (s) =>
            `Set ${s.name} takes files of ${limitsWords(s.limits)}, and its payloads are accepted for ${durationWords(s.valid_for)} after they are signed.`,
        )
        .join(" ") +
      " The page reads the limits from the payload and refuses a larger file before sending a byte of it; " +
      "Cloudinary cannot be told them, so a script that skips the page can still upload one.";
    $("limits").textContent =
      `Cloudinary takes at most ${megabytes(limits.max_request_bytes)} (${bytes(limits.max_request_bytes)}) in one request. ` +
      `This page sends a file larger than ${bytes(limits.chunk_bytes)} in chunks of that size, one after the other; ` +
      `every chunk but the last must hold at least ${megabytes(limits.min_chunk_bytes)} (${bytes(limits.min_chunk_bytes)}).`;
    $("webhook-note").textContent =
      mode === "fake"
        ? `After each upload the fake endpoint notifies the backend's webhook, ${webhook_url}, as Cloudinary notifies an account's ` +
          "notification URL, with the file's size, dimensions and duration in a body it signs. The webhook destroys an upload over its set's " +
          "limits, or of no set: what a script sent past the page's check does not stay."
        : `Cloudinary cannot reach this demo's webhook, ${webhook_url}, on your machine: an upload over the limits that a script sends ` +
          "past the page's check stays in your account. A backend on a public address mounts the webhook there and sets it as the " +
          "account's notification URL (Settings, Upload, Notification URL); it then destroys such uploads.";
    pollWebhook();
  },
  (err) => {
    $("mode").textContent = err.message;
  },
);
