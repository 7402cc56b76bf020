#!/usr/bin/env bash
# Replay benchmark: `pgdrift replay` (sandbox start + replay + stop) against the floor, i.e. the
# same SQL applied by one psql connection to a PostgreSQL cluster that is already running with
# the same settings as pgdrift's sandbox. See bench/README.md.
#
# Environment:
#   N=300            migrations to generate (bench/gen_migrations.sh)
#   R=5              timed repetitions of each side (alternating)
#   PGDRIFT=…        pgdrift binary (default: build/release/src/pgdrift in this checkout)
#   PG_BINDIR=…      PostgreSQL server binaries for the floor cluster
#                    (default: /usr/lib/postgresql/15/bin; use the ones pgdrift picks)
#   FLOOR_TX=file    file: each migration wrapped in BEGIN/COMMIT like pgdrift does (default)
#                    none: plain autocommit, the files exactly as written
#   BENCH_TMPDIR=/tmp  where both clusters live: the floor's data directory, and pgdrift's
#                    per-run sandbox (passed to pgdrift as TMPDIR). Same filesystem on both sides.
#   PAUSE=0          seconds to sleep before each timed run (untimed); see README on why
#   KEEP=0           1 keeps the temp dir (generated tree, logs) for inspection
# Exit status: 0 on success, 1 if any replay (pgdrift or psql) fails, 2 on setup errors.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-300}
R=${R:-5}
PGDRIFT=${PGDRIFT:-$ROOT/build/release/src/pgdrift}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
FLOOR_TX=${FLOOR_TX:-file}
KEEP=${KEEP:-0}
BENCH_TMPDIR=${BENCH_TMPDIR:-/tmp}
PAUSE=${PAUSE:-0}

die() { echo "replay.sh: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
[[ "$R" =~ ^[1-9][0-9]*$ ]] || die "R must be a positive integer"
[[ "$PAUSE" =~ ^[0-9]+$ ]] || die "PAUSE must be a whole number of seconds"
[[ -x "$PGDRIFT" ]] || die "no pgdrift binary at $PGDRIFT (cmake --preset release && cmake --build --preset release)"
[[ -x "$PG_BINDIR/postgres" && -x "$PG_BINDIR/initdb" && -x "$PG_BINDIR/pg_ctl" ]] || die "no PostgreSQL server binaries in $PG_BINDIR"
command -v psql >/dev/null || die "psql not found"
case "$FLOOR_TX" in file|none) ;; *) die "FLOOR_TX must be file or none" ;; esac
[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash >= 5 (EPOCHREALTIME)"

# --- temp dir, cluster, cleanup ---------------------------------------------------------------
bench_work_setup

# --- inputs -----------------------------------------------------------------------------------
TREE=$WORK/migrations
"$HERE/gen_migrations.sh" "$N" "$TREE"
TRIVIAL=$WORK/trivial
mkdir -p "$TRIVIAL"
printf 'CREATE TABLE t (id int PRIMARY KEY);\n' >"$TRIVIAL/0001_t.sql"

# The floor's input: every migration in order, as one psql script.
ALL=$WORK/all.sql
for f in "$TREE"/*.sql; do
  if [[ "$FLOOR_TX" == file ]]; then
    printf 'BEGIN;\n'; cat "$f"; printf '\nCOMMIT;\n'
  else
    cat "$f"; printf '\n'
  fi
done >"$ALL"

# --- floor cluster: same initdb options and server settings as pgdrift's sandbox --------------
chmod 755 "$WORK"
bench_cluster_start "$WORK/floor" "$PORT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c 'SELECT 1' >/dev/null || die "cannot connect to the floor cluster"
PGVER=$("${PSQL[@]}" -d postgres -Atc 'SHOW server_version')

# --- runs ---------------------------------------------------------------------------------------
run_pgdrift() { # run_pgdrift TREE LOG → sets T_US; exits 1 on failure
  local t0 t1
  t0=$(now)
  if ! TMPDIR=$BENCH_TMPDIR "$PGDRIFT" replay --migrations "$1" --format plain --no-color >"$2" 2>&1; then
    echo "pgdrift replay failed on $1:" >&2; tail -30 "$2" >&2; exit 1
  fi
  t1=$(now)
  T_US=$((t1 - t0))
}


bench_pgdrift_line "$ROOT" "$PGDRIFT"
echo "PostgreSQL $PGVER ($PG_BINDIR) · N=$N migrations · R=$R · floor transactions: $FLOOR_TX · pause ${PAUSE}s · clusters in $BENCH_TMPDIR ($(bench_fs_type "$BENCH_TMPDIR"))"
bench_machine_line
echo

# Warm-up, untimed: fills pgdrift's template cache and the page cache, and checks the tree
# applies cleanly on both sides.
run_pgdrift "$TREE" "$WORK/warmup.log"; W_P=$T_US
run_floor; W_F=$T_US
echo "warm-up (untimed): pgdrift $(ms "$W_P") ms, floor $(ms "$W_F") ms"

P=(); F=(); C=(); FLOOR_PAUSE=$PAUSE
for ((i = 1; i <= R; i++)); do
  # alternate which side goes first, so slow drift of the machine hits both equally
  if ((i % 2)); then
    sleep "$PAUSE"; run_pgdrift "$TREE" "$WORK/pgdrift.log"; p=$T_US
    run_floor; f=$T_US
  else
    run_floor; f=$T_US
    sleep "$PAUSE"; run_pgdrift "$TREE" "$WORK/pgdrift.log"; p=$T_US
  fi
  P+=("$(ms "$p")"); F+=("$(ms "$f")"); C+=("$(ms "$CREATEDB_US")")
  printf 'run %d: pgdrift %8s ms   floor %8s ms\n' "$i" "${P[-1]}" "${F[-1]}"
done
MP=$(median "${P[@]}")
MF=$(median "${F[@]}")
RATIO=$(awk -v a="$MP" -v b="$MF" 'BEGIN { printf "%.2f", a / b }')
echo
printf 'median: pgdrift %s ms   floor %s ms   ratio pgdrift/floor %s×  (target ≤ 1.50×: %s)\n' \
  "$MP" "$MF" "$RATIO" "$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.5 ? "met" : "NOT met") }')"

echo "(floor, untimed: CREATE DATABASE median $(median "${C[@]}") ms; pgdrift pays its own inside its wall time)"
echo "loadavg after the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- where pgdrift's time goes ------------------------------------------------------------------
echo
echo "breakdown (pgdrift):"
T=()
for ((i = 1; i <= R; i++)); do run_pgdrift "$TRIVIAL" "$WORK/trivial.log"; T+=("$(ms "$T_US")"); done
echo "  1 trivial migration, wall median of $R: $(median "${T[@]}") ms   (fixed cost: start + create db + stop)"
t0=$(now)
TMPDIR=$BENCH_TMPDIR "$PGDRIFT" replay --migrations "$TREE" --format plain --no-color -v --json "$WORK/verbose.json" >"$WORK/verbose.log" 2>&1 \
  || { echo "pgdrift replay -v failed:" >&2; tail -30 "$WORK/verbose.log" >&2; exit 1; }
t1=$(now)
WALL=$(ms $((t1 - t0)))
READY=$(grep -o 'ready in [0-9]* ms' "$WORK/verbose.log" | grep -o '[0-9]*' | head -1 || true)
REPLAY=$(jq '[.migrations[].duration_ms] | add | . * 10 | round / 10' "$WORK/verbose.json" 2>/dev/null || echo '?')
TOTAL=$(jq '.summary.duration_ms' "$WORK/verbose.json" 2>/dev/null || echo '?')
grep -m1 'sandbox: local PostgreSQL' "$WORK/verbose.log" | sed 's/^/  -v: /'
echo "  one -v run on the $N tree: wall $WALL ms = sandbox start ${READY:-?} ms + replay ${REPLAY} ms (sum of migrations)"
echo "    + rest $(awk -v w="$WALL" -v s="${READY:-0}" -v r="$REPLAY" 'BEGIN { printf "%.1f", w - s - r }') ms (process start, discovery, CREATE DATABASE, connect, stop, report); pgdrift's own total ${TOTAL} ms"
