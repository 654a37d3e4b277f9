#!/usr/bin/env bash
# Runs a command (e.g. `npm test`) with Debian's PgBouncer in transaction-pooling mode in front of
# the PostgreSQL server of DATABASE_URL, stopping it when the command ends:
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/mydb tools/pgbouncer/with-pgbouncer.sh npm test
#
# The command sees TEST_PGBOUNCER_URL, the URL of PgBouncer's admin console; the tests' service
# logins (packages/testing) then connect to its host and port, while the migrations, fixtures and
# DATABASE_URL itself still reach the server directly. PGBOUNCER_PORT: where it listens (6432).
# CI and the README's local run both use this script, so the configuration exists once.
set -euo pipefail

# In one function, which bash reads whole before running it: editing this file while a long
# command runs cannot change what runs after it.
main() {
  : "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL server PgBouncer goes in front of}"
  if [ "$#" -eq 0 ]; then
    echo "usage: $0 <command> [arguments...]" >&2
    exit 64
  fi
  pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  if [ ! -x "$pgbouncer" ]; then
    echo "pgbouncer is not installed (Debian: apt-get install pgbouncer)" >&2
    exit 69
  fi
  port="${PGBOUNCER_PORT:-6432}"
  pooling="$(cd "$(dirname "$0")/../.." && pwd)/deploy/pgbouncer/pooling.ini"

  # host, port, user and password of DATABASE_URL, one a line (node parses the URL, not a regex).
  mapfile -t server < <(node -e '
    const url = new URL(process.argv[1]);
    for (const part of [url.hostname, url.port || "5432", decodeURIComponent(url.username), decodeURIComponent(url.password)]) console.log(part);
  ' "$DATABASE_URL")
  console_password=$(node -e 'console.log(require("node:crypto").randomBytes(18).toString("base64url"))')

  dir=$(mktemp -d -t cg-pgbouncer-XXXXXX)
  # The auth file holds the console's user and, if DATABASE_URL has one, the password of the user
  # whose auth_query looks up everyone else: a service login is checked against the SCRAM verifier
  # PostgreSQL itself stores for that role (set by the migrations), so no password is copied here.
  {
    printf '"pgbouncer_console" "%s"\n' "$console_password"
    if [ -n "${server[3]}" ]; then printf '"%s" "%s"\n' "${server[2]}" "${server[3]//\"/\"\"}"; fi
  } > "$dir/userlist.txt"
  # A copy, since the user PgBouncer runs as may not be able to read the checkout.
  cp "$pooling" "$dir/pooling.ini"
  cat > "$dir/pgbouncer.ini" <<EOF
[databases]
* = host=${server[0]} port=${server[1]}

[pgbouncer]
%include $dir/pooling.ini
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_file = $dir/userlist.txt
auth_user = ${server[2]}
admin_users = pgbouncer_console
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  chmod 600 "$dir/userlist.txt"

  # PgBouncer refuses to run as root; CI runs as root, so it runs as the postgres user there.
  as_user=()
  if [ "$(id -u)" -eq 0 ]; then
    as_user=(-u postgres)
    chown -R postgres "$dir"
  fi

  stop() {
    local status=$?
    if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi
    # A failed run shows what PgBouncer refused or lost (its log goes with the directory).
    if [ "$status" -ne 0 ] && [ -f "$dir/pgbouncer.log" ]; then
      grep -E ' (WARNING|ERROR) ' "$dir/pgbouncer.log" | tail -n 40 >&2 || true
    fi
    rm -rf "$dir"
  }
  trap stop EXIT
  "$pgbouncer" -d "${as_user[@]}" "$dir/pgbouncer.ini"

  export TEST_PGBOUNCER_URL="postgres://pgbouncer_console:${console_password}@127.0.0.1:${port}/pgbouncer"
  for _ in $(seq 50); do
    psql "$TEST_PGBOUNCER_URL" -Atqc 'SHOW VERSION' > /dev/null 2>&1 && break
    sleep 0.1
  done
  psql "$TEST_PGBOUNCER_URL" -Atqc 'SHOW VERSION' > /dev/null || { cat "$dir/pgbouncer.log" >&2; exit 70; }
  printf 'PgBouncer (transaction pooling) on 127.0.0.1:%s in front of %s:%s\n' "$port" "${server[0]}" "${server[1]}"

  "$@"
}

main "$@"; exit
