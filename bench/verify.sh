#!/usr/bin/env bash
# Verify benchmark: `pgdrift verify --base none` (every migration judged: replayed, traced,
# guarded and linted, the model introspected) on the generated tree, against the floor of
# replay.sh (the same migrations applied by one psql connection to an already running cluster),
# and the same verify without the destructive guard (what the guard costs). See bench/README.md.
#
# Environment:
#   N=300            migrations to generate (bench/gen_migrations.sh)
#   R=5              timed repetitions of each side (the order alternates)
#   PGDRIFT=…        pgdrift binary (default: build/release/src/pgdrift in this checkout)
#   PG_BINDIR=…      PostgreSQL server binaries for the floor cluster (default: /usr/lib/postgresql/15/bin)
#   BENCH_TMPDIR=/dev/shm  where the tree, the floor's data directory and pgdrift's sandbox live
#   KEEP=0           1 keeps the temp dir (tree, logs, JSON report)
# Exit status: 0 on success (whether or not the target is met), 1 if a run fails (pgdrift exit 2
# or 3, psql error) or the report is not as expected, 2 on setup errors.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-300}
R=${R:-5}
PGDRIFT=${PGDRIFT:-$ROOT/build/release/src/pgdrift}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
KEEP=${KEEP:-0}
BENCH_TMPDIR=${BENCH_TMPDIR:-/dev/shm}

die() { echo "verify.sh: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh disable=SC1091  # followed with `shellcheck -x`
. "$HERE/lib.sh"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer"
[[ "$R" =~ ^[1-9][0-9]*$ ]] || die "R must be a positive integer"
[[ -x "$PGDRIFT" ]] || die "no pgdrift binary at $PGDRIFT (cmake --preset release && cmake --build --preset release)"
[[ -x "$PG_BINDIR/postgres" && -x "$PG_BINDIR/initdb" && -x "$PG_BINDIR/pg_ctl" ]] || die "no PostgreSQL server binaries in $PG_BINDIR"
command -v psql >/dev/null || die "psql not found"
command -v jq >/dev/null || die "jq not found"
[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash >= 5 (EPOCHREALTIME)"

bench_work_setup
TREE=$WORK/migrations
"$HERE/gen_migrations.sh" "$N" "$TREE"
ALL=$WORK/all.sql
for f in "$TREE"/*.sql; do
  printf 'BEGIN;\n'; cat "$f"; printf '\nCOMMIT;\n'
done >"$ALL"
chmod 755 "$WORK"
bench_cluster_start "$WORK/floor" "$PORT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c 'SELECT 1' >/dev/null || die "cannot connect to the floor cluster"
PGVER=$("${PSQL[@]}" -d postgres -Atc 'SHOW server_version')

# run_verify LOG [ARGS…] → sets T_US; exits 1 unless pgdrift exits 0 or 1 (findings).
run_verify() {
  local log=$1 t0 t1 rc=0
  shift
  t0=$(now)
  TMPDIR=$BENCH_TMPDIR "$PGDRIFT" verify --migrations "$TREE" --format plain --no-color --base none \
    --no-cache "$@" >"$log" 2>&1 || rc=$?
  t1=$(now)
  if ((rc > 1)); then
    echo "pgdrift verify failed (exit $rc):" >&2; tail -30 "$log" >&2; exit 1
  fi
  T_US=$((t1 - t0))
}

bench_pgdrift_line "$ROOT" "$PGDRIFT"
echo "PostgreSQL $PGVER ($PG_BINDIR) · N=$N migrations, all judged (--base none, --no-cache) · R=$R · floor transactions: file · clusters in $BENCH_TMPDIR ($(bench_fs_type "$BENCH_TMPDIR"))"
bench_machine_line
echo

# Warm-up and check, untimed: one -v --json run (every migration judged, the guard's line), one
# without the guard, one floor run.
run_verify "$WORK/check.log" -v --json "$WORK/check.json"; W_V=$T_US
JUDGED=$(jq '.judged.new | length' "$WORK/check.json")
[[ "$JUDGED" -eq "$N" ]] || { echo "verify.sh: $JUDGED migrations judged, expected $N" >&2; exit 1; }
run_verify "$WORK/check-noguard.log" --no-destructive-check; W_G=$T_US
run_floor; W_F=$T_US
FINDINGS=$(jq -r '[.findings[].rule] | group_by(.) | map("\(.[0]) \(length)") | join(" · ") | if . == "" then "none" else . end' "$WORK/check.json")
echo "warm-up (untimed): verify $(ms "$W_V") ms (-v), without the guard $(ms "$W_G") ms, floor $(ms "$W_F") ms"
echo "check (untimed): $JUDGED migrations judged; findings: $FINDINGS"
grep -E '^pgdrift: (replay [0-9]+ ms|destructive guard)' "$WORK/check.log" | sed 's/^/  -v: /' || true
echo

V=(); G=(); FL=()
for ((i = 1; i <= R; i++)); do
  if ((i % 2)); then
    run_verify "$WORK/verify.log"; v=$T_US
    run_verify "$WORK/noguard.log" --no-destructive-check; g=$T_US
    run_floor; f=$T_US
  else
    run_floor; f=$T_US
    run_verify "$WORK/noguard.log" --no-destructive-check; g=$T_US
    run_verify "$WORK/verify.log"; v=$T_US
  fi
  V+=("$(ms "$v")"); G+=("$(ms "$g")"); FL+=("$(ms "$f")")
  printf 'run %d: verify %8s ms   without the guard %8s ms   floor %8s ms\n' "$i" "${V[-1]}" "${G[-1]}" "${FL[-1]}"
done
MV=$(median "${V[@]}")
MG=$(median "${G[@]}")
MF=$(median "${FL[@]}")
RATIO=$(awk -v a="$MV" -v b="$MF" 'BEGIN { printf "%.2f", a / b }')
echo
printf 'median: verify %s ms   without the guard %s ms   floor %s ms\n' "$MV" "$MG" "$MF"
printf 'ratio verify/floor %s×  (target ≤ 1.50×: %s); the guard costs %s ms\n' "$RATIO" \
  "$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.5 ? "met" : "NOT met") }')" \
  "$(awk -v a="$MV" -v b="$MG" 'BEGIN { printf "%.1f", a - b }')"
echo "loadavg after the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
