#!/usr/bin/env bash
# A local PostgreSQL for development and tests, kept entirely inside <repo>/var.
#
#   scripts/services/postgres.sh start   initdb on first use, start the server (idempotent), print the URL
#   scripts/services/postgres.sh stop    stop the server (idempotent)
#   scripts/services/postgres.sh status  exit 0 when the server accepts connections
#   scripts/services/postgres.sh url     print the SQLAlchemy URL of the application database
#
# The server listens on 127.0.0.1 only, on BERUFSLOTSE_PG_PORT (default 55432), with its Unix socket
# in var/pg-socket. initdb refuses to run as root, so under root the server runs as the system user
# `postgres` (created when missing). The role `berufslotse` owns the database `berufslotse` and may
# create databases (the API tests create a throw-away database per run). Its password is generated
# on first start and kept in var/pg-password (mode 600).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VAR="$REPO/var"
PGDATA="$VAR/pg"
SOCKET_DIR="$VAR/pg-socket"
if [[ $(id -u) -eq 0 ]]; then
    # Under root the server runs as `postgres`, which may not be allowed into the checkout (e.g. a
    # clone in a mode-700 temp dir): keep its files in a folder of its own, one per checkout.
    PG_HOME="/var/tmp/berufslotse-pg-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
    PGDATA="$PG_HOME/pg"
    SOCKET_DIR="$PG_HOME/pg-socket"
    mkdir -p "$PG_HOME" && chmod 755 "$PG_HOME" && { id postgres >/dev/null 2>&1 && chown postgres: "$PG_HOME" || true; }
fi
PASSWORD_FILE="$VAR/pg-password"
LOG_FILE="$VAR/pg.log"
if [[ -n "${PG_HOME:-}" ]]; then LOG_FILE="$PG_HOME/pg.log"; fi
PORT="${BERUFSLOTSE_PG_PORT:-55432}"
ROLE="berufslotse"
DATABASE="berufslotse"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

ensure_binaries() {
    if ! BINDIR="$(find_bindir)"; then
        if [[ "$(id -u)" -ne 0 ]]; then
            log "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install the Debian package 'postgresql'."
            exit 1
        fi
        log "installing the Debian package 'postgresql'"
        DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
        BINDIR="$(find_bindir)"
    fi
}

# Run a command as the user that owns the cluster: `postgres` under root, else the caller.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_owner_user() {
    if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        log "creating the system user 'postgres'"
        useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
    fi
}

psql_admin() {
    as_owner "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -d postgres "$@"
}

is_running() {
    [[ -n "${BINDIR:-}" ]] || return 1
    [[ -f "$PGDATA/PG_VERSION" ]] || return 1
    as_owner "$BINDIR/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

url() {
    [[ -f "$PASSWORD_FILE" ]] || { log "no cluster yet: run '$0 start' first"; exit 1; }
    echo "postgresql+psycopg://$ROLE:$(cat "$PASSWORD_FILE")@127.0.0.1:$PORT/$DATABASE"
}

init_cluster() {
    mkdir -p "$VAR"
    if [[ ! -f "$PASSWORD_FILE" ]]; then
        (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PASSWORD_FILE")
    fi
    mkdir -p "$PGDATA" "$SOCKET_DIR"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$PGDATA" "$SOCKET_DIR"
    fi
    chmod 700 "$PGDATA"
    if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
        log "initdb into $PGDATA"
        as_owner "$BINDIR/initdb" -D "$PGDATA" --encoding=UTF8 --locale=C.UTF-8 --auth-local=peer \
            --auth-host=scram-sha-256 --username=postgres >/dev/null
        cat >>"$PGDATA/postgresql.conf" <<CONF
# berufslotse (scripts/services/postgres.sh)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
max_connections = 50
shared_buffers = 64MB
CONF
    fi
}

ensure_role_and_database() {
    local password
    password="$(cat "$PASSWORD_FILE")"
    psql_admin -v role="$ROLE" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN CREATEDB PASSWORD :'password';
-- the tests drop their scratch databases WITH (FORCE); that ends every session on them, including
-- an autovacuum worker that started after a bulk load, which needs pg_signal_backend
GRANT pg_signal_backend TO :"role";
SQL
    psql_admin -v role="$ROLE" -v db="$DATABASE" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', :'db', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

start() {
    ensure_owner_user
    ensure_binaries
    init_cluster
    if ! is_running; then
        touch "$LOG_FILE"
        if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$LOG_FILE"; fi
        log "starting PostgreSQL on 127.0.0.1:$PORT"
        # the port on the command line: BERUFSLOTSE_PG_PORT wins over the one initdb wrote
        as_owner "$BINDIR/pg_ctl" -D "$PGDATA" -l "$LOG_FILE" -o "-p $PORT" -w -t 60 start >/dev/null
    fi
    ensure_role_and_database
    url
}

stop() {
    BINDIR="$(find_bindir || true)"
    if is_running; then
        log "stopping PostgreSQL"
        as_owner "$BINDIR/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) BINDIR="$(find_bindir || true)"; is_running ;;
    url) url ;;
    *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
