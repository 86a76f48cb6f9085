# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The param.cgi reply corpus (tests/fixtures/param_cgi) through the client's parsers, and through
VapixClient over loopback HTTP (a server that answers each request with a fixture, status and
Content-Type as replies.json gives them)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._device import (
    DeviceProperties,
    decode_param_text,
    param_list_errors,
    parse_param_list,
)
from ansible_collections.vapix.acap.plugins.module_utils._errors import DeviceError
from ansible_collections.vapix.acap.plugins.module_utils._parameter_types import ParameterType, parse_parameter_definitions

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "param_cgi"
REPLIES: Dict[str, Dict[str, Any]] = json.loads((FIXTURES / "replies.json").read_text(encoding="utf-8"))

DOORCOUNTER = {
    "Doorcounter.Label": "entr\u00e9e",
    "Doorcounter.Server": "172.16.3.1 ",
    "Doorcounter.Url": "http://example.com/?a=b=c",
    "Doorcounter.Password": "******",
    "Doorcounter.Unset": "",
    "Doorcounter.Stars": "***",
    "Doorcounter.Next": "a\x85b",
}


def fixture(name: str) -> Tuple[bytes, str]:
    return (FIXTURES / name).read_bytes(), REPLIES[name]["content_type"]


def test_every_fixture_is_described():
    assert sorted(REPLIES) == sorted(path.name for path in FIXTURES.iterdir() if path.suffix in (".txt", ".xml", ".bin"))


def test_an_iso_8859_1_list_is_read_exactly():
    text, charset = decode_param_text(*fixture("list_application_iso8859.bin"))
    assert charset == "iso-8859-1"
    assert parse_param_list(text) == DOORCOUNTER
    # The same reply with CRLF line endings: only the line ending goes.
    crlf, _charset = decode_param_text(fixture("list_application_iso8859.bin")[0].replace(b"\n", b"\r\n"), "text/plain")
    assert parse_param_list(crlf) == DOORCOUNTER


def test_a_declared_charset_wins_and_ascii_tells_nothing():
    text, charset = decode_param_text(*fixture("list_utf8_declared.txt"))
    assert charset == "utf-8" and parse_param_list(text) == {"Doorcounter.Label": "entr\u00e9e \u20ac"}
    text, charset = decode_param_text(*fixture("list_properties.txt"))
    assert charset is None
    assert DeviceProperties.from_parameters(parse_param_list(text)).to_dict() == {
        "firmware_version": "10.12.182", "embedded_development_version": "3.5", "serial_number": "ACCC8E000001",
        "architecture": "armv7hf", "product": "AXIS P1448-LE"}
    # Undeclared but valid UTF-8 with non-ASCII text: read as UTF-8.
    assert decode_param_text("a=\u00e9".encode("utf-8"), "text/plain") == ("a=\u00e9", "utf-8")


def test_error_lines():
    text, _charset = decode_param_text(*fixture("list_missing_group.txt"))
    assert parse_param_list(text) == {}
    assert param_list_errors(text) == ["Error: Error -1 getting param in group 'root.Missing'"]
    text, _charset = decode_param_text(*fixture("list_present_and_missing.bin"))
    assert parse_param_list(text) == {"Doorcounter.Label": "entr\u00e9e"} and len(param_list_errors(text)) == 1
    text, _charset = decode_param_text(*fixture("update_partly_refused.txt"))
    assert param_list_errors(text) == ["Error: Error setting 'root.Doorcounter.Threshold' to '150'!",
                                       "Error: Error setting 'root.Doorcounter.Mode' to 'circle'!"]


def test_listdefinitions_xml_gives_each_type():
    types = parse_parameter_definitions(fixture("listdefinitions_application.bin")[0])
    assert types == {
        "Doorcounter.Label": ParameterType("string"),
        "Doorcounter.Threshold": ParameterType("int", 0, 100),
        "Doorcounter.Upload": ParameterType("bool", words=("no", "yes")),
        "Doorcounter.Mode": ParameterType("enum", choices=("line", "area")),
        "Doorcounter.Password": ParameterType("password"),
        "Doorcounter.Token": ParameterType("string"),  # hidden is a settings-page flag, not a secret
        "Doorcounter.Serial": ParameterType("string", readonly=True),
    }
    assert [name for name, kind in types.items() if kind.secret] == ["Doorcounter.Password"]
    assert types["Doorcounter.Threshold"].problem("101") == "is outside the range 0 to 100"
    assert types["Doorcounter.Upload"].problem("true") == "is not no or yes"
    assert types["Doorcounter.Mode"].problem("area") is None


# ------------------------------------------------------------------------------------------------
# Through VapixClient, over loopback HTTP
# ------------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    answers: Dict[str, Any] = {}  # action -> fixture name, or (status, content type, body)
    seen: List[Tuple[str, bytes]] = []

    def _answer(self, body: bytes = b"") -> None:
        query = parse_qs(urlsplit(self.path).query)
        action = (query.get("action") or [""])[0] or ("update" if body.startswith(b"action=update") else "")
        self.seen.append((self.command, body))
        answer = self.answers[action]
        if isinstance(answer, tuple):  # (status, content type, body) written in the test
            status, content_type, data = answer
        else:
            status, content_type = REPLIES[answer]["status"], REPLIES[answer]["content_type"]
            data = (FIXTURES / answer).read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802  pylint: disable=invalid-name
        self._answer()

    def do_POST(self) -> None:  # noqa: N802  pylint: disable=invalid-name
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def log_message(self, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def camera() -> Iterator[Tuple[VapixClient, type]]:
    handler = type("Handler", (_Handler,), {"answers": {}, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = VapixClient(ConnectionSettings.from_params({
        "hostname": "127.0.0.1", "port": server.server_address[1], "use_https": False, "auth_method": "basic", "username": "root",
        "password": "pass"}))
    try:
        yield client, handler
    finally:
        client.close()
        server.shutdown()
        server.server_close()


def test_the_client_reads_iso_8859_1_and_writes_back_in_it(camera):
    client, handler = camera
    handler.answers.update({"list": "list_application_iso8859.bin", "update": "update_ok.txt"})
    assert client.get_parameters("root.Doorcounter") == DOORCOUNTER
    assert client.param_charset == "iso-8859-1"
    assert client.update_parameters({"Doorcounter.Label": "entr\u00e9e "}) == []
    method, body = handler.seen[-1]
    assert method == "POST" and body == b"action=update&root.Doorcounter.Label=entr%E9e+"


def test_the_client_takes_a_400_error_body_as_the_device_answer(camera):
    client, handler = camera
    handler.answers.update({"list": "list_missing_group.txt", "update": "update_partly_refused.txt",
                            "listdefinitions": "listdefinitions_unsupported.txt"})
    with pytest.raises(DeviceError, match="has no parameter group root.Missing"):
        client.get_parameters("root.Missing")
    assert client.update_parameters({"Doorcounter.Threshold": "150", "Doorcounter.Mode": "circle"}) == [
        "Error: Error setting 'root.Doorcounter.Threshold' to '150'!",
        "Error: Error setting 'root.Doorcounter.Mode' to 'circle'!"]
    assert client.get_parameter_definitions("root.Doorcounter") is None


def test_the_client_reads_the_definitions(camera):
    client, handler = camera
    handler.answers["listdefinitions"] = "listdefinitions_application.bin"
    types = client.get_parameter_definitions("root.Doorcounter")
    assert types is not None and types["Doorcounter.Password"].secret


def test_an_error_body_of_the_application_cgis_is_the_device_answer_whatever_the_status(camera):
    client, handler = camera
    handler.answers["start"] = (400, "text/plain", b"Error: 6\n")
    with pytest.raises(DeviceError) as raised:
        client.control("start", "Doorcounter")
    assert raised.value.error_code == 6 and raised.value.http_status == 400
