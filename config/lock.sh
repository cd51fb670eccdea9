#!/usr/bin/env bash
# Pins every dependency, with hashes, from pyproject.toml (pip-tools' pip-compile):
#   requirements/worker.txt  the worker image     (the package's dependencies, and the chromium extra)
#   requirements/web.txt     the web image        (and the web extra: uWSGI)
#   requirements/dev.txt     make run, make test  (and the test extra)
# Run it after changing pyproject.toml's dependencies, or to take newer versions (--upgrade), and commit
# the result: config/install.sh and both images install only what these files name.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q pip-tools
compile() { .venv/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
  --no-emit-find-links "$@" pyproject.toml; }
compile "$@" --extra chromium -o requirements/worker.txt
compile "$@" --extra web -o requirements/web.txt
compile "$@" --extra web --extra chromium --extra test -o requirements/dev.txt
