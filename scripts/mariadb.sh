#!/usr/bin/env bash
# A private MariaDB server for the MariaDB test suite.
#
#   scripts/mariadb.sh start    start it (initialising its data directory the first time), wait until it accepts
#                               connections, create the `mentora` database and user; does nothing if already running
#   scripts/mariadb.sh stop     shut it down (and wait until it is gone); does nothing if it is not running
#   scripts/mariadb.sh status   exit 0 if it is running
#
# Why a private server rather than the system's: CI and developers run as root on machines where nothing is started
# for us, and a private server needs no service manager, touches no system configuration (--no-defaults ignores
# /etc/mysql), keeps its files in the work tree (.cache/mariadb, git-ignored) and listens on loopback only.
#
# Settings (the same variables tests/settings_mariadb.py reads): MENTORA_MARIADB_PORT (3307),
# MENTORA_MARIADB_USER / _PASSWORD (mentora / mentora), MENTORA_MARIADB_NAME (mentora). Change the port to run two
# checkouts' suites side by side.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PORT="${MENTORA_MARIADB_PORT:-3307}"
DB_USER="${MENTORA_MARIADB_USER:-mentora}"
DB_PASSWORD="${MENTORA_MARIADB_PASSWORD:-mentora}"
DB_NAME="${MENTORA_MARIADB_NAME:-mentora}"
DIR="${MENTORA_MARIADB_DIR:-$ROOT/.cache/mariadb}"
DATADIR="$DIR/data"
SOCKET="$DIR/mysqld.sock"
PIDFILE="$DIR/mysqld.pid"
ERRLOG="$DIR/error.log"
# mysqld refuses to run as root unless told to; as any other user it runs as that user.
OS_USER="$(id -un)"

# A Unix socket path is limited to 107 bytes; a deep checkout would fail with an obscure error.
if ((${#SOCKET} > 100)); then
    die "the socket path $SOCKET is too long for a Unix socket; set MENTORA_MARIADB_DIR to a shorter directory"
fi

server_pid() {
    # The pid of *our* server: from our pid file, and only if that process is alive.
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# The server's administrative account: mariadb-install-db gives the OS user who ran it (root here) an account
# authenticated by the Unix socket, so no password is stored anywhere.
admin() { mariadb-admin --no-defaults --socket="$SOCKET" --user="$OS_USER" "$@"; }
sql() { mariadb --no-defaults --socket="$SOCKET" --user="$OS_USER" --batch "$@"; }

start() {
    command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] \
        || die "mariadbd not found: install the Debian package mariadb-server (scripts/system_packages.sh test)"
    mkdir -p "$DIR"

    if ! server_pid >/dev/null; then
        if [[ ! -d "$DATADIR/mysql" ]]; then
            log "Initialising a MariaDB data directory in $DATADIR"
            rm -rf "$DATADIR"
            mariadb-install-db --no-defaults --datadir="$DATADIR" --user="$OS_USER" \
                --auth-root-authentication-method=socket --skip-test-db >"$DIR/install.log" 2>&1 \
                || { cat "$DIR/install.log" >&2; die "mariadb-install-db failed"; }
        fi
        log "Starting MariaDB on 127.0.0.1:$PORT (data in $DATADIR)"
        # --no-defaults: nothing from /etc/mysql. Loopback only, no name resolution (users are matched by address).
        # A modest buffer pool: the suite's data is tiny, and CI machines are shared with Chromium and pytest.
        # Durability is traded for speed (flush once a second, no doublewrite): the data is thrown away anyway.
        # setsid: the server outlives this script, in its own session, until `stop`.
        PATH="$PATH:/usr/sbin" setsid mariadbd --no-defaults \
            --user="$OS_USER" \
            --datadir="$DATADIR" \
            --socket="$SOCKET" \
            --pid-file="$PIDFILE" \
            --log-error="$ERRLOG" \
            --bind-address=127.0.0.1 \
            --port="$PORT" \
            --skip-name-resolve \
            --innodb-buffer-pool-size=256M \
            --innodb-log-file-size=64M \
            --innodb-flush-log-at-trx-commit=2 \
            --innodb-doublewrite=0 \
            --max-connections=300 \
            --character-set-server=utf8mb4 \
            --collation-server=utf8mb4_unicode_ci \
            </dev/null >>"$DIR/mariadbd.out" 2>&1 &
        local launched=$!

        # Up to 60 s: the first start creates InnoDB's files. Stop waiting at once if the server died.
        local waited=0
        until admin --connect-timeout=2 ping >/dev/null 2>&1; do
            if ! kill -0 "$launched" 2>/dev/null; then
                tail -n 30 "$ERRLOG" >&2 || true
                die "MariaDB exited during start-up (is port $PORT already in use? see $ERRLOG)"
            fi
            ((waited++ < 120)) || { tail -n 30 "$ERRLOG" >&2 || true; die "MariaDB did not accept connections in 60 s"; }
            sleep 0.5
        done
    fi

    # Idempotent, so it runs on every start: the account may have been changed by hand, the database dropped.
    # The user connects over TCP from 127.0.0.1 (the tests) or over the socket as localhost (by hand).
    # test_<name>: pytest-django creates and drops its test database itself (and test_<name>_gwN under xdist).
    local name_pattern="${DB_NAME//_/\\_}"
    sql <<EOF
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$name_pattern\`.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`test\\_$name_pattern%\`.* TO '$DB_USER'@'127.0.0.1', '$DB_USER'@'localhost';
EOF
    log "MariaDB is ready: $DB_USER@127.0.0.1:$PORT, database $DB_NAME"
}

stop() {
    local pid
    if ! pid="$(server_pid)"; then
        return 0
    fi
    log "Stopping MariaDB (pid $pid)"
    # A clean shutdown through the server itself; the signal is the fallback if the admin account is unusable.
    admin shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
        if ((waited++ >= 120)); then
            warn "MariaDB (pid $pid) did not stop in 60 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) server_pid >/dev/null ;;
    *) die "usage: $0 start|stop|status" ;;
esac
