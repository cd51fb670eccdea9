// What the browser view knows of each task: one record per task, the only place a state is read from.
// The grid's cards, the upload list and the detail dialog each ask it, so they say the same.

export const PENDING = new Set(["queued", "in_progress"]);
const SHOWN_FIRST = ["in_progress", "queued", "failed", "succeeded", "skipped"]; // a file's state, of its tasks'
const KINDS = {
  html: "HTML page", htm: "HTML page", xhtml: "HTML page", md: "Markdown", txt: "Text", pdf: "PDF document",
  png: "PNG image", jpg: "JPEG image", jpeg: "JPEG image", gif: "GIF image", webp: "WebP image",
  svg: "SVG image", tif: "TIFF image", tiff: "TIFF image", epub: "EPUB book",
  odt: "Text document", fodt: "Text document", docx: "Word document", doc: "Word document",
  odp: "Presentation", fodp: "Presentation", pptx: "Presentation", ods: "Spreadsheet", xlsx: "Spreadsheet",
};

export class TaskRecords {
  #records = new Map(); // task id -> its record as last heard, with the number of the request it came from

  get(taskId) {
    return this.#records.get(taskId);
  }

  clear() {
    this.#records.clear();
  }

  // `heard` numbers the request the record came from, as sent: an answer never overwrites a later-sent one's.
  remember(task, heard) {
    const known = this.#records.get(task.task_id);
    if (known && known.heard > heard) return;
    this.#records.set(task.task_id, { warnings: [], error: null, ...known, ...task, heard });
  }

  // A file's tasks that count: the newest of each plugin (an ingest again, forced, supersedes the one before).
  newestPerPlugin(fileId) {
    const newest = new Map();
    for (const task of this.#records.values()) {
      if (task.file_id !== fileId) continue;
      const other = newest.get(task.plugin);
      if (!other || Date.parse(task.submitted) > Date.parse(other.submitted)) newest.set(task.plugin, task);
    }
    return [...newest.values()];
  }

  fileState(fileId) {
    const states = this.newestPerPlugin(fileId).map((task) => task.status);
    return SHOWN_FIRST.find((state) => states.includes(state)) || null;
  }

  fileName(fileId) {
    const named = [...this.#records.values()].find((task) => task.file_id === fileId && task.filename);
    return named ? named.filename : fileId.slice(0, 12);
  }
}

export function kind(name) {
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return {
    label: KINDS[extension] || (extension ? `${extension.toUpperCase()} file` : "File"),
    short: extension ? extension.slice(0, 4).toUpperCase() : "FILE",
  };
}

export const words = (state) => (state || "unknown").replace("_", " ");
