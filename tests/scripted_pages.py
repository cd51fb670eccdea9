"""Pages built by their own scripts from data inside the file, as a single-file wiki (TiddlyWiki) is."""

import json
from pathlib import Path

WIKI_TITLE = "Field notes"
"""The heading the wiki's script draws at the top of its first screen."""
BOOT_ES5 = """
(function () {
  var store = JSON.parse(document.getElementById("store").textContent);
  var byTitle = {};
  for (var i = 0; i < store.length; i++) { byTitle[store[i].title] = store[i]; }
  var shown = byTitle["$:/DefaultTiddlers"].text.split(" ");
  var html = "<h1 style='color:#1f4e8c;font-size:42px'>" + byTitle["$:/SiteTitle"].text + "</h1>";
  for (var j = 0; j < shown.length; j++) {
    var tiddler = byTitle[shown[j]];
    html += "<h2>" + tiddler.title + "</h2><p>" + tiddler.text + "</p>";
  }
  document.getElementById("story").innerHTML = html;
})();
"""
BOOT_MODERN = """
const store = JSON.parse(document.getElementById("store").textContent);
const byTitle = new Map(store.map((tiddler) => [tiddler.title, tiddler]));
const shown = byTitle.get("$:/DefaultTiddlers").text.split(" ");
document.getElementById("story").innerHTML = `<h1 style="color:#1f4e8c;font-size:42px">${byTitle.get("$:/SiteTitle").text}</h1>`
  + shown.map((title) => `<h2>${title}</h2><p>${byTitle.get(title).text}</p>`).join("");
"""
"""The same boot script in modern JavaScript (const, arrow functions, template strings): QtWebKit cannot run it."""


def single_file_wiki(path: Path, size: int = 1_280_000, modern: bool = False) -> Path:
    """Write a single-file wiki of about ``size`` bytes: an empty story, its tiddlers as one JSON store, then
    the boot script that draws the story from the store (as TiddlyWiki 5 lays its file out)."""
    tiddlers = [{"title": "$:/SiteTitle", "text": WIKI_TITLE},
                {"title": "$:/DefaultTiddlers", "text": "Welcome Plans"},
                {"title": "Welcome", "text": "These notes are drawn by the page's own script from its store."},
                {"title": "Plans", "text": "Walk the ridge; count the birds; write it down."}]
    filler = "lorem ipsum dolor sit amet " * 20
    number = 0
    while len(json.dumps(tiddlers)) < size - 4000:
        tiddlers.append({"title": f"Note {number}", "text": f"{number}: {filler}"})
        number += 1
    store = json.dumps(tiddlers).replace("</", "<\\/")
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>" + WIKI_TITLE + "</title>"
        "<style>body { font: 16px sans-serif; margin: 24px; }</style></head><body>"
        "<noscript>This wiki needs JavaScript.</noscript><div id='story'></div>"
        f"<script id='store' type='application/json'>{store}</script>"
        f"<script id='boot'>{BOOT_MODERN if modern else BOOT_ES5}</script></body></html>",
        encoding="utf-8")
    return path
