# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import (
    DocumentTypeRefused,
    MalformedXml,
    parse_untrusted_xml,
)

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b"<reply>&lol2;</reply>"
)
EXTERNAL_ENTITY = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><reply>&x;</reply>'


def test_parses_a_plain_reply():
    root = parse_untrusted_xml(b'<reply result="ok"><application Name="A"/></reply>')
    assert root.tag == "reply" and root[0].get("Name") == "A"


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_refuses_documents_with_a_dtd(document):
    with pytest.raises(DocumentTypeRefused):
        parse_untrusted_xml(document)


def test_refuses_a_dtd_the_byte_search_cannot_see():
    # UTF-16: "<!DOCTYPE" is not in the bytes as ASCII, so only the parsed document shows it.
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode("utf-16")
    with pytest.raises(DocumentTypeRefused):
        parse_untrusted_xml(document)


@pytest.mark.parametrize(
    "document",
    [b"not xml at all", b'<reply result="ok"><application Name="A" Vers', b"", b"<a></b>"],
)
def test_malformed_documents_give_a_position_where_known(document):
    with pytest.raises(MalformedXml) as caught:
        parse_untrusted_xml(document)
    assert caught.value.detail


def test_comments_and_processing_instructions_are_dropped():
    root = parse_untrusted_xml(b"<reply><!-- hidden --><?pi data?><sdk>acap3</sdk></reply>")
    assert [child.tag for child in root] == ["sdk"]
