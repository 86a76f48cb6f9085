"""A plain `curl --digest` session, as a shell install script would do it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from vapix_emulator.builders import build_eap

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed on this machine")

SCRIPT = r"""
set -eu
base="http://$HOST:$PORT/axis-cgi/applications"
c() { curl --silent --show-error --fail --digest -u "root:pass" "$@"; echo; }
echo "config: $(c "$base/config.cgi?action=set&name=AllowUnsigned&value=true" | tr -d '\n')"
echo "upload: $(c -F "packfil=@$EAP" "$base/upload.cgi")"
echo "start: $(c "$base/control.cgi?action=start&package=curl_app")"
echo "list1: $(c "$base/list.cgi" | tr -d '\n')"
echo "stop: $(c -X POST "$base/control.cgi?action=stop&package=curl_app")"
echo "remove: $(c --data "action=remove&package=curl_app" "$base/control.cgi")"
echo "list2: $(c "$base/list.cgi" | tr -d '\n')"
"""


def test_curl_digest_install_script(device, tmp_path):
    eap = tmp_path / "curl_app.eap"
    build_eap(eap, name="curl_app", size=50_000)
    result = subprocess.run(["sh", "-c", SCRIPT], capture_output=True, check=False, text=True, timeout=120,
                            env={"HOST": device.host, "PORT": str(device.port), "EAP": str(eap), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr + result.stdout
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    assert 'value="true"' in lines["config"]
    assert lines["upload"].strip() == "OK"
    assert lines["start"].strip() == "OK"
    assert 'Name="curl_app"' in lines["list1"] and 'Status="Running"' in lines["list1"]
    assert lines["stop"].strip() == "OK"
    assert lines["remove"].strip() == "OK"
    assert "curl_app" not in lines["list2"]
    users = {entry["user"] for entry in device.log() if entry["status"] == 200}
    assert users == {"root"}


def test_curl_basic_over_https_with_cacert(device, tmp_path):
    eap = tmp_path / "tls.eap"
    build_eap(eap, name="tls_curl", signed=True)
    result = subprocess.run(
        ["curl", "--silent", "--show-error", "--fail", "--basic", "-u", "root:pass", "--cacert", device.ca_file,
         "-F", "packfil=@{0}".format(eap), "{0}/axis-cgi/applications/upload.cgi".format(device.https_url)],
        capture_output=True, check=False, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK"
    assert "tls_curl" in device.applications()
