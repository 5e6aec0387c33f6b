#!/usr/bin/env bash
# `make install OFFLINE=1` inside an archive made by `make dist`: no network at all.
# Creates .venv with Python 3.11 and installs the runtime from ./wheelhouse (hash-checked);
# the front-end assets and compiled translations are already in the archive.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(/usr/bin/python3.11 -c "import ensurepip" 2>/dev/null && echo /usr/bin/python3.11 || echo python3.11)}  # as the Makefile (ADR 0021)
command -v "$PYTHON" >/dev/null || { echo "需要 Python 3.11（$PYTHON）" >&2; exit 1; }
test -d wheelhouse || { echo "没有 wheelhouse/：离线安装只能在 make dist 生成的安装包中进行" >&2; exit 1; }
test -x .venv/bin/python || "$PYTHON" -m venv .venv
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check --no-index --find-links wheelhouse)
"${pip[@]}" -r requirements/base.txt
"${pip[@]}" --no-deps -r requirements/nodeps.txt
for f in static/vendor/htmx.min.js static/vendor/bootstrap.min.css static/vendor/echarts.min.js; do
  test -f "$f" || { echo "缺少 $f：安装包不完整" >&2; exit 1; }
done
ls locale/*/LC_MESSAGES/django.mo >/dev/null
echo "installed $(cat VERSION 2>/dev/null || echo keyprojects) into .venv (offline)"
