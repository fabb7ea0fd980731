#!/usr/bin/env bash
# End-to-end throughput of `pli compose` on the sample letter (or catalogue): pages per
# second, peak resident memory and bytes per page, for each N given (default 10000 100000 1000000).
#
# Usage: benches/throughput.sh [--catalogue] [--one-thread] [--only-one-thread] [--out DIR] [--keep] [N ...]
#   --catalogue        compose layouts/catalogue.toml with samples/products.csv instead
#   --one-thread       also run each N with RAYON_NUM_THREADS=1 (composition on one worker)
#   --only-one-thread  run each N with RAYON_NUM_THREADS=1 only
#   --out DIR          where contacts, outputs and results.tsv go (default $OUT or /tmp/pli-bench)
#   --keep             keep the last run's output folder (PDFs, manifest, report)
#
# The contacts (`pli samples --records N`, ~250 bytes a record) are generated once per N and
# kept in DIR; each run's PDFs (~2.6 KB a page, 2.6 GB at 1,000,000) are deleted before the
# next run. Free space is checked before each run: an N that does not fit is skipped, saying
# why. Each run is appended to DIR/results.tsv with the date and the commit, and two measures
# of what else the machine was doing: the load average before the run (which still carries
# the tail of the previous run) and `other`, the cores other processes kept busy during the
# run (busy CPU time from /proc/stat, steal included, minus pli's own, over the wall time).
# The figures are wall clock for the whole job: reading the CSV twice, composing, encoding
# and writing the PDFs, the manifest and the report.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-/tmp/pli-bench}
threads=(all)
layout=letter
keep=0
sizes=()
while [ $# -gt 0 ]; do
  case $1 in
    --catalogue) layout=catalogue ;;
    --one-thread) threads=(all 1) ;;
    --only-one-thread) threads=(1) ;;
    --out) OUT=$2; shift ;;
    --out=*) OUT=${1#--out=} ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "throughput.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [[ $1 =~ ^[0-9]+$ ]] || { echo "throughput.sh: N must be a number, not $1" >&2; exit 2; }
       sizes+=("$1") ;;
  esac
  shift
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)

command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3 (to read report.json)" >&2; exit 2; }
cargo build --release --quiet
PLI=$PWD/target/release/pli
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
header='date\tcommit\tthreads\trecords\tpages\tfiles\tseconds\tpages_per_s\tcpu_s\tpeak_rss_mb\tbytes_per_page\tload1_before\tother_cores\tcores\tlayout'
# A catalogue is ~5 pages of ~1.1 KB a record; a letter one page of ~2.6 KB.
per_record=2700
compose_args=(layouts/letter.toml)
if [ "$layout" = catalogue ]; then
  per_record=7000
  compose_args=(layouts/catalogue.toml --products samples/products.csv)
fi
# A results file from an older version of this script (other columns) is kept aside.
if [ -s "$RESULTS" ] && [ "$(head -1 "$RESULTS")" != "$(printf "$header")" ]; then
  mv "$RESULTS" "$RESULTS.$(date +%Y%m%d%H%M%S)"
fi
[ -s "$RESULTS" ] || printf "$header\n" > "$RESULTS"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src Cargo.toml 2>/dev/null || commit="$commit+dirty"
cores=$(nproc)

free_bytes() { df -PB1 "$1" | awk 'NR==2 {print $4}'; }
load1() { cut -d' ' -f1 /proc/loadavg; }
# CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq, steal).
busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f\n", ($2+$3+$4+$7+$8+$9)/hz}' /proc/stat; }
now() { date +%s.%N; }

echo "pli throughput: $(date -u '+%Y-%m-%d %H:%M UTC'), $cores cores, commit $commit, results in $RESULTS"
printf '%8s %9s %9s %8s %9s %8s %9s %10s %6s %6s\n' \
  threads records pages seconds pages/s "CPU s" "peak MB" bytes/page load other
for n in "${sizes[@]}"; do
  contacts=$OUT/contacts_$n.csv
  # Room for the contacts (if not yet written), the PDFs and the manifest, with 10% to spare.
  need=$(( n * per_record + n * 60 ))
  [ -s "$contacts" ] || need=$(( need + n * 300 ))
  need=$(( need + need / 10 ))
  rm -rf "$OUT/out"
  have=$(free_bytes "$OUT")
  if [ "$have" -lt "$need" ]; then
    echo "skipping N=$n: needs about $((need / 1000000)) MB free in $OUT, only $((have / 1000000)) MB there" >&2
    continue
  fi
  if [ ! -s "$contacts" ]; then
    "$PLI" samples --records "$n" -o "$contacts.tmp" 2>/dev/null
    mv "$contacts.tmp" "$contacts"
  fi
  for t in "${threads[@]}"; do
    rm -rf "$OUT/out"
    sync
    load=$(load1)
    busy0=$(busy); t0=$(now)
    env_threads=()
    [ "$t" = all ] || env_threads=(env RAYON_NUM_THREADS="$t")
    status=0
    "${env_threads[@]}" /usr/bin/time -f '%e %M %U %S' -o "$OUT/time" \
      "$PLI" compose "${compose_args[@]}" "$contacts" -o "$OUT/out" --date 2026-11-28 \
      2>"$OUT/stderr" >/dev/null || status=$?
    busy1=$(busy); t1=$(now)
    if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
      echo "pli compose failed on N=$n (exit $status):" >&2
      tail -5 "$OUT/stderr" >&2
      exit 1
    fi
    # GNU time prints "Command exited with non-zero status 3" first when pli exits 3.
    read -r secs kb user sys < <(tail -1 "$OUT/time")
    read -r pages files < <(python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
print(r['counts']['pages'], len(r['files']))" "$OUT/out/report.json")
    bytes=$(cat "$OUT"/out/*.pdf | wc -c)
    read -r rate cpu mb per_page other < <(python3 -c "
import sys
pages, secs, kb, user, sys_, size, b0, b1, t0, t1 = map(float, sys.argv[1:])
other = max(0.0, (b1 - b0 - user - sys_) / max(t1 - t0, 0.001))
print(f'{pages / max(secs, 0.001):.0f} {user + sys_:.2f} {kb / 1024:.1f} {size / max(pages, 1):.0f} {other:.2f}')" \
      "$pages" "$secs" "$kb" "$user" "$sys" "$bytes" "$busy0" "$busy1" "$t0" "$t1")
    printf '%8s %9s %9s %8s %9s %8s %9s %10s %6s %6s\n' \
      "$t" "$n" "$pages" "$secs" "$rate" "$cpu" "$mb" "$per_page" "$load" "$other"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
      "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$commit" "$t" "$n" "$pages" "$files" "$secs" \
      "$rate" "$cpu" "$mb" "$per_page" "$load" "$other" "$cores" "$layout" >> "$RESULTS"
  done
done
[ "$keep" = 1 ] || rm -rf "$OUT/out"
