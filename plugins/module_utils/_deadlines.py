# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deadline of one request: where it is (its phase), and a watchdog that cuts its connection.

``timeout`` bounds each socket operation; a device that trickles its answer (a byte every few
seconds) never trips it. The deadline does: when it passes, the watchdog shuts down the sockets the
request uses, which ends any blocked read or write at once (docs/client.md).
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from typing import Any, Dict, List, Optional

# Where a request was when it failed: what the message says depends on it.
CONNECTING = "connecting"
HANDSHAKE = "TLS handshake"
SENDING = "sending"
WAITING = "waiting"
READING = "reading"

PHASE_WORDS = {
    CONNECTING: "still connecting",
    HANDSHAKE: "still in the TLS handshake",
    SENDING: "still sending the request",
    WAITING: "still waiting for the answer",
    READING: "still receiving the answer",
}


class Exchange:
    """One request on the wire: its phase, and a deadline that cuts its connection."""

    _current = threading.local()

    def __init__(self, deadline: float, read_timeout: float) -> None:
        self.deadline = deadline
        self.read_timeout = read_timeout
        self.phase = CONNECTING
        self.expired = False
        self.body_bytes_sent = 0
        self._handles: List[socket.socket] = []
        self._lock = threading.Lock()

    @classmethod
    def current(cls) -> Optional["Exchange"]:
        return getattr(cls._current, "exchange", None)

    def __enter__(self) -> "Exchange":
        Exchange._current.exchange = self
        _WATCHDOG.add(self, time.monotonic() + self.deadline)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _WATCHDOG.remove(self)
        Exchange._current.exchange = None

    def watch(self, handle: socket.socket) -> None:
        with self._lock:
            if self.expired:
                _cut(handle)
            else:
                self._handles.append(handle)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for handle in self._handles:
                _cut(handle)


class _Watchdog:
    """One daemon thread per process that expires the exchanges whose deadline passed (a thread per
    request would cost a thread start each, which a fleet of clients pays thousands of times)."""

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):
            # A child process starts without the thread, and must not inherit a lock held by it.
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._deadlines: Dict[Exchange, float] = {}
        self._thread: Optional[threading.Thread] = None
        self._wake_at = math.inf  # when the thread wakes next on its own

    def add(self, exchange: Exchange, when: float) -> None:
        with self._condition:
            self._deadlines[exchange] = when
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="vapix-acap-deadlines", daemon=True)
                self._thread.start()
            elif when < self._wake_at:
                # Woken only when this deadline comes first: requests one after the other each add a
                # later one, and a thread switch per request is what a fleet would pay for.
                self._condition.notify()

    def remove(self, exchange: Exchange) -> None:
        with self._condition:
            self._deadlines.pop(exchange, None)  # the thread may still wake for it, and find nothing due

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                for exchange in [item for item, when in self._deadlines.items() if when <= now]:
                    del self._deadlines[exchange]
                    exchange.expire()
                self._wake_at = min(self._deadlines.values()) if self._deadlines else math.inf
                self._condition.wait(self._wake_at - now if self._deadlines else None)


_WATCHDOG = _Watchdog()


def _cut(handle: socket.socket) -> None:
    try:
        handle.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed
