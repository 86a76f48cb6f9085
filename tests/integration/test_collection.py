# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collection-level tests: the action group, ansible-doc pages, module_defaults, and the harness itself."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import REPO_ROOT, ansible_command, ansible_env

MODULES_DIR = REPO_ROOT / "plugins" / "modules"
CONNECTION_OPTIONS = {"hostname", "port", "use_https", "validate_certs", "ca_path", "username", "password",
                      "auth_method", "timeout"}
ACTION_GROUP = "vapix.acap.axis"


def module_names() -> List[str]:
    return sorted(path.stem for path in MODULES_DIR.glob("*.py") if not path.name.startswith("_"))


def camera_module_names() -> List[str]:
    """The modules that talk to a camera (axis_*); drift_report_merge works on report files only."""
    return [name for name in module_names() if name.startswith("axis_")]


def runtime_metadata() -> Dict[str, Any]:
    with open(REPO_ROOT / "meta" / "runtime.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def ansible_doc(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(ansible_command("ansible-doc") + list(arguments), env=ansible_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False)


# --------------------------------------------------------------------------------------------
# meta/runtime.yml
# --------------------------------------------------------------------------------------------

def test_there_are_modules() -> None:
    # Guards the parametrised tests below against passing vacuously on an empty list.
    assert len(module_names()) >= 4, module_names()


@pytest.mark.parametrize("module", camera_module_names())
def test_every_module_is_in_the_action_group(module: str) -> None:
    group = runtime_metadata()["action_groups"]["axis"]
    assert module in group, "plugins/modules/%s.py is not in action group 'axis' of meta/runtime.yml" % module


def test_action_group_lists_only_existing_modules() -> None:
    group = runtime_metadata()["action_groups"]["axis"]
    assert sorted(group) == camera_module_names()
    assert len(group) == len(set(group)), "duplicates in action group 'axis': %s" % group


# --------------------------------------------------------------------------------------------
# What the collection claims about the versions it runs with
# --------------------------------------------------------------------------------------------

def core_versions_tested() -> List[str]:
    """ansible-core versions CI tests: tests/ci/lib.sh's older ones and the dev venv's pin."""
    lib = (REPO_ROOT / "tests" / "ci" / "lib.sh").read_text(encoding="utf-8")
    older = re.search(r'OLDER_CORE_VERSIONS="\$\{VAPIX_OLDER_CORE_VERSIONS:-([0-9. ]+)\}"', lib)
    assert older, "OLDER_CORE_VERSIONS not found in tests/ci/lib.sh"
    return older.group(1).split() + [constraint_pins()["ansible-core"]]


def constraint_pins() -> Dict[str, str]:
    lines = (REPO_ROOT / "tests" / "ci" / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.lower().split("==", 1) for line in lines if "==" in line and not line.startswith("#"))


def test_requires_ansible_is_what_ci_tests() -> None:
    claimed = SpecifierSet(runtime_metadata()["requires_ansible"])
    tested = core_versions_tested()
    assert all(version in claimed for version in tested), (claimed, tested)
    minors = sorted({Version(version).release[:2] for version in tested})
    # Every minor version from the lowest to the highest claimed is tested, and none beyond.
    assert minors == [(2, minor) for minor in range(minors[0][1], minors[-1][1] + 1)], minors
    assert "%d.%d.0" % (minors[0][0], minors[0][1] - 1) not in claimed
    assert "%d.%d.0" % (minors[-1][0], minors[-1][1] + 1) not in claimed


def test_requirements_are_lower_bounds_that_hold_the_tested_pins() -> None:
    # Exact pins belong in tests/ci/constraints.txt; requirements.txt is also the execution environment's
    # (meta/execution-environment.yml), where only lower bounds combine with other collections' needs.
    pins = constraint_pins()
    lines = [line.split("#")[0].strip() for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    requirements = [Requirement(line) for line in lines if line]
    assert {requirement.name for requirement in requirements} >= {"requests", "lxml"}
    for requirement in requirements:
        operators = {spec.operator for spec in requirement.specifier}
        assert operators == {">="}, "%s: give the lowest tested version (>=), not %s" % (requirement, operators)
        assert pins[requirement.name.lower()] in requirement.specifier, (requirement, pins[requirement.name.lower()])


def module_python_files() -> List[Path]:
    return sorted(path for path in (REPO_ROOT / "plugins").rglob("*.py") if "__pycache__" not in path.parts)


def test_module_code_parses_with_the_oldest_claimed_python() -> None:
    # tests/config.yml states the module host's Python range; CI has only 3.11, so the syntax is checked here.
    with open(REPO_ROOT / "tests" / "config.yml", encoding="utf-8") as handle:
        requires = yaml.safe_load(handle)["modules"]["python_requires"]
    oldest = re.fullmatch(r">=\s*3\.(\d+)", requires)
    assert oldest, "tests/config.yml: python_requires %r is not a '>=3.N' range" % requires
    files = module_python_files()
    assert len(files) >= len(module_names())
    for path in files:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, int(oldest.group(1))))


# --------------------------------------------------------------------------------------------
# The layering of docs/architecture.md, checked on the source
# --------------------------------------------------------------------------------------------

MODULE_UTILS_DIR = REPO_ROOT / "plugins" / "module_utils"


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(tree: ast.Module) -> List[str]:
    names: List[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend("%s.%s" % (node.module, alias.name) for alias in node.names)
    return names


def called_attributes(tree: ast.Module) -> List[str]:
    return [node.func.attr for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]


def module_utils_files() -> List[Path]:
    return sorted(MODULE_UTILS_DIR.glob("*.py"))


def test_module_utils_are_private() -> None:
    files = module_utils_files()
    assert files
    public = [path.name for path in files if not path.name.startswith("_")]
    assert not public, "module_utils files must be private (leading underscore): %s" % public


@pytest.mark.parametrize("module", module_names())
def test_module_files_are_thin(module: str) -> None:
    tree = parsed(MODULES_DIR / ("%s.py" % module))
    imports = imported_modules(tree)
    talks_http_or_xml = [name for name in imports if name.split(".")[0] in ("requests", "lxml", "urllib3", "xml")]
    assert not talks_http_or_xml, "%s imports %s: HTTP and XML belong in module_utils" % (module, talks_http_or_xml)
    calls = set(called_attributes(tree))
    assert not calls & {"fail_json", "exit_json"}, "%s calls fail_json/exit_json; _module.run_module does" % module


@pytest.mark.parametrize("path", module_utils_files(), ids=lambda path: path.name)
def test_only_module_helper_touches_ansible_module(path: Path) -> None:
    if path.name == "_module.py":
        return
    tree = parsed(path)
    assert "ansible.module_utils.basic.AnsibleModule" not in imported_modules(tree), \
        "%s imports AnsibleModule; only _module.py may" % path.name
    assert not set(called_attributes(tree)) & {"fail_json", "exit_json"}, \
        "%s calls fail_json/exit_json; only _module.py may" % path.name


# --------------------------------------------------------------------------------------------
# ansible-doc
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def module_docs() -> Dict[str, Any]:
    names = ["vapix.acap.%s" % module for module in module_names()]
    completed = ansible_doc("--json", "-t", "module", *names)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_the_merge_module_page_is_complete(module_docs: Dict[str, Any]) -> None:
    page = module_docs["vapix.acap.drift_report_merge"]
    assert {"src", "dest", "formats", "title"} == set(page["doc"]["options"])
    assert all(spec.get("description") for spec in page["doc"]["options"].values())
    assert yaml.safe_load(page["examples"]) and page["return"]


@pytest.mark.parametrize("module", camera_module_names())
def test_ansible_doc_page_is_complete(module: str, module_docs: Dict[str, Any]) -> None:
    page = module_docs["vapix.acap.%s" % module]
    doc = page["doc"]
    assert doc["short_description"]
    assert CONNECTION_OPTIONS <= set(doc["options"]), CONNECTION_OPTIONS - set(doc["options"])
    assert doc["options"]["password"].get("no_log") is not False
    for option, spec in doc["options"].items():
        assert spec.get("description"), "option %s has no description" % option
    for attribute in ("check_mode", "diff_mode", "action_group"):
        assert attribute in doc["attributes"], "attribute %s missing" % attribute
        assert doc["attributes"][attribute].get("support") in ("full", "partial", "none", "N/A")
    assert ACTION_GROUP in doc["attributes"]["action_group"]["membership"]
    examples = yaml.safe_load(page["examples"])
    assert isinstance(examples, list) and examples, "EXAMPLES must be a non-empty YAML list of tasks or plays"
    assert page["return"], "RETURN is empty"


@pytest.mark.parametrize("module", module_names())
def test_ansible_doc_renders_text(module: str) -> None:
    completed = ansible_doc("-t", "module", "vapix.acap.%s" % module)
    assert completed.returncode == 0, completed.stderr
    assert "[WARNING]" not in completed.stderr, completed.stderr
    for heading in ("OPTIONS", "ATTRIBUTES", "EXAMPLES", "RETURN VALUES"):
        assert heading in completed.stdout, "%s missing from the ansible-doc page of %s" % (heading, module)


def test_ansible_doc_lists_every_module() -> None:
    completed = ansible_doc("-t", "module", "-l", "vapix.acap")
    assert completed.returncode == 0, completed.stderr
    listed = {line.split()[0] for line in completed.stdout.splitlines() if line.strip()}
    assert listed == {"vapix.acap.%s" % module for module in module_names()}


# --------------------------------------------------------------------------------------------
# module_defaults with group/vapix.acap.axis
# --------------------------------------------------------------------------------------------

def group_playbook(with_defaults: bool) -> str:
    defaults = """
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      port: "{{ axis_port }}"
      use_https: "{{ axis_use_https }}"
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
""" if with_defaults else ""
    return """
- hosts: all
  gather_facts: false%s
  tasks:
    - name: info
      vapix.acap.axis_acap_info:
    - name: config
      vapix.acap.axis_acap_config:
        allow_unsigned: true
    - name: acap
      vapix.acap.axis_acap:
        name: not_installed
        state: absent
    - name: license
      vapix.acap.axis_acap_license:
        name: not_installed
        state: absent
""" % defaults


def test_module_defaults_group_sets_the_connection_once(device: Any, run_playbook: Any) -> None:
    result = run_playbook(group_playbook(with_defaults=True), device)
    assert result.rc == 0, result

    info = result.task("info")
    assert info.status == "ok"
    assert info["device"]["serial_number"] == device.serial_number
    config = result.task("config")
    assert config.status == "changed" and config["config"] == {"allow_unsigned": True}
    assert result.task("acap").status == "ok"
    # ok, not failed: the group defaults gave it hostname, port and credentials (the control
    # experiment below fails without them). Not read from result["invocation"]: not every
    # ansible-core returns it, and an action plugin need not.
    assert result.task("license").status == "ok"

    operations = device.authenticated_log()
    assert {entry["user"] for entry in operations} == {"root"}
    endpoints = {entry["path"].rsplit("/", 1)[-1] for entry in operations}
    assert {"list.cgi", "config.cgi"} <= endpoints, endpoints
    assert device.state()["effective"]["allow_unsigned"] is True


def test_without_module_defaults_the_connection_is_missing(device: Any, run_playbook: Any) -> None:
    # The control experiment: the same tasks without the group defaults fail before any request.
    result = run_playbook(group_playbook(with_defaults=False), device)
    assert result.rc != 0
    info = result.task("info")
    assert info.status == "failed"
    assert "hostname" in info["msg"] and "password" in info["msg"], info["msg"]
    assert device.log() == []


# --------------------------------------------------------------------------------------------
# The built collection, as users get it
# --------------------------------------------------------------------------------------------

# Files for developers and CI only, and caches: galaxy.yml's build_ignore keeps them out of the tarball.
DEV_ONLY_PATHS = (".ansible", ".ansible-lint", ".cache", ".ci", ".git", ".gitignore", ".pytest_cache", ".venv",
                  ".venv-matrix", ".venv-tools", "Makefile", "requirements-dev.txt", "changelogs/.plugin-cache.yaml",
                  "demo-output", "importer_result.json", "tests/benchmarks", "tests/ci", "tests/output")
FOR_USERS = ("README.md", "COPYING", "CHANGELOG.md", "requirements.txt", "bindep.txt", "meta/runtime.yml",
             "meta/execution-environment.yml", "changelogs/changelog.yaml")


def checkout_copy(destination: Path) -> Path:
    """What git sees of the checkout (tracked files, and untracked ones that are not ignored), copied."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=str(REPO_ROOT),
                            stdin=subprocess.DEVNULL, capture_output=True, check=True).stdout.decode("utf-8")
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def build_collection(source: Path, output: Path) -> Path:
    """`ansible-galaxy collection build`, as the README says; returns the tarball."""
    completed = subprocess.run(ansible_command("ansible-galaxy") + ["collection", "build", "--output-path", str(output),
                                                                    str(source)],
                               env=ansible_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (artifact,) = output.glob("vapix-acap-*.tar.gz")
    return artifact


def is_dev_only(name: str) -> bool:
    return any(name == path or name.startswith(path + "/") for path in DEV_ONLY_PATHS) or "__pycache__" in name


def test_built_collection_installs_and_runs(device: Any, run_playbook: Any, tmp_path: Path) -> None:
    installed = tmp_path / "collections"

    def galaxy(*arguments: str) -> None:
        # Only the target directory on the collections path: else galaxy finds the checkout's
        # vapix.acap (the harness's link) "already installed" and installs nothing.
        completed = subprocess.run(ansible_command("ansible-galaxy") + list(arguments), cwd=str(REPO_ROOT),
                                   env=ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(installed)}),
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr

    # A working tree as a developer's looks after ansible-lint, antsibull-changelog and the tests ran.
    source = checkout_copy(tmp_path / "source" / "ansible_collections" / "vapix" / "acap")
    for leftover in (".ansible/collections/ansible_collections/vapix/acap/README.md", "changelogs/.plugin-cache.yaml",
                     ".venv-tools/pyvenv.cfg", "tests/output/.tmp/x", "demo-output/inventory.yml",
                     "importer_result.json"):
        (source / leftover).parent.mkdir(parents=True, exist_ok=True)
        (source / leftover).write_text("left over\n", encoding="utf-8")
    artifact = build_collection(source, tmp_path / "dist")
    with tarfile.open(artifact) as archive:
        names = archive.getnames()
        licence = archive.extractfile("COPYING").read().decode("utf-8")  # type: ignore[union-attr]
    for module in module_names():
        assert "plugins/modules/%s.py" % module in names
    missing = [name for name in FOR_USERS if name not in names]
    assert not missing, missing
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 3, 29 June 2007" in licence
    leaked = sorted(name for name in names if is_dev_only(name))
    assert not leaked, leaked[:10]

    galaxy("collection", "install", "--offline", "-p", str(installed), str(artifact))
    result = run_playbook("""
- hosts: all
  gather_facts: false
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      port: "{{ axis_port }}"
      use_https: false
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
  tasks:
    - name: info
      vapix.acap.axis_acap_info:
""", device, env={"ANSIBLE_COLLECTIONS_PATH": str(installed)})
    assert result.rc == 0, result
    assert result.task("info")["device"]["serial_number"] == device.serial_number
    # And the module Ansible resolves there is the installed copy, not the checkout.
    doc = subprocess.run(ansible_command("ansible-doc") + ["-t", "module", "vapix.acap.axis_acap_info"],
                         env=ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(installed)}), stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=300, check=False)
    assert doc.returncode == 0, doc.stderr
    assert str(installed / "ansible_collections" / "vapix" / "acap") in doc.stdout


# --------------------------------------------------------------------------------------------
# The harness (tests/integration/conftest.py): what the other tests rely on
# --------------------------------------------------------------------------------------------

def test_devices_are_distinct_and_reset(devices: Any) -> None:
    taken = devices(3)
    assert len({(each.host, each.port) for each in taken}) == 3
    assert len({each.serial_number for each in taken}) == 3
    first = taken[0]
    first.patch_state({"config": {"AllowUnsigned": True}})
    assert first.state()["effective"]["allow_unsigned"] is True
    first.reset()
    assert first.state()["effective"]["allow_unsigned"] is False
    assert first.log() == []


def test_reset_applies_a_profile(device: Any, run_logic: Any) -> None:
    device.reset(firmware="11.11.73", architecture="armv7hf")
    facts = run_logic("axis_acap_info", device.conn_params())["device"]
    assert facts["firmware_version"] == "11.11.73"
    assert facts["architecture"] == "armv7hf"


def test_log_separates_challenges_from_operations(device: Any, run_logic: Any) -> None:
    run_logic("axis_acap_config", device.conn_params(allow_unsigned=False))
    log = device.log()
    challenges = [entry for entry in log if entry["status"] == 401]
    operations = device.authenticated_log()
    assert challenges, "auth_method auto should meet a Digest challenge first"
    assert operations and all(entry["status"] != 401 for entry in operations)
    assert len(log) == len(challenges) + len(operations)
    device.clear_log()
    assert device.log() == []


def test_conn_params_https_selects_the_https_port(device: Any, run_logic: Any) -> None:
    params = device.conn_params(use_https=True, ca_path=device.ca_file)
    assert params["port"] == device.https_port
    facts = run_logic("axis_acap_info", params)["device"]
    assert facts["serial_number"] == device.serial_number
    assert {entry.get("scheme") for entry in device.authenticated_log()} == {"https"}


def test_run_logic_validates_like_ansible(device: Any, run_logic: Any) -> None:
    from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError  # pylint: disable=import-outside-toplevel

    with pytest.raises(ParameterError, match="timeout"):
        run_logic("axis_acap_info", device.conn_params(timeout="soon"))
    with pytest.raises(ParameterError, match="timeout must be a positive number"):
        run_logic("axis_acap_info", device.conn_params(timeout=0))
    with pytest.raises(ParameterError, match="allow_unsigned|allow_root"):
        run_logic("axis_acap_config", device.conn_params())  # required_one_of from the module
    assert device.log() == []


def test_install_puts_an_application_on_the_device(device: Any, tmp_path: Path, run_logic: Any) -> None:
    from vapix_emulator.builders import build_eap  # pylint: disable=import-outside-toplevel

    eap = build_eap(name="harness_app", version="1.2.3", architecture="aarch64", signed=True)
    assert device.install(eap, start=True) == "harness_app"
    apps = run_logic("axis_acap_info", device.conn_params())["applications"]
    assert [(app["name"], app["version"], app["status"]) for app in apps] == [("harness_app", "1.2.3", "Running")]


def test_recorder_reports_every_status(device: Any, run_playbook: Any) -> None:
    result = run_playbook("""
- hosts: all
  gather_facts: false
  tasks:
    - name: ok
      ansible.builtin.debug: {msg: "{{ axis_hostname }}"}
    - name: changed
      ansible.builtin.command: "true"
    - name: skipped
      ansible.builtin.debug: {msg: never}
      when: false
    - name: failed
      ansible.builtin.fail: {msg: on purpose}
      ignore_errors: true
    - name: looped
      ansible.builtin.debug: {msg: "{{ item }}"}
      loop: [one, two]
""", device, extra_vars={"unused": 1})
    assert result.rc == 0, result
    assert result.task("ok").status == "ok" and result.task("ok")["msg"] == device.host
    assert result.task("changed", device).status == "changed"
    assert result.task("skipped", device.inventory_name)["status"] == "skipped"
    failed = result.task("failed")
    assert failed.status == "failed" and failed.ignored and failed["msg"] == "on purpose"
    assert [item["msg"] for item in result.items("looped")] == ["one", "two"]
    with pytest.raises(KeyError, match="no recorded result"):
        result.task("not a task")


# --------------------------------------------------------------------------------------------
# docs/architecture.md's layer diagram matches the real imports
# --------------------------------------------------------------------------------------------

_LAYER = re.compile(r"^(\d+) ")
_LAYER_FILE = re.compile(r"^ {4}(_\w+\.py) ")
_IMPORT = re.compile(r"plugins\.(?:module_utils|plugin_utils)\.(_\w+)")


def _documented_layers() -> Dict[str, int]:
    text = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## Layers", 1)[1].split("```", 2)[1]
    layers: Dict[str, int] = {}
    layer = None
    for line in block.splitlines():
        if _LAYER.match(line):
            layer = int(_LAYER.match(line).group(1))
        elif _LAYER_FILE.match(line):
            name = _LAYER_FILE.match(line).group(1)[:-3]
            assert name not in layers, "%s is named twice in docs/architecture.md" % name
            layers[name] = layer
    return layers


def _helper_files() -> Dict[str, Path]:
    return {path.stem: path for folder in ("module_utils", "plugin_utils")
            for path in (REPO_ROOT / "plugins" / folder).glob("_*.py")}


def test_the_layer_diagram_names_every_helper_file() -> None:
    assert sorted(_documented_layers()) == sorted(_helper_files())


def test_no_helper_file_imports_from_a_higher_layer() -> None:
    layers = _documented_layers()
    upward = []
    for name, path in _helper_files().items():
        for imported in set(_IMPORT.findall(path.read_text(encoding="utf-8"))):
            if layers.get(imported, 0) > layers[name]:
                upward.append("%s (layer %d) imports %s (layer %d)" % (name, layers[name], imported, layers[imported]))
    assert upward == []
