"""Canaries for the sandbox tests: a loopback server that records every connection, and a secret to guard.

The server listens on 127.0.0.1 and on ::1 and records every connection it
accepts, whatever comes over it (an HTTP request, a WebSocket handshake, or
nothing at all), so a page that reaches it by any means is seen. It answers
HTTP requests, so that pages may be let through to it on purpose (the
control tests and the allowed hosts).
"""

import os
import socket
import socketserver
import threading
import time
from pathlib import Path

from PIL import Image

MAGENTA = (255, 0, 255)
SECRET_TEXT = "SECRET-c4n4ry-7d1f"


class Canary:
    """A TCP server on 127.0.0.1 and ::1 (the same port, ``port`` or any free one) that records every connection."""

    def __init__(self, port: int = 0) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(2)
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 8192:
                        chunk = self.request.recv(4096)
                        if not chunk:
                            break
                        head += chunk
                except OSError:
                    pass
                first = head.split(b"\r\n", 1)[0].decode("latin-1")
                websocket = b"upgrade: websocket" in head.lower()
                canary.hits.append(("WS " if websocket else "") + (first or "<connection>"))
                if first.startswith("GET "):
                    path = first.split()[1]
                    if "/to-file?" in path:
                        answer = f"HTTP/1.1 302 Found\r\nLocation: {path.split('?', 1)[1]}\r\nContent-Length: 0\r\n\r\n"
                    else:
                        answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx"
                    try:
                        self.request.sendall(answer.encode())
                    except OSError:
                        pass

        class V4(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        class V6(V4):
            address_family = socket.AF_INET6

        self.v4 = V4(("127.0.0.1", port), Handler)
        self.port = self.v4.server_address[1]
        self.v6 = V6(("::1", self.port), Handler)
        for server in (self.v4, self.v6):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        """A URL of the canary, by any name of loopback (``[::1]`` for IPv6)."""
        return f"{scheme}://{host}:{self.port}{path}"

    def settle(self) -> list[str]:
        """The hits, after a moment for connections still on their way."""
        time.sleep(0.3)
        return list(self.hits)

    def close(self) -> None:
        for server in (self.v4, self.v6):
            server.shutdown()
            server.server_close()
            server.server_close()


def plant_secrets(folder: Path) -> dict[str, Path]:
    """Secrets a page must never show: a magenta image and a text file, outside the page's tree."""
    folder.mkdir(parents=True, exist_ok=True)
    image = folder / "canary.png"
    Image.new("RGB", (600, 600), MAGENTA).save(image)
    text = folder / "secret.txt"
    text.write_text(SECRET_TEXT)
    return {"image": image, "text": text}


def magenta_pixels(png: Path | bytes) -> int:
    """How many pixels of an image are the canary's magenta (or close to it, after scaling)."""
    import io

    with Image.open(io.BytesIO(png) if isinstance(png, bytes) else png) as image:
        rgb = image.convert("RGB")
        pixels = rgb.tobytes()
        return sum(1 for i in range(0, len(pixels), 3) if pixels[i] > 200 and pixels[i + 1] < 60 and pixels[i + 2] > 200)


def reader_script(url: str) -> str:
    """A script that reads ``url`` by XHR and by fetch and, if it gets the secret, paints the page magenta."""
    return f"""<script>
function leak(text) {{ if (text && text.indexOf("{SECRET_TEXT[:6]}") >= 0) {{
  document.body.style.background = "rgb(255,0,255)"; document.body.innerHTML += "<h1>" + text + "</h1>"; }} }}
try {{ var x = new XMLHttpRequest(); x.open("GET", "{url}", false); x.send(); leak(x.responseText); }} catch (e) {{}}
try {{ fetch("{url}").then(function (r) {{ return r.text(); }}).then(leak).catch(function () {{}}); }} catch (e) {{}}
</script>"""


def symlink(target: Path, link: Path) -> Path:
    """A symbolic link at ``link`` to ``target``."""
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)
    return link


HREF_CELL = 8
HREF_COLUMNS = 100
HREF_END = (255, 0, 0)


def href_script() -> str:
    """A script that draws the page's ``location.href``, one square per character (its code as grey), then red.

    Read back with :func:`drawn_text`: exact where OCR would guess, in both engines.
    """
    return f"""<style>body {{ margin: 0 }} i {{ position: absolute; width: {HREF_CELL}px; height: {HREF_CELL}px }}
</style><script>
var text = location.href, cells = "";
for (var n = 0; n <= text.length; n++) {{
  var grey = n < text.length ? Math.min(text.charCodeAt(n), 254) : -1;
  var colour = grey < 0 ? "rgb({HREF_END[0]},{HREF_END[1]},{HREF_END[2]})"
                        : "rgb(" + grey + "," + grey + "," + grey + ")";
  cells += '<i style="left:' + (n % {HREF_COLUMNS}) * {HREF_CELL} + 'px;top:'
           + Math.floor(n / {HREF_COLUMNS}) * {HREF_CELL} + 'px;background:' + colour + '"></i>';
}}
document.write(cells);
</script>"""


def drawn_text(picture: Path) -> str:
    """The text a page drew with :func:`href_script`."""
    with Image.open(picture) as opened:
        image = opened.convert("RGB")
    text = ""
    for n in range(HREF_COLUMNS * 20):
        red, green, blue = image.getpixel(((n % HREF_COLUMNS) * HREF_CELL + HREF_CELL // 2,
                                           (n // HREF_COLUMNS) * HREF_CELL + HREF_CELL // 2))
        if (red, green, blue) == HREF_END:
            return text
        assert red == green == blue, f"cell {n} is not a character: {(red, green, blue)} after {text!r}"
        text += chr(red)
    raise AssertionError(f"no end drawn after {text!r}")
