#!/usr/bin/env bash
# Runs the whole test suite on a fresh Node-20 Debian machine: installs the
# dependencies, starts private PostgreSQL, MariaDB and Redis instances on free loopback ports,
# each with a data directory of its own (installing them with apt only if missing, and Dovecot and
# Chromium for the email tests), runs
# `pnpm test`, and stops exactly the instances it started. Set TESSERA_PG_URL /
# TESSERA_MYSQL_URL / TESSERA_REDIS_URL to use servers of your own.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.4.2
export npm_config_nodedir=/usr   # better-sqlite3 compiles against the system Node headers

# The pnpm the lockfile was written with: the one on PATH if it is that version, else run through
# npx, which installs nothing globally. Scripts that pnpm runs find the same pnpm on their PATH.
if [ "$(pnpm --version 2>/dev/null || true)" = "$PNPM_VERSION" ]; then
  pnpm=(pnpm)
else
  pnpm=(npx -y "pnpm@$PNPM_VERSION")
fi
"${pnpm[@]}" install --frozen-lockfile

free_port() { for p in "$@"; do ss -ltn | grep -q ":$p\b" || { echo "$p"; return; }; done; return 1; }
need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null || need_apt+=(redis-server)
# mariadb-server also creates the `mysql` user the server runs as; its recommends (compression
# plugins, pv) are not needed.
{ [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null && command -v mariadb >/dev/null; } ||
  need_apt+=(mariadb-server)
# The email tests: Dovecot is the real IMAP server the poller is tested against; Chromium renders
# sanitised HTML (driven by playwright-core, which never downloads a browser of its own).
[ -x /usr/sbin/dovecot ] || need_apt+=(dovecot-imapd)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PGDATA=""; REDISDIR=""; MARIADIR=""
cleanup() {
  [ -n "$PGDATA" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  [ -n "$REDISDIR" ] && [ -s "$REDISDIR/redis.pid" ] && kill "$(cat "$REDISDIR/redis.pid")" 2>/dev/null || true
  if [ -n "$MARIADIR" ] && [ -s "$MARIADIR/mariadb.pid" ]; then
    maria_pid=$(cat "$MARIADIR/mariadb.pid")
    kill "$maria_pid" 2>/dev/null || true
    # A clean shutdown takes a moment; the directory goes only once the server is gone.
    for _ in $(seq 100); do kill -0 "$maria_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "${PGDATA:-/nonexistent}" "${REDISDIR:-/nonexistent}" "${MARIADIR:-/nonexistent}"
}
trap cleanup EXIT

if [ -z "${TESSERA_PG_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGPORT=$(free_port 55432 55433 55434 55435)
  PGDATA=$(mktemp -d /tmp/tessera-pg.XXXXXX); chown postgres:postgres "$PGDATA"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start \
    -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
  export TESSERA_PG_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
  # Another process on this machine may answer on a nearby port: require that the server
  # behind the URL is the one we just started, not merely that something is listening.
  pg_dir=$("$PGBIN/psql" "$TESSERA_PG_URL" -Atqc 'show data_directory' 2>/dev/null || true)
  [ "$pg_dir" = "$PGDATA" ] || {
    echo "PostgreSQL at $TESSERA_PG_URL is not ours (data_directory '$pg_dir')" >&2
    cat "$PGDATA/server.log" >&2; exit 1
  }
fi
if [ -z "${TESSERA_REDIS_URL:-}" ]; then
  REDISPORT=$(free_port 56379 56380 56381 56382)
  REDISDIR=$(mktemp -d /tmp/tessera-redis.XXXXXX)
  redis-server --port "$REDISPORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$REDISDIR" --pidfile "$REDISDIR/redis.pid" --logfile "$REDISDIR/redis.log"
  for _ in $(seq 50); do [ -s "$REDISDIR/redis.pid" ] && break; sleep 0.1; done
  [ -s "$REDISDIR/redis.pid" ] || { cat "$REDISDIR/redis.log"; exit 1; }
  export TESSERA_REDIS_URL="redis://127.0.0.1:$REDISPORT"
  # Trust the pidfile first (above), then require PONG from that port.
  pong=""
  for _ in $(seq 50); do
    pong=$(redis-cli -h 127.0.0.1 -p "$REDISPORT" ping 2>/dev/null || true)
    [ "$pong" = "PONG" ] && break; sleep 0.1
  done
  [ "$pong" = "PONG" ] || { echo "redis-server on port $REDISPORT did not answer PONG" >&2; cat "$REDISDIR/redis.log" >&2; exit 1; }
fi
if [ -z "${TESSERA_MYSQL_URL:-}" ]; then
  MARIAPORT=$(free_port 53306 53307 53308 53309)
  MARIADIR=$(mktemp -d /tmp/tessera-mariadb.XXXXXX); chown mysql:mysql "$MARIADIR"
  # root@localhost without a password; loopback only; no fsync per commit (a test server).
  maria_opts=(--no-defaults --datadir="$MARIADIR/data" --innodb-log-file-size=16M)
  mariadb-install-db "${maria_opts[@]}" --user=mysql --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >"$MARIADIR/install.log" 2>&1 || { cat "$MARIADIR/install.log" >&2; exit 1; }
  runuser -u mysql -- /usr/sbin/mariadbd "${maria_opts[@]}" --port="$MARIAPORT" --bind-address=127.0.0.1 \
    --skip-name-resolve --socket="$MARIADIR/mariadb.sock" --pid-file="$MARIADIR/mariadb.pid" \
    --log-error="$MARIADIR/server.log" --innodb-flush-log-at-trx-commit=0 --max-connections=300 >"$MARIADIR/stderr.log" 2>&1 &
  maria=(mariadb --no-defaults -h127.0.0.1 -P"$MARIAPORT" -uroot -N -B)
  for _ in $(seq 100); do [ -s "$MARIADIR/mariadb.pid" ] && "${maria[@]}" -e 'select 1' >/dev/null 2>&1 && break; sleep 0.1; done
  # As for PostgreSQL: the server answering on that port must be the one just started.
  maria_dir=$("${maria[@]}" -e 'select @@datadir' 2>/dev/null || true)
  [ "${maria_dir%/}" = "$MARIADIR/data" ] || {
    echo "MariaDB on port $MARIAPORT is not ours (datadir '$maria_dir')" >&2
    cat "$MARIADIR/stderr.log" "$MARIADIR/server.log" >&2; exit 1
  }
  "${maria[@]}" -e 'create database tessera character set utf8mb4 collate utf8mb4_bin'
  export TESSERA_MYSQL_URL="mysql://root@127.0.0.1:$MARIAPORT/tessera"
fi

"${pnpm[@]}" test
