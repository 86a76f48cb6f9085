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
