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
        "root.counter.ApiKey": "",  # a password is listed empty while unset, as * once set
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


def test_update_checks_types_and_refuses_per_parameter(device):
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
    for number, values in enumerate(refused):
        # Cameras refuse per parameter and apply the others (acap-formats.md, "What real devices ... show").
        server = "changed-%d.example" % number
        answer = update(device, **dict(values, **{"counter.Server": server}))
        key, value = next(iter(values.items()))
        assert answer == "# Error: Error setting 'root.{0}' to '{1}'!".format(key, value), (values, answer)
        assert stored(device, "counter")["Server"] == server, values
    assert stored(device, "counter")["Threshold"] == "50"
    two = update(device, **{"counter.Threshold": "101", "counter.Mode": "circle", "counter.Upload": "yes"})
    assert two.splitlines() == ["# Error: Error setting 'root.counter.Threshold' to '101'!",
                                "# Error: Error setting 'root.counter.Mode' to 'circle'!"]
    assert stored(device, "counter")["Upload"] == "yes"
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


def test_param_cgi_speaks_iso_8859_1_and_keeps_values_exact(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    # A form sent in ISO-8859-1 (%E9 is é), a value ending with a blank and holding "=".
    response = device.request("POST", PARAM, data="action=update&root.counter.Server=entr%E9e%3Da+",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.content == b"OK\n"
    assert stored(device, "counter")["Server"] == "entr\u00e9e=a "
    answer = device.request("GET", PARAM, params={"action": "list", "group": "root.counter.Server"})
    assert answer.headers["Content-Type"] == "text/plain"  # no charset, like cameras
    assert answer.content == b"root.counter.Server=entr\xe9e=a \n"
    # The same in the query string of a GET.
    assert device.request("GET", PARAM + "?action=update&root.counter.Server=%E0").content == b"OK\n"
    assert stored(device, "counter")["Server"] == "\u00e0"


def test_utf8_profile_declares_its_charset(device):
    device.reset(param_charset="utf-8")
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    assert update(device, "POST", **{"counter.Server": "entr\u00e9e"}) == "OK"
    answer = device.request("GET", PARAM, params={"action": "list", "group": "root.counter.Server"})
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.content == "root.counter.Server=entr\u00e9e\n".encode("utf-8")


def test_hidden_is_listed_in_clear_and_passwords_starred(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER + [
        {"name": "Token", "default": "visible", "type": "hidden:string"}]))
    assert update(device, **{"counter.ApiKey": "s3cret"}) == "OK"
    listed_values = parameters(device, "counter")
    assert listed_values["root.counter.Token"] == "visible"
    assert listed_values["root.counter.ApiKey"] == "********"


def test_listdefinitions_tells_the_types_from_650_on(device):
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER + [
        {"name": "Token", "default": "t", "type": "hidden:string"}]))
    query = {"action": "listdefinitions", "listformat": "xmlschema", "group": "root.counter"}
    answer = device.request("GET", PARAM, params=query)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/xml"
    text = answer.content.decode("iso-8859-1")
    assert text.startswith('<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert '<parameter name="Threshold" value="50"' in text and '<int min="0" max="100" />' in text
    assert '<bool true="yes" false="no" />' in text and '<entry value="area" />' in text
    assert '<password maxlen="64" />' in text and '<type hidden="true"><string maxlen="1024" /></type>' in text
    assert text_reply(device.request("GET", PARAM, params=dict(query, group="root.missing"))).startswith("# Error:")
    device.reset(firmware="6.20.1")
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER), allow_unsigned=False)
    assert text_reply(device.request("GET", PARAM, params=query)).startswith("# Error:")


def test_error_status_400_profile(device):
    device.reset(param_error_status=400)
    device.install(build_eap(name="counter", parameters=PEOPLE_COUNTER))
    missing = device.request("GET", PARAM, params={"action": "list", "group": "root.missing"})
    assert missing.status_code == 400 and missing.text.startswith("# Error:")
    # A missing group next to a present one: the present one and an error line, HTTP 200.
    both = device.request("GET", PARAM, params={"action": "list", "group": "root.counter,root.missing"})
    assert both.status_code == 200 and "root.counter.Mode=line" in both.text and "# Error:" in both.text
    refused = device.request("POST", PARAM, data={"action": "update", "root.counter.Threshold": "x"})
    assert refused.status_code == 400 and refused.text == "# Error: Error setting 'root.counter.Threshold' to 'x'!\n"
