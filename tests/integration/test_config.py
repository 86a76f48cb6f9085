# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap_config against the emulator: idempotence, check mode, diff, unsupported settings."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    ConnectionDroppedError,
    ServerError,
    UnsupportedError,
)

CONFIG = "/axis-cgi/applications/config.cgi"


def config_requests(device):
    """Authenticated config.cgi requests as (action, name, value)."""
    return [(entry["args"].get("action"), entry["args"].get("name"), entry["args"].get("value"))
            for entry in device.log() if entry["path"] == CONFIG and entry["status"] != 401]


def test_first_run_changes_second_does_not(device, run_playbook):
    first = run_playbook("config_set.yml", device, extra_vars={"config_allow_unsigned": True})
    assert first.rc == 0, first
    result = first.task("Configure")
    assert result.status == "changed"
    assert result["actions"] == ["set AllowUnsigned=true"]
    assert result["config"] == {"allow_unsigned": True}
    assert device.state()["config"]["AllowUnsigned"] is True
    assert config_requests(device) == [("get", "AllowUnsigned", None), ("set", "AllowUnsigned", "true")]

    device.clear_log()
    second = run_playbook("config_set.yml", device, extra_vars={"config_allow_unsigned": True})
    assert second.rc == 0, second
    result = second.task("Configure")
    assert result.status == "ok"
    assert result["actions"] == [] and result["config"] == {"allow_unsigned": True}
    # Exactly one read, no set, and no param.cgi.
    assert [entry["path"] for entry in device.authenticated_log()] == [CONFIG]
    assert config_requests(device) == [("get", "AllowUnsigned", None)]


def test_check_mode_sends_no_set(device, run_playbook):
    run = run_playbook("config_set.yml", device, check=True, diff=True, extra_vars={"config_allow_unsigned": True})
    assert run.rc == 0, run
    result = run.task("Configure")
    assert result.status == "changed"
    assert result["actions"] == ["set AllowUnsigned=true"]
    assert result["config"] == {"allow_unsigned": True}  # predicted
    assert (result["diff"]["before"], result["diff"]["after"]) == ({"allow_unsigned": False}, {"allow_unsigned": True})
    assert [action for action, _name, _value in config_requests(device)] == ["get"]
    assert device.state()["config"]["AllowUnsigned"] is False


def test_diff_shows_before_and_after(device, run_playbook):
    run = run_playbook("config_set.yml", device, diff=True, extra_vars={"config_allow_unsigned": True})
    assert run.rc == 0, run
    diff = run.task("Configure")["diff"]
    assert (diff["before"], diff["after"]) == ({"allow_unsigned": False}, {"allow_unsigned": True})
    # Each camera's diff says which camera and which resource it is about (parallel hosts interleave).
    assert diff["before_header"] == "%s: setting:allow_unsigned (before)" % device.host
    # What a person sees: Ansible's diff of the two dicts.
    assert '-    "allow_unsigned": false' in run.stdout and '+    "allow_unsigned": true' in run.stdout


def test_no_diff_without_diff_mode(device, run_playbook):
    run = run_playbook("config_set.yml", device, extra_vars={"config_allow_unsigned": True})
    assert "diff" not in run.task("Configure")


def test_both_settings_on_11_5_only_the_different_one_is_set(device, run_logic):
    device.reset(firmware="11.5.64")  # defaults: AllowUnsigned true, AllowRoot true
    result = run_logic("axis_acap_config", device.conn_params(allow_unsigned=True, allow_root=False))
    assert result["changed"] is True
    assert result["actions"] == ["set AllowRoot=false"]
    assert result["config"] == {"allow_unsigned": True, "allow_root": False}
    assert result["diff"]["before"] == {"allow_unsigned": True, "allow_root": True}
    assert config_requests(device) == [("get", "AllowUnsigned", None), ("get", "AllowRoot", None),
                                       ("set", "AllowRoot", "false")]
    assert device.state()["config"]["AllowRoot"] is False


def test_allow_root_on_12_names_the_firmware_and_the_range(device, run_playbook):
    run = run_playbook("config_set.yml", device, extra_vars={"config_allow_root": False})
    assert run.rc != 0
    result = run.task("Configure")
    assert result.status == "failed"
    assert "AXIS OS 12.6.1" in result["msg"] and "AXIS OS 11.5 to 11.11" in result["msg"]
    assert result["http_status"] == 400  # AXIS OS 12.2+ answers HTTP 400 for an unknown setting
    assert "Traceback" not in run.stdout + run.stderr
    assert not [entry for entry in config_requests(device) if entry[0] == "set"]


def test_allow_root_on_12_0_error_reply(device, run_logic):
    device.reset(firmware="12.0.5")
    with pytest.raises(UnsupportedError) as caught:
        run_logic("axis_acap_config", device.conn_params(allow_root=True))
    assert "AXIS OS 12.0.5" in caught.value.message and "11.5 to 11.11" in caught.value.message
    assert caught.value.error_code == 1


def test_firmware_without_config_cgi(device, run_logic):
    device.reset(firmware="10.12.1")
    with pytest.raises(UnsupportedError) as caught:
        run_logic("axis_acap_config", device.conn_params(allow_unsigned=True))
    message = caught.value.message
    assert "AXIS OS 10.12.1" in message and "needs AXIS OS 11.2" in message
    assert caught.value.http_status == 404


def test_setting_is_read_without_param_cgi_when_supported(device, run_logic):
    run_logic("axis_acap_config", device.conn_params(allow_unsigned=False))
    assert not [entry for entry in device.log() if entry["path"] == "/axis-cgi/param.cgi"]


def test_connection_from_environment_variables(device, run_playbook):
    run = run_playbook("config_environment.yml", device)
    assert run.rc == 0, run
    assert run.task("Configure from environment")["actions"] == ["set AllowUnsigned=true"]


def test_at_least_one_option_is_required(device, run_playbook):
    run = run_playbook("config_set.yml", device)
    assert run.rc != 0
    result = run.task("Configure")
    assert result.status == "failed"
    assert "allow_unsigned" in result["msg"] and "allow_root" in result["msg"]
    assert device.authenticated_log() == []


def test_lost_answer_to_an_applied_set_is_read_back(device, run_logic):
    """The device applies the set and drops the connection: not resent, read back, reported as done."""
    device.inject_fault("drop_after", count=1, match={"path": CONFIG, "action": "set"})
    result = run_logic("axis_acap_config", device.conn_params(allow_unsigned=True))
    assert result["changed"] is True and result["actions"] == ["set AllowUnsigned=true"]
    assert result["config"] == {"allow_unsigned": True}
    assert [action for action, _name, _value in config_requests(device)] == ["get", "set", "get"]
    assert device.state()["config"]["AllowUnsigned"] is True


def test_lost_set_that_was_not_applied_fails_truthfully(device, run_logic):
    device.reset(firmware="11.5.64")  # AllowUnsigned and AllowRoot both true by default
    device.inject_fault("drop_before", count=1, match={"path": CONFIG, "action": "set"})
    with pytest.raises(ConnectionDroppedError) as caught:
        run_logic("axis_acap_config", device.conn_params(allow_unsigned=False, allow_root=False))
    # Nothing was applied: the failed result says so, and nothing was resent.
    assert caught.value.result["changed"] is False and caught.value.result["actions"] == []
    # One set, never resent; the setting read again to learn the outcome.
    assert config_requests(device) == [("get", "AllowUnsigned", None), ("get", "AllowRoot", None),
                                       ("set", "AllowUnsigned", "false"), ("get", "AllowUnsigned", None)]
    assert device.state()["config"] == {"AllowUnsigned": True, "AllowRoot": True}


def test_failure_after_a_first_set_reports_it(device, run_logic):
    device.reset(firmware="11.5.64")
    # The first set goes through (a zero delay fault consumes it); the second is answered with HTTP 500.
    device.inject_fault("delay", count=1, match={"path": CONFIG, "action": "set"}, delay=0)
    device.inject_fault("http_error", count=5, match={"path": CONFIG, "action": "set"}, status=500)
    with pytest.raises(ServerError) as caught:
        run_logic("axis_acap_config", device.conn_params(allow_unsigned=False, allow_root=False))
    assert caught.value.result["changed"] is True
    assert caught.value.result["actions"] == ["set AllowUnsigned=false"]
    assert caught.value.result["config"] == {"allow_unsigned": False, "allow_root": True}
    assert device.state()["config"]["AllowUnsigned"] is False
