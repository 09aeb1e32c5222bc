#!/usr/bin/env bash
# The mixed load test of BENCHMARKS.md: concurrent clients from wrk on loopback against the
# release binary with a demo city, on SQLite or PostgreSQL. One wrk per kind of request, so each
# kind has its own latency; their clients add up to the total.
#
#   scripts/load-test.sh sqlite|postgres [seconds=600] [clients=500]
#
# Needs wrk (apt-get install -y wrk); PostgreSQL at 127.0.0.1:5432 (user postgres, trust) for the
# postgres run, which uses (and first drops) the database anjian_load.
set -euo pipefail
backend=${1:?usage: scripts/load-test.sh sqlite|postgres [seconds] [clients]}
secs=${2:-600}
clients=${3:-500}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/release/anjian
bench=$root/target/release/anjian-bench
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
[ -x "$bin" ] && [ -x "$bench" ] || cargo build --release --manifest-path "$root/Cargo.toml" -p anjian -p anjian-bench

work=$(mktemp -d)
export ANJIAN_DATA_DIR=$work/data RUST_LOG=warn
case $backend in
  sqlite) unset ANJIAN_DATABASE_URL ;;
  postgres)
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS anjian_load" -c "CREATE DATABASE anjian_load"
    export ANJIAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/anjian_load ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

"$bin" serve --listen "127.0.0.1:$port" --demo --enterprises 1000 >"$work/server.out" 2>"$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do grep -q "anjian listening" "$work/server.out" && break; sleep 0.5; done
grep -q "anjian listening" "$work/server.out" || { cat "$work/server.log" >&2; exit 1; }
"$bench" load-prepare --url "$base" --out "$work/load-config.lua"
export ANJIAN_LOAD_CONFIG=$work/load-config.lua

run_kind() { # kind clients seconds
  ANJIAN_LOAD_KIND=$1 wrk -t1 -c"$2" -d"$3s" --timeout 10s -s "$root/scripts/load.lua" "$base" | grep '^{"kind"'
}

# Every kind once by itself: a request the server refuses would make the figures meaningless.
for kind in ledger county hazard inspection telemetry login; do
  line=$(run_kind $kind 1 3)
  echo "smoke: $line"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(r["requests"]==0 or r["unexpected"]+r["status_errors"]+r["socket_errors"]>0)' "$line" \
    || { echo "the $kind request fails; see $work/server.log" >&2; exit 1; }
done

# Shares of the clients: ledger queries, a county's open hazards, hazard reports, inspections,
# telemetry gateways, and people signing in (one a second each).
declare -A share=([ledger]=30 [county]=10 [hazard]=15 [inspection]=10 [telemetry]=30 [login]=5)
echo "load: $clients clients for $secs s on $backend"
for kind in "${!share[@]}"; do
  n=$((clients * share[$kind] / 100))
  run_kind "$kind" "$n" "$secs" >"$work/wrk-$kind.json" &
  echo "$kind $n" >>"$work/clients"
done
# The server's resident memory, once a minute.
( while kill -0 $pid 2>/dev/null; do ps -o rss= -p $pid >>"$work/rss" || true; sleep 60; done ) &
sampler=$!
wait $(jobs -p | grep -v "^$sampler$" | grep -v "^$pid$") 2>/dev/null || true
kill $sampler 2>/dev/null || true
server_errors=$(grep -c "ERROR" "$work/server.log" || true)
kill -TERM $pid
wait $pid || true
trap - EXIT
verify=$("$bin" audit verify)

python3 - "$work" "$backend" "$secs" "$server_errors" "$verify" <<'PY'
import json, pathlib, sys
work, backend, secs, server_errors, verify = pathlib.Path(sys.argv[1]), *sys.argv[2:]
clients = dict(l.split() for l in (work / "clients").read_text().splitlines())
rows = [json.loads(p.read_text()) for p in sorted(work.glob("wrk-*.json"))]
print(f"\n{backend}, {secs} s, {sum(int(c) for c in clients.values())} clients")
print("| kind | clients | requests | per second | errors | p50 ms | p99 ms | max ms |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
total = errors = 0
for r in rows:
    bad = r["unexpected"] + r["socket_errors"]
    total += r["requests"]; errors += bad
    print(f"| {r['kind']} | {clients[r['kind']]} | {r['requests']:,} | {r['requests'] / r['seconds']:,.0f} | {bad} "
          f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} |")
print(f"| all | | {total:,} | {total / float(secs):,.0f} | {errors} ({100 * errors / max(total, 1):.3f} %) | | | |")
rss = [int(x) // 1024 for x in (work / "rss").read_text().split()] if (work / "rss").exists() else []
print(f"server resident memory, once a minute (MiB): {rss}")
print(f"ERROR lines in the server log: {server_errors}; {verify}")
PY
echo "work folder: $work"
