#!/usr/bin/env bash
# Introspection benchmark: wall time of `pgdrift dump postgresql://…` (text and --json) against a
# live database holding a generated N-table schema (bench/gen_schema.sh), next to the cost of a
# bare `psql -c 'select 1'` on the same database (the connection-overhead floor). See
# bench/README.md.
#
# Environment:
#   N=1000           tables in the generated schema
#   R=9              timed repetitions of each of: dump (text), dump --json, psql select 1
#   PGDRIFT=…        pgdrift binary (default: build/release/src/pgdrift in this checkout)
#   PG_BINDIR=…      PostgreSQL server binaries for the cluster (default: /usr/lib/postgresql/15/bin)
#   BENCH_TMPDIR=/dev/shm  where the cluster's data directory and socket live
#   PORT=54330       port of the cluster (unix socket only)
#   KEEP=0           1 keeps the temp dir (schema.sql, dumps, logs) for inspection
# Exit status: 0 on success, 1 if a dump or the schema load fails, 2 on setup errors.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${N:-1000}
R=${R:-9}
PGDRIFT=${PGDRIFT:-$ROOT/build/release/src/pgdrift}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
BENCH_TMPDIR=${BENCH_TMPDIR:-/dev/shm}
PORT=${PORT:-54330}
KEEP=${KEEP:-0}

die() { echo "introspect.sh: $*" >&2; exit 2; }
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer"
[[ "$R" =~ ^[1-9][0-9]*$ ]] || die "R must be a positive integer"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number"
[[ -x "$PGDRIFT" ]] || die "no pgdrift binary at $PGDRIFT (cmake --preset release && cmake --build --preset release)"
[[ -x "$PG_BINDIR/postgres" && -x "$PG_BINDIR/initdb" && -x "$PG_BINDIR/pg_ctl" ]] || die "no PostgreSQL server binaries in $PG_BINDIR"
command -v psql >/dev/null || die "psql not found"
command -v jq >/dev/null || die "jq not found (counts the objects of the JSON dump)"
[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash >= 5 (EPOCHREALTIME)"

# --- temp dir, cluster, cleanup ---------------------------------------------------------------
[[ -d "$BENCH_TMPDIR" && ${#BENCH_TMPDIR} -le 60 ]] || die "BENCH_TMPDIR must be an existing directory, at most 60 characters"
WORK=$(mktemp -d "$BENCH_TMPDIR/pgdrift-introspect-XXXXXX")
SOCK=$WORK/pg
bench_runas_setup

bench_install_cleanup

# --- schema -----------------------------------------------------------------------------------
SCHEMA=$WORK/schema.sql
"$HERE/gen_schema.sh" "$N" >"$SCHEMA"

chmod 755 "$WORK"
bench_cluster_start "$SOCK" "$PORT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c 'SELECT 1' >/dev/null || die "cannot connect to the benchmark cluster"
PGVER=$("${PSQL[@]}" -d postgres -Atc 'SHOW server_version')
"${PSQL[@]}" -d postgres -c 'CREATE DATABASE bench' -c 'CREATE DATABASE empty' >/dev/null

# Load statement by statement (autocommit: in one transaction, N=1000 runs out of lock slots with
# the sandbox's max_connections=40 and the default max_locks_per_transaction=64); "cleanly" means
# no error and nothing at all on stdout/stderr (the script sets client_min_messages = warning,
# so any WARNING would show).
t0=$(now)
if ! "${PSQL[@]}" -d bench -f "$SCHEMA" >"$WORK/load.log" 2>&1; then
  echo "the generated schema does not load:" >&2; tail -30 "$WORK/load.log" >&2; exit 1
fi
t1=$(now)
LOAD_MS=$(ms $((t1 - t0)))
if [[ -s "$WORK/load.log" ]]; then
  echo "the generated schema loads with messages:" >&2; head -30 "$WORK/load.log" >&2; exit 1
fi
"${PSQL[@]}" -d bench -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >/dev/null

# What the catalogs hold, counted independently of pgdrift (user schemas app and billing).
COUNTS=$("${PSQL[@]}" -d bench -At -F ' ' <<'SQL'
SELECT
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('app', 'billing') AND c.relkind = 'r'),
  (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('app', 'billing') AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('app', 'billing') AND c.relkind = 'i'),
  (SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
    WHERE n.nspname IN ('app', 'billing') AND k.contype = 'f'),
  (SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
    WHERE n.nspname IN ('app', 'billing') AND k.contype = 'c' AND k.conrelid <> 0),
  (SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
    WHERE n.nspname IN ('app', 'billing') AND k.contype = 'u'),
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('app', 'billing') AND c.relkind = 'S'),
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('app', 'billing') AND c.relkind = 'v'),
  (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname IN ('app', 'billing')),
  (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('app', 'billing') AND NOT t.tgisinternal),
  (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname IN ('app', 'billing') AND t.typtype IN ('e', 'd')),
  (SELECT count(*) FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('app', 'billing'))
SQL
)
read -r C_TAB C_COL C_IDX C_FK C_CHK C_UNQ C_SEQ C_VIEW C_FUNC C_TRG C_TYPES C_COMM <<<"$COUNTS"
[[ "$C_TAB" == "$N" && "$C_VIEW" == $((N / 10)) && "$C_FUNC" == $((N / 20)) && "$C_TRG" == $((N / 20)) ]] \
  || { echo "unexpected catalog contents: $COUNTS" >&2; exit 1; }

# --- runs ---------------------------------------------------------------------------------------
URL="postgresql://postgres@/bench?host=$SOCK&port=$PORT"
URL_EMPTY="postgresql://postgres@/empty?host=$SOCK&port=$PORT"
cd "$WORK"   # no ./pgdrift.yml from the caller's directory

children_cpu() { # → CHILD_CPU_MS: user+sys CPU of all waited-for children so far, from bash `times`
  # run in this shell (a command substitution would be a fresh process without children) and
  # parsed without forking, so the script's own helpers do not count
  local user sys
  times >"$WORK/times"
  { read -r _; read -r user sys; } <"$WORK/times"   # line 2: "XmY.YYYs XmY.YYYs"
  [[ "$user $sys" =~ ^([0-9]+)m([0-9]+)\.([0-9]{3})s\ ([0-9]+)m([0-9]+)\.([0-9]{3})s$ ]] || die "cannot parse bash times: $user $sys"
  local m=("${BASH_REMATCH[@]}")
  CHILD_CPU_MS=$(( (10#${m[1]} + 10#${m[4]}) * 60000 + (10#${m[2]} + 10#${m[5]}) * 1000 + 10#${m[3]} + 10#${m[6]} ))
}
dump() { # dump URL OUT [--json] → sets T_US (wall) and CPU_MS (pgdrift's user+sys); exits 1 on failure
  local url=$1 out=$2 t0 t1 c0 c1
  shift 2
  children_cpu; c0=$CHILD_CPU_MS
  t0=$(now)
  if ! "$PGDRIFT" dump --no-color "$@" "$url" >"$out" 2>"$WORK/dump.err"; then
    echo "pgdrift dump $* failed:" >&2; tail -30 "$WORK/dump.err" >&2; exit 1
  fi
  t1=$(now)
  children_cpu; c1=$CHILD_CPU_MS
  T_US=$((t1 - t0))
  CPU_MS=$((c1 - c0))
  [[ ! -s "$WORK/dump.err" ]] || { echo "pgdrift dump $* wrote to stderr:" >&2; head -30 "$WORK/dump.err" >&2; exit 1; }
}
select1() { # → sets T_US
  local t0 t1
  t0=$(now)
  psql -X -q "$URL" -c 'select 1' >/dev/null || { echo "psql select 1 failed" >&2; exit 1; }
  t1=$(now)
  T_US=$((t1 - t0))
}

bench_pgdrift_line "$ROOT" "$PGDRIFT"
echo "PostgreSQL $PGVER ($PG_BINDIR) · N=$N tables · R=$R · cluster in $BENCH_TMPDIR ($(bench_fs_type "$BENCH_TMPDIR"))"
bench_machine_line
echo "schema: $(wc -l <"$SCHEMA") lines, $(wc -c <"$SCHEMA") bytes, loaded cleanly in $LOAD_MS ms (psql -f, autocommit; not part of the timings)"
echo "catalogs (app, billing): $C_TAB tables, $C_COL columns, $C_IDX indexes, $C_FK foreign keys, $C_CHK checks, $C_UNQ unique constraints, $C_SEQ identity sequences, $C_VIEW views, $C_FUNC functions, $C_TRG triggers, $C_TYPES enums+domains, $C_COMM relation comments"

# Warm-up, untimed: one run of each (OS page cache, shared buffers); keeps the outputs.
dump "$URL" "$WORK/dump.sql"; W_T=$T_US
dump "$URL" "$WORK/dump.json" --json; W_J=$T_US
select1
OBJECTS=$(jq '.objects | length' "$WORK/dump.json")
KINDS=$(jq -r '.objects | group_by(.kind) | map("\(length) \(.[0].kind)") | join(", ")' "$WORK/dump.json")
echo "warm-up (untimed): dump $(ms "$W_T") ms, dump --json $(ms "$W_J") ms"
echo "output: text $(wc -c <"$WORK/dump.sql") bytes ($(wc -l <"$WORK/dump.sql") lines), JSON $(wc -c <"$WORK/dump.json") bytes; $OBJECTS objects in .objects ($KINDS)"
echo

TX=(); JS=(); FL=(); TXC=(); JSC=()
for ((i = 1; i <= R; i++)); do
  # rotate the order of the three, so slow drift of the machine hits all of them alike
  for k in 0 1 2; do
    case $(( (i + k) % 3 )) in
      0) dump "$URL" /dev/null; TX+=("$(ms "$T_US")"); TXC+=("$CPU_MS") ;;
      1) dump "$URL" /dev/null --json; JS+=("$(ms "$T_US")"); JSC+=("$CPU_MS") ;;
      2) select1; FL+=("$(ms "$T_US")") ;;
    esac
  done
  printf 'run %d: dump %8s ms   dump --json %8s ms   psql select 1 %8s ms\n' "$i" "${TX[-1]}" "${JS[-1]}" "${FL[-1]}"
done
MT=$(median "${TX[@]}")
MJ=$(median "${JS[@]}")
MF=$(median "${FL[@]}")
verdict() { awk -v m="$1" 'BEGIN { printf "%s (%.0f %% of 1 s)", (m < 1000 ? "under 1 s" : "NOT under 1 s"), m / 10 }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
echo
echo "median of $R: dump $MT ms · dump --json $MJ ms · psql select 1 $MF ms"
echo "introspection minus the connection floor: text $(minus "$MT" "$MF") ms · json $(minus "$MJ" "$MF") ms"
echo "pgdrift's own CPU (user+sys, from bash times), median: text $(median "${TXC[@]}") ms · json $(median "${JSC[@]}") ms; the rest of the wall time is the server and the socket"
echo "target, $N tables well under 1 s: text $(verdict "$MT") · json $(verdict "$MJ")"

# Fixed cost: the same dump of an empty database (process start, connect, the same queries
# returning nothing, render).
E=()
for ((i = 1; i <= R; i++)); do dump "$URL_EMPTY" /dev/null; E+=("$(ms "$T_US")"); done
echo "empty database, dump median of $R: $(median "${E[@]}") ms   (pgdrift's fixed cost)"
echo "loadavg after the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
