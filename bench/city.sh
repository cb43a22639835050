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

# The clock's figures (issue 12): the full computation the daily scan does
# for a year (judge, score, store), then the API reading the stored results
# under load (wrk, loopback, a leader's token), with nothing changed.
port=18080
for url in "${stores[@]}"; do
    echo "== stored results: $url"
    echo "-- dukao results compute --year 2025 --as-of 2025-12-31"
    DATABASE_URL="$url" timed "$bin" results compute --year 2025 --as-of 2025-12-31
    token=$(DATABASE_URL="$url" "$bin" token add "bench-$$-$RANDOM" --role leader --scope city | grep -o 'dk_[0-9a-f]*' | head -1)
    DATABASE_URL="$url" "$bin" serve --no-scheduler --bind "127.0.0.1:$port" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    department=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/departments" \
        | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
    for path in "/api/v1/evaluation/2025?as_of=2025-12-31" "/api/v1/metrics?year=2025&as_of=2025-12-31" \
        "/api/v1/evaluation/2025/$department?as_of=2025-12-31" \
        "/api/v1/check/approvals?year=2025&as_of=2025-12-31"; do
        echo "-- GET $path"
        curl -s -o /dev/null -w "  first read: HTTP %{http_code}, %{time_total} s, %{size_download} bytes\n" \
            -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path"
        # (a whole check's items run to hundreds of MB: timed once, not loaded)
        if command -v wrk >/dev/null && [[ "$path" != */check/* ]]; then
            wrk -t2 -c8 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" \
                | grep -E "Latency|50%|99%|Requests/sec" | sed 's/^/  /'
        fi
    done
    kill "$server"; wait "$server" 2>/dev/null || true
done
