#!/usr/bin/env bash
# Diff benchmark: wall time and peak RSS of `pgdrift diff A B` between two generated N-table
# schemas (bench/gen_schema.sh; B = A plus a change every few tables), given
#   - as two database URLs (both introspected live), with and without --sql, and
#   - as two .sql files (each loaded into pgdrift's own sandbox, then introspected).
# See bench/README.md.
#
# Environment:
#   N=1000           tables in each schema
#   R=5              timed repetitions of each command
#   PGDRIFT=…        pgdrift binary (default: build/release/src/pgdrift in this checkout)
#   PG_BINDIR=…      PostgreSQL server binaries for the cluster (default: /usr/lib/postgresql/15/bin)
#   BENCH_TMPDIR=/dev/shm  where the cluster, the files and pgdrift's sandbox (TMPDIR) live
#   PORT=54331       port of the cluster (unix socket only)
#   KEEP=0           1 keeps the temp dir (a.sql, b.sql, outputs, logs) for inspection
# Exit status: 0 on success, 1 if a load or a diff fails, 2 on setup errors.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-1000}
R=${R:-5}
PGDRIFT=${PGDRIFT:-$ROOT/build/release/src/pgdrift}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
BENCH_TMPDIR=${BENCH_TMPDIR:-/dev/shm}
PORT=${PORT:-54331}
KEEP=${KEEP:-0}

die() { echo "diff.sh: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer"
[[ "$R" =~ ^[1-9][0-9]*$ ]] || die "R must be a positive integer"
[[ -x "$PGDRIFT" ]] || die "no pgdrift binary at $PGDRIFT (cmake --preset release && cmake --build --preset release)"
[[ -x "$PG_BINDIR/postgres" ]] || die "no PostgreSQL server binaries in $PG_BINDIR"
[[ -x /usr/bin/time ]] || die "needs /usr/bin/time (GNU time, for the peak RSS)"
command -v psql >/dev/null || die "psql not found"
[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash >= 5 (EPOCHREALTIME)"

[[ -d "$BENCH_TMPDIR" && ${#BENCH_TMPDIR} -le 60 ]] || die "BENCH_TMPDIR must be an existing directory, at most 60 characters"
WORK=$(mktemp -d "$BENCH_TMPDIR/pgdrift-diff-XXXXXX")
SOCK=$WORK/pg
bench_runas_setup
bench_install_cleanup

# --- the two schemas ------------------------------------------------------------------------------
# B is A plus, on every 10th table a new column, every 25th a new index, every 40th a dropped
# default, every 50th a new comment: a drift of a few percent of the objects.
"$HERE/gen_schema.sh" "$N" >"$WORK/a.sql"
{
  cat "$WORK/a.sql"
  echo "SET client_min_messages = warning;"
  grep -o '^CREATE TABLE [a-z]*\.[a-z_0-9]*' "$WORK/a.sql" | awk '{ print $3 }' | awk '
    NR % 10 == 0 { printf "ALTER TABLE %s ADD COLUMN note text;\n", $1 }
    NR % 25 == 0 { printf "CREATE INDEX ON %s (created_at DESC);\n", $1 }
    NR % 40 == 0 { printf "ALTER TABLE %s ALTER COLUMN name DROP DEFAULT;\n", $1 }
    NR % 50 == 0 { printf "COMMENT ON TABLE %s IS '\''changed by hand'\'';\n", $1 }'
} >"$WORK/b.sql"

chmod 755 "$WORK"
bench_cluster_start "$SOCK" "$PORT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres)
PGVER=$("${PSQL[@]}" -d postgres -Atc 'SHOW server_version')
"${PSQL[@]}" -d postgres -c 'CREATE DATABASE a' -c 'CREATE DATABASE b' >/dev/null
for side in a b; do
  "${PSQL[@]}" -d "$side" -f "$WORK/$side.sql" >"$WORK/load-$side.log" 2>&1 \
    || { echo "$side.sql does not load:" >&2; tail -20 "$WORK/load-$side.log" >&2; exit 1; }
done
"${PSQL[@]}" -d a -c 'VACUUM ANALYZE' >/dev/null
"${PSQL[@]}" -d b -c 'VACUUM ANALYZE' >/dev/null
URL_A="postgresql://postgres@/a?host=$SOCK&port=$PORT"
URL_B="postgresql://postgres@/b?host=$SOCK&port=$PORT"
cd "$WORK"   # no ./pgdrift.yml from the caller's directory
export TMPDIR=$BENCH_TMPDIR

# run NAME ARGS… → appends "wall_ms rss_kib" of one run to $WORK/NAME.times; exit status 0 or 1
# (differences found) is success, anything else fails the benchmark.
run() {
  local name=$1 rc=0
  shift
  /usr/bin/time -f '%e %M' -o "$WORK/time.out" "$PGDRIFT" diff --no-color "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  if [[ $rc -gt 1 ]]; then
    echo "pgdrift diff $* exited $rc:" >&2; tail -20 "$WORK/$name.err" >&2; exit 1
  fi
  awk '/^[0-9.]+ [0-9]+$/ { printf "%.1f %d\n", $1 * 1000, $2 }' "$WORK/time.out" >>"$WORK/$name.times"
}

bench_pgdrift_line "$ROOT" "$PGDRIFT"
echo "PostgreSQL $PGVER ($PG_BINDIR) · N=$N tables per side · R=$R · files, cluster and sandbox in $BENCH_TMPDIR ($(bench_fs_type "$BENCH_TMPDIR"))"
bench_machine_line
echo "a.sql: $(wc -l <"$WORK/a.sql") lines; b.sql: $(wc -l <"$WORK/b.sql") lines ($(($(wc -l <"$WORK/b.sql") - $(wc -l <"$WORK/a.sql"))) statements more)"

# Warm-up, untimed (page cache, the sandbox's template cluster).
run warm-urls "$URL_A" "$URL_B"
run warm-files "$WORK/a.sql" "$WORK/b.sql"
rm -f "$WORK"/warm-*.times
for ((i = 1; i <= R; i++)); do
  run urls "$URL_A" "$URL_B"
  run urls-sql --sql "$URL_A" "$URL_B"
  run files "$WORK/a.sql" "$WORK/b.sql"
  run files-sql --sql "$WORK/a.sql" "$WORK/b.sql"
done
echo "findings (URLs): $(grep -c '^' "$WORK/urls.out") lines of output; --sql: $(grep -vc '^--' "$WORK/urls-sql.out") lines of SQL"
cmp -s "$WORK/urls-sql.out" "$WORK/files-sql.out" && echo "--sql is byte-identical for URLs and files" \
  || echo "--sql differs between URLs and files (see KEEP=1)"
echo
printf '%-28s %14s %14s %16s\n' "command" "median wall" "max wall" "max peak RSS"
for name in urls urls-sql files files-sql; do
  case $name in
    urls) label="diff URL_A URL_B" ;;
    urls-sql) label="diff --sql URL_A URL_B" ;;
    files) label="diff a.sql b.sql" ;;
    files-sql) label="diff --sql a.sql b.sql" ;;
  esac
  mapfile -t walls < <(awk '{ print $1 }' "$WORK/$name.times")
  printf '%-28s %11s ms %11s ms %12s MiB\n' "$label" "$(median "${walls[@]}")" \
    "$(sort -n "$WORK/$name.times" | tail -1 | awk '{ print $1 }')" \
    "$(sort -k2 -n "$WORK/$name.times" | tail -1 | awk '{ printf "%.1f", $2 / 1024 }')"
done
echo "loadavg after the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
