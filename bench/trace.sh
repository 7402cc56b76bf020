#!/usr/bin/env bash
# Tracing benchmark: what watching locks, rewrites and scans while replaying costs, i.e.
# `pgdrift verify` against `pgdrift verify --no-trace` on the same generated migration tree
# (both with --no-destructive-check, so only the tracer differs). With WATCH=guard, the same for
# the destructive-change guard (schema snapshots between migrations): `verify --no-trace` against
# `verify --no-trace --no-destructive-check`. "traced" below means "with the watcher". See
# bench/README.md.
#
# Environment:
#   WATCH=trace      trace | guard: which replay observer to measure
#   N=300            migrations to generate (bench/gen_migrations.sh)
#   R=5              timed repetitions of each side (alternating)
#   PGDRIFT=…        pgdrift binary (default: build/release/src/pgdrift in this checkout)
#   BENCH_TMPDIR=/dev/shm  where pgdrift puts its sandbox (passed as TMPDIR) and the temp files
#   KEEP=0           1 keeps the temp dir (generated tree, JSON reports, logs) for inspection
# Exit status: 0 on success, 1 if a run fails or the traced run reports no dynamic finding (the
# tracer is not wired in), 2 on setup errors.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-300}
R=${R:-5}
PGDRIFT=${PGDRIFT:-$ROOT/build/release/src/pgdrift}
KEEP=${KEEP:-0}
BENCH_TMPDIR=${BENCH_TMPDIR:-/dev/shm}
WATCH=${WATCH:-trace}

die() { echo "trace.sh: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
[[ "$R" =~ ^[1-9][0-9]*$ ]] || die "R must be a positive integer"
[[ "$WATCH" == trace || "$WATCH" == guard ]] || die "WATCH must be trace or guard"
[[ -x "$PGDRIFT" ]] || die "no pgdrift binary at $PGDRIFT (cmake --preset release && cmake --build --preset release)"
command -v jq >/dev/null || die "jq not found"
[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash >= 5 (EPOCHREALTIME)"
[[ -d "$BENCH_TMPDIR" && ${#BENCH_TMPDIR} -le 60 ]] || die "BENCH_TMPDIR must be an existing directory, at most 60 characters"
WORK=$(mktemp -d "$BENCH_TMPDIR/pgdrift-bench-XXXXXX")
bench_install_cleanup

TREE=$WORK/migrations
"$HERE/gen_migrations.sh" "$N" "$TREE"

# run_verify traced|untraced NAME → sets T_US (wall) and REPLAY_MS (sum of the migrations'
# durations in the JSON report: the replay with its observers); exits 1 on failure.
run_verify() {
  local side=$1 name=$2 t0 t1 flags=()
  if [[ "$WATCH" == trace ]]; then
    flags=(--no-destructive-check)
    [[ "$side" == traced ]] || flags+=(--no-trace)
  else
    flags=(--no-trace)
    [[ "$side" == traced ]] || flags+=(--no-destructive-check)
  fi
  local rc=0
  t0=$(now)
  TMPDIR=$BENCH_TMPDIR "$PGDRIFT" verify "${flags[@]}" --migrations "$TREE" --format plain --no-color \
    --json "$WORK/$name.json" >"$WORK/$name.log" 2>&1 || rc=$?
  t1=$(now)
  # Exit 1 only says there are findings (the guard's errors among them); 2 and 3 are failures.
  if ((rc > 1)); then
    echo "pgdrift verify ($side) failed:" >&2; tail -30 "$WORK/$name.log" >&2; exit 1
  fi
  T_US=$((t1 - t0))
  REPLAY_MS=$(jq '[.migrations[].duration_ms] | add | . * 10 | round / 10' "$WORK/$name.json")
}

DYNAMIC='["lint/lock-taken", "lint/table-rewrite", "lint/validation-scan", "lint/lock-held-across-statements", "lint/foreign-key-without-index"]'
[[ "$WATCH" == trace ]] || DYNAMIC='["destructive/drop-table", "destructive/drop-column", "destructive/drop-index", "destructive/drop-constraint", "destructive/drop-view", "destructive/drop-object", "destructive/narrow-type", "destructive/add-not-null", "destructive/change-default"]'
dynamic_counts() { # FILE → "lock-taken 12 · table-rewrite 3 · …" (every dynamic rule, 0 included)
  jq -r --argjson ids "$DYNAMIC" '[.findings[].rule] as $r | [$ids[] | . as $id | "\(ltrimstr("lint/")) \([$r[] | select(. == $id)] | length)"] | join(" · ")' "$1"
}
dynamic_total() { jq --argjson ids "$DYNAMIC" '[.findings[] | select(.rule as $r | $ids | index($r))] | length' "$1"; }

# Warm-up, untimed: fills the template cache and the page cache; checks both sides apply.
run_verify traced warmup-traced; W_T=$T_US
run_verify untraced warmup-untraced; W_U=$T_US
STATEMENTS=$(jq '[.migrations[].statements | length] | add' "$WORK/warmup-traced.json")
PGVER=$(jq -r '.sandbox.server_version' "$WORK/warmup-traced.json")

bench_pgdrift_line "$ROOT" "$PGDRIFT"
echo "watching: $WATCH · PostgreSQL $PGVER (local sandbox) · N=$N migrations, $STATEMENTS statements · R=$R · sandbox in $BENCH_TMPDIR ($(bench_fs_type "$BENCH_TMPDIR"))"
bench_machine_line
echo
echo "warm-up (untimed): traced $(ms "$W_T") ms, untraced $(ms "$W_U") ms"

TW=(); TR=(); UW=(); UR=()
for ((i = 1; i <= R; i++)); do
  # alternate which side goes first, so slow drift of the machine hits both equally
  if ((i % 2)); then
    run_verify traced traced; tw=$T_US; tr=$REPLAY_MS
    run_verify untraced untraced; uw=$T_US; ur=$REPLAY_MS
  else
    run_verify untraced untraced; uw=$T_US; ur=$REPLAY_MS
    run_verify traced traced; tw=$T_US; tr=$REPLAY_MS
  fi
  TW+=("$(ms "$tw")"); TR+=("$tr"); UW+=("$(ms "$uw")"); UR+=("$ur")
  printf 'run %d: traced %8s ms (replay %7s ms)   untraced %8s ms (replay %7s ms)\n' "$i" "${TW[-1]}" "$tr" "${UW[-1]}" "$ur"
done

MTW=$(median "${TW[@]}"); MUW=$(median "${UW[@]}"); MTR=$(median "${TR[@]}"); MUR=$(median "${UR[@]}")
echo
awk -v t="$MTW" -v u="$MUW" 'BEGIN { printf "median wall:   traced %s ms   untraced %s ms   tracing +%.1f ms (%+.0f %%)\n", t, u, t - u, 100 * (t / u - 1) }'
awk -v t="$MTR" -v u="$MUR" -v n="$STATEMENTS" 'BEGIN { printf "median replay: traced %s ms   untraced %s ms   tracing +%.1f ms (%+.0f %%), %.0f µs per statement\n", t, u, t - u, 100 * (t / u - 1), 1000 * (t - u) / n }'
echo "loadavg after the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dynamic findings of the traced run: $(dynamic_counts "$WORK/traced.json")"
echo "dynamic findings of the untraced run: $(dynamic_total "$WORK/untraced.json")"
if [[ $(dynamic_total "$WORK/traced.json") -eq 0 ]]; then
  echo "trace.sh: the traced run reported no dynamic finding: is the tracer wired into pgdrift verify?" >&2
  exit 1
fi
