#!/usr/bin/env bash
# A real primary and a real streaming replica for the replica test and benchmark: two PostgreSQL
# clusters of this machine's version, beside its own, made with Debian's pg_createcluster and
# pg_basebackup -R (the replica follows the primary by streaming replication, hot standby).
#
#   tests/replica/cluster.sh up      make (once) and start both; prints the two URLs
#   tests/replica/cluster.sh stop-replica | start-replica
#   tests/replica/cluster.sh down    stop and drop both
#
# Ports: WKSBM_PRIMARY_PORT (5441) and WKSBM_REPLICA_PORT (5442). Needs root (or the postgres
# user's rights) and PostgreSQL's server packages, as this machine has.
set -euo pipefail
PRIMARY_PORT=${WKSBM_PRIMARY_PORT:-5441}
REPLICA_PORT=${WKSBM_REPLICA_PORT:-5442}
VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql | sort -n | tail -1)}
PRIMARY=wksbm_primary
REPLICA=wksbm_replica
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
exists() { pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION $1"; }
online() { pg_lsclusters -h | awk -v v="$VERSION" -v c="$1" '$1==v && $2==c && $4 ~ /^online/ {f=1} END {exit !f}'; }
ctl() { pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$1" "$2" "${@:3}"; }
wait_ready() {
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$1" && return 0; sleep 0.5; done
    echo "PostgreSQL on port $1 did not start" >&2; return 1
}

up() {
    if ! exists "$PRIMARY"; then
        # trust on the loopback, replication included (initdb's --auth writes both lines).
        pg_createcluster -q "$VERSION" "$PRIMARY" -p "$PRIMARY_PORT" -- --auth=trust >/dev/null
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "wal_level = replica"
            echo "max_wal_senders = 4"
            echo "fsync = off"  # a test cluster: speed over durability
            echo "jit = off"
        } >> "/etc/postgresql/$VERSION/$PRIMARY/postgresql.conf"
    fi
    online "$PRIMARY" || ctl "$PRIMARY" start
    wait_ready "$PRIMARY_PORT"
    if ! exists "$REPLICA"; then
        pg_createcluster -q "$VERSION" "$REPLICA" -p "$REPLICA_PORT" -- --auth=trust >/dev/null
        data=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$REPLICA" '$1==v && $2==c {print $6}')
        rm -rf "$data" && mkdir -p "$data" && chown postgres:postgres "$data" && chmod 700 "$data"
        # A copy of the primary that connects back to it and replays its WAL as it streams.
        as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -R \
            -X stream -c fast
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "hot_standby = on"
            echo "jit = off"
        } >> "/etc/postgresql/$VERSION/$REPLICA/postgresql.conf"
    fi
    start_replica
    echo "postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres"
    echo "postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
}

start_replica() {
    online "$REPLICA" || ctl "$REPLICA" start
    wait_ready "$REPLICA_PORT"
}

case "${1:-up}" in
    up) up ;;
    stop-replica) online "$REPLICA" && ctl "$REPLICA" stop -m immediate || true ;;
    start-replica) start_replica ;;
    down)
        for c in "$REPLICA" "$PRIMARY"; do
            exists "$c" && pg_dropcluster --stop "$VERSION" "$c"
        done
        true ;;
    *) echo "usage: $0 up|stop-replica|start-replica|down" >&2; exit 2 ;;
esac
