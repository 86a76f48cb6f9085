# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
import yaml

from ansible_collections.vapix.acap.plugins.plugin_utils._camera_inventory import firmware_line
from ansible_collections.vapix.acap.plugins.plugin_utils._camera_list import CameraListError, parse_camera_list


def test_csv_as_exported_with_other_spellings_a_bom_and_extra_columns():
    text = "\ufeffDevice Name,IP-Address,PORT,Credentials,Site\nlobby,192.0.2.10,8443,site_a,north\n,192.0.2.11,,,\n,,,,\n"
    cameras = parse_camera_list(text, "cameras.csv")
    assert [(c.name, c.address, c.port, c.credentials) for c in cameras] == [
        ("lobby", "192.0.2.10", 8443, "site_a"), ("192.0.2.11", "192.0.2.11", None, None)]
    assert cameras[0].extra == {"Site": "north"}


def test_yaml_list_or_mapping():
    listed = parse_camera_list("- {address: 192.0.2.1, name: a}\n", "c.yml", yaml.safe_load)
    mapped = parse_camera_list("cameras:\n  - {hostname: 192.0.2.2}\n", "c.yaml", yaml.safe_load)
    assert [c.name for c in listed] == ["a"] and [c.address for c in mapped] == ["192.0.2.2"]


@pytest.mark.parametrize("text, label, message", [
    ("name,address\na,\n", "c.csv", "c.csv line 2 has no address"),
    ("address,port\n192.0.2.1,http\n", "c.csv", "port 'http' is not a number"),
    ("address,port\n192.0.2.1,70000\n", "c.csv", "port 70000 is not between 1 and 65535"),
    ("name,address\na,192.0.2.1\na,192.0.2.2\n", "c.csv", "the name a is also at c.csv line 2"),
    ("name,address\na,192.0.2.1,extra\n", "c.csv", "more cells than the header"),
    ("address: 192.0.2.1\n", "c.yml", "must be a list of cameras"),
    ("- 192.0.2.1\n", "c.yml", "item 1 is not a mapping"),
])
def test_bad_lists_name_the_row_and_the_cause(text, label, message):
    with pytest.raises(CameraListError, match=message):
        parse_camera_list(text, label, yaml.safe_load)


@pytest.mark.parametrize("version, line", [("12.6.85", "12_6"), ("11.11.73", "11_11"), ("v10.12.220", "10_12"),
                                           ("N/A", None), (None, None)])
def test_firmware_line(version, line):
    assert firmware_line(version) == line
