# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result builder, table-driven: what a module returns from its records, in check mode and done,
and what a failure carries."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import DeviceError, ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._results import Results, diff_headers

HELLO, HELLO_WORLD = "application:hello", "application:hello_world"


def two_applications(results: Results) -> Results:
    """hello: planned upload+start; hello_world: nothing to do, one warning each raised at planning."""
    results.add(HELLO, {}, {"status": "Running"}, ["upload", "start"], ["hello: unsigned"], source="/p/hello.eap")
    results.add(HELLO_WORLD, {"status": "Running"}, {"status": "Running"}, [], ["hello_world: newer"],
                difference="newer_than_declared")
    return results


def done_upload_only(results: Results) -> Results:
    """The upload of hello done and confirmed; its start not reached."""
    results.journal.record(HELLO, "upload")
    return results


# id, flat, check mode, what happened, expected changed, actions, hello's actions, hello's after
CASES = [
    ("check mode: planned", True, True, lambda r: r, True, ["upload", "start"], ["upload", "start"],
     {"status": "Running"}),
    ("done: what the journal holds", True, False, done_upload_only, True, ["upload"], ["upload"], {}),
    ("nothing done yet", True, False, lambda r: r, False, [], [], {}),
    ("state: resource -> actions", False, True, lambda r: r, True, {HELLO: ["upload", "start"]},
     ["upload", "start"], {"status": "Running"}),
    ("state, done", False, False, done_upload_only, True, {HELLO: ["upload"]}, ["upload"], {}),
]


@pytest.mark.parametrize("flat, check_mode, happened, changed, actions, hello_actions, hello_after",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_result(flat, check_mode, happened, changed, actions, hello_actions, hello_after):
    results = happened(two_applications(Results(check_mode, flat=flat)))
    result = results.result(application=None)
    assert result["changed"] is changed and result["actions"] == actions
    assert "application" in result
    hello, hello_world = result["resources"]
    assert hello == {
        "resource": HELLO, "changed": bool(hello_actions), "actions": hello_actions, "before": {},
        "after": hello_after, "source": "/p/hello.eap", "warnings": ["hello: unsigned"], "outcome_unknown": False,
    }
    assert hello_world["difference"] == "newer_than_declared" and hello_world["changed"] is False
    assert hello_world["warnings"] == ["hello_world: newer"]
    assert result["warnings"] == ["hello: unsigned", "hello_world: newer"]
    assert "outcome_unknown" not in result
    assert result["diff"] == {"before": {HELLO: {}, HELLO_WORLD: {"status": "Running"}},
                              "after": {HELLO: hello_after, HELLO_WORLD: {"status": "Running"}}}


# id, keyed diff, records (resource, before, predicted, key), expected diff in check mode
DIFFS = [
    ("one record: its own views", False, [("license:app", {"status": "Missing"}, {"status": "Valid"}, None)],
     {"before": {"status": "Missing"}, "after": {"status": "Valid"}}),
    ("keyed: by key", True, [("setting:allow_unsigned", False, True, "allow_unsigned")],
     {"before": {"allow_unsigned": False}, "after": {"allow_unsigned": True}}),
    ("keyed: by resource without a key", True, [("setting:allow_root", True, True, None)],
     {"before": {"setting:allow_root": True}, "after": {"setting:allow_root": True}}),
]


@pytest.mark.parametrize("keyed, records, expected", [case[1:] for case in DIFFS], ids=[case[0] for case in DIFFS])
def test_diff(keyed, records, expected):
    results = Results(True, keyed_diff=keyed)
    for resource, before, predicted, key in records:
        results.add(resource, before, predicted, [], key=key)
    assert results.result()["diff"] == expected


def test_settle_after_the_step_ran():
    results = two_applications(Results(False))
    results.journal.record(HELLO, "upload")
    results.journal.record(HELLO, "start")
    results.settle(HELLO, {"status": "Running"})
    assert results.resources()[0]["after"] == {"status": "Running"}
    assert results.result()["diff"]["after"][HELLO] == {"status": "Running"}


def test_warnings_once_on_their_own_resource():
    """hello's warning is hello's, not hello_world's (whose name contains it), and a warning raised again
    (a step planned again when its turn comes) is not repeated."""
    results = two_applications(Results(False))
    results.warn(HELLO, "hello: unsigned", "hello: unsigned")
    results.add(HELLO, {}, {}, ["upload"], ["hello: unsigned"])  # planned again
    results.warn(None, "protected names helo, but no installed application has that name")
    items = {item["resource"]: item for item in results.resources()}
    assert items[HELLO]["warnings"] == ["hello: unsigned"]
    assert items[HELLO_WORLD]["warnings"] == ["hello_world: newer"]
    assert results.result()["warnings"] == [
        "hello: unsigned", "hello_world: newer", "protected names helo, but no installed application has that name"]


# id, check mode, failure_resources, writes begun, journal entries, the error's own result,
# expected keys attached
FAILURES = [
    ("planning failed", False, True, False, [], {},
     {"changed": False, "actions": [], "warnings": ["hello: unsigned", "hello_world: newer"]}),
    ("check mode", True, True, False, [], {},
     {"changed": False, "actions": [], "warnings": ["hello: unsigned", "hello_world: newer"]}),
    ("after a write, with resources", False, True, True, [("upload", False)], {},
     {"changed": True, "actions": ["upload"], "warnings": ["hello: unsigned", "hello_world: newer"], "resources": 2}),
    ("after a write, without resources", False, False, True, [("upload", False)], {},
     {"changed": True, "actions": ["upload"], "warnings": ["hello: unsigned", "hello_world: newer"]}),
    ("unknown outcome", False, False, True, [("upload", True)], {},
     {"changed": True, "actions": ["upload"], "warnings": ["hello: unsigned", "hello_world: newer"],
      "outcome_unknown": True}),
    ("the error's own keys win", False, False, True, [("upload", False)], {"actions": ["upload", "start"]},
     {"changed": True, "actions": ["upload", "start"], "warnings": ["hello: unsigned", "hello_world: newer"]}),
]


@pytest.mark.parametrize("check_mode, failure_resources, writing, journal, own, expected",
                         [case[1:] for case in FAILURES], ids=[case[0] for case in FAILURES])
def test_failure(check_mode, failure_resources, writing, journal, own, expected):
    results = two_applications(Results(check_mode, failure_resources=failure_resources))
    if writing:
        results.begin_writes()
    for action, unknown in journal:
        results.journal.record(HELLO, action)
        if unknown:
            results.journal.unknown.append(HELLO)
    error = DeviceError("Error: 3", error_code=3, result=own)

    def logic():
        raise error

    with pytest.raises(DeviceError) as raised:
        results.run(logic)
    assert raised.value is error and error.message == "Error: 3", "the error itself is not rewritten"
    carried = dict(raised.value.result)
    if "resources" in expected:
        assert [item["resource"] for item in carried.pop("resources")] == [HELLO, HELLO_WORLD]
        expected = {key: value for key, value in expected.items() if key != "resources"}
    assert carried == expected


def test_failure_carries_module_keys():
    results = Results(False, keyed_diff=True)
    results.add("setting:allow_unsigned", False, True, ["set AllowUnsigned=true"], key="allow_unsigned")
    results.failure_keys = lambda: {"config": results.keyed("after")}

    def logic():
        raise ParameterError("bad")

    with pytest.raises(ParameterError) as raised:
        results.run(logic)
    assert raised.value.result == {"changed": False, "actions": [], "config": {"allow_unsigned": False}}


# id, resources, expected before header
HEADERS = [
    ("the changed resources", [{"resource": "a", "changed": True}, {"resource": "b", "changed": False}],
     "cam1: a (before)"),
    ("all when none changed", [{"resource": "a"}, {"resource": "b"}], "cam1: a, b (before)"),
    ("no resources", None, "cam1: ACAP state (before)"),
]


@pytest.mark.parametrize("resources, expected", [case[1:] for case in HEADERS], ids=[case[0] for case in HEADERS])
def test_diff_headers(resources, expected):
    headers = diff_headers("cam1", resources)
    assert headers["before_header"] == expected
    assert headers["after_header"] == expected.replace("(before)", "(after)")
