#!/usr/bin/env bash
# Runs every fuzz target for N seconds each (default 30): ./run.sh [SECONDS] [TARGET...]
#
# Works on stable Rust: `--sanitizer none` keeps cargo-fuzz from passing the nightly-only
# `-Zsanitizer=address`; the coverage instrumentation (sancov) it still passes is stable.
# SANITIZER=address runs with AddressSanitizer instead, through RUSTC_BOOTSTRAP=1.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a C++ compiler for libFuzzer.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-30}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(csv_reader jsonl_reader template)
fi

sanitizer="${SANITIZER:-none}"
if [ "$sanitizer" != none ]; then
    export RUSTC_BOOTSTRAP=1
fi

if ! command -v cargo-fuzz >/dev/null; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi

dict_for() {
    case "$1" in
        csv_reader) echo dict/csv.dict ;;
        jsonl_reader) echo dict/jsonl.dict ;;
        template) echo dict/template.dict ;;
    esac
}

status=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    echo "== $t: ${seconds}s (sanitizer: $sanitizer)"
    # New inputs go to corpus/<target>; seeds/<target> is read only.
    if ! cargo fuzz run --sanitizer "$sanitizer" "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -dict="$(dict_for "$t")" -print_final_stats=1; then
        echo "!! $t failed: see fuzz/artifacts/$t/" >&2
        status=1
    fi
done
exit $status
