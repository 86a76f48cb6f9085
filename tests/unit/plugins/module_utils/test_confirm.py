# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""act_and_confirm, table-driven: each row is what the device answers to the write and what it shows
when read again, and what the layer must report (docs/reliability.md). ``send`` and ``read`` are the
unit's inputs, given here as lists of answers."""

from __future__ import annotations

from typing import Any, List

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal, Write, act_and_confirm
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    ConnectionDroppedError,
    DeviceError,
    DeviceTimeoutError,
    OutcomeUnknownError,
    ServerError,
)
from ansible_collections.vapix.acap.plugins.module_utils._key_index import KeyFilesNeeded

RESOURCE = "application:demo"
# The device's state is a word: "before" (as it was), "after" (the write done), "other" (neither).
DROPPED = ConnectionDroppedError("connection dropped")
TIMEOUT = DeviceTimeoutError("no answer within 30 s")
REFUSED = DeviceError("Error: 3", error_code=3, endpoint="control.cgi")
ALREADY = DeviceError("Error: 6", error_code=6, endpoint="control.cgi")
UNKNOWN_CODE = DeviceError("Error: 15", error_code=15, endpoint="upload.cgi")
READ_FAILS = ServerError("HTTP 500")


def answers(items: List[Any]):
    """A callable that gives ``items`` one per call, raising the exceptions among them."""
    remaining = list(items)
    calls: List[int] = []

    def call() -> Any:
        calls.append(1)
        item = remaining.pop(0)
        if isinstance(item, AcapError):
            raise item
        return item

    call.calls = calls  # type: ignore[attr-defined]
    return call


def write(sends, reads, **options) -> Write:
    return Write(
        resource=RESOURCE, action="start", description="start of demo",
        send=answers(sends), read=answers(reads),
        achieved=lambda state: state == "after", unchanged=lambda state: state == "before",
        settle_pause=0.0, **options,
    )


# id, answers to send, states read, Write options,
# expected: returned state or (error type, message part), actions recorded, unknown, a warning
CASES = [
    ("ok and confirmed", ["OK"], ["after"], {}, "after", ["start"], False, False),
    ("ok but not shown", ["OK"], ["before"], {},
     (DeviceError, "answered OK, but the device then shows before"), ["start"], False, False),
    ("ok, shown after settling", ["OK"], ["before", "after"], {"settle_reads": 2}, "after", ["start"], False, False),
    ("uncertain, shown done", [DROPPED], ["after"], {}, "after", ["start"], False, True),
    ("uncertain, unchanged", [DROPPED], ["before"], {},
     (ConnectionDroppedError, "as before, so it was not done"), [], False, False),
    ("timeout, unchanged: may still be working", [TIMEOUT], ["before"], {},
     (OutcomeUnknownError, "it may still be working on it"), ["start"], True, False),
    ("uncertain, something else", [DROPPED], ["other"], {},
     (OutcomeUnknownError, "neither what was asked nor what it was before"), ["start"], True, False),
    ("error 15 is uncertain", [UNKNOWN_CODE], ["after"], {}, "after", ["start"], False, True),
    ("unprovable, sent again, OK", [DROPPED, "OK"], ["before", "after"], {"provable": False}, "after",
     ["start"], False, False),
    ("unprovable, sent again, unclear again", [DROPPED, DROPPED], ["before"], {"provable": False},
     (OutcomeUnknownError, "sent once more, it failed again"), ["start"], True, False),
    ("already so", [ALREADY], [], {"already_so": (6,)}, None, [], False, False),
    ("refused", [REFUSED], [], {}, (DeviceError, "Start of demo failed: Error: 3"), [], False, False),
    ("ok, read after fails", ["OK"], [READ_FAILS], {},
     (OutcomeUnknownError, "the outcome is not confirmed"), ["start"], True, False),
    ("uncertain, read after fails", [DROPPED], [READ_FAILS], {},
     (OutcomeUnknownError, "reading the device again failed too"), [], True, False),
    ("answer is the state", ["after"], [], {"answer_is_state": True}, "after", ["start"], False, False),
]


@pytest.mark.parametrize("sends, reads, options, expected, recorded, unknown, warned",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_act_and_confirm(sends, reads, options, expected, recorded, unknown, warned):
    journal = Journal()
    the_write = write(sends, reads, **options)
    if isinstance(expected, tuple):
        kind, message = expected
        with pytest.raises(kind, match=message) as raised:
            act_and_confirm(the_write, journal)
        assert raised.value.__class__ is kind, "the kind is kept, not widened to a parent class"
        assert raised.value.result == {}, "what was done is attached by the result builder, not here"
    else:
        assert act_and_confirm(the_write, journal) == expected
    assert journal.done(RESOURCE) == recorded
    assert (RESOURCE in journal.unknown) is unknown
    assert bool(journal.warnings_of(RESOURCE)) is warned
    assert journal.warnings == journal.warnings_of(RESOURCE)


def test_every_answer_and_read_is_used():
    """A row's answers are all used: the layer sends once (twice only when unprovable) and reads as told."""
    sends, reads = answers([DROPPED, "OK"]), answers(["before", "before"])
    the_write = Write(resource=RESOURCE, action="restart", description="restart of demo", send=sends, read=reads,
                      achieved=lambda state: True, unchanged=lambda state: True, provable=False)
    act_and_confirm(the_write, Journal())
    assert len(sends.calls) == 2 and len(reads.calls) == 2


def test_an_error_with_its_own_constructor_keeps_its_kind_and_result():
    needed = KeyFilesNeeded("B8A44F000001")
    with pytest.raises(KeyFilesNeeded, match="^Start of demo failed: The key files for serial number") as raised:
        act_and_confirm(write([needed], []), Journal())
    assert raised.value.result == {KeyFilesNeeded.RESULT_FIELD: "B8A44F000001"}


def test_the_device_error_is_not_changed_on_its_way():
    """A refusal leaves as a new error with the context in its message; the client's error is untouched."""
    refused = DeviceError("Error: 3", error_code=3, endpoint="control.cgi")
    with pytest.raises(DeviceError) as raised:
        act_and_confirm(write([refused], []), Journal())
    assert raised.value is not refused and refused.message == "Error: 3"
    assert (raised.value.error_code, raised.value.endpoint) == (3, "control.cgi")
