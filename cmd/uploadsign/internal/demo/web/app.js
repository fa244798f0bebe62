// The browser side of a signed upload, in plain JavaScript. It never
// composes a signed field itself: it posts the payload's fields verbatim,
// with the whole file in one request, or with each chunk of a file larger
// than one chunk (the loop of the README's "Large files", with progress).
"use strict";

const $ = (id) => document.getElementById(id);

// The parameter sets this page was built for: a client names the set and
// the version it knows.
const SETS = {
  image: { param_set: "avatar", version: 1 },
  video: { param_set: "video", version: 1 },
};

// Only the latest choice may change the page. Each choice is a job, and a
// new choice abandons the job before it: its requests are aborted, and
// whatever it was waiting for changes nothing.
let current = null;

class Job {
  constructor() {
    this.controller = new AbortController(); // aborts the job's fetches
    this.xhr = null; // the upload request under way
    this.accepted = 0; // bytes of the file the upload endpoint has accepted
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
  $("status").dataset.state = state;
  $("status").textContent = text;
}

// setProgress shows a fraction of the file; the bar reaches 100 % only
// when the upload endpoint has accepted the whole file.
function setProgress(fraction, state = "") {
  $("progress").value = 100 * fraction;
  $("progress").dataset.state = state;
}

// backend calls the demo's backend and says in words what failed.
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
  if (!res.ok) throw new Error(data.error || `${path}: HTTP ${res.status}`);
  return data;
}

function postJSON(path, body, signal) {
  return backend(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

// The page's settings: where uploads go, the limits and the chunk size.
let info = null;
function getInfo() {
  info ??= backend("/api/info").catch((err) => {
    info = null; // ask again next time
    throw err;
  });
  return info;
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
        const err = new Error(answer.error ? answer.error.message : `The upload endpoint answered HTTP ${xhr.status}.`);
        err.status = xhr.status;
        err.answer = answer;
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
// onProgress gets the bytes sent so far.
async function upload(job, payload, file, chunkBytes, onProgress) {
  if (file.size <= chunkBytes) {
    const answer = await send(job, payload, file, file.name, {}, (f) => onProgress(f * file.size));
    job.accepted = file.size;
    return answer;
  }
  const id = uploadID();
  const chunks = Math.ceil(file.size / chunkBytes);
  let answer;
  for (let start = 0, n = 1; start < file.size; start += chunkBytes, n++) {
    const end = Math.min(start + chunkBytes, file.size);
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

// showUpload shows a verified upload from the URL the backend built, or,
// with none, the placeholder.
function showUpload(verified) {
  const img = $("preview");
  const video = $("preview-video");
  img.hidden = video.hidden = true;
  img.removeAttribute("src");
  if (video.hasAttribute("src")) {
    video.removeAttribute("src");
    video.load();
  }
  $("placeholder").hidden = Boolean(verified);
  $("frame").dataset.kind = verified ? (verified.resource_type === "video" ? "video" : "image") : "empty";
  if (!verified) return;
  const el = verified.resource_type === "video" ? video : img;
  el.src = verified.url;
  el.hidden = false;
}

// explain asks the backend why Cloudinary refused the signature, and lists
// the causes under the error.
async function explain(job, message, fields) {
  let items;
  try {
    const diagnosis = await postJSON("/api/explain", { error: message, fields }, job.controller.signal);
    items = diagnosis.causes;
  } catch (err) {
    items = ["No explanation: " + err.message];
  }
  if (!job.live) return;
  $("causes").replaceChildren(...items.map((c) => Object.assign(document.createElement("li"), { textContent: c })));
}

async function onFile(file) {
  if (current) current.abandon();
  const job = (current = new Job());
  showUpload(null);
  setProgress(0);
  $("causes").replaceChildren();
  $("payload").textContent = $("answer").textContent = "(none yet)";
  let payload;
  try {
    const set = SETS[file.type.startsWith("video/") ? "video" : "image"];
    setStatus("signing", `Asking the backend for a signed payload (set ${set.param_set}, version ${set.version}) …`);
    const { limits } = await getInfo();
    job.check();
    payload = await postJSON("/api/signature", set, job.controller.signal);
    job.check();
    $("payload").textContent = JSON.stringify(payload, null, 2);

    setStatus("uploading", `Uploading straight to ${payload.url} …`);
    const answer = await upload(job, payload, file, limits.chunk_bytes, (sent) => {
      if (job.live) setProgress(Math.min(0.99, sent / file.size)); // 100 % once accepted
    });
    job.check();
    $("answer").textContent = JSON.stringify(answer, null, 2);
    setProgress(1);

    // The answer's secure_url is whatever the browser says it is: show
    // nothing until the backend has verified the answer and built the URL.
    setStatus("verifying", "Asking the backend to verify Cloudinary's answer …");
    const verified = await postJSON("/api/uploaded", answer, job.controller.signal);
    job.check();
    showUpload(verified);
    setStatus("verified", `Verified by the backend: ${verified.public_id} (version ${verified.version}).`);
  } catch (err) {
    if (!job.live) return; // an abandoned upload changes nothing
    showUpload(null);
    // The bar shows what the upload endpoint accepted: nothing for a
    // refused upload, the chunks before the refused one.
    setProgress(file.size > 0 ? job.accepted / file.size : 0, "error");
    if (err.answer) $("answer").textContent = JSON.stringify(err.answer, null, 2);
    setStatus("error", err.message);
    if (err.status === 401 && payload) await explain(job, err.message, payload.fields);
  }
}

$("file").addEventListener("change", (e) => {
  const file = e.target.files[0];
  e.target.value = ""; // so that choosing the same file again uploads it again
  if (file) onFile(file);
});

const bytes = (n) => `${n.toLocaleString("en-US")} bytes`;
const megabytes = (n) => `${+(n / 2 ** 20).toFixed(2)} MB`;

getInfo().then(
  ({ mode, upload_url, demo_secret, limits }) => {
    $("mode").textContent =
      mode === "fake"
        ? `No CLOUDINARY_URL is set, so uploads go to a fake Cloudinary upload endpoint served by the demo (${upload_url}) ` +
          `that checks signatures like the real one. ` +
          (demo_secret
            ? `It uses a random demo secret for this run only: ${demo_secret}`
            : "Its random secret for this run is shown only on the machine the demo runs on.")
        : `Uploads go to your Cloudinary account: ${upload_url}`;
    $("limits").textContent =
      `Cloudinary takes at most ${megabytes(limits.max_request_bytes)} (${bytes(limits.max_request_bytes)}) in one request. ` +
      `This page sends a file larger than ${bytes(limits.chunk_bytes)} in chunks of that size, one after the other; ` +
      `every chunk but the last must hold at least ${megabytes(limits.min_chunk_bytes)} (${bytes(limits.min_chunk_bytes)}).`;
  },
  (err) => {
    $("mode").textContent = err.message;
  },
);
