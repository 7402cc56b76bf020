# shellcheck shell=bash
# Shared shell functions of the benchmarks (replay.sh, judged.sh, introspect.sh). Sourced, not run.
# shellcheck disable=SC2034  # T_US, CREATEDB_US and the like are read by the sourcing scripts
#
# The sourcing script defines `die` (message → stderr, exit 2) before calling anything here, and
# sets PG_BINDIR. Needs bash >= 5 (EPOCHREALTIME).

now() { echo "${EPOCHREALTIME/[.,]/}"; }          # microseconds, no fork
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
median() { # median of the arguments (mean of the two middle values for an even count)
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# As root, server-side commands run as `postgres` (initdb refuses root).
RUNAS=()
bench_runas_setup() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' account for the benchmark cluster"
    RUNAS=(runuser -u postgres --)
  fi
}

# bench_cluster_start DIR PORT: initdb DIR/data and start it, unix socket in DIR only, with the
# same initdb options and server settings as pgdrift's local sandbox. Sets BENCH_PGDATA and
# BENCH_CLUSTER_UP=1 (for bench_cluster_stop, to be called from the EXIT trap).
BENCH_CLUSTER_UP=0
BENCH_PGDATA=
bench_cluster_start() {
  local dir=$1 port=$2 opts
  mkdir -p "$dir"
  [[ ${#RUNAS[@]} -eq 0 ]] || chown -R postgres "$dir"
  BENCH_PGDATA=$dir/data
  "${RUNAS[@]}" "$PG_BINDIR/initdb" -D "$BENCH_PGDATA" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C --no-sync --wal-segsize=1 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  opts="-k $dir -p $port -c listen_addresses= -c unix_socket_permissions=0700 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=1GB -c checkpoint_timeout=1h -c max_connections=40 -c TimeZone=UTC -c logging_collector=off"
  "${RUNAS[@]}" env LC_ALL=C "$PG_BINDIR/pg_ctl" -D "$BENCH_PGDATA" -o "$opts" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
    || { tail -20 "$dir/postgres.log" >&2; die "cannot start the benchmark cluster"; }
  BENCH_CLUSTER_UP=1
}

bench_cluster_stop() {
  if [[ $BENCH_CLUSTER_UP -eq 1 ]]; then
    "${RUNAS[@]}" "$PG_BINDIR/pg_ctl" -D "$BENCH_PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
    BENCH_CLUSTER_UP=0
  fi
}

# bench_pgdrift_line ROOT PGDRIFT: version, commit, whether the sources changed since, build time.
# bench_machine_line: CPUs, CPU model, RAM, date -u, load average.
bench_pgdrift_line() {
  local root=$1 bin=$2 dirty
  dirty=$(git -C "$root" status --porcelain -- src include CMakeLists.txt 2>/dev/null | head -1)
  echo "$("$bin" --version 2>/dev/null | head -1) · commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')${dirty:+ (sources modified since)} · binary built $(date -u -r "$bin" '+%F %T UTC')"
}
bench_machine_line() {
  echo "$(nproc) CPUs · $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') · $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM · $(date -u '+%F %T UTC') · loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
}
bench_fs_type() { df -PT "$1" | awk 'NR == 2 { print $2 }'; }

# On every exit (also INT/TERM: 130/143): stop the cluster and remove $WORK, unless KEEP=1.
bench_cleanup() {
  local rc=$?
  bench_cluster_stop
  if [[ "${KEEP:-0}" == 1 ]]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
bench_install_cleanup() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# The floor's apply (replay.sh, judged.sh): all of $ALL through one psql connection to the
# running cluster, into a fresh database. Sets T_US (the apply) and CREATEDB_US (the untimed
# CREATE DATABASE, which pgdrift pays inside its wall time); exits 1 when psql fails. Reads
# PSQL, ALL, WORK and FLOOR_PAUSE (seconds slept before the timed apply).
FLOOR_DB=0
run_floor() {
  local t0 t1 db
  FLOOR_DB=$((FLOOR_DB + 1)); db=bench_$FLOOR_DB
  # untimed: a fresh database from template1, and a checkpoint so no earlier work is pending
  t0=$(now)
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null
  t1=$(now)
  CREATEDB_US=$((t1 - t0))
  "${PSQL[@]}" -d postgres -c 'CHECKPOINT' >/dev/null
  sleep "${FLOOR_PAUSE:-0}"
  t0=$(now)
  if ! "${PSQL[@]}" -d "$db" -f "$ALL" >"$WORK/floor/apply.log" 2>&1; then
    echo "psql apply failed:" >&2; tail -30 "$WORK/floor/apply.log" >&2; exit 1
  fi
  t1=$(now)
  T_US=$((t1 - t0))
  "${PSQL[@]}" -d postgres -c "DROP DATABASE $db" >/dev/null
}

# The temp dir WORK in BENCH_TMPDIR, the floor cluster's socket dir SOCK and PORT, the run-as
# account, and the cleanup trap (replay.sh, judged.sh).
bench_work_setup() {
  [[ -d "$BENCH_TMPDIR" && ${#BENCH_TMPDIR} -le 60 ]] || die "BENCH_TMPDIR must be an existing directory, at most 60 characters"
  WORK=$(mktemp -d "$BENCH_TMPDIR/pgdrift-bench-XXXXXX")
  SOCK=$WORK/floor
  PORT=54329
  bench_runas_setup
  bench_install_cleanup
}
