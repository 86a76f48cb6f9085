#!/usr/bin/env bash
# ansible-test sanity with each older ansible-core the collection claims (lib.sh OLDER_CORE_VERSIONS;
# sanity.sh covers .venv's), one after the other, each with its own venv (.venv-matrix/<version>),
# its own HOME (two ansible-test versions must not share ~/.ansible/test) and its own collection copy.
# VAPIX_OLDER_CORE_VERSIONS="2.16.19" chooses; extra arguments go to ansible-test.
# pylint runs once, with the newest ansible-core (sanity.sh): its findings do not depend on the
# ansible-core version and it is most of the matrix's time on 2 cores. The version-dependent tests
# (validate-modules, ansible-doc, import, compile, runtime-metadata, action-plugin-docs...) run on every
# version. VAPIX_MATRIX_SANITY_ARGS="" runs pylint here too.
set -uo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv

pip_cache="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
read -r -a matrix_args <<< "${VAPIX_MATRIX_SANITY_ARGS---skip-test pylint}"
failed=0
summary=()
for version in $OLDER_CORE_VERSIONS; do
    start=$(date +%s)
    venv="$(matrix_venv "$version")" || { summary+=("$version setup-FAILED"); failed=1; continue; }
    home="$MATRIX_ROOT/home-$version"
    mkdir -p "$home"
    dest="$(VAPIX_COLLECTION_ROOT="$MATRIX_ROOT/collection-$version" collection_copy)"
    log "sanity@$version: ansible-test sanity in $dest (HOME=$home)"
    if (cd "$dest" && export HOME="$home" PIP_CACHE_DIR="$pip_cache" \
            && "$venv/bin/python" "$REPO_ROOT/tests/ci/get_pip_standin.py" \
            && "$venv/bin/ansible-test" sanity --venv --python "$TEST_PYTHON_VERSION" --color no \
                "${matrix_args[@]}" "$@"); then
        result=passed
    else
        result=FAILED; failed=1
    fi
    summary+=("$version $result $(( $(date +%s) - start ))s")
done
printf 'sanity with ansible-core %s\n' "${summary[@]}" >&2
exit "$failed"
