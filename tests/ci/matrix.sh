#!/usr/bin/env bash
# The integration suite on the older ansible-core versions meta/runtime.yml claims (requires_ansible),
# each in its own venv (.venv-matrix/<version>). Not part of `make test`: `make matrix`.
# VAPIX_MATRIX="2.16.19 2.17.14" chooses the versions; extra arguments go to pytest.
set -uo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv

read -r -a versions <<< "${VAPIX_MATRIX:-2.16.19 2.17.14 2.18.19}"
python="$("$VENV_PYTHON" -c 'import sys; print(sys._base_executable)')"
failed=0
summary=()
for version in "${versions[@]}"; do
    venv="$REPO_ROOT/.venv-matrix/$version"
    start=$(date +%s)
    if [ ! -x "$venv/bin/ansible-playbook" ]; then
        log "matrix: ansible-core $version: creating $venv"
        if ! { "$python" -m venv "$venv" && "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
                "ansible-core==$version" -r "$REPO_ROOT/requirements.txt" \
                "$(grep -i '^pytest==' "$REPO_ROOT/requirements-dev.txt")"; }; then
            summary+=("$version setup-FAILED"); failed=1; rm -rf "$venv"; continue
        fi
    fi
    log "matrix: ansible-core $version: integration suite"
    if VENV_PYTHON="$venv/bin/python" run_pytest_suite "integration@$version" "$REPO_ROOT/tests/integration" -q "$@"; then
        result=passed
    else
        result=FAILED; failed=1
    fi
    summary+=("$version $result $(( $(date +%s) - start ))s")
done
printf 'ansible-core %s\n' "${summary[@]}" >&2
exit "$failed"
