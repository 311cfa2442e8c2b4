#!/usr/bin/env bash
# ./dev.sh stack: the production-like stack on one machine, from real processes (README, "Running it for real"):
#   nginx :8080 (sets X-Forwarded-For) -> gunicorn :8001 (4 workers x 2 threads, TRUSTED_PROXIES=1)
#   PostgreSQL 127.0.0.1:5432 (database portal_stack) with its streaming replica on 5433 (DATABASE_REPLICA_URLS)
#   Redis 127.0.0.1:6379/8 (broker and cache), a Celery worker and beat
#   an S3-compatible store (moto's server mode on :9400, bucket portal) for documents and results
# Logs (JSON lines) and state in var/stack/. Ctrl-C stops every process it started. The load test and the fault
# tests run against it (bench/load.py).
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=var/stack
mkdir -p "$STACK/metrics"
rm -f "$STACK"/metrics/*

if ! command -v nginx >/dev/null; then
  echo "Installing Debian's nginx for the stack's reverse proxy ..."
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432" >&2; exit 1; }
redis-cli -h 127.0.0.1 ping >/dev/null || { echo "Redis is not running on 127.0.0.1:6379" >&2; exit 1; }
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'portal_stack'" postgres | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE portal_stack" postgres
./dev.sh replica start

export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_stack
export DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/portal_stack
export REDIS_URL=redis://127.0.0.1:6379/8
export STORAGE_URL="s3://portal?endpoint_url=http://127.0.0.1:9400&region_name=us-east-1"
export STORAGE_ACCESS_KEY=stack STORAGE_SECRET_KEY=stack-secret
export TRUSTED_PROXIES=1 LOG_FORMAT=json PUBLIC_BASE_URL=http://127.0.0.1:8080
export METRICS_TOKEN=${METRICS_TOKEN:-stack-metrics}
export PROMETHEUS_MULTIPROC_DIR=$PWD/$STACK/metrics
export DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-4}

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; nginx -p "$PWD/$STACK" -c nginx.conf -s quit 2>/dev/null || true; }
trap stop EXIT INT TERM

.venv/bin/moto_server -H 127.0.0.1 -p 9400 >"$STACK/s3.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:9400/ && break; sleep 0.2; done
.venv/bin/python - <<'PY'
import boto3
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:9400", region_name="us-east-1",
                  aws_access_key_id="stack", aws_secret_access_key="stack-secret")
if "portal" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket="portal")
PY

.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py demo --no-progress >"$STACK/demo.log"
.venv/bin/gunicorn portal.wsgi -b 127.0.0.1:8001 -w "${WEB_WORKERS:-4}" --threads 2 \
  --access-logfile - >"$STACK/web.log" 2>&1 & pids+=($!)
.venv/bin/celery -A portal worker -l info -c 2 >"$STACK/worker.log" 2>&1 & pids+=($!)
.venv/bin/celery -A portal beat -l info --schedule "$STACK/celerybeat-schedule" >"$STACK/beat.log" 2>&1 & pids+=($!)

cat >"$STACK/nginx.conf" <<NGINX
daemon on;
pid $PWD/$STACK/nginx.pid;
error_log $PWD/$STACK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $PWD/$STACK/nginx-access.log;
  client_body_temp_path $PWD/$STACK/nginx-body;
  proxy_temp_path $PWD/$STACK/nginx-proxy;
  client_max_body_size 60m;
  upstream portal { server 127.0.0.1:8001; keepalive 32; }
  server {
    listen 127.0.0.1:8080;
    location / {
      proxy_pass http://portal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
NGINX
nginx -p "$PWD/$STACK" -c nginx.conf
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:8080/readyz && break; sleep 0.3; done
curl -s http://127.0.0.1:8080/readyz; echo
echo "Stack: http://127.0.0.1:8080/ (nginx -> gunicorn), metrics: curl -H 'Authorization: Bearer $METRICS_TOKEN' http://127.0.0.1:8080/metrics"
echo "Logs in $STACK/. Ctrl-C stops it."
wait "${pids[@]}"
