#!/usr/bin/env bash
# Installs what proxyservice needs on a Debian (bookworm) machine; safe to run again.
#   - Debian packages: wkhtmltopdf (the renderer), bubblewrap (its sandbox), redis-server (the broker, for the
#     run command and the tests), rabbitmq-server (the other broker, for the tests), nginx (in front of uWSGI), fonts, and real-world HTML documentation the tests render.
#   - Python packages: into .venv, the versions pinned in requirements/dev.txt (again only when it changed).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
command -v wkhtmltoimage >/dev/null || packages+=(wkhtmltopdf)
command -v redis-server >/dev/null || packages+=(redis-server)
command -v redis-cli >/dev/null || packages+=(redis-tools)
# The other broker the service runs on (BROKER_URL=amqp://…); the tests start private nodes of it.
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || packages+=(rabbitmq-server)
command -v pdftoppm >/dev/null || packages+=(poppler-utils)
# In front of the web app's workers; uWSGI starts its own (uwsgi.ini). Debian's
# package also enables a system nginx on port 80, which proxyservice does not use.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || packages+=(nginx)
# The sandbox every converter runs in, and the filtering proxy for RENDER_ALLOWED_HOSTS.
command -v bwrap >/dev/null || packages+=(bubblewrap)
command -v tinyproxy >/dev/null || packages+=(tinyproxy-bin)
command -v socat >/dev/null || packages+=(socat)
ldconfig -p | grep -q 'libmagic\.so\.1' || packages+=(libmagic1)
ldconfig -p | grep -q 'libseccomp\.so\.2' || packages+=(libseccomp2)
# Fonts pages ask for: DejaVu, Liberation (metric-compatible with Arial, Times New Roman and
# Courier New) and Noto (most scripts); config/fonts names them as pages do (below).
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] || packages+=(fonts-liberation2)
[ -e /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || packages+=(fonts-noto-core)
# Real pages with stylesheets, scripts and web-font links, for the tests.
[ -e /usr/share/doc/nodejs/api/fs.html ] || packages+=(nodejs-doc)
[ -e /usr/share/doc/python3.11/html/library/os.html ] || packages+=(python3.11-doc)
[ -e /usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf ] || packages+=(shared-mime-info)
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
# The converters of SVG drawings and videos.
command -v rsvg-convert >/dev/null || packages+=(librsvg2-bin)
command -v ffmpeg >/dev/null || packages+=(ffmpeg)
# Office documents (LibreOffice without its GUI: Writer, Calc, Impress).
command -v soffice >/dev/null || packages+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
# Driving one long-lived LibreOffice over UNO: Debian's python3-uno, for /usr/bin/python3.
[ -e /usr/lib/python3/dist-packages/uno.py ] || packages+=(python3-uno)
# HTTP load for make bench (bench/http_ratios.py).
command -v wrk >/dev/null || packages+=(wrk)
# OCR: the tests read what a proxy says, as a person would.
command -v tesseract >/dev/null || packages+=(tesseract-ocr)
# A real browser for the tests of the pages the service serves (GET /docs).
command -v chromium >/dev/null || packages+=(chromium)

if [ ${#packages[@]} -gt 0 ]; then
  echo "install.sh: installing Debian packages: ${packages[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# The names pages ask fonts by, as further names of the fonts above (config/fonts), in the font
# cache the sandbox shows: wkhtmltoimage draws a family it cannot find by name in a serif.
aliases=config/fonts/60-proxyservice-aliases.conf
if ! cmp -s "$aliases" "/etc/fonts/conf.d/$(basename "$aliases")"; then
  echo "install.sh: installing the font aliases and rebuilding the font cache"
  sudo_if_needed install -m 0644 "$aliases" /etc/fonts/conf.d/
  sudo_if_needed fc-cache -f
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.install-stamp
wanted=$(cat pyproject.toml requirements/dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "install.sh: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  # Exactly the versions pinned in requirements/dev.txt (hashes checked; config/lock.sh makes it), then this project.
  .venv/bin/python -m pip install -q --require-hashes -r requirements/dev.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$wanted" > "$stamp"
fi
