"""What wkhtmltoimage's QtWebKit lays out otherwise than Chromium, made as Chromium makes it (issue 20).

Chromium is the ground truth of ``make quality``. Three differences moved whole
pages there (Python's documentation: the document is a flex box kept clear of
a search box floating under the navigation bar, so a few pixels in that bar
reflowed all its text):

- a text field without a width of the page's is ``size`` (20) characters wide
  in both, counted otherwise: QtWebKit's was 123 px where Chromium's is 159;
- QtWebKit draws text of a fractional size (14.4 px: ``0.9em`` of 16) at the
  nearest whole size, so its lines were up to 3 % shorter and wrapped elsewhere;
- QtWebKit has no CSS grid, which Sphinx's field lists ("Author: ...") use.

The script runs in a ``resize`` listener: wkhtmltoimage runs ``--run-script``
while the window is 0 px wide, then sets its size, which fires ``resize`` once,
synchronously, before the picture is taken.
"""

import json

FIELD_FONTS = {
    # A shipped font (config/fonts): Chromium's content width of a field of N characters is
    # about (N × average + extra) em, measured at 100 px (the OS/2 average character width,
    # and the widest character's excess, as Chromium counts them); and the width of its "0".
    "Liberation Sans": (0.58, 1.27, 0.5562),
    "Liberation Serif": (0.55, 1.27, 0.5),
    "Liberation Mono": (0.6005, 0.6195, 0.6001),
    "DejaVu Sans": (0.51, 2.30, 0.6362),
    "DejaVu Serif": (0.5132, 2.3668, 0.6362),
    "DejaVu Sans Mono": (0.6021, 0.6779, 0.6021),
    "Noto Sans": (0.58, 2.84, 0.572),
    "Noto Serif": (0.60, 2.89, 0.559),
}
"""Measured in Debian's Chromium with the fonts this service ships and pins."""

FONT_NAMES = {
    "liberation sans": "Liberation Sans", "arial": "Liberation Sans", "helvetica": "Liberation Sans",
    "helvetica neue": "Liberation Sans", "arimo": "Liberation Sans", "sans-serif": "Liberation Sans",
    "liberation serif": "Liberation Serif", "times new roman": "Liberation Serif", "times": "Liberation Serif",
    "tinos": "Liberation Serif", "serif": "Liberation Serif",
    "liberation mono": "Liberation Mono", "courier new": "Liberation Mono", "courier": "Liberation Mono",
    "cousine": "Liberation Mono", "monospace": "Liberation Mono",
    "dejavu sans": "DejaVu Sans", "verdana": "DejaVu Sans", "tahoma": "DejaVu Sans", "geneva": "DejaVu Sans",
    "lucida grande": "DejaVu Sans", "lucida sans unicode": "DejaVu Sans", "trebuchet ms": "DejaVu Sans",
    "dejavu serif": "DejaVu Serif",
    "dejavu sans mono": "DejaVu Sans Mono", "consolas": "DejaVu Sans Mono", "menlo": "DejaVu Sans Mono",
    "monaco": "DejaVu Sans Mono", "lucida console": "DejaVu Sans Mono", "sfmono-regular": "DejaVu Sans Mono",
    "noto sans": "Noto Sans", "segoe ui": "Noto Sans", "roboto": "Noto Sans", "open sans": "Noto Sans",
    "ubuntu": "Noto Sans", "cantarell": "Noto Sans", "system-ui": "Noto Sans", "-apple-system": "Noto Sans",
    "blinkmacsystemfont": "Noto Sans",
    "noto serif": "Noto Serif", "georgia": "Noto Serif", "cambria": "Noto Serif",
}
"""Each name a page may ask for, lower-cased, and the shipped font it is drawn in (config/fonts' aliases)."""

COUNTED_BY_ZERO = ("helvetica", "times", "courier", "geneva", "monaco", "lucida grande")
"""Where the page's first font is one of these, Chromium counts a field's characters as its font's "0", without
the extra (fonts of macOS whose average width it distrusts)."""

FIELD_WIDTHS = """
var fieldFont = function (style) {
  var names = style.fontFamily.split(','), first = names[0].replace(/['"]/g, '').trim().toLowerCase();
  for (var i = 0; i < names.length; i++) {
    var font = FONT_NAMES[names[i].replace(/['"]/g, '').trim().toLowerCase()];
    if (font) { return {font: font, byZero: COUNTED_BY_ZERO.indexOf(first) >= 0}; }
  }
  return null;
};
var probe = document.createElement('div'); probe.style.font = '7px serif';
probe.appendChild(document.createElement('input')); document.body.appendChild(probe);
var fontOf = function (style) { return style.fontFamily + ' ' + style.fontSize; };
var engineFont = fontOf(getComputedStyle(probe.firstChild));
document.body.removeChild(probe);
Array.prototype.slice.call(document.getElementsByTagName('input')).forEach(function (field) {
  var type = (field.getAttribute('type') || 'text').toLowerCase();
  if (['text', 'search', 'password', 'email', 'url', 'tel'].indexOf(type) < 0) { return; }
  var shown = field.style.display; field.style.display = 'none';
  var own = getComputedStyle(field).width; field.style.display = shown;
  if (own !== 'auto') { return; }
  var style = getComputedStyle(field);
  if (fontOf(style) === engineFont) {
    // QtWebKit's own font for fields (its system font); Chromium's is 13.333 px Arial.
    field.style.font = '13.333px Arial'; style = getComputedStyle(field);
  }
  var found = fieldFont(style), size = parseFloat(style.fontSize);
  if (!found) { return; }
  var metrics = FIELD_FONTS[found.font], chars = field.size > 0 ? field.size : 20;
  var width = Math.ceil(size * (found.byZero ? chars * metrics[2] : chars * metrics[0] + metrics[1]));
  if (style.boxSizing === 'border-box') {
    ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth'].forEach(function (side) {
      width += parseFloat(style[side]) || 0; });
  }
  field.style.width = width + 'px';
});
"""
"""A text field without a width of the page's gets Chromium's: ``size`` (or 20) characters of its font as Chromium
counts them, plus its padding and border. Its width is read while it is not displayed, where it is the page's own
(``auto`` when the page gives none). One in QtWebKit's own font gets Chromium's (13.333 px Arial) as well."""

FRACTIONAL_FONT_SIZES = """
var sample = 'The quick brown fox jumps over the lazy dog, said the documentation of it.';
var ruler = document.createElement('span'); ruler.textContent = sample;
ruler.style.whiteSpace = 'pre'; ruler.style.position = 'absolute'; ruler.style.visibility = 'hidden';
var perCharacter = {}, spacing = [], shown = 2 * window.innerHeight;
var spaced = function (style, size, whole) {
  var key = style.fontFamily + '|' + whole + '|' + style.fontWeight + '|' + style.fontStyle;
  if (!(key in perCharacter)) {
    ruler.style.fontFamily = style.fontFamily; ruler.style.fontSize = whole + 'px';
    ruler.style.fontWeight = style.fontWeight; ruler.style.fontStyle = style.fontStyle;
    perCharacter[key] = ruler.getBoundingClientRect().width / sample.length;
  }
  return Math.round(perCharacter[key] * (size / whole - 1) * 1000) / 1000;
};
var visit = function (element, inherited) {
  if (element.getBoundingClientRect().top > shown) { return; }
  var style = getComputedStyle(element), size = parseFloat(style.fontSize), whole = Math.round(size), wanted = 0;
  if (style.letterSpacing !== 'normal' && style.letterSpacing !== '0px') { return; }
  if (Math.abs(size - whole) > 0.01 && whole > 0) { wanted = spaced(style, size, whole); }
  if (wanted !== inherited) { spacing.push([element, wanted]); }
  for (var child = element.firstElementChild; child; child = child.nextElementSibling) { visit(child, wanted); }
};
document.documentElement.appendChild(ruler);
visit(document.body, 0);
document.documentElement.removeChild(ruler);
spacing.forEach(function (set) { set[0].style.letterSpacing = set[1] + 'px'; });
"""
"""Text of a fractional size, drawn by QtWebKit at the nearest whole size, is spaced by the difference per character
(measured in its font at that whole size), so that its lines are as long as Chromium's; what inherits that spacing
at a whole size is set back. Only what lies within two windows' height is visited (a subtree starting lower is
skipped: the picture is the first window), and every style is read before any is written, so that the page is laid
out once more, not once per element: 5 ms on Python's os.html (16,000 elements), where visiting all took 77.
An element whose letter spacing is the page's own keeps it, with what it holds."""

TWO_COLUMN_FIELD_LISTS = """
Array.prototype.slice.call(document.querySelectorAll('dl.field-list')).forEach(function (list) {
  if (getComputedStyle(list).display !== 'block') { return; }
  var items = Array.prototype.slice.call(list.children), widest = 0, row = null;
  items.forEach(function (item) { if (item.tagName === 'DT') {
    item.style.display = 'inline-block'; widest = Math.max(widest, item.getBoundingClientRect().width);
    item.style.display = ''; } });
  var column = Math.min(Math.ceil(widest), list.clientWidth * 0.3);
  list.style.display = 'table'; list.style.width = '100%';
  items.forEach(function (item) {
    if (item.tagName === 'DT' || !row) {
      row = document.createElement('div'); row.style.display = 'table-row'; list.insertBefore(row, item); }
    row.appendChild(item); item.style.display = 'table-cell';
    if (item.tagName === 'DT') { item.style.width = column + 'px'; }
  });
});
"""
"""Sphinx's field lists (``dl.field-list``: "Author: A. M. Kuchling") are a grid of two columns in its stylesheet
(``grid-template-columns: fit-content(30%) auto``); QtWebKit, which has no grid, stacked each name above its value,
a line lower. Each pair becomes a table row, the names' column as wide as the widest name, at most 30 %."""


def chromium_layout_script() -> str:
    """The script wkhtmltoimage runs once the window has its size, laying out as Chromium does (see the module)."""
    tables = (f"var FIELD_FONTS = {json.dumps(FIELD_FONTS)}; var FONT_NAMES = {json.dumps(FONT_NAMES)};"
              f" var COUNTED_BY_ZERO = {json.dumps(COUNTED_BY_ZERO)};")
    body = " ".join(line.strip() for part in (tables, FIELD_WIDTHS, FRACTIONAL_FONT_SIZES, TWO_COLUMN_FIELD_LISTS)
                    for line in part.splitlines() if line.strip() and not line.strip().startswith("//"))
    return ("(function () { var done = false; window.addEventListener('resize', function () {"
            " if (done || !window.innerWidth || !document.body) { return; } done = true; " + body + " }); })();")
