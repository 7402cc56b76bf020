#!/usr/bin/env bash
# Judged-verify benchmark: `pgdrift verify --base main` on a git repository where one migration is
# new and the N-1 before it are history, with the replay cache cold (a first CI run: the history
# is replayed and saved) and warm (the history is restored from the cache), against the floor of
# replay.sh (all N migrations applied by one psql connection to an already running cluster).
# See bench/README.md ("replay.sh" for the floor).
#
# Environment:
#   N=300            migrations to generate (bench/gen_migrations.sh); the last one is the new one
#   R=5              timed repetitions of each side (the order alternates)
#   PGDRIFT=…        pgdrift binary (default: build/release/src/pgdrift in this checkout)
#   PG_BINDIR=…      PostgreSQL server binaries for the floor cluster
#                    (default: /usr/lib/postgresql/15/bin; use the ones pgdrift picks)
#   BENCH_TMPDIR=/dev/shm  where everything lives: the git repository, the caches, the floor's
#                    data directory, and pgdrift's per-run sandbox (passed to pgdrift as TMPDIR)
#   KEEP=0           1 keeps the temp dir (repository, caches, JSON reports, logs) for inspection
# Exit status: 0 on success (whether or not the targets are met), 1 if a run fails (pgdrift exit
# 2 or 3, psql error) or the JSON reports are not as expected, 2 on setup errors.
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

die() { echo "judged.sh: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh disable=SC1091  # followed with `shellcheck -x`
. "$HERE/lib.sh"
[[ "$N" =~ ^[1-9][0-9]*$ && "$N" -ge 2 ]] || die "N must be an integer >= 2 (one new migration, at least one of history)"
[[ "$R" =~ ^[1-9][0-9]*$ ]] || die "R must be a positive integer"
[[ -x "$PGDRIFT" ]] || die "no pgdrift binary at $PGDRIFT (cmake --preset release && cmake --build --preset release)"
[[ -x "$PG_BINDIR/postgres" && -x "$PG_BINDIR/initdb" && -x "$PG_BINDIR/pg_ctl" ]] || die "no PostgreSQL server binaries in $PG_BINDIR"
command -v psql >/dev/null || die "psql not found"
command -v jq >/dev/null || die "jq not found"
command -v git >/dev/null || die "git not found"
[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash >= 5 (EPOCHREALTIME)"
PGDRIFT=$(cd "$(dirname "$PGDRIFT")" && pwd)/$(basename "$PGDRIFT")  # runs happen with cwd = the repository

# --- temp dir, cluster, cleanup ---------------------------------------------------------------
bench_work_setup

# --- inputs: the git repository ---------------------------------------------------------------
# REPO/migrations holds the N generated files; `main` has the first N-1 of them, `change` (checked
# out) adds the last, so `verify --base main` judges exactly one migration and N-1 are history.
REPO=$WORK/repo
TREE=$REPO/migrations
"$HERE/gen_migrations.sh" "$N" "$TREE"
FILES=("$TREE"/*.sql)
[[ ${#FILES[@]} -eq "$N" ]] || die "gen_migrations.sh wrote ${#FILES[@]} files, expected $N"
NEW=${FILES[-1]#"$REPO"/}
GIT=(git -C "$REPO" -c user.name=bench -c user.email=bench@example.invalid -c init.defaultBranch=main
  -c commit.gpgsign=false -c core.hooksPath=/dev/null)
{
  "${GIT[@]}" init -q -b main &&
    "${GIT[@]}" add -- migrations &&
    "${GIT[@]}" rm -q --cached -- "$NEW" &&
    "${GIT[@]}" commit -q -m "history: $((N - 1)) migrations" &&
    "${GIT[@]}" checkout -q -b change &&
    "${GIT[@]}" add -- "$NEW" &&
    "${GIT[@]}" commit -q -m "new migration: ${NEW#migrations/}"
} >"$WORK/git.log" 2>&1 || { cat "$WORK/git.log" >&2; die "cannot build the git repository"; }
[[ -z $("${GIT[@]}" status --porcelain) ]] || die "the git repository has uncommitted files"
[[ $("${GIT[@]}" rev-list --count main..change) -eq 1 ]] || die "branch change is not one commit ahead of main"

TRIVIAL=$WORK/trivial
mkdir -p "$TRIVIAL"
printf 'CREATE TABLE t (id int PRIMARY KEY);\n' >"$TRIVIAL/0001_t.sql"

# The floor's input: every migration in order, each wrapped in BEGIN/COMMIT like pgdrift does
# (replay.sh's FLOOR_TX=file), as one psql script.
ALL=$WORK/all.sql
for f in "${FILES[@]}"; do
  printf 'BEGIN;\n'; cat "$f"; printf '\nCOMMIT;\n'
done >"$ALL"

# --- floor cluster: same initdb options and server settings as pgdrift's sandbox --------------
chmod 755 "$WORK"
bench_cluster_start "$WORK/floor" "$PORT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c 'SELECT 1' >/dev/null || die "cannot connect to the floor cluster"
PGVER=$("${PSQL[@]}" -d postgres -Atc 'SHOW server_version')

# --- caches ---------------------------------------------------------------------------------------
# pgdrift keeps two things under --cache-dir: the initdb template cluster (CACHE/templates/…) and
# the replay cache (CACHE/replay/<key>/…). The cold side must miss the replay cache but not pay
# initdb (a CI cache restores the templates long before the replay cache is warm), so one untimed
# `pgdrift replay` of a one-file tree seeds TEMPLATE_SEED/templates once, and every cold
# repetition gets a fresh CACHE dir with a copy of it (`cp -a`, untimed). The warm side uses one
# CACHE dir, seeded the same way and filled by one untimed verify run, for all its repetitions.
TEMPLATE_SEED=$WORK/template-seed
if ! TMPDIR=$BENCH_TMPDIR "$PGDRIFT" replay --migrations "$TRIVIAL" --format plain --no-color \
  --cache-dir "$TEMPLATE_SEED" >"$WORK/seed.log" 2>&1; then
  echo "pgdrift replay (template seed) failed:" >&2; tail -30 "$WORK/seed.log" >&2; exit 1
fi
[[ -d "$TEMPLATE_SEED/templates" ]] || die "pgdrift replay --cache-dir $TEMPLATE_SEED left no templates/ directory"

COLD_NO=0
fresh_cache() { # fresh_cache → sets CACHE to a new dir holding only a copy of the templates (untimed)
  COLD_NO=$((COLD_NO + 1))
  CACHE=$WORK/cache-cold-$COLD_NO
  mkdir "$CACHE"
  cp -a "$TEMPLATE_SEED/templates" "$CACHE/"
}
# The number of entries in CACHE/replay (the replay cache's private layout: one directory per key;
# names starting with '.' are another run's staging or trash). A sanity check of the timed runs,
# which write no JSON report: a cold run must save one entry, a warm run must add none.
replay_entries() { find "$1/replay" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null | wc -l; }

# --- runs ---------------------------------------------------------------------------------------
# run_verify CACHE LOG [ARGS…] → sets T_US and RC; exits 1 unless pgdrift exits 0 (no findings
# at --fail-on) or 1 (findings); 2 and 3 are failures. cwd = the repository, for --base.
run_verify() {
  local cache=$1 log=$2 t0 t1
  shift 2
  RC=0
  t0=$(now)
  (cd "$REPO" && TMPDIR=$BENCH_TMPDIR "$PGDRIFT" verify --migrations "$TREE" --format plain --no-color \
    --base main --cache-dir "$cache" "$@" >"$log" 2>&1) || RC=$?
  t1=$(now)
  if ((RC > 1)); then
    echo "pgdrift verify failed (exit $RC, cache $cache):" >&2; tail -30 "$log" >&2; exit 1
  fi
  T_US=$((t1 - t0))
}

run_cold() { # → T_US; a fresh cache (with templates) per run
  fresh_cache
  run_verify "$CACHE" "$WORK/cold.log"
  [[ $(replay_entries "$CACHE") -eq 1 ]] || { echo "cold run saved no replay cache entry in $CACHE:" >&2; tail -30 "$WORK/cold.log" >&2; exit 1; }
  [[ "$KEEP" == 1 ]] || rm -rf "$CACHE"
}

WARM_CACHE=$WORK/cache-warm
run_warm() { # → T_US; the one warm cache
  run_verify "$WARM_CACHE" "$WORK/warm.log"
  [[ $(replay_entries "$WARM_CACHE") -eq 1 ]] || { echo "warm run changed the replay cache in $WARM_CACHE ($(replay_entries "$WARM_CACHE") entries):" >&2; tail -30 "$WORK/warm.log" >&2; exit 1; }
}


bench_pgdrift_line "$ROOT" "$PGDRIFT"
echo "PostgreSQL $PGVER ($PG_BINDIR) · N=$N migrations ($((N - 1)) history on main + 1 new on change: ${NEW#migrations/}) · R=$R · floor transactions: file · clusters in $BENCH_TMPDIR ($(bench_fs_type "$BENCH_TMPDIR"))"
bench_machine_line
echo

# --- warm-up and correctness, untimed ---------------------------------------------------------
# One cold run with --json into the warm cache (it is cold until then: templates only): it fills
# the warm cache, and its report must say the history was replayed and saved. Then one warm run
# with --json: the history must come from the cache, with the same findings. Then one floor run.
mkdir "$WARM_CACHE"
cp -a "$TEMPLATE_SEED/templates" "$WARM_CACHE/"
run_verify "$WARM_CACHE" "$WORK/check-cold.log" --json "$WORK/check-cold.json"; W_C=$T_US; RC_C=$RC
[[ $(replay_entries "$WARM_CACHE") -eq 1 ]] || { echo "the first run saved no replay cache entry in $WARM_CACHE:" >&2; tail -30 "$WORK/check-cold.log" >&2; exit 1; }
run_verify "$WARM_CACHE" "$WORK/check-warm.log" --json "$WORK/check-warm.json"; W_W=$T_US; RC_W=$RC
run_floor; W_F=$T_US

FAIL=0
check_report() { # check_report FILE EXPECTED_CACHE
  local file=$1 want=$2 got
  if ! got=$(jq -c --argjson n "$((N - 1))" --arg cache "$want" --arg new "$NEW" '
      [ (.judged | type == "object"),
        (.judged.history_count == $n),
        (.judged.new | length == 1),
        (.judged.new[0] | tostring | contains($new | ltrimstr("migrations/"))),
        (.judged.cache == $cache),
        (.judged.base == "main") ]' "$file"); then
    echo "judged.sh: $file is not a JSON report" >&2; FAIL=1; return
  fi
  if [[ "$got" != '[true,true,true,true,true,true]' ]]; then
    echo "judged.sh: unexpected judged block in $file (checks: object, history_count == $((N - 1)), one new, new is ${NEW#migrations/}, cache == \"$want\", base == \"main\" → $got):" >&2
    jq -c '.judged' "$file" >&2 || true
    FAIL=1
  fi
}
check_report "$WORK/check-cold.json" saved
check_report "$WORK/check-warm.json" hit
if ! jq -e -n --slurpfile c "$WORK/check-cold.json" --slurpfile w "$WORK/check-warm.json" \
  '$c[0].findings == $w[0].findings' >/dev/null; then
  echo "judged.sh: the warm run's findings differ from the cold run's:" >&2
  diff <(jq -S '.findings' "$WORK/check-cold.json") <(jq -S '.findings' "$WORK/check-warm.json") | head -40 >&2 || true
  FAIL=1
fi
[[ "$RC_C" -eq "$RC_W" ]] || { echo "judged.sh: exit status cold $RC_C, warm $RC_W" >&2; FAIL=1; }
((FAIL == 0)) || exit 1
FINDINGS=$(jq -r '[.findings[].rule] | group_by(.) | map("\(.[0]) \(length)") | join(" · ") | if . == "" then "none" else . end' "$WORK/check-cold.json")
echo "warm-up (untimed): cold $(ms "$W_C") ms, warm $(ms "$W_W") ms, floor $(ms "$W_F") ms"
echo "check (untimed): judged.new = $(jq -c '.judged.new' "$WORK/check-cold.json"), history_count $(jq '.judged.history_count' "$WORK/check-cold.json"), cache \"saved\" then \"hit\", same findings on both (exit $RC_C): $FINDINGS"
echo

# --- timed runs -----------------------------------------------------------------------------------
CO=(); WA=(); FL=(); CD=()
for ((i = 1; i <= R; i++)); do
  # alternate the order (cold, warm, floor / floor, warm, cold), so slow drift of the machine
  # hits every side alike
  if ((i % 2)); then
    run_cold; c=$T_US
    run_warm; w=$T_US
    run_floor; f=$T_US
  else
    run_floor; f=$T_US
    run_warm; w=$T_US
    run_cold; c=$T_US
  fi
  CO+=("$(ms "$c")"); WA+=("$(ms "$w")"); FL+=("$(ms "$f")"); CD+=("$(ms "$CREATEDB_US")")
  printf 'run %d: cold %8s ms   warm %8s ms   floor %8s ms\n' "$i" "${CO[-1]}" "${WA[-1]}" "${FL[-1]}"
done
MC=$(median "${CO[@]}")
MW=$(median "${WA[@]}")
MF=$(median "${FL[@]}")
R_CF=$(awk -v a="$MC" -v b="$MF" 'BEGIN { printf "%.2f", a / b }')
R_WC=$(awk -v a="$MW" -v b="$MC" 'BEGIN { printf "%.2f", a / b }')
met() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "NOT met") }'; }
echo
printf 'median: cold %s ms   warm %s ms   floor %s ms\n' "$MC" "$MW" "$MF"
printf 'ratio cold/floor %s×  (target ≤ 1.50×: %s)\n' "$R_CF" "$(met "$R_CF" 1.5)"
printf 'ratio warm/cold  %s×  (target ≤ 0.30×: %s)\n' "$R_WC" "$(met "$R_WC" 0.3)"
echo "(floor, untimed: CREATE DATABASE median $(median "${CD[@]}") ms; pgdrift pays its own inside its wall time)"
echo "loadavg after the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
