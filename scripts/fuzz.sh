#!/usr/bin/env bash
# The fuzzing campaign: each target in fuzz/ runs for SECONDS (default 600) under libFuzzer
# (cargo-fuzz, nightly Rust, AddressSanitizer), one after the other, and a table of figures is
# printed at the end: executions, coverage (edges), features, corpus size, findings.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# New inputs that reach new code are added to fuzz/corpus/TARGET (commit them after
# `cargo +nightly fuzz cmin TARGET` has minimised the folder); an input that breaks a target is
# copied to fuzz/regressions/TARGET, which the test command replays from then on
# (crates/wpconnect-core/tests/fuzz_corpus.rs). Installs nightly and cargo-fuzz when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

seconds=${1:-600}
shift || true
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi

need_rust
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

logs=fuzz/artifacts/logs
mkdir -p "$logs"
(cd fuzz && cargo +nightly fuzz build -O)

table=()
failed=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/regressions/$t" "fuzz/artifacts/$t"
    echo "== $t: $seconds s"
    before=$(find "fuzz/artifacts/$t" -type f | wc -l)
    # The first folder receives what is new; the regressions are read as seeds too.
    set +e
    (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" "regressions/$t" -- \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1) >"$logs/$t.log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$logs/$t.log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(find "fuzz/corpus/$t" -type f | wc -l)
    found=$(($(find "fuzz/artifacts/$t" -type f | wc -l) - before))
    # What broke the target (crash-*, leak-*, timeout-*, oom-*) is replayed from now on.
    find "fuzz/artifacts/$t" -type f -exec cp -n {} "fuzz/regressions/$t/" \; 2>/dev/null || true
    if [ "$rc" -ne 0 ]; then
        failed=1
        grep -E 'panicked|ERROR: libFuzzer|SUMMARY' "$logs/$t.log" | head -5 >&2 || true
    fi
    table+=("$(printf '%-18s %12s %8s %8s %8s %9s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$found")")
done

printf '\n%-18s %12s %8s %8s %8s %9s\n' target executions edges features corpus findings
printf '%s\n' "${table[@]}"
echo "(logs: $logs; ${seconds} s per target)"
exit "$failed"
