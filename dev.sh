#!/usr/bin/env bash
# The README's two commands:
#   ./dev.sh serve   set up everything, load the demo province and serve the portal on http://127.0.0.1:8000/
#   ./dev.sh test    run the whole test suite (pytest arguments may follow)
# and, for CI and developers:
#   ./dev.sh check   ruff, ruff format --check, manage.py check, makemigrations --check, mypy, lint-imports
# Needs only Python 3.11+ and the package registries: uv comes from PyPI into .tools/, the project's packages
# from uv.lock into .venv/, Debian's Chromium (browser tests) and poppler's pdfsig with NSS's certutil (the
# signature tests) through apt when they are missing.
set -euo pipefail
cd "$(dirname "$0")"
export UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv
PYTHON=${PYTHON:-python3}

setup() {
  if [ ! -x .tools/bin/uv ]; then
    echo "Installing uv into .tools/ ..."
    "$PYTHON" -m venv .tools
    .tools/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.9,<1'
  fi
  .tools/bin/uv sync --frozen --quiet --python "$PYTHON"
  collect_static
}

# The static files with content-hashed names and their gzip and brotli copies in var/static/, which whitenoise
# serves (the pages and the tests need its manifest). Compressing every app's files takes a minute or two, so
# it runs again only when a file of static/ or the locked packages are newer than the manifest.
collect_static() {
  local manifest=var/static/staticfiles.json
  if [ -f "$manifest" ] && [ ! uv.lock -nt "$manifest" ] && [ -z "$(find static -newer "$manifest" -print -quit)" ]; then
    return
  fi
  echo "Collecting the static files into var/static/ ..."
  .venv/bin/python manage.py collectstatic --no-input --clear -v 0
}

# Debian packages the tests run for real: Chromium (browser tests), poppler's pdfsig and NSS's certutil (the
# results' signatures checked as poppler checks them).
system_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/pdfsig ] || missing+=(poppler-utils)
  [ -x /usr/bin/certutil ] || missing+=(libnss3-tools)
  [ ${#missing[@]} -eq 0 ] && return
  echo "Installing ${missing[*]} for the tests ..."
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

case "${1:-serve}" in
  serve)
    setup
    port=${PORT:-8000}
    export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$port}  # what the QR codes print
    # The demo PKI's CRL, OCSP responder and time-stamping authority, named in its certificates (made by demo).
    export SIGNING_PKI_URL=${SIGNING_PKI_URL:-http://127.0.0.1:$((port + 800))}
    .venv/bin/python manage.py migrate --no-input -v 0
    .venv/bin/python manage.py demo --no-progress
    .venv/bin/python manage.py pki_serve &
    pki_pid=$!
    trap 'kill "$pki_pid" 2>/dev/null; wait "$pki_pid" 2>/dev/null' EXIT
    trap 'exit 130' INT TERM
    echo
    echo "Portal: http://127.0.0.1:$port/   API: http://127.0.0.1:$port/api/schema/ui/   (Ctrl-C stops it)"
    .venv/bin/python manage.py runserver --noreload "127.0.0.1:$port"
    ;;
  test)
    shift
    setup
    system_packages
    exec .venv/bin/pytest -n "${PYTEST_WORKERS:-auto}" "$@"
    ;;
  check)
    setup
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    .venv/bin/python manage.py check --fail-level WARNING
    .venv/bin/python manage.py makemigrations --check --dry-run
    .venv/bin/mypy
    .venv/bin/lint-imports --no-cache
    ;;
  *)
    echo "usage: ./dev.sh serve | test [pytest args] | check" >&2
    exit 2
    ;;
esac
