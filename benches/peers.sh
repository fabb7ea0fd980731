#!/usr/bin/env bash
# pli side by side with the mail-merge peers (Typst, ReportLab, WeasyPrint, XeLaTeX) on the
# same records: pages per second, peak resident memory, and pli's ratio to each.
#
# Usage: benches/peers.sh [--quick] [--weasy-n N] [--out DIR] [N]
#   N            letters per tool (default 10000)
#   --weasy-n N  letters for WeasyPrint, which is slow (default 1000)
#   --quick      one counted run per tool, no warm-up (default: 1 warm-up + 3 runs, medians;
#                WeasyPrint always runs once)
#   --out DIR    data, outputs and peers.tsv (default /tmp/pli-peers)
# Environment: PEERS (the peers' folder, default ../shared/bench/peers), PY (a python with
# reportlab/weasyprint, default /tmp/peers/venv/bin/python), TYPST (default `typst`).
#
# The records: `pli samples` contacts, opted-out ones left out so that every tool composes
# exactly the same N one-page letters; pli reads them as they are, the peers read them
# converted by the peers' own to_peer_csv.py. The peers are timed by the peers' own bench.py
# (/usr/bin/time -v, medians); pli is timed the same way here. A peer that is not installed
# is skipped with a line saying so; nothing is installed by this script (see
# benches/README.md for the setup).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

N=10000
WN=1000
OUT=/tmp/pli-peers
warmup=1
runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --quick) warmup=0; runs=1 ;;
    --weasy-n) WN=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "peers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [[ $1 =~ ^[0-9]+$ ]] || { echo "peers.sh: N must be a number, not $1" >&2; exit 2; }
       N=$1 ;;
  esac
  shift
done

PEERS=${PEERS:-$ROOT/../shared/bench/peers}
PEERS=$(cd "$PEERS" && pwd)
PY=${PY:-/tmp/peers/venv/bin/python}
TYPST=${TYPST:-typst}
command -v "$TYPST" >/dev/null 2>&1 || { [ -x "$HOME/.cargo/bin/typst" ] && TYPST=$HOME/.cargo/bin/typst; }
export PY TYPST

for tool in /usr/bin/time python3 pdfinfo pdffonts; do
  command -v "$tool" >/dev/null || {
    echo "peers.sh needs $tool (apt-get install -y time python3 poppler-utils)" >&2; exit 2; }
done
cargo build --release --quiet
PLI=$ROOT/target/release/pli
DATA=$OUT/data
RESULTS=$OUT/peers.tsv
mkdir -p "$DATA" "$OUT/out" /tmp/peers    # bench.py keeps its /usr/bin/time logs in /tmp/peers
rm -f "$RESULTS"
BENCH=(python3 "$PEERS/bench.py" --data "$DATA" --out "$OUT/out" --results "$RESULTS")

# Inputs for every N used: the pli contacts (first N not opted out) and the peers' conversion.
prepare() {
  local n=$1
  [ -s "$DATA/contacts_$n.csv" ] && [ -s "$DATA/pli_$n.csv" ] && return
  "$PLI" samples --records $((n + n / 10 + 100)) -o "$DATA/all_$n.csv" 2>/dev/null
  python3 - "$DATA/all_$n.csv" "$DATA/pli_$n.csv" "$n" <<'EOF'
import csv, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, encoding="utf-8", newline="") as f, open(dst, "w", encoding="utf-8", newline="") as g:
    r = csv.DictReader(f)
    w = csv.DictWriter(g, fieldnames=r.fieldnames, lineterminator="\n")
    w.writeheader()
    kept = 0
    for row in r:
        if row.get("postal_optout", "").strip() in ("1", "oui", "yes", "true"):
            continue
        w.writerow(row)
        kept += 1
        if kept == n:
            break
    assert kept == n, f"only {kept} records kept"
EOF
  rm -f "$DATA/all_$n.csv"
  python3 "$PEERS/to_peer_csv.py" "$DATA/pli_$n.csv" "$DATA/contacts_$n.csv"
}

# pli timed as bench.py times the peers: warm-ups, then runs; medians of wall, CPU and RSS;
# the page count checked; one row appended to peers.tsv in bench.py's columns.
bench_pli() {
  local n=$1 threads=$2 name=pli_$2_$1 i status
  local env_threads=()
  [ "$threads" = all ] || env_threads=(env RAYON_NUM_THREADS="$threads")
  echo "cmd: ${env_threads[*]} $PLI compose layouts/letter.toml $DATA/pli_$n.csv -o $OUT/out/$name"
  : > "$OUT/times_$name"
  : > "$OUT/all_$name"
  for ((i = 0; i < warmup + runs; i++)); do
    rm -rf "$OUT/out/$name"
    status=0
    "${env_threads[@]}" /usr/bin/time -f '%e %U %S %M' -o "$OUT/time_$name" \
      "$PLI" compose layouts/letter.toml "$DATA/pli_$n.csv" -o "$OUT/out/$name" \
      --date 2026-11-28 >/dev/null 2>&1 || status=$?
    [ "$status" -eq 0 ] || { echo "pli exited with $status on $n records" >&2; exit 1; }
    tail -1 "$OUT/time_$name" >> "$OUT/all_$name"
    [ "$i" -lt "$warmup" ] || tail -1 "$OUT/time_$name" >> "$OUT/times_$name"
  done
  python3 - "$OUT/times_$name" "$OUT/out/$name" "$RESULTS" "$name" "$n" "$threads" \
    "$("$PLI" --version 2>/dev/null | head -1 || echo pli)" <<'EOF'
import glob, json, os, statistics, sys
times, out, results, name, n, threads, version = sys.argv[1:]
n = int(n)
rows = [list(map(float, l.split())) for l in open(times) if l.strip()]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] + r[2] for r in rows)
rss = statistics.median(r[3] for r in rows) / 1024
pages = json.load(open(os.path.join(out, "report.json")))["counts"]["pages"]
size = sum(os.path.getsize(p) for p in glob.glob(os.path.join(out, "*.pdf")))
walls = [r[0] for r in rows]
if threads != "all":
    version += f" (RAYON_NUM_THREADS={threads})"
row = [name, version, n, f"{wall:.2f}", f"{pages / wall:.1f}", f"{cpu:.2f}", f"{rss:.0f}",
       f"{size / pages:.0f}", pages, "ok" if pages == n else "PAGECOUNT-MISMATCH",
       f"{min(walls):.2f}-{max(walls):.2f}", len(rows), ""]
print("\t".join(map(str, row)), flush=True)
new = not os.path.exists(results)
with open(results, "a") as f:
    if new:
        f.write("name\tversion\tN\twall_s_median\tpages_per_s\tcpu_s_median\tpeak_rss_MB"
                "\tbytes_per_page\tpages\tcheck\twall_min-max\truns\tfont_note\n")
    f.write("\t".join(map(str, row)) + "\n")
EOF
  rm -rf "$OUT/out/$name"
}

# What else the machine did while a tool was measured: the load average before (which still
# carries the tail of the previous tool) and the cores other processes kept busy during all of
# the tool's runs (busy CPU time from /proc/stat, steal included, minus the tool's own CPU time
# from its /usr/bin/time logs, over the wall time).
LOADS=$OUT/loads.tsv
: > "$LOADS"
busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f\n", ($2+$3+$4+$7+$8+$9)/hz}' /proc/stat; }
now() { date +%s.%N; }
# measured NAME TIME-LOGS-GLOB COMMAND...: runs the command and notes the load beside NAME.
measured() {
  local name=$1 logs=$2 load b0 t0; shift 2
  load=$(cut -d' ' -f1 /proc/loadavg)
  b0=$(busy); t0=$(now)
  "$@"
  python3 - "$name" "$load" "$b0" "$(busy)" "$t0" "$(now)" "$logs" >> "$LOADS" <<'EOF'
import glob, os, re, sys
name, load, b0, b1, t0, t1, logs = sys.argv[1:]
b0, b1, t0, t1 = map(float, (b0, b1, t0, t1))
own = 0.0
for path in glob.glob(logs):
    if os.path.getmtime(path) < t0:
        continue  # an older run's log
    text = open(path).read()
    user = re.search(r"User time \(seconds\): *([\d.]+)", text)
    if user:  # /usr/bin/time -v
        own += float(user.group(1)) + float(re.search(r"System time \(seconds\): *([\d.]+)", text).group(1))
    else:  # pli's logs: one "wall user sys rss" line per run
        own += sum(float(l.split()[1]) + float(l.split()[2]) for l in text.splitlines() if l.strip())
print(f"{name}\t{load}\t{max(0.0, (b1 - b0 - own) / max(t1 - t0, 0.001)):.2f}")
EOF
}

# A peer's own benchmark; its PDF is removed afterwards (Typst's 10,000 pages are ~100 MB).
bench_peer() {
  local tool=$1 n=$2; shift 2
  measured "${tool}_png_$n" "/tmp/peers/time_${tool}_png_${n}_*.txt" \
    "${BENCH[@]}" "$tool" "$n" --warmup "$warmup" --runs "$runs" "$@" || echo "$tool: bench.py failed (exit $?)"
  rm -f "$OUT/out/${tool}_png_$n.pdf" "$OUT/out/tex/${tool}_png_$n".*
}
pli_measured() { measured "pli_$2_$1" "$OUT/all_pli_$2_$1" bench_pli "$1" "$2"; }

echo "pli and peers: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
prepare "$N"
python3 "$PEERS/make_logo.py" "$DATA" 2>/dev/null || "$PY" "$PEERS/make_logo.py" "$DATA"

pli_measured "$N" all
pli_measured "$N" 1

if "$TYPST" --version >/dev/null 2>&1; then
  bench_peer typst "$N"
else
  echo "typst: skipped, not installed (cargo install typst-cli --locked, or set TYPST)"
fi
if [ -x "$PY" ] && "$PY" -c 'import reportlab' 2>/dev/null; then
  bench_peer reportlab "$N"
else
  echo "reportlab: skipped, not installed in $PY (python3 -m venv /tmp/peers/venv && /tmp/peers/venv/bin/pip install reportlab weasyprint pypdf pillow)"
fi
if command -v xelatex >/dev/null && kpsewhich csvsimple-l3.sty textpos.sty >/dev/null 2>&1; then
  bench_peer xelatex "$N"
else
  echo "xelatex: skipped, not installed (apt-get install -y texlive-xetex texlive-latex-recommended)"
fi
if [ -x "$PY" ] && "$PY" -c 'import weasyprint' 2>/dev/null; then
  if [ "$WN" != "$N" ]; then
    prepare "$WN"
    pli_measured "$WN" all
  fi
  saved=("$warmup" "$runs"); warmup=0; runs=1
  bench_peer weasyprint "$WN"
  warmup=${saved[0]}; runs=${saved[1]}
else
  echo "weasyprint: skipped, not installed in $PY (see reportlab above)"
fi

echo
python3 - "$RESULTS" "$LOADS" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
loads = {l.split("\t")[0]: l.rstrip("\n").split("\t")[1:] for l in open(sys.argv[2]) if l.strip()}
pli = {int(r["N"]): r for r in rows if r["name"].startswith("pli_all_")}
print(f"{'tool':<34} {'N':>6} {'seconds':>8} {'pages/s':>8} {'CPU s':>7} {'peak MB':>8} "
      f"{'B/page':>7} {'load':>5} {'other':>5} {'pli/peer pages/s':>17} {'pli/peer memory':>16}")
for r in rows:
    n = int(r["N"])
    ref = pli.get(n)
    rate, mem = float(r["pages_per_s"]), float(r["peak_rss_MB"])
    if ref is None or r["name"].startswith("pli_"):
        ratios = ("", "")
    else:
        ratios = (f"{float(ref['pages_per_s']) / rate:.1f}x",
                  f"{float(ref['peak_rss_MB']) / mem:.2f}x")
    load, other = loads.get(r["name"], ("", ""))
    check = "" if r["check"] == "ok" else "  " + r["check"]
    print(f"{r['version'][:34]:<34} {n:>6} {float(r['wall_s_median']):>8.2f} {rate:>8.0f} "
          f"{float(r['cpu_s_median']):>7.2f} {mem:>8.0f} {r['bytes_per_page']:>7} "
          f"{load:>5} {other:>5} {ratios[0]:>17} {ratios[1]:>16}{check}")
print("\nRatios compare each tool with pli (all cores) on the same N: pages/s above 1x means pli "
      "is faster, memory below 1x means pli needs less.\nload: load average before the tool's runs; "
      "other: cores kept busy by other processes during them.")
EOF
echo "rows: $RESULTS"
