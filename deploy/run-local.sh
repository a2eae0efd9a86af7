#!/usr/bin/env bash
# The deployment example on one machine: one PostgreSQL, two app "machines" (gunicorn, 2 workers
# each, on two ports), nginx in front of both, and two `nrs scheduler` processes.
#
#   deploy/run-local.sh start     # prints the URLs; everything runs in the background
#   deploy/run-local.sh status
#   deploy/run-local.sh stop      # stops what start started (by pid) and removes the state
#
# Settings (environment): NRS_DEPLOY_DIR (state, default /tmp/nrs-deploy), NRS_DEPLOY_PG_PORT
# (5544), NRS_DEPLOY_APP_PORTS ("8001 8002"), NRS_DEPLOY_HTTP_PORT (8080), NRS_DEPLOY_WORKERS (2),
# NRS_DEPLOY_SCHEDULERS (2), NRS_DEPLOY_NGINX (auto|yes|no). NRS_SMTP_* and other NRS_* settings
# are passed through to the app and schedulers.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${NRS_BIN:-$REPO/.venv/bin}"
STATE="${NRS_DEPLOY_DIR:-/tmp/nrs-deploy}"
PG_PORT="${NRS_DEPLOY_PG_PORT:-5544}"
APP_PORTS="${NRS_DEPLOY_APP_PORTS:-8001 8002}"
HTTP_PORT="${NRS_DEPLOY_HTTP_PORT:-8080}"
WORKERS="${NRS_DEPLOY_WORKERS:-2}"
SCHEDULERS="${NRS_DEPLOY_SCHEDULERS:-2}"
NGINX_MODE="${NRS_DEPLOY_NGINX:-auto}"
PGBIN="${NRS_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
say() { echo "run-local: $*"; }

start_bg() {  # start_bg NAME COMMAND... : run in the background, log and pid under $STATE
  local name="$1"; shift
  nohup "$@" >"$STATE/log/$name.log" 2>&1 &
  echo $! >"$STATE/run/$name.pid"
}

wait_http() {  # wait_http URL: until it answers 200 (60 s)
  for _ in $(seq 1 600); do
    if "$BIN/python" -c "import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "run-local: $1 did not answer" >&2; return 1
}

app_env() {
  export NRS_DATABASE_URL="postgresql://nrs@127.0.0.1:$PG_PORT/nrs"
  # Every app machine must share the secret key (sessions) and the instance directory (uploaded
  # agreement PDFs): on real machines that is a secret file and a shared mount.
  export NRS_SECRET_KEY="$(cat "$STATE/secret_key")"
  export NRS_INSTANCE_PATH="$STATE/instance"
  export NRS_LOG_FORMAT="${NRS_LOG_FORMAT:-json}"
  export NRS_RUN_SCHEDULER=false
  # nginx is the one proxy in front of the app instances (which listen on 127.0.0.1 only).
  export NRS_PROXY_HOPS=1
  export NRS_BASE_URL="${NRS_BASE_URL:-http://127.0.0.1:$HTTP_PORT}"
}

start_postgres() {
  mkdir -p "$STATE/pg"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$STATE/pg"
    as_pg test -w "$STATE/pg" || { echo "run-local: user postgres cannot reach $STATE/pg" >&2; exit 1; }
  fi
  as_pg "$PGBIN/initdb" -D "$STATE/pg/data" -U nrs --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$STATE/log/initdb.log"
  as_pg "$PGBIN/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $STATE/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U nrs nrs
  say "PostgreSQL on 127.0.0.1:$PG_PORT (database nrs)"
}

ensure_nginx() {
  case "$NGINX_MODE" in no) return 1 ;; esac
  if ! command -v nginx >/dev/null 2>&1 && [ -x /usr/sbin/nginx ]; then PATH="$PATH:/usr/sbin"; fi
  if ! command -v nginx >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing nginx"
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1 ||
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1)) || true
  fi
  if command -v nginx >/dev/null 2>&1; then return 0; fi
  if [ "$NGINX_MODE" = yes ]; then echo "run-local: nginx not found" >&2; exit 1; fi
  say "nginx not found: the app instances are reachable directly on ports $APP_PORTS"
  return 1
}

start_nginx() {
  local servers="" p
  for p in $APP_PORTS; do servers="$servers        server 127.0.0.1:$p max_fails=2 fail_timeout=5s;"$'\n'; done
  mkdir -p "$STATE/nginx/tmp"
  # The same proxy settings as deploy/nginx.conf, without TLS and with every path under $STATE.
  cat >"$STATE/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $STATE/nginx/nginx.pid;
error_log $STATE/log/nginx-error.log warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $STATE/nginx/tmp/body;
    proxy_temp_path $STATE/nginx/tmp/proxy;
    fastcgi_temp_path $STATE/nginx/tmp/fastcgi;
    uwsgi_temp_path $STATE/nginx/tmp/uwsgi;
    scgi_temp_path $STATE/nginx/tmp/scgi;
    log_format nrs escape=json '{"time":"\$time_iso8601","remote_addr":"\$remote_addr",'
        '"request_id":"\$request_id","method":"\$request_method","path":"\$uri",'
        '"status":\$status,"duration_ms":\$request_time,"upstream":"\$upstream_addr"}';
    access_log $STATE/log/nginx-access.log nrs;
    upstream nrs_app {
$servers        keepalive 16;
    }
    server {
        listen 127.0.0.1:$HTTP_PORT;
        client_max_body_size 50m;
        location /static/ { alias $REPO/static/; expires 1h; }
        location / {
            proxy_pass http://nrs_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Request-ID \$request_id;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_read_timeout 60s;
        }
    }
}
EOF
  nginx -t -q -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx" -g "daemon on;"
  nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx" -g "daemon on;"
  say "nginx on http://127.0.0.1:$HTTP_PORT (round robin over $APP_PORTS)"
}

cmd_start() {
  if [ -e "$STATE/run" ]; then echo "run-local: $STATE is in use; run stop first" >&2; exit 1; fi
  mkdir -p "$STATE/log" "$STATE/run" "$STATE/instance"
  "$BIN/python" -c "import secrets; print(secrets.token_hex(32))" >"$STATE/secret_key"
  chmod 600 "$STATE/secret_key"
  start_postgres
  app_env
  # Migrations run once per deploy, before any app process starts.
  "$BIN/nrs" init
  local i=0 p
  for p in $APP_PORTS; do
    i=$((i + 1))
    NRS_BIND="127.0.0.1:$p" NRS_WORKERS="$WORKERS" NRS_PROC_NAME="nrs-app$i" \
      start_bg "app$i" "$BIN/gunicorn" -c "$REPO/deploy/gunicorn.conf.py" --chdir "$REPO" wsgi:app
  done
  for p in $APP_PORTS; do wait_http "http://127.0.0.1:$p/healthz"; say "app on http://127.0.0.1:$p ($WORKERS workers)"; done
  if "$BIN/nrs" scheduler --help >/dev/null 2>&1; then
    for i in $(seq 1 "$SCHEDULERS"); do start_bg "scheduler$i" "$BIN/nrs" scheduler; done
    say "$SCHEDULERS schedulers (nrs scheduler; a database lease lets each job run once)"
  else
    say "this build has no 'nrs scheduler' command; no schedulers started"
  fi
  if ensure_nginx; then start_nginx; wait_http "http://127.0.0.1:$HTTP_PORT/healthz"; fi
  say "logs in $STATE/log; stop with: $0 stop"
}

cmd_stop() {
  [ -d "$STATE" ] || return 0
  if [ -f "$STATE/nginx/nginx.pid" ]; then kill "$(cat "$STATE/nginx/nginx.pid")" 2>/dev/null || true; fi
  local f pid
  for f in "$STATE"/run/*.pid; do
    [ -e "$f" ] || continue
    pid="$(cat "$f")"
    kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$STATE"/run/*.pid; do
    [ -e "$f" ] || continue
    pid="$(cat "$f")"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -f "$STATE/pg/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$STATE/pg/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$STATE"
  say "stopped"
}

cmd_status() {
  local f
  for f in "$STATE"/run/*.pid; do
    [ -e "$f" ] || { echo "not running"; return 1; }
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid): running"; else echo "$(basename "$f" .pid): dead"; fi
  done
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
