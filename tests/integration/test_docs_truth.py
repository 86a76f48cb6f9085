# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Statements in the docs that a machine can check and that drift when the code moves on (issue 20).

- The role's README names every option of meta/argument_specs.yml and no other, and the argument specs
  name what the role's task reads (the role's variables, the module's application options).
- Every ``vapix.acap.<name>`` in the docs is a plugin, role, playbook or action group of the collection,
  and every repository path the guides name exists.
- The callback's option table in docs/drift_report.md is its DOCUMENTATION's options.
- A real result of every camera module (run in-process against the emulator) carries only documented
  RETURN keys, and every key documented as returned always or on success.
"""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set, Tuple

import pytest
import yaml

from acap_helpers import connection, make_eap
from conftest import REPO_ROOT
from vapix_emulator.builders import build_eap, build_license_key

ROLE_DIR = REPO_ROOT / "roles" / "camera"
ROLE_README = ROLE_DIR / "README.md"
GUIDES = sorted((REPO_ROOT / "docs").glob("*.md")) + [REPO_ROOT / "README.md", ROLE_README]
PLUGIN_DOC_FILES = sorted(
    path for folder in ("modules", "callback", "inventory", "filter", "doc_fragments")
    for path in (REPO_ROOT / "plugins" / folder).glob("*.py") if not path.name.startswith("_"))
# Keys Ansible itself gives every module result; a RETURN block need not document them.
STANDARD_RESULT_KEYS = {"changed", "diff", "warnings", "deprecations", "failed", "msg", "invocation"}


DOC_STRINGS = ("DOCUMENTATION", "EXAMPLES", "RETURN", "INFO_MODULE")


def _doc_texts(path: Path) -> Dict[str, str]:
    """The documentation strings of a plugin file (module level, or a doc fragment's class), by name."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if getattr(target, "id", None) in DOC_STRINGS:
                    found[target.id] = node.value.value
    return found


def _literal(path: Path, name: str) -> Any:
    """A documentation string of ``path`` (DOCUMENTATION, RETURN), parsed as YAML."""
    text = _doc_texts(path).get(name)
    assert text is not None, "%s has no %s" % (path, name)
    return yaml.safe_load(text)


def _documentation_text(path: Path) -> str:
    """What a reader sees of ``path``: a guide or playbook whole, a plugin's documentation strings only."""
    if path.suffix == ".py":
        return "\n".join(_doc_texts(path).values())
    return path.read_text(encoding="utf-8")


def _argument_specs() -> Dict[str, Any]:
    with open(ROLE_DIR / "meta" / "argument_specs.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["argument_specs"]["main"]["options"]


def _table_rows(text: str, heading: str) -> List[List[str]]:
    """The cells of each row of the first Markdown table under ``heading`` (header and rule left out)."""
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("- :") for cell in cells):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]


def _backticked(text: str) -> List[str]:
    return re.findall(r"`([^`]+)`", text)


# --------------------------------------------------------------------------------------------
# The role: README, argument specs, what its task reads
# --------------------------------------------------------------------------------------------

def role_readme_variables() -> Tuple[Set[str], Dict[str, str]]:
    """(the variables the README's table names, variable -> its "meaning" cell)."""
    names: Set[str] = set()
    meaning: Dict[str, str] = {}
    for cells in _table_rows(ROLE_README.read_text(encoding="utf-8"), "## Variables"):
        first = _backticked(cells[0])
        assert first and first[0].startswith("axis_camera_"), cells[0]
        # `axis_camera_hostname`, `_port`, ...: the rest share the first one's prefix.
        for word in first:
            names.add(word if word.startswith("axis_camera_") else "axis_camera" + word)
        meaning[first[0]] = cells[-1]
    return names, meaning


def test_role_readme_names_every_role_variable_and_no_other() -> None:
    documented = role_readme_variables()[0]
    specified = set(_argument_specs())
    assert documented == specified, (
        "roles/camera/README.md's table and meta/argument_specs.yml differ: only in the README %s, only in the "
        "argument specs %s" % (sorted(documented - specified), sorted(specified - documented)))


@pytest.mark.parametrize("variable", ["axis_camera_applications", "axis_camera_settings"])
def test_role_readme_names_every_sub_option_and_its_choices(variable: str) -> None:
    """Every sub-option is named in the README's row, and every word in backticks there is a sub-option or
    one of their choices."""
    meaning = role_readme_variables()[1]
    options = _argument_specs()[variable]["options"]
    words = set(_backticked(meaning[variable]))
    known = set(options) | {str(choice) for option in options.values() for choice in option.get("choices") or []}
    assert set(options) <= words, "not in the README's %s row: %s" % (variable, sorted(set(options) - words))
    assert words <= known, "the README's %s row names what the argument specs do not: %s" % (
        variable, sorted(words - known))


def test_role_argument_specs_are_what_the_role_task_reads() -> None:
    from ansible_collections.vapix.acap.plugins.module_utils._device import SETTING_OPTIONS
    from ansible_collections.vapix.acap.plugins.module_utils._state import MODULE_SPEC
    from ansible_collections.vapix.acap.plugins.plugin_utils._role_variables import SOURCES, role_variable

    specs = _argument_specs()
    assert set(specs) == {role_variable(option) for option in SOURCES}, (
        sorted(set(specs) ^ {role_variable(option) for option in SOURCES}))
    assert set(specs["axis_camera_settings"]["options"]) == set(SETTING_OPTIONS)
    module_options = MODULE_SPEC.options["applications"]["options"]
    role_options = specs["axis_camera_applications"]["options"]
    assert set(role_options) == set(module_options), sorted(set(role_options) ^ set(module_options))
    for name, option in role_options.items():
        module_option = module_options[name]
        assert option.get("default") == module_option.get("default"), (
            name, option.get("default"), module_option.get("default"))
        assert set(option.get("choices") or []) <= set(module_option.get("choices") or []), name
        assert bool(option.get("no_log")) == bool(module_option.get("no_log")), name


# --------------------------------------------------------------------------------------------
# Names and paths
# --------------------------------------------------------------------------------------------

def collection_names() -> Set[str]:
    """What ``vapix.acap.<name>`` may name: plugins, roles, playbooks, doc fragments, action groups."""
    names: Set[str] = set()
    for folder in ("modules", "callback", "inventory", "filter", "doc_fragments", "action"):
        names |= {path.stem for path in (REPO_ROOT / "plugins" / folder).glob("*.py") if not path.name.startswith("_")}
    names |= {path.name for path in (REPO_ROOT / "roles").iterdir() if path.is_dir()}
    names |= {path.stem for path in (REPO_ROOT / "playbooks").glob("*.yml")}
    with open(REPO_ROOT / "meta" / "runtime.yml", encoding="utf-8") as handle:
        names |= set((yaml.safe_load(handle) or {}).get("action_groups") or {})
    return names


# vapix.acap.NAME, not a Python path (vapix.acap.plugins.x) nor a pattern (vapix.acap.axis_*).
_COLLECTION_NAME = re.compile(r"\bvapix\.acap\.([a-z][a-z0-9_]*)(?![\w.*])")


@pytest.mark.parametrize("path", GUIDES + PLUGIN_DOC_FILES + sorted((REPO_ROOT / "playbooks").glob("*.yml")),
                         ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_every_collection_name_in_the_docs_exists(path: Path) -> None:
    known = collection_names()
    assert {"axis_acap", "camera", "drift", "drift_report"} <= known  # the lookup itself works
    text = _documentation_text(path)
    assert text.strip(), path
    named = set(_COLLECTION_NAME.findall(text))
    assert named <= known, "%s names vapix.acap.%s, which the collection does not have" % (
        path.relative_to(REPO_ROOT), ", vapix.acap.".join(sorted(named - known)))


# Paths the guides name that are not in a checkout, each for a reason.
NOT_IN_A_CHECKOUT = {
    "tests/output": "ansible-test's output, made by a run",
    "changelogs/.plugin-cache.yaml": "antsibull-changelog's cache, made by a run",
    "docs/demo/inventory.yml": "tests/ci/demo.sh's fallback when docs/demo/run_demo.py is missing",
    "tests/sanity/ignore-2.19.txt": "testing.md: there is no sanity ignore today",
    "plugins/strategy/linear.py": "ansible-core's file, not the collection's",
}
_REPOSITORY_PATH = re.compile(
    r"(?<![\w/.-])((?:plugins|tests|roles|playbooks|docs|meta|changelogs|extensions|\.ci)/[\w./<>*-]*[\w/*>])")


def named_paths(text: str) -> Set[str]:
    """The repository paths ``text`` names, patterns (``acap_*.yml``, ``<guide>.rst``) left out."""
    return {match for match in _REPOSITORY_PATH.findall(text)
            if match.rstrip("/") not in NOT_IN_A_CHECKOUT and not set(match) & set("*<>")}


@pytest.mark.parametrize("path", GUIDES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_every_repository_path_in_the_guides_exists(path: Path) -> None:
    """A file renamed or split leaves no guide pointing at the old name (relative to the repository, the
    guide's folder, or the role for a role's meta/ and tasks/)."""
    bases = (REPO_ROOT, path.parent, ROLE_DIR)
    missing = sorted(named for named in named_paths(path.read_text(encoding="utf-8"))
                     if not any((base / named).exists() for base in bases))
    assert not missing, "%s names paths that do not exist: %s" % (path.relative_to(REPO_ROOT), missing)


def test_the_path_check_finds_paths() -> None:
    # Guards the test above against passing on a pattern that matches nothing.
    found = named_paths((REPO_ROOT / "docs" / "axis_acap.md").read_text(encoding="utf-8"))
    assert "plugins/module_utils/_app_names.py" in found or "plugins/modules/axis_acap.py" in found, found


# --------------------------------------------------------------------------------------------
# The callback's options
# --------------------------------------------------------------------------------------------

def test_drift_report_option_table_is_the_callbacks_documentation() -> None:
    options = _literal(REPO_ROOT / "plugins" / "callback" / "drift_report.py", "DOCUMENTATION")["options"]
    rows = _table_rows((REPO_ROOT / "docs" / "drift_report.md").read_text(encoding="utf-8"),
                       "## Turning the callback on")
    table = {_backticked(cells[0])[0]: cells for cells in rows}
    assert set(table) == set(options), sorted(set(table) ^ set(options))
    for name, option in options.items():
        cells = table[name]
        assert _backticked(cells[1]) == [env["name"] for env in option.get("env") or []], name
        assert _backticked(cells[2]) == [ini["key"] for ini in option.get("ini") or []], name


def test_client_option_table_is_the_connection_options() -> None:
    """docs/client.md's table: every connection option, its environment variable and its default."""
    from ansible_collections.vapix.acap.plugins.module_utils._module import CONNECTION_ARGUMENT_SPEC

    fragment = _literal(REPO_ROOT / "plugins" / "doc_fragments" / "connection.py", "DOCUMENTATION")["options"]
    rows = _table_rows((REPO_ROOT / "docs" / "client.md").read_text(encoding="utf-8"), "## Connection options")
    table = {_backticked(cells[0])[0]: cells for cells in rows}
    assert set(table) == set(CONNECTION_ARGUMENT_SPEC) == set(fragment), (
        sorted(table), sorted(CONNECTION_ARGUMENT_SPEC), sorted(fragment))
    for name, spec in CONNECTION_ARGUMENT_SPEC.items():
        option, default, env = table[name][:3]
        fallback = spec.get("fallback")
        assert _backticked(env) == (list(fallback[1]) if fallback else []), name
        if spec.get("required"):
            assert default.startswith("required"), name
        elif spec.get("default") is not None:
            value = spec["default"]
            words = [str(value).lower(), "%g" % value if isinstance(value, float) else str(value)]
            assert any(re.search(r"(^|\W)%s(\W|$)" % re.escape(word), default) for word in words), (name, default)


# --------------------------------------------------------------------------------------------
# RETURN against real results
# --------------------------------------------------------------------------------------------

def documented_returns(module: str) -> Dict[str, Any]:
    return _literal(REPO_ROOT / "plugins" / "modules" / ("%s.py" % module), "RETURN")


def check_result_keys(module: str, result: Dict[str, Any], required_too: bool = True) -> None:
    """Every key of ``result`` is documented, and every key documented as returned always or on success is
    there (``required_too``: the run succeeded in the way the RETURN block's ``success`` means)."""
    documented = documented_returns(module)
    undocumented = sorted(set(result) - set(documented) - STANDARD_RESULT_KEYS)
    assert not undocumented, "%s returns %s, which its RETURN does not document" % (module, undocumented)
    if required_too:
        promised = {key for key, entry in documented.items()
                    if re.match(r"^(always|success)(,|$)", str(entry.get("returned", "")).strip())}
        absent = sorted(promised - set(result))
        assert not absent, "%s's RETURN says %s are returned, the result has none of them" % (module, absent)


def state_record_keys() -> Set[str]:
    return set(documented_returns("axis_acap_state")["resources"]["contains"])


def check_records(module: str, records: Iterable[Dict[str, Any]]) -> Set[str]:
    """Every key of every ``resources`` record is one axis_acap_state documents; returns the record kinds."""
    documented = state_record_keys()
    kinds = set()
    for record in records:
        assert set(record) <= documented, "%s: record %s has undocumented keys %s" % (
            module, record.get("resource"), sorted(set(record) - documented))
        kinds.add(str(record["resource"]).split(":", 1)[0])
    return kinds


APP = "counter"
APP_ID = "616161"
PARAMETERS = [{"name": "Threshold", "default": "50", "type": "int:min=0,max=100"},
              {"name": "ApiKey", "default": "", "type": "password"}]


def test_results_carry_the_documented_keys(device: Any, run_logic: Any, tmp_path: Path) -> None:
    device.reset(firmware="12.2.1")
    # An application nobody declares, so that the state module reports an undeclared record too.
    device.install(build_eap(name="bystander", version="1.0.0", signed=True))
    keys = tmp_path / "keys"
    keys.mkdir()
    build_license_key(keys / ("%s.xml" % device.serial_number), product=APP, productid=APP_ID,
                      serial_number=device.serial_number, expires=datetime.date(2031, 12, 31))
    package = make_eap(tmp_path, name=APP, version="1.0.0", architecture="all", application_id=APP_ID,
                       licensed=True, parameters=PARAMETERS)

    results: Dict[str, Dict[str, Any]] = {}
    results["axis_acap_config"] = run_logic("axis_acap_config", connection(device, allow_unsigned=True))
    results["axis_acap"] = run_logic("axis_acap", connection(device, src=[package], state="started"))
    assert results["axis_acap"]["actions"] == ["upload", "start"], results["axis_acap"]["actions"]
    results["axis_acap_license"] = run_logic("axis_acap_license", connection(device, name=APP, src=str(keys)))
    results["axis_acap_parameters"] = run_logic("axis_acap_parameters", connection(
        device, name=APP, parameters={"Threshold": 40}, secret_parameters={"ApiKey": "not-shown"}))
    results["axis_acap_info"] = run_logic("axis_acap_info", connection(device))
    for module, result in results.items():
        check_result_keys(module, result)
        if "resources" in result:
            check_records(module, result["resources"])

    converged = run_logic("axis_acap_state", connection(
        device, settings={"allow_unsigned": True},
        applications=[{"name": APP, "src": [make_eap(tmp_path, name=APP, version="2.0.0", architecture="all",
                                                     application_id=APP_ID, licensed=True, parameters=PARAMETERS)],
                       "license_src": str(keys), "parameters": {"Threshold": 60}}]))
    check_result_keys("axis_acap_state", converged)
    kinds = check_records("axis_acap_state", converged["resources"])
    assert kinds == {"setting", "application", "license", "parameters", "undeclared"}, kinds
    gathered = run_logic("axis_acap_state", connection(device, state="gathered"))
    check_result_keys("axis_acap_state", gathered)
    assert "gathered" in gathered
