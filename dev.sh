#!/usr/bin/env bash
# The README's two commands:
#   ./dev.sh serve   set up everything, load the demo province and serve the portal on http://127.0.0.1:8000/
#   ./dev.sh test    run the whole test suite (pytest arguments may follow)
# and, for CI and developers:
#   ./dev.sh check   ruff, ruff format --check, manage.py check, makemigrations --check, mypy, lint-imports
#   ./dev.sh stack   the production-like stack on one machine (deploy/stack.sh): nginx, gunicorn, PostgreSQL and
#                    its replica, Redis, a Celery worker and beat, an S3-compatible store
#   ./dev.sh replica start|stop   a streaming replica of the local PostgreSQL (127.0.0.1:5432) on port 5433,
#                    in var/replica (pg_basebackup; CI's replica tests read from it; needs root or the postgres user)
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

# A hot standby of the PostgreSQL on 127.0.0.1:5432, streaming from it, on REPLICA_PORT (5433).
replica() {
  local port=${REPLICA_PORT:-5433} dir bin hba as_postgres=()
  dir="$(pwd)/var/replica"
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)
  case "${1:-start}" in
    start)
      if pg_isready -q -h 127.0.0.1 -p "$port"; then return; fi
      # The primary must let a local replication connection in (trust, as for its other local connections).
      hba=$(psql -h 127.0.0.1 -U postgres -tAc "SHOW hba_file" postgres)
      if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
        echo "host replication all 127.0.0.1/32 trust" >>"$hba"
        psql -h 127.0.0.1 -U postgres -qtAc "SELECT pg_reload_conf()" postgres >/dev/null
      fi
      rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres "$dir" && chmod o+x "$(dirname "$dir")"
      "${as_postgres[@]}" pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D "$dir" -R -X stream -c fast
      # Debian keeps a cluster's configuration under /etc: the standby gets its own, trusting local connections.
      printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" >"$dir/pg_hba.conf"
      : >"$dir/pg_ident.conf"
      : >"$dir/postgresql.conf"
      [ "$(id -u)" -eq 0 ] && chown postgres "$dir"/pg_hba.conf "$dir"/pg_ident.conf "$dir"/postgresql.conf
      "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c hot_standby=on" start >/dev/null
      ;;
    stop)
      [ -d "$dir" ] && "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
      ;;
  esac
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
    port=${PORT:-8000}
    export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$port}  # what the QR codes print
    # The demo PKI's CRL, OCSP responder and time-stamping authority, named in its certificates (made by demo).
    export SIGNING_PKI_URL=${SIGNING_PKI_URL:-http://127.0.0.1:$((port + 800))}
    .venv/bin/python manage.py migrate --no-input -v 0
    .venv/bin/python manage.py demo --no-progress
    .venv/bin/python manage.py pki_serve &
    pki_pid=$!
    eid_provider "$port"
    echo
    echo "Portal: http://127.0.0.1:$port/   API: http://127.0.0.1:$port/api/schema/ui/   (Ctrl-C stops it)"
    .venv/bin/python manage.py runserver --noreload "127.0.0.1:$port" &
    server=$!
    trap 'kill "$server" "$pki_pid" ${eid_pid:-} 2>/dev/null; wait' INT TERM EXIT
    wait "$server"
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
  replica)
    replica "${2:-start}"
    ;;
  stack)
    setup
    exec deploy/stack.sh
    ;;
  *)
    echo "usage: ./dev.sh serve | test [pytest args] | check | stack | replica start|stop" >&2
    exit 2
    ;;
esac
