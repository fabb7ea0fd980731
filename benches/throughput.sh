#!/usr/bin/env bash
# End-to-end throughput of `pli compose` on the sample letter: pages per second,
# peak resident memory and bytes per page, for each N given (default 10000 100000).
# Usage: benches/throughput.sh [N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
cargo build --release --quiet
PLI=target/release/pli
WORK=$(mktemp -d /tmp/pli-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '%10s %12s %10s %12s %12s\n' records pages seconds pages/s "peak MB"
for n in "${@:-10000 100000}"; do
  $PLI samples --records "$n" -o "$WORK/contacts.csv" 2>/dev/null
  rm -rf "$WORK/out"
  /usr/bin/time -f '%e %M' -o "$WORK/time" $PLI compose layouts/letter.toml "$WORK/contacts.csv" \
    -o "$WORK/out" --date 2026-11-28 2>/dev/null || [ $? -eq 3 ]
  read -r secs kb < "$WORK/time"
  pages=$(python3 -c "import json;print(json.load(open('$WORK/out/report.json'))['counts']['pages'])")
  bytes=$(cat "$WORK"/out/*.pdf | wc -c)
  printf '%10s %12s %10s %12.0f %12.1f   %s bytes/page\n' "$n" "$pages" "$secs" \
    "$(python3 -c "print($pages/max($secs,0.001))")" "$(python3 -c "print($kb/1024)")" "$((bytes / pages))"
done
