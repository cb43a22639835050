#!/usr/bin/env bash
# The city-scale benchmark (release build): generate DESIGN.md's city, import
# it into SQLite and PostgreSQL, then time the metrics, the evaluation and
# the documents. Every figure in the issue notes comes from this script.
#
#   bench/city.sh [DIR]      # DIR defaults to target/bench-city
#
# PostgreSQL is used when DUKAO_BENCH_POSTGRES_URL is set (e.g.
# postgres://postgres@127.0.0.1:5432/test); it imports into the schema
# bench_city, dropped first. Set SKIP_IMPORT=1 to reuse the stores of an
# earlier run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/bench-city}"
bin=target/release/dukao
cargo build --release --quiet
mkdir -p "$dir"
timed() { /usr/bin/time -f "  wall %e s, max RSS %M KB" "$@"; }

if [ ! -f "$dir/data/access_log.csv" ]; then
    echo "== generate --scale city"
    timed "$bin" generate --out "$dir/data" --scale city --seed 7
fi
rows=$(for f in "$dir"/data/*.csv; do tail -n +2 "$f" | wc -l; done | paste -sd+ | bc)
echo "city: $rows rows"

sqlite="sqlite://$dir/city.db"
pg="${DUKAO_BENCH_POSTGRES_URL:-}"
if [ "${SKIP_IMPORT:-0}" != 1 ]; then
    rm -f "$dir"/city.db*
    echo "== import into SQLite"
    DATABASE_URL="$sqlite" timed "$bin" import "$dir/data" | tail -1
    if [ -n "$pg" ]; then
        psql -q "${pg}" -c "DROP SCHEMA IF EXISTS bench_city CASCADE" >/dev/null
        echo "== import into PostgreSQL"
        DATABASE_URL="${pg}?schema=bench_city" timed "$bin" import "$dir/data" | tail -1
    fi
fi

stores=("$sqlite")
[ -n "$pg" ] && stores+=("${pg}?schema=bench_city")
for url in "${stores[@]}"; do
    echo "== $url"
    echo "-- dukao metrics --year 2025 --as-of 2025-12-31 --timings"
    DATABASE_URL="$url" timed "$bin" metrics --year 2025 --as-of 2025-12-31 --timings >/dev/null
    echo "-- dukao evaluate --year 2025 --as-of 2025-12-31 --live --timings"
    DATABASE_URL="$url" timed "$bin" evaluate --year 2025 --as-of 2025-12-31 --live --timings >/dev/null
done
