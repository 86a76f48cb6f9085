#!/usr/bin/env bash
# ansible-test integration --local (tests/integration/targets: every module, the filter, the role, both
# playbooks, each target with its own emulator on loopback) with the highest ansible-core (.venv) and the
# lowest the collection claims (lib.sh matrix_venv), each in its own collection copy and HOME.
# Extra arguments go to ansible-test (target names, -v).
set -uo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv

failed=0
summary=()
for version in highest "$LOWEST_CORE_VERSION"; do
    start=$(date +%s)
    if [ "$version" = highest ]; then
        core_venv="$VENV"
    else
        core_venv="$(matrix_venv "$version")" || { summary+=("$version setup-FAILED"); failed=1; continue; }
    fi
    home="$MATRIX_ROOT/home-targets-$version"
    mkdir -p "$home"
    dest="$(VAPIX_COLLECTION_ROOT="$MATRIX_ROOT/targets-$version" collection_copy)"
    log "integration-targets@$version: ansible-test integration --local in $dest"
    if (cd "$dest" && export HOME="$home" && "$core_venv/bin/ansible-test" integration --local --color no \
            --python "$TEST_PYTHON_VERSION" "$@"); then
        result=passed
    else
        result=FAILED; failed=1
    fi
    summary+=("$version ($("$core_venv/bin/ansible" --version | sed -n 1p)) $result $(( $(date +%s) - start ))s")
done
printf 'integration targets with %s\n' "${summary[@]}" >&2
exit "$failed"
