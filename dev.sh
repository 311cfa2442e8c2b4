#!/usr/bin/env bash
# The README's two commands:
#   ./dev.sh serve   set up everything, load the demo province and serve the portal on http://127.0.0.1:8000/
#   ./dev.sh test    run the whole test suite (pytest arguments may follow)
# and, for CI and developers:
#   ./dev.sh check   ruff, ruff format --check, manage.py check, makemigrations --check, mypy, lint-imports
# Needs only Python 3.11+ and the package registries: uv comes from PyPI into .tools/, the project's packages
# from uv.lock into .venv/, Debian's Chromium (browser tests) through apt when it is missing.
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

chromium() {
  [ -x /usr/bin/chromium ] && return
  echo "Installing Debian's Chromium for the browser tests ..."
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

# The demo's stand-in for the national e-ID (VNeID's single sign-on): a local OpenID provider on port+1000, in
# the background, stopped with the portal; the login page then offers "Đăng nhập bằng VNeID". Its page lets one
# choose the demo's e-ID person (or type any name, who gets no ID number and is refused). Skipped when
# OIDC_RP_CLIENT_ID names a real provider.
eid_provider() {
  [ -n "${OIDC_RP_CLIENT_ID:-}" ] && return
  local op_port=${OIDC_DEMO_PORT:-$(( $1 + 1000 ))} base
  base="http://127.0.0.1:$op_port"
  .venv/bin/python -m oidc_provider_mock --host 127.0.0.1 --port "$op_port" --require-nonce \
    --user-claims '{"sub": "vneid-demo", "name": "Trần Thị Bình", "id_number": "001190012345", "birthdate": "1990-03-08"}' \
    >var/oidc-provider.log 2>&1 &
  eid_pid=$!
  export OIDC_RP_CLIENT_ID=portal-demo OIDC_RP_CLIENT_SECRET=demo-secret OIDC_VERIFY_KID=0 OIDC_OP_ISSUER="$base"
  export OIDC_OP_AUTHORIZATION_ENDPOINT="$base/oauth2/authorize" OIDC_OP_TOKEN_ENDPOINT="$base/oauth2/token"
  export OIDC_OP_USER_ENDPOINT="$base/userinfo" OIDC_OP_JWKS_ENDPOINT="$base/jwks"
  echo "VNeID stand-in (a local OpenID provider): $base/ (log: var/oidc-provider.log)"
}

case "${1:-serve}" in
  serve)
    setup
    .venv/bin/python manage.py migrate --no-input -v 0
    .venv/bin/python manage.py demo --no-progress
    port=${PORT:-8000}
    export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$port}  # what the QR codes print
    eid_provider "$port"
    echo
    echo "Portal: http://127.0.0.1:$port/   API: http://127.0.0.1:$port/api/schema/ui/   (Ctrl-C stops it)"
    .venv/bin/python manage.py runserver --noreload "127.0.0.1:$port" &
    server=$!
    trap 'kill "$server" ${eid_pid:-} 2>/dev/null; wait' INT TERM EXIT
    wait "$server"
    ;;
  test)
    shift
    setup
    chromium
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
