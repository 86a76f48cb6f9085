# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Act, then confirm: the one way every write reaches the device.

A write is sent once. Whatever the answer, the device is then read again and
the result says what the device shows, not what the answer claimed:

- ``OK`` and the device shows the write done: done.
- ``OK`` but the device does not show it (an application that stays Stopped
  after a start, an old version still listed after an upload): a failure that
  says so, after a short bounded wait where the device may need a moment.
- An uncertain answer (``UNCERTAIN_ERRORS``, or ``Error: 15``): the device
  shows it done, a warning; it shows the state of before, a failure that says
  nothing was changed; anything else, a failure with the outcome unknown. Where
  the state cannot prove the outcome (a restart, a forced reinstall of the same
  version, a value the device hides) the write is safe to repeat: it is sent
  once more and that answer decides; unclear again, a failure with
  ``outcome_unknown``, never a success.
- A documented refusal: a failure; codes that mean "already so" are no change.

``Journal`` keeps what the run did on the device; the result builder
(``_results``) attaches it to a failure once, on its way out of the logic, so
that every failure, at any point, carries the truth about what was already
done. Errors raised here say what happened in their message when they are
raised; nothing rewrites them later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Generic, List, Optional, Sequence, TypeVar

from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnreachableError,
    OutcomeUnknownError,
    UnexpectedResponseError,
)

T = TypeVar("T")

# After one of these a write may or may not have taken effect.
UNCERTAIN_ERRORS = (DeviceUnreachableError, UnexpectedResponseError, OutcomeUnknownError)
# upload.cgi / control.cgi: "Operation timed out. The outcome of the operation could not be determined."
OUTCOME_UNKNOWN_CODE = 15


def is_uncertain(exc: AcapError) -> bool:
    """Whether a write that raised ``exc`` may still have been applied."""
    if isinstance(exc, UNCERTAIN_ERRORS):
        return True
    return isinstance(exc, DeviceError) and exc.error_code == OUTCOME_UNKNOWN_CODE


@dataclass
class Journal:
    """What one run did on one device: actions per resource in order, warnings, unknown outcomes. The
    result builder (``_results.Results``) owns one and makes the module result from it."""

    actions: Dict[str, List[str]] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)  # every warning, in order: the result's ``warnings``
    # Each resource's own warnings, attached when they are raised (never found later by matching names).
    resource_warnings: Dict[str, List[str]] = field(default_factory=dict)
    unknown: List[str] = field(default_factory=list)

    def record(self, resource: str, action: str) -> None:
        self.actions.setdefault(resource, []).append(action)

    def warn(self, resource: Optional[str], *warnings: str) -> None:
        """Warnings about ``resource`` (None: about the task as a whole)."""
        self.warnings.extend(warnings)
        if resource is not None:
            self.resource_warnings.setdefault(resource, []).extend(warnings)

    def warnings_of(self, resource: str) -> List[str]:
        return list(self.resource_warnings.get(resource, []))

    def done(self, resource: str) -> List[str]:
        return list(self.actions.get(resource, []))


@dataclass
class Write(Generic[T]):
    """One request that changes the device, and how to tell from a read whether it took effect."""

    resource: str  # "application:peoplecounter"
    action: str  # "start"; recorded in the journal when done
    description: str  # "start of peoplecounter", for messages
    send: Callable[[], Any]
    read: Callable[[], T]  # reads the device again (list.cgi, config.cgi get, ...)
    achieved: Callable[[T], bool]  # the device shows the write done
    unchanged: Optional[Callable[[T], bool]] = None  # the device shows the state of before
    # False where the state cannot show the write happened (a restart; a reinstall of the same version).
    provable: bool = True
    already_so: Sequence[int] = ()  # device codes that mean "nothing to do"
    # The answer to ``send`` is the state (config.cgi set echoes the value): no read after an OK.
    answer_is_state: bool = False
    # Extra reads after an OK while the device does not show the write done yet (a start may take
    # a moment), with a pause before each.
    settle_reads: int = 0
    settle_pause: float = 1.0
    describe_state: Callable[[T], str] = str


def act_and_confirm(write: "Write[T]", journal: Journal) -> Optional[T]:
    """Send ``write`` once, then read the device and report what it shows (see the module docstring).

    Returns the state read afterwards, or None when the device answered "already so" (nothing sent
    changed anything, nothing was read)."""
    try:
        answer = write.send()
    except AcapError as exc:
        if isinstance(exc, DeviceError) and exc.error_code in write.already_so:
            return None
        if not is_uncertain(exc):
            raise exc.restated("%s failed: %s" % (_capitalized(write.description), exc.message)) from None
        return _settle_uncertain(write, journal, exc)
    return _confirm_answered_ok(write, journal, answer)


def _confirm_answered_ok(write: "Write[T]", journal: Journal, answer: Any) -> T:
    answered_ok = "%s was sent and answered OK" % _capitalized(write.description)
    state = answer if write.answer_is_state else _read_after(write, journal, answered_ok)
    for _attempt in range(write.settle_reads):
        if write.achieved(state):
            break
        time.sleep(write.settle_pause)
        state = _read_after(write, journal, answered_ok)
    journal.record(write.resource, write.action)
    if not write.achieved(state):
        raise DeviceError(
            "%s answered OK, but the device then shows %s: it did not do what it answered. Read the device's "
            "system log." % (_capitalized(write.description), write.describe_state(state)),
        )
    return state


def _settle_uncertain(write: "Write[T]", journal: Journal, exc: AcapError) -> T:
    what = "%s got no clear answer (%s)" % (_capitalized(write.description), exc.message)
    state = _read_after(write, journal, what, exc)
    if write.achieved(state) and write.provable:
        journal.record(write.resource, write.action)
        journal.warn(write.resource, "%s, but the device shows it done: %s." % (what, write.describe_state(state)))
        return state
    if not write.provable and (write.unchanged is None or write.unchanged(state)):
        # The state after a restart or a same-version reinstall looks like the state before it.
        return _send_again(write, journal, what, state)
    if write.unchanged is not None and write.unchanged(state) and not isinstance(exc, DeviceTimeoutError):
        raise exc.restated("%s; the device still shows %s, as before, so it was not done. Run the task again."
                           % (what, write.describe_state(state))) from None
    # The device changed, though not as asked; or it timed out and may still be working on the write.
    journal.record(write.resource, write.action)
    journal.unknown.append(write.resource)
    finding = ("it may still be working on it" if isinstance(exc, DeviceTimeoutError)
               else "which is neither what was asked nor what it was before")
    raise OutcomeUnknownError(
        "%s, and the device now shows %s, %s: the outcome is unknown. Check the device, then run the task "
        "again." % (what, write.describe_state(state), finding),
        error_code=exc.error_code, http_status=exc.http_status, endpoint=exc.endpoint,
    ) from None


def _send_again(write: "Write[T]", journal: Journal, what: str, state: T) -> Optional[T]:
    """A write whose effect the state cannot show (a restart, a same-version reinstall, a hidden value)
    and whose answer was unclear: all of these are safe to repeat, so it is sent once more, and that
    answer decides. Unclear again, the task fails with the outcome unknown, never reports success."""
    try:
        answer = write.send()
    except AcapError as exc:
        if isinstance(exc, DeviceError) and exc.error_code in write.already_so:
            return None
        journal.record(write.resource, write.action)
        journal.unknown.append(write.resource)
        raise OutcomeUnknownError(
            "%s; sent once more, it failed again (%s). The device's state (%s) cannot show whether it happened: "
            "the outcome is unknown. Check the device's system log, then run the task again."
            % (what, exc.message, write.describe_state(state)),
            error_code=exc.error_code, http_status=exc.http_status, endpoint=exc.endpoint,
        ) from None
    return _confirm_answered_ok(write, journal, answer)


def _read_after(write: "Write[T]", journal: Journal, what: str, cause: Optional[AcapError] = None) -> T:
    try:
        return write.read()
    except AcapError as read_error:
        if cause is not None:
            journal.unknown.append(write.resource)
            raise OutcomeUnknownError(
                "%s, and reading the device again failed too (%s): the outcome is unknown. Check the device, "
                "then run the task again." % (what, read_error.message),
                error_code=cause.error_code, http_status=cause.http_status, endpoint=cause.endpoint,
            ) from None
        journal.record(write.resource, write.action)
        journal.unknown.append(write.resource)  # answered OK, but not confirmed
        raise OutcomeUnknownError(
            "%s, but reading the device afterwards to confirm failed (%s): the outcome is not confirmed. Check "
            "the device, then run the task again." % (what, read_error.message),
            error_code=read_error.error_code, http_status=read_error.http_status, endpoint=read_error.endpoint,
        ) from None


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
