"""Application parameters: created from the package at install, kept across an upgrade, removed with the
application; param.cgi list and update with type checks; persistence with --state-dir."""

from __future__ import annotations

from typing import Any, Dict

from conftest import OPERATOR, VIEWER, Device, text_reply
from vapix_emulator.builders import build_eap

PARAM = "/axis-cgi/param.cgi"

PEOPLE_COUNTER = [
    {"name": "Threshold", "default": "50", "type": "int:min=0,max=100"},
    {"name": "Mode", "default": "line", "type": "enum:line|area|zone"},
    {"name": "Upload", "default": "no", "type": "bool:no,yes"},
    {"name": "Server", "default": "", "type": "string"},
    {"name": "ApiKey", "default": "", "type": "password"},
]


def listed(device: Device, group: str) -> str:
    return text_reply(device.request("GET", PARAM, params={"action": "list", "group": group}))


def parameters(device: Device, app: str) -> Dict[str, str]:
    lines = listed(device, "root." + app).splitlines()
    return dict(line.split("=", 1) for line in lines if not line.startswith("#"))


def update(device: Device, method: str = "GET", **values: Any) -> str:
    data = {"action": "update"}
    data.update({"root." + key: value for key, value in values.items()})
    if method == "GET":
        return text_reply(device.request("GET", PARAM, params=data))
    return text_reply(device.request("POST", PARAM, data=data))


def stored(device: Device, app: str) -> Dict[str, str]:
    return {item["name"]: item["value"] for item in device.app_state(app)["parameters"]}


def test_install_creates_the_declared_parameters_with_their_defaults(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    assert parameters(device, "counter") == {
        "root.counter.Threshold": "50",
        "root.counter.Mode": "line",
        "root.counter.Upload": "no",
        "root.counter.Server": "",
        "root.counter.ApiKey": "********",  # a password type is hidden in the list
    }


def test_acap3_param_conf(device):
    device.install(build_eap(name="legacy", acap=3, parameters=[
        {"name": "Interval", "default": "5", "type": "int:min=1,max=60"},
        {"name": "Label", "default": 'say "hi"'},
    ]))
    assert parameters(device, "legacy") == {"root.legacy.Interval": "5", "root.legacy.Label": 'say "hi"'}
    assert update(device, **{"legacy.Interval": "61"}).startswith("# Error:")
    assert update(device, **{"legacy.Interval": "60", "legacy.Label": "x"}) == "OK"
    assert stored(device, "legacy") == {"Interval": "60", "Label": "x"}


def test_update_checks_types_and_changes_nothing_on_error(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    refused = [
        {"counter.Threshold": "101"},
        {"counter.Threshold": "-1"},
        {"counter.Threshold": "ten"},
        {"counter.Mode": "circle"},
        {"counter.Upload": "true"},
        {"counter.Nope": "1"},
        {"other.Threshold": "1"},
        {"Brand.Brand": "x"},
    ]
    for values in refused:
        answer = update(device, **dict(values, **{"counter.Server": "changed.example"}))
        assert answer.startswith("# Error:"), (values, answer)
        assert stored(device, "counter")["Server"] == "", values
    assert "counter.Threshold" in update(device, **{"counter.Threshold": "101"})
    # Several in one request (POST form), all applied.
    assert update(device, "POST", **{"counter.Threshold": "0", "counter.Mode": "zone", "counter.Upload": "yes",
                                     "counter.Server": "https://a.example/x?y=1&z=2", "counter.ApiKey": "s3cr=t&"}) == "OK"
    assert stored(device, "counter") == {"Threshold": "0", "Mode": "zone", "Upload": "yes",
                                         "Server": "https://a.example/x?y=1&z=2", "ApiKey": "s3cr=t&"}
    assert parameters(device, "counter")["root.counter.ApiKey"] == "********"
    assert update(device).startswith("# Error:")  # nothing to update


def test_list_of_unknown_group_and_several_groups(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    device.install(build_eap(name="plain"))
    assert listed(device, "root.plain").startswith("# Error:")
    assert listed(device, "root.missing").startswith("# Error:")
    both = listed(device, "root.counter,root.plain").splitlines()
    assert [line for line in both if line.startswith("#")] == ["# Error: Error -1 getting param in group 'root.plain'"]
    assert len([line for line in both if line.startswith("root.counter.")]) == 5


def test_upgrade_keeps_set_values_and_adds_new_defaults(device):
    device.install(build_eap(name="counter", version="1.0.0", parameters=PEOPLE_COUNTER))
    assert update(device, **{"counter.Threshold": "77", "counter.Mode": "area", "counter.ApiKey": "k"}) == "OK"
    newer = [dict(item) for item in PEOPLE_COUNTER if item["name"] != "Server"]
    newer[1]["type"] = "enum:line|zone"  # "area" no longer allowed: back to the default
    newer.append({"name": "Zones", "default": "4", "type": "int"})
    device.install(build_eap(name="counter", version="2.0.0", parameters=newer))
    assert stored(device, "counter") == {"Threshold": "77", "Mode": "line", "Upload": "no", "ApiKey": "k", "Zones": "4"}


def test_removal_deletes_the_parameters(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    assert update(device, **{"counter.Threshold": "77"}) == "OK"
    assert text_reply(device.control("remove", "counter")) == "OK"
    assert listed(device, "root.counter").startswith("# Error:")
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    assert stored(device, "counter")["Threshold"] == "50"


def test_a_bad_declaration_is_refused_with_error_29(device):
    response = device.upload(build_eap(name="bad", signed=True, parameters=[{"name": "T", "default": "500", "type": "int:max=100"}]))
    assert text_reply(response) == "Error: 29"
    assert device.app_state("bad") is None


def test_parameters_persist_across_a_restart(emulator_factory, tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    process = emulator_factory(1, state_dir=state_dir, https=False)
    first = Device(process.devices[0])
    first.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    assert update(first, **{"counter.Threshold": "12"}) == "OK"
    assert process.stop() == 0
    second = Device(emulator_factory(1, state_dir=state_dir, https=False).devices[0])
    assert second.serial_number == first.serial_number
    assert parameters(second, "counter")["root.counter.Threshold"] == "12"


def test_only_an_admin_may_update(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    for user in (OPERATOR, VIEWER):
        response = device.request("POST", PARAM, user=user, data={"action": "update", "root.counter.Threshold": "1"})
        assert response.status_code == 401, (user, response.status_code)
        # Reading is open to any user.
        assert device.request("GET", PARAM, user=user, params={"action": "list", "group": "root.counter"}).status_code == 200
    assert stored(device, "counter")["Threshold"] == "50"
