// The browser view: a grid of the newest files, drawn from the API called with the token pasted into this tab.
// Names, reasons and warnings come from strangers' files: they are only ever set as text, never as HTML.
//
// One record per task (`tasks`, records.js) is what every part of the page shows a state from: the grid's
// cards, the upload list and the detail dialog are drawn from it by one function (`draw`), so they agree.

import { PENDING, TaskRecords, kind, words } from "./records.js";

const TOKEN_KEY = "proxyservice.token";
const REFRESH_MS = 2000;
const SEARCH_PAUSE_MS = 300;
const UPLOADS_AT_ONCE = 3; // of the browser's six connections to a host: the rest for the listing and pictures
const LISTED = "60"; // a grid of 2, 3, 4, 5 or 6 columns, full

const body = document.body;
const urls = {
  tasks: body.dataset.tasksUrl,
  ingest: body.dataset.ingestUrl,
  proxies: (fileId) => body.dataset.proxiesUrl.replace("FILE_ID", encodeURIComponent(fileId)),
  status: (taskId) => body.dataset.statusUrl.replace("TASK_ID", encodeURIComponent(taskId)),
  file: (fileId) => body.dataset.fileUrl.replace("FILE_ID", encodeURIComponent(fileId)),
};
const $ = (id) => document.getElementById(id);

const tasks = new TaskRecords();
const proxies = new Map(); // file id -> { key: its succeeded tasks when asked, list: its proxies | null }
const uploads = []; // { file, line, state: waiting|sending|sent|refused, sent: 0..1, fileId, taskIds, said }
let listed = []; // file ids of the newest listing, in its order
let listedHeard = 0; // the number of the request that listing answered
let asked = 0; // requests numbered as sent: an answer never overwrites what a later-sent one said
let shown = null; // the file id the detail dialog shows
const drawnAs = new WeakMap(); // a list of the dialog -> the HTML it was last drawn with
let refreshing = null;

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function call(url, options = {}) {
  const answer = await fetch(url, {
    ...options,
    headers: { ...(options.headers || {}), Authorization: `Bearer ${token()}` },
  });
  let data = null;
  try {
    data = await answer.json();
  } catch {
    data = null;
  }
  if (!answer.ok) {
    throw new ApiError(answer.status, (data && data.message) || `${answer.status} ${answer.statusText}`);
  }
  return { data, answer };
}

function say(text) {
  const message = $("message");
  message.textContent = text || "";
  message.hidden = !text;
}

function sayRefused(error) {
  say(error.status === 401 || error.status === 403
    ? `The token was not accepted: ${error.message}`
    : `The service did not answer: ${error.message}`);
}

function showToken() {
  const held = Boolean(token());
  $("token-state").textContent = held ? "Token kept for this tab." : "No token: paste one to see the files.";
  $("forget-token").hidden = !held;
  for (const asking of ["token", "use-token", "token-label"]) $(asking).hidden = held;
  $("token").value = "";
}

// Asking the service.

function query() {
  const search = new URLSearchParams({ limit: LISTED });
  const name = $("name").value.trim();
  const state = $("state").value;
  if (name) search.set("name", name);
  if (state) search.set("state", state);
  return search;
}

async function refresh() {
  if (!token()) return;
  try {
    const search = query();
    const heard = ++asked;
    const { data } = await call(`${urls.tasks}?${search}`);
    if (search.toString() !== query().toString()) return; // the search changed meanwhile: its own answer follows
    data.tasks.forEach((task) => tasks.remember(task, heard));
    if (heard > listedHeard) {
      listed = [...new Set(data.tasks.map((task) => task.file_id))];
      listedHeard = heard;
    }
    // An upload's tasks the search leaves out are followed one by one, for the upload list.
    const seen = new Set(data.tasks.map((task) => task.task_id));
    const followed = uploads.flatMap((upload) => upload.taskIds || [])
      .filter((taskId) => !seen.has(taskId) && PENDING.has(tasks.get(taskId)?.status));
    await Promise.all(followed.map(follow));
    say("");
  } catch (error) {
    sayRefused(error);
  }
  draw();
}

async function follow(taskId) {
  const heard = ++asked;
  try {
    const { data, answer } = await call(urls.status(taskId));
    if (answer.redirected) { // 303 to the file's proxies: it succeeded
      tasks.remember({ task_id: taskId, status: "succeeded", proxies_url: new URL(answer.url).pathname }, heard);
    } else {
      tasks.remember(data, heard);
    }
  } catch {
    // asked again at the next refresh
  }
}

async function loadProxies(fileId, force = false) {
  const key = tasks.newestPerPlugin(fileId).filter((task) => task.status === "succeeded")
    .map((task) => task.task_id).sort().join(" ");
  const known = proxies.get(fileId);
  if (!key || (known && known.key === key && !force)) return;
  proxies.set(fileId, { key, list: known ? known.list : null });
  try {
    const { data } = await call(urls.proxies(fileId));
    proxies.set(fileId, { key, list: data.proxies });
  } catch {
    proxies.delete(fileId); // asked again at the next drawing
  }
  draw();
}

// A file's metadata, by namespace (GET /files/<id>): asked when its detail opens, and again once a task of it ends.
const metadata = new Map(); // file id -> { key, fields }

async function loadMetadata(fileId, force = false) {
  const key = tasks.newestPerPlugin(fileId).filter((task) => task.status !== "queued" && task.status !== "in_progress")
    .map((task) => `${task.task_id}:${task.status}`).sort().join(" ");
  const known = metadata.get(fileId);
  if (known && known.key === key && !force) return;
  metadata.set(fileId, { key, fields: known ? known.fields : null });
  try {
    const { data } = await call(urls.file(fileId));
    metadata.set(fileId, { key, fields: data.metadata });
  } catch {
    return; // asked again when the detail opens again, or a task of the file ends (not at every drawing)
  }
  if (shown === fileId) drawDetail(fileId);
}

function metadataSection(namespace, fields) {
  const section = document.createElement("section");
  section.className = "namespace";
  const title = document.createElement("h4");
  title.textContent = namespace;
  const list = document.createElement("dl");
  for (const [field, value] of Object.entries(fields)) {
    const term = document.createElement("dt");
    term.textContent = field;
    const shownValue = document.createElement("dd");
    shownValue.textContent = Array.isArray(value) ? value.join(", ") : String(value);
    list.append(term, shownValue);
  }
  section.append(title, list);
  return section;
}

function previewOf(fileId) {
  const list = proxies.get(fileId)?.list || [];
  // The proxy as made; copies in modern formats (made_from) are what its link serves this browser anyway.
  const pictures = list.filter((proxy) => proxy.mimetype.startsWith("image/") && !proxy.made_from);
  return pictures.find((proxy) => proxy.typeidentifier === "preview") || pictures[0] || null;
}

// Drawing: everything from the records above.

function draw() {
  drawGrid();
  uploads.forEach(drawUpload);
  if (shown) drawDetail(shown);
  guardLeaving();
}

function drawGrid() {
  const grid = $("files");
  const wanted = listed.map((fileId) => {
    let card = grid.querySelector(`li[data-file-id="${fileId}"]`); // ids are hex: safe in a selector
    if (!card) {
      card = $("file-card").content.firstElementChild.cloneNode(true);
      card.dataset.fileId = fileId;
      card.querySelector(".card").addEventListener("click", () => openDetail(fileId));
    }
    drawCard(card, fileId);
    return card;
  });
  // Moved one by one, only where the order changed: a card moved loses the keyboard's focus.
  wanted.forEach((card, index) => {
    if (grid.children[index] !== card) grid.insertBefore(card, grid.children[index] || null);
  });
  while (grid.children.length > wanted.length) grid.lastElementChild.remove();
  $("no-files").hidden = !token() || listed.length > 0;
}

function drawCard(card, fileId) {
  const name = tasks.fileName(fileId);
  const state = tasks.fileState(fileId);
  const { label, short } = kind(name);
  card.dataset.state = state || "";
  card.querySelector(".name").textContent = name;
  card.querySelector(".name").title = name;
  card.querySelector(".type").textContent = label;
  card.querySelector(".kind").textContent = short;
  card.querySelector(".state").textContent = words(state);
  const failed = tasks.newestPerPlugin(fileId).find((task) => task.error);
  card.querySelector(".reason").textContent = failed ? failed.error : "";
  if (state === "succeeded" || proxies.has(fileId)) loadProxies(fileId);
  const picture = previewOf(fileId);
  const image = card.querySelector("img");
  if (picture && image.getAttribute("src") !== picture.signed_url) {
    image.alt = `Preview of ${name}`;
    image.src = picture.signed_url;
    image.hidden = false;
  }
  card.classList.toggle("pictured", Boolean(picture));
}

function drawUpload(upload) {
  const { line } = upload;
  let state = upload.state;
  let said = upload.said;
  if (upload.state === "waiting") said = "waiting";
  if (upload.state === "sending") said = `sending ${Math.floor(upload.sent * 100)}%`;
  if (upload.state === "sent") {
    state = tasks.fileState(upload.fileId) || "succeeded"; // a 303: every preview was made before
    said = words(state);
  }
  line.dataset.state = state;
  line.querySelector(".said").textContent = said;
  const bar = line.querySelector("progress");
  bar.value = upload.state === "waiting" ? 0 : upload.state === "sending" ? upload.sent : 1;
  bar.setAttribute("aria-label", `${upload.name}: ${said}`);
  $("clear-uploads").hidden = !uploads.some(finished);
  line.querySelector(".name").disabled = !upload.fileId;
}

function openDetail(fileId) {
  shown = fileId;
  drawDetail(fileId);
  loadProxies(fileId, true); // its signed links afresh, and any proxy made since
  loadMetadata(fileId, true);
  if (!$("detail").open) $("detail").showModal();
}

function drawDetail(fileId) {
  const name = tasks.fileName(fileId);
  const state = tasks.fileState(fileId);
  $("detail").dataset.state = state;
  $("detail-name").textContent = name;
  $("detail-summary").textContent = `${kind(name).label} · ${words(state)} · file ${fileId.slice(0, 12)}`;
  const picture = previewOf(fileId);
  const link = $("detail-open");
  const image = $("detail-image");
  link.hidden = !picture;
  if (picture && image.getAttribute("src") !== picture.signed_url) {
    image.alt = `Preview of ${name}, ${picture.width} × ${picture.height}`;
    image.src = picture.signed_url;
    link.href = picture.signed_url; // the picture at its own size, in a new tab, token-free
  }
  // Drawn again only when changed: a line drawn again loses the keyboard's focus, and its picture flickers.
  const list = proxies.get(fileId)?.list || [];
  redraw($("detail-proxies"), list.map((proxy) => proxyLine(proxy, name)));
  $("detail-no-proxies").hidden = list.length > 0;
  redraw($("detail-tasks"), tasks.newestPerPlugin(fileId).map(taskLine));
  const fields = metadata.get(fileId)?.fields || {};
  // The file's own facts first, then each plugin's namespace.
  const namespaces = Object.keys(fields).sort((a, b) => (a === "file" ? -1 : b === "file" ? 1 : a.localeCompare(b)));
  redraw($("detail-metadata"), namespaces.map((namespace) => metadataSection(namespace, fields[namespace])));
  $("detail-no-metadata").hidden = namespaces.length > 0;
  if (shown === fileId) loadMetadata(fileId); // asks only when a task ended since
}

function redraw(list, lines) {
  const drawn = lines.map((line) => line.outerHTML).join("");
  if (drawnAs.get(list) !== drawn) {
    list.replaceChildren(...lines);
    drawnAs.set(list, drawn);
  }
}

function proxyLine(proxy, name) {
  const line = $("proxy-line").content.firstElementChild.cloneNode(true);
  const link = line.querySelector("a");
  link.href = proxy.signed_url;
  const image = line.querySelector("img");
  if (proxy.mimetype.startsWith("image/")) {
    image.src = proxy.signed_url;
    image.alt = `${proxy.typeidentifier} of ${name}`;
  } else {
    image.remove();
    link.textContent = "open";
  }
  line.querySelector(".type").textContent = proxy.typeidentifier;
  line.querySelector(".mimetype").textContent = proxy.made_from ? `${proxy.mimetype}, a copy` : proxy.mimetype;
  const size = proxy.width ? `${proxy.width} × ${proxy.height} px, ` : "";
  line.querySelector(".size").textContent = `${size}${bytes(proxy.bytes)}`;
  return line;
}

function taskLine(task) {
  const line = document.createElement("li");
  line.dataset.state = task.status;
  const head = document.createElement("span");
  head.className = "task-head";
  const finished = task.finished ? `, finished ${new Date(task.finished).toLocaleString()}` : "";
  head.textContent = `${task.plugin}: ${words(task.status)}${finished}`;
  line.append(head);
  const notes = [...(task.error ? [task.error] : []), ...task.warnings];
  if (notes.length) {
    const list = document.createElement("ul");
    list.className = task.error ? "reasons" : "warnings";
    list.setAttribute("aria-label", task.error ? "Why it failed" : "Warnings");
    for (const note of notes) {
      const item = document.createElement("li");
      item.textContent = note;
      list.append(item);
    }
    line.append(list);
  }
  return line;
}

function bytes(count) {
  if (count < 1024) return `${count} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KB`;
  return `${(count / 1024 / 1024).toFixed(1)} MB`;
}

// Uploading, a few at a time.

// A file is sent alone; a folder's files together, each under its path in the folder, so that a page is drawn
// with its stylesheets and images (the service draws its index.html, or its only page).
function upload(files, folders = []) {
  if (!token()) {
    say("Paste a token first: uploading needs one with proxy:create.");
    return;
  }
  const items = [...files.map((file) => ({ file, name: file.name, parts: [[file, file.name]] })),
                 ...folders.map((folder) => ({ file: null, name: `${folder.name}/ (${folder.parts.length} files)`,
                                               parts: folder.parts }))];
  for (const item of items) {
    const line = $("upload-line").content.firstElementChild.cloneNode(true);
    const entry = { ...item, line, state: "waiting", sent: 0, fileId: null, taskIds: null, said: "" };
    line.querySelector(".name").textContent = item.name;
    line.querySelector(".name").addEventListener("click", () => entry.fileId && openDetail(entry.fileId));
    $("uploads").prepend(line);
    uploads.push(entry);
    drawUpload(entry);
  }
  pump();
}

function pump() {
  let sending = uploads.filter((entry) => entry.state === "sending").length;
  for (const entry of uploads) {
    if (sending >= UPLOADS_AT_ONCE) break;
    if (entry.state !== "waiting") continue;
    send(entry);
    sending += 1;
  }
  guardLeaving();
}

function send(entry) {
  entry.state = "sending";
  const form = new FormData();
  for (const [file, path] of entry.parts) form.append("file", file, path);
  const request = new XMLHttpRequest();
  request.open("POST", urls.ingest);
  request.setRequestHeader("Authorization", `Bearer ${token()}`);
  request.responseType = "json";
  request.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    entry.sent = event.loaded / event.total;
    drawUpload(entry);
  });
  request.addEventListener("load", () => {
    const data = request.response;
    if (request.status >= 200 && request.status < 300 && data) {
      // A 303 (every preview was made before) is followed to the file's proxies: nothing was queued.
      const heard = ++asked;
      entry.fileId = data.file_id;
      entry.taskIds = (data.tasks || []).map((task) => task.task_id);
      const now = new Date().toISOString(); // until the listing says when the service took it
      for (const task of data.tasks || []) {
        const known = tasks.get(task.task_id);
        tasks.remember({ ...task, file_id: data.file_id, filename: data.filename,
                   submitted: known ? known.submitted : now }, heard);
      }
      if (!data.tasks) proxies.set(data.file_id, { key: null, list: data.proxies });
      entry.state = "sent";
    } else {
      entry.state = "refused";
      entry.said = `refused (${request.status}): ${(data && data.message) || request.statusText}`;
    }
  });
  request.addEventListener("error", () => {
    entry.state = "refused";
    entry.said = "not sent: the service did not answer";
  });
  request.addEventListener("loadend", () => {
    drawUpload(entry);
    pump();
    refresh();
  });
  drawUpload(entry);
  request.send(form);
}

function warnBeforeLeaving(event) {
  event.preventDefault();
  event.returnValue = ""; // Chromium shows its own words: "Leave site? Changes you made may not be saved."
}

function finished(upload) {
  return upload.state === "refused" || (upload.state === "sent" && !PENDING.has(tasks.fileState(upload.fileId)));
}

function guardLeaving() {
  const running = uploads.filter((entry) => entry.state === "waiting" || entry.state === "sending").length;
  window.onbeforeunload = running ? warnBeforeLeaving : null;
  $("drop").classList.toggle("busy", running > 0);
}

function schedule() {
  clearTimeout(refreshing);
  refreshing = setTimeout(async () => {
    if (!document.hidden) await refresh();
    schedule();
  }, REFRESH_MS);
}

// Wiring.

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const pasted = $("token").value.trim().replace(/^Bearer\s+/i, "");
  if (pasted) sessionStorage.setItem(TOKEN_KEY, pasted);
  showToken();
  refresh();
});
$("forget-token").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  tasks.clear();
  proxies.clear();
  listed = [];
  listedHeard = asked;
  showToken();
  draw();
});

let typing = null;
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?${new URLSearchParams(new FormData($("search")))}`);
  refresh();
});
$("name").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => $("search").requestSubmit(), SEARCH_PAUSE_MS);
});
$("state").addEventListener("change", () => $("search").requestSubmit());

// Files may be dropped anywhere on the page; the drop zone shows where.
const drop = $("drop");
document.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
document.addEventListener("dragleave", (event) => {
  if (!event.relatedTarget) drop.classList.remove("over"); // left the window
});
document.addEventListener("drop", async (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry());
  if (!entries.some((entry) => entry && entry.isDirectory)) {
    upload([...event.dataTransfer.files]);
    return;
  }
  const files = [];
  const folders = [];
  for (const entry of entries.filter(Boolean)) {
    if (entry.isDirectory) folders.push({ name: entry.name, parts: await folderFiles(entry, "") });
    else files.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
  }
  upload(files, folders);
});

// Every file under a dropped folder, with its path in it (readEntries answers in batches until it answers none).
async function folderFiles(folder, prefix) {
  const reader = folder.createReader();
  const found = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return found;
    for (const entry of batch) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory) found.push(...(await folderFiles(entry, `${path}/`)));
      else found.push([await new Promise((resolve, reject) => entry.file(resolve, reject)), path]);
    }
  }
}

// A folder chosen with the folder picker: its files, each under its path in it.
function chosenFolders(files) {
  const byFolder = new Map();
  for (const file of files) {
    const [top, ...rest] = file.webkitRelativePath.split("/");
    if (!byFolder.has(top)) byFolder.set(top, []);
    byFolder.get(top).push([file, rest.join("/")]);
  }
  return [...byFolder].map(([name, parts]) => ({ name, parts }));
}
$("clear-uploads").addEventListener("click", () => {
  for (const upload of uploads.filter(finished)) {
    upload.line.remove();
    uploads.splice(uploads.indexOf(upload), 1);
  }
  $("clear-uploads").hidden = true;
});
$("file-input").addEventListener("change", (event) => {
  upload([...event.target.files]);
  event.target.value = "";
});
$("folder-input").addEventListener("change", (event) => {
  upload([], chosenFolders([...event.target.files]));
  event.target.value = "";
});

const detail = $("detail");
$("detail-close").addEventListener("click", () => detail.close());
detail.addEventListener("click", (event) => {
  if (event.target === detail) detail.close(); // a click on the backdrop: the sheet fills the dialog
});
detail.addEventListener("close", () => {
  shown = null;
});

showToken();
refresh();
schedule();
