#!/usr/bin/env bash
# The pages under load (release build): a leader signed in reads 总览 (and
# its charts), a department's page, a cell's records (as listed and sorted),
# 督办, the cases and 公文 with 200
# concurrent connections (wrk, loopback), from the stored results of a
# year (computed once first, as the daily scan does).
#
#   bench/pages.sh DATABASE_URL [YEAR]
#
# e.g. bench/pages.sh sqlite://target/bench-city/city.db after bench/city.sh,
# or sqlite://data/demo/dukao-demo.db after `cargo run --release -- demo`.
# Creates a leader `bench-<pid>` in that store (audited, like any user).
set -euo pipefail
cd "$(dirname "$0")/.."
url="${1:?usage: bench/pages.sh DATABASE_URL [YEAR]}"
year="${2:-2025}"
as_of="$year-12-31"
bin=target/release/dukao
port=18081
connections="${CONNECTIONS:-200}"
cargo build --release --quiet
command -v wrk >/dev/null || { echo "bench/pages.sh needs wrk (apt-get install wrk)" >&2; exit 1; }

echo "== results compute --year $year --as-of $as_of"
DATABASE_URL="$url" /usr/bin/time -f "  wall %e s" "$bin" results compute --year "$year" --as-of "$as_of" >/dev/null
# 总览 compares with the previous year as it stands: a running service has
# it stored after the first visit (the page asks for it); computed here
# first so that the load below reads stored results only.
echo "== results compute --year $((year - 1))"
DATABASE_URL="$url" /usr/bin/time -f "  wall %e s" "$bin" results compute --year "$((year - 1))" >/dev/null
login="bench-$$"
password="bench-password-$$-$RANDOM"
echo "$password" | DATABASE_URL="$url" "$bin" user add "$login" --name "压测领导" --role leader --scope city --password-stdin >/dev/null

DATABASE_URL="$url" "$bin" serve --no-scheduler --bind "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
jar=$(mktemp)
curl -s -c "$jar" -H 'Content-Type: application/json' \
    -d "{\"login\":\"$login\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/v1/session" >/dev/null
cookie="dukao_session=$(awk '$6 == "dukao_session" {print $7}' "$jar")"
# A department with a failing cell: its page and the records of that cell.
overview="/overview?year=$year&as_of=$as_of"
cell=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port$overview" \
    | grep -o '<td class="bad"><a href="[^"]*"' | sed -n '1{s/.*href="//; s/"$//; s/&amp;/\&/g; p}')
unit=$(echo "$cell" | sed 's/.*unit=\([^&]*\).*/\1/')
for path in "$overview" "/overview/chart.svg?year=$year&as_of=$as_of&chart=departments" \
    "/overview/chart.svg?year=$year&as_of=$as_of&chart=trend" \
    "/overview/unit?year=$year&as_of=$as_of&unit=$unit" "$cell" "$cell&sort=late" \
    "/work" "/cases" "/documents"; do
    echo "-- GET $path"
    curl -s -o /dev/null -w "  first: HTTP %{http_code}, %{time_total} s, %{size_download} bytes\n" \
        -H "Cookie: $cookie" "http://127.0.0.1:$port$path"
    wrk -t2 -c"$connections" -d15s --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" \
        | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors" | sed 's/^/  /'
done
rm -f "$jar"
