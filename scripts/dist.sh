#!/usr/bin/env bash
# `make dist`: one archive that installs with no network (issue 12 §7).
#
#   build/keyprojects-<version>-<commit>.tar.gz
#     <the source tree at HEAD>       (git archive: code, templates, deploy/, docs/, Makefile)
#     static/vendor/                  the npm-built front-end assets (htmx, Bootstrap, ECharts)
#     locale/*/LC_MESSAGES/django.mo  compiled translations
#     wheelhouse/                     every runtime wheel for CPython 3.11 on Linux x86_64,
#                                     checked against the hashes in requirements/*.txt
#     VERSION                         the commit it was built from
#
# On the target: tar xzf …; cd keyprojects-…; make install OFFLINE=1   (or scripts/install_offline.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
commit=$(git rev-parse --short=12 HEAD)
name="keyprojects-${version}-${commit}"
out=build/dist/$name
if ! git diff --quiet HEAD -- . ':!build'; then
  echo "note: uncommitted changes are not in the archive (it is built from HEAD $commit)" >&2
fi
rm -rf "$out" "build/$name.tar.gz"
mkdir -p "$out"
git archive --format=tar HEAD | tar -x -C "$out"
git rev-parse HEAD > "$out/VERSION"

# Front-end assets and compiled messages, as `make install` built them.
test -f static/vendor/.maps || { echo "static/vendor is not built: run make install first" >&2; exit 1; }
mkdir -p "$out/static/vendor"
cp static/vendor/*.js static/vendor/*.css static/vendor/*.map "$out/static/vendor/"
for po in locale/*/LC_MESSAGES/django.po; do
  mo="${po%.po}.mo"
  test -f "$mo" && [ "$mo" -nt "$po" ] || "$PY" manage.py compilemessages -v 0
  cp "$mo" "$out/$mo"
done

# Wheels for the target (CPython 3.11, manylinux x86_64), whatever this machine is.
platform_args=(--only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none
               --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
               --platform manylinux1_x86_64 --platform linux_x86_64 --platform any)
"$PY" -m pip download -q --disable-pip-version-check "${platform_args[@]}" -d "$out/wheelhouse" -r requirements/base.txt
"$PY" -m pip download -q --disable-pip-version-check "${platform_args[@]}" --no-deps -d "$out/wheelhouse" -r requirements/nodeps.txt

tar -C build/dist -czf "build/$name.tar.gz" "$name"
rm -rf "$out"
size=$(du -h "build/$name.tar.gz" | cut -f1)
echo "built build/$name.tar.gz ($size): install with  tar xzf $name.tar.gz && cd $name && make install OFFLINE=1"
