# shellcheck shell=bash
# Shared by the tests/ci/*.sh scripts (sourced, not run). The Makefile and .ci/run call those
# scripts, so a machine without make runs exactly the same steps.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VAPIX_VENV:-$REPO_ROOT/.venv}"
VENV_PYTHON="$VENV/bin/python"
# ansible-test runs its tests with this Python version (ansible-core 2.19 needs 3.11 or later).
export TEST_PYTHON_VERSION="${VAPIX_TEST_PYTHON_VERSION:-3.11}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

require_venv() {
    [ -x "$VENV_PYTHON" ] || die "no virtual environment at $VENV: run 'make setup' (or tests/ci/setup.sh) first"
}

# A copy of the collection's files at a path ending in ansible_collections/vapix/acap, which
# ansible-test needs (it resolves symlinks, so a link to the checkout does not do). The copy holds
# what git would see: tracked files plus untracked ones that are not ignored. Prints its path.
collection_copy() {
    local key root dest
    key="$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)"
    root="${VAPIX_COLLECTION_ROOT:-${TMPDIR:-/tmp}/vapix-acap-collection-$key}"
    dest="$root/ansible_collections/vapix/acap"
    # ansible-test keeps its delegation venv under tests/output: keep it between runs (faster).
    if [ -d "$dest/tests/output" ]; then
        rm -rf "$root/output.keep" && mv "$dest/tests/output" "$root/output.keep"
    fi
    rm -rf "$dest"
    mkdir -p "$dest"
    if command -v git >/dev/null 2>&1 && git -C "$REPO_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$REPO_ROOT" && git ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done \
            | tar --null -T - -cf -) | tar -C "$dest" -xf -
    else
        (cd "$REPO_ROOT" && tar --exclude=./.venv --exclude=./.git --exclude=./tests/output \
            --exclude='__pycache__' --exclude='*.pyc' --exclude=./.pytest_cache -cf - .) | tar -C "$dest" -xf -
    fi
    if [ -d "$root/output.keep" ]; then
        mkdir -p "$dest/tests" && mv "$root/output.keep" "$dest/tests/output"
    fi
    printf '%s\n' "$dest"
}

# Run pytest on a directory; exit code 5 ("no tests collected") is a failure when the directory
# has test files, because then something that should have run did not.
run_pytest_suite() {
    local name="$1" dir="$2"; shift 2
    local files
    files="$(find "$dir" -name 'test_*.py' -o -name '*_test.py' 2>/dev/null | head -n 1)"
    if [ -z "$files" ]; then
        log "$name: no test files under ${dir#"$REPO_ROOT"/}: FAILED (a suite with no tests is not a pass)"
        return 1
    fi
    local rc=0
    (cd "$REPO_ROOT" && "$VENV_PYTHON" -m pytest -p no:cacheprovider -ra "$dir" "$@") || rc=$?
    if [ "$rc" -eq 5 ]; then
        log "$name: pytest collected no tests although ${dir#"$REPO_ROOT"/} has test files: FAILED"
    fi
    return "$rc"
}

# The ansible-core versions the collection claims (meta/runtime.yml requires_ansible): the highest is
# .venv's (tests/ci/constraints.txt); the older ones run in their own venvs (matrix_venv).
OLDER_CORE_VERSIONS="${VAPIX_OLDER_CORE_VERSIONS:-2.16.19 2.17.14 2.18.19}"
LOWEST_CORE_VERSION="${OLDER_CORE_VERSIONS%% *}"
# shellcheck disable=SC2034  # used by the scripts that source this file
# Per-user state of the matrix runs (one HOME per ansible-core version, collection copies).
MATRIX_ROOT="${VAPIX_MATRIX_ROOT:-${TMPDIR:-/tmp}/vapix-acap-matrix-$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)}"

# requirements.txt's lower bounds as exact pins ("requests>=2.28" -> "requests==2.28"): the
# lowest versions the collection claims, which the lowest ansible-core venv is tested with.
lowest_requirements() {
    sed -n 's/^\([A-Za-z0-9_.-]*\)[[:space:]]*>=[[:space:]]*\([0-9][0-9.]*\).*/\1==\2/p' "$REPO_ROOT/requirements.txt"
}

# The pins of tests/ci/constraints.txt for requirements.txt's packages: the highest versions tested.
highest_requirements() {
    local name
    sed -n 's/^\([A-Za-z0-9_.-]*\)[[:space:]]*[<>=!~].*/\1/p' "$REPO_ROOT/requirements.txt" | while read -r name; do
        grep -i "^$name==" "$REPO_ROOT/tests/ci/constraints.txt"
    done
}

# A venv with one ansible-core version for the matrix: .venv-matrix/<version>, holding that
# ansible-core, pytest (requirements-dev.txt's pin) and requirements.txt's packages: their lowest
# versions with the lowest ansible-core, else the pinned (highest) ones. Made again when those
# change. Prints its path.
matrix_venv() {
    local version="$1" venv="$REPO_ROOT/.venv-matrix/$1" python packages fingerprint
    if [ "$version" = "$LOWEST_CORE_VERSION" ]; then
        packages="$(lowest_requirements)"
    else
        packages="$(highest_requirements)"
    fi
    # shellcheck disable=SC2086  # one package a word
    set -- "ansible-core==$version" "$(grep -i '^pytest==' "$REPO_ROOT/requirements-dev.txt")" $packages
    fingerprint="$(printf '%s\n' "$@" | cksum | cut -d' ' -f1)"
    if [ ! -x "$venv/bin/ansible-test" ] || [ "$(cat "$venv/.vapix-acap-setup" 2>/dev/null)" != "$fingerprint" ]; then
        log "matrix: creating $venv ($*)"
        python="$("$VENV_PYTHON" -c 'import sys; print(sys._base_executable)')"
        rm -rf "$venv"
        if ! { "$python" -m venv "$venv" >&2 \
                && "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "$@" >&2; }; then
            rm -rf "$venv"
            die "matrix: could not install $* into $venv"
        fi
        printf '%s\n' "$fingerprint" > "$venv/.vapix-acap-setup"
    fi
    printf '%s\n' "$venv"
}

# The lint and release tools' venv (tools-setup.sh).
# shellcheck disable=SC2034  # used by the scripts that source this file
TOOLS_VENV="${VAPIX_TOOLS_VENV:-$REPO_ROOT/.venv-tools}"
