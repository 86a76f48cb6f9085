#!/usr/bin/env bash
# The integration suite on the older ansible-core versions the collection claims (lib.sh
# OLDER_CORE_VERSIONS), each in its own venv (lib.sh matrix_venv: .venv-matrix/<version>; the lowest
# ansible-core gets requirements.txt's lowest versions). `make test` runs it on the lowest only
# (integration-lowest.sh); `make matrix` on all. VAPIX_OLDER_CORE_VERSIONS="2.17.14" chooses;
# extra arguments go to pytest.
set -uo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv

failed=0
summary=()
for version in $OLDER_CORE_VERSIONS; do
    start=$(date +%s)
    venv="$(matrix_venv "$version")" || { summary+=("$version setup-FAILED"); failed=1; continue; }
    log "matrix: ansible-core $version: integration suite ($("$venv/bin/python" -m pip freeze 2>/dev/null | grep -iE '^(requests|lxml)==' | tr '\n' ' '))"
    if VENV_PYTHON="$venv/bin/python" run_pytest_suite "integration@$version" "$REPO_ROOT/tests/integration" -q "$@"; then
        result=passed
    else
        result=FAILED; failed=1
    fi
    summary+=("$version $result $(( $(date +%s) - start ))s")
done
printf 'integration with ansible-core %s\n' "${summary[@]}" >&2
exit "$failed"
