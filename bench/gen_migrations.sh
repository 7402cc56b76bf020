#!/usr/bin/env bash
# Deterministically generates N plain-format PostgreSQL migrations into OUTDIR:
#   OUTDIR/0001_create_tbl_001.sql, OUTDIR/0002_....sql, ...
# The mix: CREATE TABLE (PK, defaults), CREATE INDEX, ALTER TABLE ADD COLUMN, ADD CONSTRAINT
# (FOREIGN KEY to an earlier table, CHECK), ALTER COLUMN TYPE, small INSERTs, now and then a
# view or a plpgsql function. Every file holds 2-6 statements; the whole tree applies cleanly,
# in file-name order, on an empty PostgreSQL 15 database.
#
# Usage: bench/gen_migrations.sh [N=300] [OUTDIR=./bench-migrations]
# Same N → byte-identical output (own LCG, no $RANDOM, no clock, LC_ALL=C).
set -euo pipefail
export LC_ALL=C

N=${1:-300}
OUT=${2:-./bench-migrations}
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N] [OUTDIR]" >&2; exit 2; }
[[ "$N" -le 9999 ]] || { echo "$0: N must be <= 9999" >&2; exit 2; }
mkdir -p "$OUT"
if compgen -G "$OUT/*.sql" >/dev/null; then
  echo "$0: $OUT already holds .sql files; use an empty directory" >&2
  exit 2
fi

# --- deterministic PRNG (LCG, 31-bit) -----------------------------------------------------------
seed=20240601
rnd() { # rnd MOD → sets R in [0, MOD)
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  R=$(( (seed / 65536) % $1 ))
}

# --- schema state -------------------------------------------------------------------------------
T=0               # tables created so far: tbl_001 .. tbl_$T
declare -a ncols  # extra columns added to table i (col_1 .. col_k, integer)
declare -a nfk    # foreign keys added to table i
declare -a checked   # 1 when tbl_i has its CHECK constraint
declare -a widened   # 1 when tbl_i.qty was widened to bigint
declare -a texted    # 1 when tbl_i.code was changed to text
declare -a nidx      # extra indexes on table i
VIEWS=0
FUNCS=0

tname() { printf 'tbl_%03d' "$1"; }

pick_table() { rnd "$T"; P=$((R + 1)); }  # → P in [1, T]

words=(alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november
       oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu)

# Each emitter appends statements to $BODY and sets $SLUG. Statements end with ";\n\n".
BODY=""
SLUG=""
stmt() { BODY+="$1;"$'\n\n'; }

inserts() { # inserts TABLE COUNT → COUNT single-row INSERTs of small data (qty >= 0)
  local t=$1 k=$2 j w
  for ((j = 0; j < k; j++)); do
    rnd ${#words[@]}; w=${words[R]}
    rnd 1000
    stmt "INSERT INTO $t (name, qty, price, code) VALUES ('${w}_$R', $R, $((R % 97)).$((R % 100)), '${w:0:3}-$R')"
  done
}

emit_create_table() {
  T=$((T + 1))
  ncols[T]=0; nfk[T]=0; checked[T]=0; widened[T]=0; texted[T]=0; nidx[T]=0
  local t; t=$(tname "$T")
  SLUG="create_$t"
  stmt "CREATE TABLE $t (
    id bigserial PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    qty integer NOT NULL DEFAULT 0,
    price numeric(10, 2) NOT NULL DEFAULT 0,
    code varchar(32) NOT NULL DEFAULT '',
    active boolean NOT NULL DEFAULT true,
    meta jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
)"
  stmt "COMMENT ON TABLE $t IS 'benchmark table $T'"
  stmt "CREATE INDEX ${t}_created_at_idx ON $t (created_at)"
  rnd 3
  inserts "$t" "$R"   # 0-2 rows → 3-5 statements
}

emit_add_column() {
  pick_table; local i=$P t; t=$(tname "$P")
  local k=$((ncols[i] + 1))
  ncols[i]=$k
  SLUG="add_column_${t}_col_$k"
  stmt "ALTER TABLE $t ADD COLUMN col_$k integer NOT NULL DEFAULT $((k * 10))"
  stmt "ALTER TABLE $t ADD COLUMN note_$k text"
  rnd 2
  if ((R == 1)); then stmt "CREATE INDEX ${t}_col_${k}_idx ON $t (col_$k)"; fi
  stmt "UPDATE $t SET note_$k = 'n' || id WHERE id % 2 = 0"
}

emit_fk() {
  # needs two tables: a child (later) referencing a parent (earlier)
  rnd $((T - 1)); local parent=$((R + 1))
  rnd $((T - parent)); local child=$((parent + 1 + R))
  local tp tc; tp=$(tname "$parent"); tc=$(tname "$child")
  local k=$((nfk[child] + 1)); nfk[child]=$k
  local col="${tp}_ref_$k"
  SLUG="fk_${tc}_to_${tp}"
  stmt "ALTER TABLE $tc ADD COLUMN $col bigint"
  stmt "ALTER TABLE $tc ADD CONSTRAINT ${tc}_${col}_fk FOREIGN KEY ($col) REFERENCES $tp (id) ON DELETE SET NULL"
  stmt "CREATE INDEX ${tc}_${col}_idx ON $tc ($col)"
}

emit_check() { # a table without its CHECK yet, else falls back to an index
  local i tries
  for ((tries = 0; tries < 8; tries++)); do
    pick_table
    if ((checked[P] == 0)); then
      i=$P; checked[i]=1
      local t; t=$(tname "$i")
      SLUG="check_$t"
      stmt "ALTER TABLE $t ADD CONSTRAINT ${t}_qty_nonneg CHECK (qty >= 0)"
      stmt "ALTER TABLE $t ADD CONSTRAINT ${t}_price_nonneg CHECK (price >= 0) NOT VALID"
      stmt "ALTER TABLE $t VALIDATE CONSTRAINT ${t}_price_nonneg"
      return
    fi
  done
  emit_index
}

emit_alter_type() { # qty integer→bigint, or code varchar(32)→text, once each per table
  local tries t
  for ((tries = 0; tries < 8; tries++)); do
    pick_table; t=$(tname "$P")
    if ((widened[P] == 0)); then
      widened[P]=1
      SLUG="widen_${t}_qty"
      stmt "ALTER TABLE $t ALTER COLUMN qty TYPE bigint"
      stmt "ALTER TABLE $t ALTER COLUMN qty SET DEFAULT 1"
      return
    fi
    if ((texted[P] == 0)); then
      texted[P]=1
      SLUG="retype_${t}_code"
      stmt "ALTER TABLE $t ALTER COLUMN code TYPE text"
      stmt "ALTER TABLE $t ALTER COLUMN price TYPE numeric(12, 2)"
      stmt "CREATE INDEX ${t}_code_idx ON $t (code)"
      return
    fi
  done
  emit_index
}

emit_index() {
  pick_table; local i=$P t; t=$(tname "$P")
  local k=$((nidx[i] + 1)); nidx[i]=$k
  SLUG="index_${t}_$k"
  case $((k % 3)) in
    1) stmt "CREATE INDEX ${t}_name_active_idx_$k ON $t (name) WHERE active" ;;
    2) stmt "CREATE UNIQUE INDEX ${t}_code_id_idx_$k ON $t (code, id)" ;;
    0) stmt "CREATE INDEX ${t}_lower_name_idx_$k ON $t (lower(name))" ;;
  esac
  stmt "ANALYZE $t"
}

emit_inserts() {
  pick_table; local t; t=$(tname "$P")
  SLUG="seed_$t"
  rnd 4
  inserts "$t" $((R + 2))  # 2-5 rows
}

emit_view() {
  pick_table; local t; t=$(tname "$P")
  VIEWS=$((VIEWS + 1))
  local v; v=$(printf 'view_%03d' "$VIEWS")
  SLUG="$v"
  # Views use only columns that are never retyped (id, name, active, created_at).
  stmt "CREATE VIEW $v AS
    SELECT id, name, created_at
    FROM $t
    WHERE active"
  stmt "COMMENT ON VIEW $v IS 'active rows of $t'"
}

emit_function() {
  pick_table; local t; t=$(tname "$P")
  FUNCS=$((FUNCS + 1))
  local f; f=$(printf 'fn_%03d' "$FUNCS")
  SLUG="function_$f"
  stmt "CREATE FUNCTION $f(p_min bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS \$body\$
DECLARE
  n bigint;
BEGIN
  SELECT count(*) INTO n FROM $t WHERE id >= p_min;  -- a semicolon inside the body
  IF n IS NULL THEN
    RETURN 0;
  END IF;
  RETURN n;
END
\$body\$"
  stmt "COMMENT ON FUNCTION $f(bigint) IS 'counts rows of $t'"
  stmt "SELECT $f(0)"
}

for ((m = 1; m <= N; m++)); do
  BODY=""
  SLUG=""
  if ((T < 3)); then
    emit_create_table
  else
    rnd 100
    if   ((R < 20)); then emit_create_table
    elif ((R < 34)); then emit_add_column
    elif ((R < 48)); then emit_fk
    elif ((R < 58)); then emit_check
    elif ((R < 68)); then emit_alter_type
    elif ((R < 80)); then emit_index
    elif ((R < 90)); then emit_inserts
    elif ((R < 95)); then emit_view
    else                  emit_function
    fi
  fi
  file=$(printf '%s/%04d_%s.sql' "$OUT" "$m" "$SLUG")
  printf -- '-- migration %04d (generated by bench/gen_migrations.sh)\n\n%s' "$m" "$BODY" >"$file"
done
