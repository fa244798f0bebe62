// The browser side of a signed upload, in plain JavaScript. It never
// composes a signed field itself: it posts the payload's fields verbatim.
"use strict";

const $ = (id) => document.getElementById(id);

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

async function postJSON(url, body) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

// upload posts the payload's fields and the file to payload.url, reporting
// progress; XMLHttpRequest because fetch cannot report upload progress.
function upload(payload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(payload.fields)) form.append(name, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", payload.url);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress((100 * e.loaded) / e.total);
    xhr.onload = () => {
      let answer;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {
        return reject(new Error(`upload failed: HTTP ${xhr.status}`));
      }
      $("answer").textContent = JSON.stringify(answer, null, 2);
      if (xhr.status !== 200) {
        const err = new Error(answer.error ? answer.error.message : `HTTP ${xhr.status}`);
        err.status = xhr.status;
        return reject(err);
      }
      resolve(answer);
    };
    xhr.onerror = () => reject(new Error("upload failed: network error"));
    xhr.send(form);
  });
}

// explain asks the backend why Cloudinary refused the signature, and lists
// the causes under the error.
async function explain(message, fields) {
  try {
    const diagnosis = await postJSON("/api/explain", { error: message, fields });
    $("causes").replaceChildren(...diagnosis.causes.map((c) => Object.assign(document.createElement("li"), { textContent: c })));
  } catch (err) {
    $("causes").replaceChildren(Object.assign(document.createElement("li"), { textContent: "No explanation: " + err.message }));
  }
}

async function onFile(file) {
  $("progress").value = 0;
  $("causes").replaceChildren();
  let payload;
  try {
    setStatus("signing", "Asking the backend for a signed payload…");
    payload = await postJSON("/api/signature", { param_set: "avatar", version: 1 });
    $("payload").textContent = JSON.stringify(payload, null, 2);

    setStatus("uploading", "Uploading straight to " + payload.url + " …");
    const answer = await upload(payload, file, (pct) => ($("progress").value = pct));
    $("progress").value = 100;

    // The answer's secure_url is whatever the browser says it is: show
    // nothing until the backend has verified the answer and built the URL.
    setStatus("verifying", "Asking the backend to verify Cloudinary's answer…");
    const verified = await postJSON("/api/uploaded", answer);
    $("preview").src = verified.url;
    setStatus("verified", `Verified by the backend: ${verified.public_id} (version ${verified.version}).`);
  } catch (err) {
    $("preview").removeAttribute("src");
    setStatus("error", err.message);
    if (err.status === 401 && payload) await explain(err.message, payload.fields);
  }
}

$("file").addEventListener("change", (e) => {
  if (e.target.files.length > 0) onFile(e.target.files[0]);
});

fetch("/api/info")
  .then((res) => res.json())
  .then((info) => {
    $("mode").textContent =
      info.mode === "fake"
        ? `No CLOUDINARY_URL is set, so uploads go to a fake Cloudinary upload endpoint (${info.upload_url}) ` +
          `that checks signatures like the real one. It uses a random demo secret for this run only: ${info.demo_secret}`
        : `Uploads go to your Cloudinary account: ${info.upload_url}`;
  });
