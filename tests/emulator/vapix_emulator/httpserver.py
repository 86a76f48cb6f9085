"""A small HTTP/1.1 server on asyncio streams: keep-alive, Content-Length and chunked request bodies.

Hundreds of virtual devices share one event loop, so a device costs two listening sockets and a few
objects, not a thread. The application side is one coroutine ``handler(request) -> Response``; it
reads the body itself (``await request.read_body(limit)``) so it can decide before the body arrives
(authentication, "another upload is in progress") and refuse an oversized body without keeping it.
"""

from __future__ import annotations

import asyncio
import collections
import email.utils
import sys
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Awaitable, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_HEAD_BYTES = 64 * 1024
IDLE_TIMEOUT = 120.0
BODY_TIMEOUT = 60.0  # default wait for the next body bytes before a stalled client is dropped
_READ_STEP = 256 * 1024


class BadRequest(Exception):
    """The bytes on the wire are not HTTP/1.x; answer 400 and close."""


class BodyTimeout(ConnectionError):
    """The client stopped sending its body; the connection is closed without an answer."""


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    headers: List[Tuple[str, str]] = field(default_factory=list)
    close: bool = False  # close the connection after answering
    drop: bool = False  # close the connection without answering at all
    trickle: Optional[Tuple[float, float]] = None  # (seconds per byte, seconds before closing): a slow device

    @classmethod
    def text(cls, text: str, status: int = 200, **kwargs) -> "Response":
        return cls(status=status, body=text.encode("utf-8"), content_type="text/plain", **kwargs)


Completion = Callable[[Optional[int], int], None]


class Request:
    """One parsed request head plus lazy access to its body."""

    def __init__(self, method: str, target: str, version: str, headers: Dict[str, str], head_bytes: int,
                 reader: asyncio.StreamReader, writer: asyncio.StreamWriter, scheme: str) -> None:
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # lower-case names; repeated headers joined with ", "
        self.scheme = scheme
        split = urlsplit(target)
        self.path = unquote(split.path)
        self.query: List[Tuple[str, str]] = parse_qsl(split.query, keep_blank_values=True)
        self.bytes_in = head_bytes
        self.body: Optional[bytes] = None
        self.body_too_large = False
        self.body_timeout = BODY_TIMEOUT
        self.on_complete: Optional[Completion] = None  # called with (status or None, bytes_out)
        self._reader = reader
        self._writer = writer
        self._body_done = False
        self._continue_sent = False
        self._expects_continue = headers.get("expect", "").lower() == "100-continue"
        self._chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = headers.get("content-length", "0" if not self._chunked else "")
        if not self._chunked:
            if not length.strip().isdigit():
                raise BadRequest("bad Content-Length {0!r}".format(length))
        self.content_length = int(length) if length.strip().isdigit() else None

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    @property
    def has_body(self) -> bool:
        return self._chunked or bool(self.content_length)

    async def read_body(self, limit: int) -> Optional[bytes]:
        """Read the whole body; past ``limit`` bytes it is read and thrown away, returning None."""
        if self._body_done:
            return self.body
        parts: List[bytes] = []
        await self.stream_body(limit, parts.append)
        self.body = None if self.body_too_large else b"".join(parts)
        return self.body

    async def stream_body(self, limit: int, sink: Callable[[bytes], None]) -> bool:
        """Pass the body to ``sink`` piece by piece as it arrives; past ``limit`` bytes the rest is read
        and thrown away (``body_too_large``). Returns False when the body was too large.

        Every read waits at most ``body_timeout`` seconds: a client that stalls mid-body gets
        :class:`BodyTimeout` (the connection is closed) instead of holding the request forever."""
        if self._body_done:
            return not self.body_too_large
        if self._expects_continue and not self._continue_sent:
            self._continue_sent = True
            self._writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        kept = 0

        def deliver(data: bytes) -> None:
            nonlocal kept
            if self.body_too_large or not data:
                return
            kept += len(data)
            if kept > limit:
                self.body_too_large = True
            else:
                sink(data)

        if self._chunked:
            await self._read_chunked(deliver)
        else:
            await self._read_length(self.content_length or 0, deliver)
        self._body_done = True
        return not self.body_too_large

    async def _read(self, coroutine: Awaitable[bytes]) -> bytes:
        try:
            async with asyncio.timeout(self.body_timeout):
                return await coroutine
        except TimeoutError:
            raise BodyTimeout("no body bytes for {0} s".format(self.body_timeout)) from None

    async def _read_length(self, length: int, deliver: Callable[[bytes], None]) -> None:
        remaining = length
        while remaining:
            chunk = await self._read(self._reader.read(min(remaining, _READ_STEP)))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", remaining)
            self.bytes_in += len(chunk)
            remaining -= len(chunk)
            deliver(chunk)

    async def _read_chunked(self, deliver: Callable[[bytes], None]) -> None:
        while True:
            line = await self._read(self._reader.readuntil(b"\r\n"))
            self.bytes_in += len(line)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest("bad chunk size line") from None
            if size == 0:
                # Trailer fields (rare) end with an empty line.
                while True:
                    trailer = await self._read(self._reader.readuntil(b"\r\n"))
                    self.bytes_in += len(trailer)
                    if trailer == b"\r\n":
                        return
            await self._read_length(size, deliver)
            if await self._read(self._reader.readexactly(2)) != b"\r\n":
                raise BadRequest("chunk data not followed by CRLF")
            self.bytes_in += 2

    def can_skip_body(self) -> bool:
        """A client that waits for 100 Continue never sends the body if we answer first."""
        return self._expects_continue and not self._continue_sent

    async def finish_body(self) -> bool:
        """Consume an unread body so the connection stays usable; False means: close instead."""
        if self._body_done or not self.has_body:
            return True
        if self.can_skip_body():
            return False
        await self.read_body(0)
        return True


Handler = Callable[[Request], Awaitable[Response]]


def _parse_head(head: bytes) -> Tuple[str, str, str, Dict[str, str]]:
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise BadRequest("undecodable head") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest("bad request line {0!r}".format(lines[0][:80]))
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest("bad header line {0!r}".format(line[:80]))
        key = name.lower()
        value = value.strip()
        headers[key] = headers[key] + ", " + value if key in headers else value
    return parts[0], parts[1], parts[2], headers


def serialize(response: Response, keep_alive: bool, head_only: bool = False) -> bytes:
    """The response bytes; ``head_only`` (a HEAD request) sends the head a GET would get, no body."""
    reason = HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else "Status"
    lines = [
        "HTTP/1.1 {0} {1}".format(response.status, reason),
        "Date: " + email.utils.formatdate(usegmt=True),
        "Server: vapix-emulator",
        "Content-Type: " + response.content_type,
        "Content-Length: " + str(len(response.body)),
    ]
    lines.extend("{0}: {1}".format(name, value) for name, value in response.headers)
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head_only else response.body)


# Connection tasks of every server in the process, so that shutdown can end them cleanly.
OPEN_CONNECTIONS: "Dict[asyncio.Task, asyncio.StreamWriter]" = {}
# The connections waiting for their next request, oldest first: the ones closed to make room.
IDLE_CONNECTIONS: "collections.OrderedDict[asyncio.Task, asyncio.StreamWriter]" = collections.OrderedDict()


class ConnectionLimit:
    """How many connections the process keeps open at once (None: no limit); ``cli`` sets it from the
    file limit. Past it, a new connection closes the longest-idle keep-alive ones: without that, a
    process whose descriptors are all taken by listening sockets and idle keep-alive connections
    (10,000 devices, a client with a session per device) fails ``accept()`` with EMFILE, and every
    new connection waits in the listen backlog until its client times out."""

    maximum: Optional[int] = None


def _make_room() -> None:
    if ConnectionLimit.maximum is None:
        return
    while len(OPEN_CONNECTIONS) > ConnectionLimit.maximum and IDLE_CONNECTIONS:
        _task, writer = IDLE_CONNECTIONS.popitem(last=False)
        # An idle keep-alive connection may be closed at any time (RFC 9112, 9.8); a FIN, not a reset,
        # so that a client sees it closed before it sends its next request there.
        writer.close()


async def close_connections(grace: float = 2.0) -> None:
    """Abort every open connection (the handlers see the connection end) and wait for them."""
    tasks = list(OPEN_CONNECTIONS)
    for writer in list(OPEN_CONNECTIONS.values()):
        writer.transport.abort()
    if tasks:
        await asyncio.wait(tasks, timeout=grace)


def _forget(task: "asyncio.Task") -> None:
    OPEN_CONNECTIONS.pop(task, None)
    IDLE_CONNECTIONS.pop(task, None)


class HttpServer:
    """Serves one (address, port) with ``handler``; ``scheme`` is "http" or "https"."""

    def __init__(self, handler: Handler, scheme: str = "http") -> None:
        self._handler = handler
        self._scheme = scheme

    async def serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            OPEN_CONNECTIONS[task] = writer
            task.add_done_callback(_forget)
            _make_room()
        try:
            while True:
                if task is not None:
                    IDLE_CONNECTIONS[task] = writer
                try:
                    async with asyncio.timeout(IDLE_TIMEOUT):
                        head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    writer.write(serialize(Response.text("Request head too large\n", 431), keep_alive=False))
                    return
                IDLE_CONNECTIONS.pop(task, None)  # busy now: not closed to make room
                try:
                    method, target, version, headers = _parse_head(head[:-4])
                    request = Request(method, target, version, headers, len(head), reader, writer, self._scheme)
                except BadRequest as exc:
                    writer.write(serialize(Response.text("Bad Request: {0}\n".format(exc), 400), keep_alive=False))
                    return
                try:
                    response = await self._handler(request)
                except (ConnectionError, asyncio.IncompleteReadError):
                    if request.on_complete:  # logged with no status: the request got no answer
                        request.on_complete(None, 0)
                    raise
                except BadRequest as exc:
                    writer.write(serialize(Response.text("Bad Request: {0}\n".format(exc), 400), keep_alive=False))
                    return
                except Exception:  # a bug in the emulator: say so on stderr, answer 500, keep serving others
                    traceback.print_exc(file=sys.stderr)
                    response = Response.text("Internal emulator error (traceback on the emulator's stderr)\n", 500, close=True)
                if response.drop:
                    if request.on_complete:
                        request.on_complete(None, 0)
                    writer.transport.abort()
                    return
                keep_alive = not response.close and self._wants_keep_alive(request)
                if keep_alive and not await request.finish_body():
                    keep_alive = False
                if response.trickle is not None:
                    keep_alive = False
                data = serialize(response, keep_alive, head_only=request.method == "HEAD")
                if request.on_complete:
                    request.on_complete(response.status, len(data))
                if response.trickle is not None:
                    await self._trickle(writer, data, *response.trickle)
                    return
                writer.write(data)
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, BadRequest):
            return
        finally:
            writer.close()

    @staticmethod
    async def _trickle(writer: asyncio.StreamWriter, data: bytes, interval: float, duration: float) -> None:
        """One byte every ``interval`` seconds; the connection is closed after ``duration`` seconds
        even when the answer is not complete (the fault is bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration
        for index in range(len(data)):
            writer.write(data[index:index + 1])
            await writer.drain()
            if loop.time() + interval > deadline:
                return
            await asyncio.sleep(interval)

    @staticmethod
    def _wants_keep_alive(request: Request) -> bool:
        connection = request.header("connection").lower()
        if request.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection
