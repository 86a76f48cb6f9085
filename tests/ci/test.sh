#!/usr/bin/env bash
# `make test`: every suite, each timed. A failing suite does not stop the others; the exit code
# is non-zero if any failed. VAPIX_SUITES="sanity units" runs a subset.
set -uo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv

read -r -a suites <<< "${VAPIX_SUITES:-changelog-lint lint docs package sanity sanity-matrix units emulator-tests integration integration-lowest integration-targets molecule}"
declare -A outcome seconds
failed=0
for suite in "${suites[@]}"; do
    script="$REPO_ROOT/tests/ci/$suite.sh"
    [ -x "$script" ] || die "unknown suite $suite (no $script)"
    log "suite $suite: starting"
    start=$(date +%s)
    if "$script"; then outcome[$suite]=passed; else outcome[$suite]="FAILED"; failed=1; fi
    seconds[$suite]=$(( $(date +%s) - start ))
    log "suite $suite: ${outcome[$suite]} in ${seconds[$suite]} s"
done

{
    printf '\n%-18s %-8s %s\n' suite result seconds
    for suite in "${suites[@]}"; do
        printf '%-18s %-8s %s\n' "$suite" "${outcome[$suite]}" "${seconds[$suite]}"
    done
} >&2
exit "$failed"
