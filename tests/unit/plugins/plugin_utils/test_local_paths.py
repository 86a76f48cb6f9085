# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError
from ansible_collections.vapix.acap.plugins.plugin_utils._local_paths import find_local, user_folders


def nowhere(path):
    return None, ["/role/files/%s" % path]


def test_the_users_folders_leave_out_the_collections_playbooks(tmp_path):
    collection = tmp_path / "collection" / "playbooks"
    project, inventory = tmp_path / "project", tmp_path / "project" / "inventories"
    inventory.mkdir(parents=True)
    collection.mkdir(parents=True)
    (project / "site.yml").write_text("[]")
    folders = user_folders({"playbook_dir": str(collection), "inventory_dir": str(inventory)},
                           [str(project / "site.yml"), "vapix.acap.drift"], collection_playbooks=str(collection))
    assert folders == [str(project), str(inventory)]
    # Run by name: only the inventory's folder.
    assert user_folders({"playbook_dir": str(collection), "inventory_dir": str(inventory)}, ["vapix.acap.drift"],
                        collection_playbooks=str(collection)) == [str(inventory)]


def test_the_first_folder_that_has_it_wins_then_ansibles_search(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    (second / "files").mkdir(parents=True)
    (second / "files" / "x.eap").write_text("")
    first.mkdir()
    assert find_local("files/x.eap", [str(first), str(second)], nowhere) == str(second / "files" / "x.eap")
    assert find_local(["files/x.eap"], [str(second)], nowhere) == [str(second / "files" / "x.eap")]
    assert find_local("y.eap", [str(first)], lambda path: ("/found/" + path, [])) == "/found/y.eap"


def test_a_missing_file_names_every_place_looked_in(tmp_path):
    with pytest.raises(AcapError) as caught:
        find_local("files/keys/", [str(tmp_path)], nowhere)
    message = caught.value.message
    assert "'files/keys/' not found on the controller" in message
    assert "looked in: %s/files/keys/, /role/files/files/keys/" % tmp_path in message
    assert "remote_src" not in message
    with pytest.raises(AcapError):
        find_local(str(tmp_path / "absent.eap"), [], nowhere)
