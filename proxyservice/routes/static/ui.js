// The browser view: the API, called with the token pasted into this tab.
// Names and reasons come from strangers' files: they are only ever set as text (textContent), never as HTML.

const TOKEN_KEY = "proxyservice.token";
const REFRESH_MS = 2000;
const SEARCH_PAUSE_MS = 300;

const body = document.body;
const urls = {
  tasks: body.dataset.tasksUrl,
  ingest: body.dataset.ingestUrl,
  proxies: (fileId) => body.dataset.proxiesUrl.replace("FILE_ID", encodeURIComponent(fileId)),
};
const $ = (id) => document.getElementById(id);
const previews = new Map(); // file id -> the URL of its preview image, once it has one
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

async function api(url, options = {}) {
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
  return data;
}

function say(text) {
  const message = $("message");
  message.textContent = text || "";
  message.hidden = !text;
}

function showToken() {
  const held = Boolean(token());
  $("token-state").textContent = held ? "Token kept for this tab." : "No token: paste one to see the tasks.";
  $("forget-token").hidden = !held;
  $("token").value = "";
}

function query() {
  const search = new URLSearchParams({ limit: "50" });
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
    const { tasks } = await api(`${urls.tasks}?${search}`);
    if (search.toString() !== query().toString()) return; // the search changed meanwhile: its own answer follows
    render(tasks);
    say("");
  } catch (error) {
    say(error.status === 401 || error.status === 403
      ? `The token was not accepted: ${error.message}`
      : `The service did not answer: ${error.message}`);
  }
}

function render(tasks) {
  const rows = $("task-rows");
  const existing = new Map([...rows.children].map((row) => [row.dataset.taskId, row]));
  const ordered = tasks.map((task) => {
    const row = existing.get(task.task_id) || newRow(task.task_id);
    fill(row, task);
    return row;
  });
  rows.replaceChildren(...ordered);
  $("no-tasks").hidden = tasks.length > 0;
}

function newRow(taskId) {
  const row = $("task-row").content.firstElementChild.cloneNode(true);
  row.dataset.taskId = taskId;
  return row;
}

function fill(row, task) {
  const cell = (name) => row.querySelector(`.${name}`);
  row.dataset.state = task.status;
  row.dataset.fileId = task.file_id;
  cell("filename").textContent = task.filename || task.file_id.slice(0, 12);
  cell("plugin").textContent = task.plugin;
  cell("state").textContent = task.status.replace("_", " ");
  cell("submitted").textContent = new Date(task.submitted).toLocaleString();
  cell("reason").textContent = task.error || "";
  if (task.status === "succeeded") showPreview(row, task);
}

async function showPreview(row, task) {
  const link = row.querySelector(".preview a");
  const image = link.querySelector("img");
  if (!previews.has(task.file_id)) {
    previews.set(task.file_id, null);
    try {
      const { proxies } = await api(urls.proxies(task.file_id));
      // The proxy as made; copies in modern formats (made_from) are what its link serves this browser anyway.
      const picture = proxies.find((proxy) => proxy.mimetype.startsWith("image/") && !proxy.made_from);
      previews.set(task.file_id, picture ? picture.signed_url : null);
    } catch {
      previews.delete(task.file_id); // tried again at the next refresh
    }
  }
  const source = previews.get(task.file_id);
  if (source && image.getAttribute("src") !== source) {
    image.alt = `Preview of ${task.filename || task.file_id}`;
    image.src = source;
    link.href = source; // the picture at its own size, in a new tab
    link.hidden = false;
  }
}

async function upload(files) {
  if (!token()) {
    say("Paste a token first: uploading needs one with proxy:create.");
    return;
  }
  for (const file of files) {
    const line = document.createElement("li");
    line.textContent = `${file.name}: sending…`;
    $("uploads").prepend(line);
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const result = await api(urls.ingest, { method: "POST", body: form });
      // A 303 (every preview was made before) is followed to the file's proxies: nothing was queued.
      const said = result.tasks
        ? result.tasks.map((task) => task.error || task.status.replace("_", " ")).join(", ")
        : "unchanged, its previews were made before";
      line.textContent = `${file.name}: ${said}`;
    } catch (error) {
      line.textContent = `${file.name}: refused (${error.status}): ${error.message}`;
      line.className = "refused";
    }
  }
  refresh();
}

function schedule() {
  clearTimeout(refreshing);
  refreshing = setTimeout(async () => {
    if (!document.hidden) await refresh();
    schedule();
  }, REFRESH_MS);
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const pasted = $("token").value.trim().replace(/^Bearer\s+/i, "");
  if (pasted) sessionStorage.setItem(TOKEN_KEY, pasted);
  showToken();
  refresh();
});
$("forget-token").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  previews.clear();
  $("task-rows").replaceChildren();
  showToken();
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

const drop = $("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  upload([...event.dataTransfer.files]);
});
$("file-input").addEventListener("change", (event) => {
  upload([...event.target.files]);
  event.target.value = "";
});

showToken();
refresh();
schedule();
