#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the test suite and print the environment to use it.
#
#   eval "$(bash .ci/postgres.sh)"        # start; exports LUCKYGAS_TEST_PG_URL and LUCKYGAS_TEST_PG_DIR
#   bash .ci/postgres.sh --stop            # stop the server in $LUCKYGAS_TEST_PG_DIR and delete it
#
# Installs PostgreSQL with apt-get when no server binaries are found. The server listens on
# 127.0.0.1 on a free port with trust authentication (a local test cluster only), and runs as
# the invoking user, or as the OS user "postgres" (created if missing) when invoked as root,
# because PostgreSQL refuses to run as root. Only `export` lines go to stdout; progress goes
# to stderr.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local candidate
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        # Follow symlinks (e.g. /usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl) to
        # the directory that also holds createdb and psql.
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    # Debian/Ubuntu packages keep the server binaries off PATH; take the newest version.
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

as_owner() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [ "${1:-}" = "--stop" ]; then
    dir="${LUCKYGAS_TEST_PG_DIR:?LUCKYGAS_TEST_PG_DIR is not set}"
    bindir="$(find_bindir)"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    rm -rf "$dir"
    exit 0
fi

if ! bindir="$(find_bindir)"; then
    log "no PostgreSQL server binaries found; installing with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bindir="$(find_bindir)" || { log "PostgreSQL installation failed"; exit 1; }
fi
log "using server binaries in $bindir"

if [ "$(id -u)" = "0" ]; then
    if ! id postgres >/dev/null 2>&1; then
        log "creating OS user postgres"
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/luckygas-pg.XXXXXX")"
# Until the caller has the folder's name (the export lines at the end), a failure or an
# interrupt here stops whatever server was started and deletes the folder: nothing leaks.
abandon() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$dir"
    exit "$rc"
}
trap abandon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$(id -u)" = "0" ] && chown postgres "$dir"
chmod 700 "$dir"

port="$(python3 - <<'PY'
import socket

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
)"

as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; log "initdb failed"; exit 1; }
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=100" start >&2 \
    || { cat "$dir/server.log" >&2; log "server did not start"; exit 1; }
as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres luckygas_test >&2

trap - EXIT INT TERM
log "PostgreSQL running on 127.0.0.1:$port (data in $dir)"
echo "export LUCKYGAS_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$port/luckygas_test"
echo "export LUCKYGAS_TEST_PG_DIR=$dir"
