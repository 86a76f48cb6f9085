# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing XML that comes from outside: device replies and license key files.

The parser is locked down: no DTD, no entity expansion, no network, no huge
trees. libxml2 expands internal entities even with ``resolve_entities=False``
(that flag covers external ones), and neither Axis replies nor license keys
carry a document type declaration, so a document with one is refused before
it is parsed, and again after parsing for encodings a byte search cannot see
(UTF-16). Callers turn the two exceptions below into their own typed errors,
with wording that suits what they parse (a key file's content must never be
quoted, a device reply may be).
"""

from __future__ import annotations

import re
import traceback
from typing import Any, Optional, Tuple

try:
    from lxml import etree

    HAS_LXML = True
    LXML_IMPORT_ERROR: Optional[str] = None
except ImportError:
    etree = None  # modules report it through missing_required_lib before anything parses
    HAS_LXML = False
    LXML_IMPORT_ERROR = traceback.format_exc()

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class DocumentTypeRefused(ValueError):
    """The document declares a DTD (``<!DOCTYPE``): refused unread."""


class MalformedXml(ValueError):
    """Not well-formed XML. ``position`` is (line, column) where known; ``detail``
    is lxml's message, which may quote the document."""

    def __init__(self, detail: str, position: Optional[Tuple[int, int]] = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.position = position


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted_xml(data: bytes) -> Any:
    """The root element of ``data``; raises ``DocumentTypeRefused`` or ``MalformedXml``.

    The caller checks ``HAS_LXML`` first (modules report a missing lxml through
    ``missing_required_lib``).
    """
    if _DOCTYPE.search(data):
        raise DocumentTypeRefused("document type declaration")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedXml(str(exc), tuple(exc.position) if exc.position else None) from None
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot honour
        raise MalformedXml(str(exc)) from None
    if root is None:
        raise MalformedXml("no root element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DocumentTypeRefused("document type declaration")
    return root
