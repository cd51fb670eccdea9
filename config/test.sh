#!/usr/bin/env bash
# Runs the checks: installs what is missing, type-checks, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
config/install.sh
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
