#!/usr/bin/env bash
# A private Redis for the scaled profile (Rasa's lock store shared by several Rasa servers).
#
#   scripts/services/redis.sh start   write the config on first use, start the server (idempotent), print the URL
#   scripts/services/redis.sh stop    stop the server this script started (by its pid file; idempotent)
#   scripts/services/redis.sh status  exit 0 when the server answers
#   scripts/services/redis.sh url     print the URL (redis://:password@127.0.0.1:port/0)
#   scripts/services/redis.sh config  write the config (and password) only, print the URL
#   scripts/services/redis.sh run     run the server in the foreground (scripts/scaled.py supervises it)
#
# The server listens on 127.0.0.1 only, on BERUFSLOTSE_REDIS_PORT (default 56379), keeps nothing on
# disk (locks live for seconds) and asks for a password generated on first use into
# <dir>/password (mode 600). Its folder is BERUFSLOTSE_REDIS_DIR (default <repo>/var/redis).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${BERUFSLOTSE_REDIS_DIR:-$REPO/var/redis}"
PORT="${BERUFSLOTSE_REDIS_PORT:-56379}"
CONF="$DIR/redis.conf"
PASSWORD_FILE="$DIR/password"
PID_FILE="$DIR/redis.pid"

log() { echo "redis.sh: $*" >&2; }

binary() {
    command -v redis-server >/dev/null || {
        log "redis-server not found; install the Debian package 'redis-server' (scripts/system_packages.sh)"
        exit 1
    }
}

write_config() {
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    if [[ ! -f "$PASSWORD_FILE" ]]; then
        (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PASSWORD_FILE")
    fi
    (umask 077 && cat >"$CONF" <<CONF
# berufslotse (scripts/services/redis.sh): Rasa's lock store, 127.0.0.1 only, nothing on disk
bind 127.0.0.1
port $PORT
protected-mode yes
requirepass $(cat "$PASSWORD_FILE")
dir $DIR
save ""
appendonly no
logfile $DIR/redis.log
pidfile $PID_FILE
maxmemory 64mb
CONF
    )
}

url() {
    [[ -f "$PASSWORD_FILE" ]] || { log "no Redis yet: run '$0 start' first"; exit 1; }
    echo "redis://:$(cat "$PASSWORD_FILE")@127.0.0.1:$PORT/0"
}

is_running() {
    [[ -f "$PASSWORD_FILE" ]] || return 1
    REDISCLI_AUTH="$(cat "$PASSWORD_FILE")" redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG
}

start() {
    binary
    write_config
    if ! is_running; then
        log "starting Redis on 127.0.0.1:$PORT"
        redis-server "$CONF" --daemonize yes
        for _ in $(seq 50); do is_running && break; sleep 0.1; done
        is_running || { log "Redis did not answer; see $DIR/redis.log"; exit 1; }
    fi
    url
}

stop() {
    [[ -f "$PID_FILE" ]] || return 0
    local pid
    pid="$(cat "$PID_FILE")"
    if kill -0 "$pid" 2>/dev/null && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
        log "stopping Redis (pid $pid)"
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$PID_FILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) is_running ;;
    url) url ;;
    config) write_config; url ;;
    run) binary; write_config; exec redis-server "$CONF" --daemonize no --logfile "" ;;
    *) echo "usage: $0 start|stop|status|url|config|run" >&2; exit 2 ;;
esac
