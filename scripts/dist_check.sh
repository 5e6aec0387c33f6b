#!/usr/bin/env bash
# `make dist-check`: build the archive, unpack it in a fresh directory and install it there with
# no network (a network namespace without interfaces when `unshare -n` works, pip --no-index
# and no pip configuration in any case); then the installed copy must pass
# `check --deploy`, migrate a SQLite database, collect its static files and serve the login page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/dist.sh
archive=$(ls -t build/keyprojects-*.tar.gz | head -1)
dir=$(mktemp -d /tmp/keyprojects-dist-check.XXXXXX)
trap 'rm -rf "$dir"' EXIT
tar -xzf "$archive" -C "$dir"
cd "$dir"/keyprojects-*
isolate=()
if unshare -n true 2>/dev/null; then isolate=(unshare -n); else echo "note: unshare -n unavailable; relying on pip --no-index" >&2; fi
env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null "${isolate[@]}" bash -c '
  set -euo pipefail
  make install OFFLINE=1
  export DJANGO_SETTINGS_MODULE=config.settings.prod ALLOWED_HOSTS=kp.example.gov.cn LOG_LEVEL=WARNING
  export SECRET_KEY="dist-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n")"
  export DATABASE_URL="sqlite:///$PWD/var/keyprojects.sqlite3" KEYPROJECTS_VAR_DIR="$PWD/var"
  mkdir -p var
  .venv/bin/python manage.py check --deploy --fail-level WARNING
  .venv/bin/python manage.py migrate -v 0
  .venv/bin/python manage.py collectstatic --noinput -v 0
  .venv/bin/python - <<PY
import django
django.setup()
from django.test import Client
r = Client().get("/accounts/login/", HTTP_HOST="kp.example.gov.cn", HTTP_X_FORWARDED_PROTO="https")
assert r.status_code == 200, r.status_code
import importlib.util
assert importlib.util.find_spec("numpy") is None and importlib.util.find_spec("pandas") is None
print("dist-check: login page 200 from the offline install; no numpy/pandas")
PY
'
