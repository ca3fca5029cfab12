"""A client of bgpd's northbound agent (bgpd -M nbagent), the protocol of
frr-module/nbagent/nba_frame.h: 16-byte big-endian headers (body length,
version, type, flags, request id, status), bodies of length-prefixed
fields."""

from __future__ import annotations

import select
import socket
import struct
import time

VERSION = 1
HEADER = struct.Struct(">IBBHII")
FIELD = struct.Struct(">I")
FRAME_MAX = 16 * 1024 * 1024

GET, EDIT, VALIDATE, COMMIT, DISCARD, LOCK, UNLOCK, MODULES, GET_SCHEMA, \
    SUBSCRIBE = range(1, 11)
REPLY = 0x80
NOTIFICATION = 0x40

GET_CONFIG, GET_STATE = 0x1, 0x2
EDIT_REPLACE = 0x1
SCHEMA_YIN = 0x1

OK, ERR, ERR_NOT_FOUND, ERR_LOCKED, ERR_VALIDATION, ERR_RESOURCE, \
    ERR_INCONSISTENCY, ERR_INVALID, ERR_UNKNOWN_OP, ERR_OUTDATED, \
    ERR_NOT_HELD = range(11)


class NbaError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"status {status}: {message}")
        self.status = status
        self.message = message


class Closed(ConnectionError):
    """The agent closed the connection."""


def encode(type_: int, fields=(), flags: int = 0, id_: int = 0,
           status: int = 0, version: int = VERSION) -> bytes:
    body = b"".join(FIELD.pack(len(f)) + f
                    for f in (x.encode() if isinstance(x, str) else x
                              for x in fields))
    return HEADER.pack(len(body), version, type_, flags, id_, status) + body


def decode_fields(body: bytes) -> list[str]:
    fields, pos = [], 0
    while pos < len(body):
        (n,) = FIELD.unpack_from(body, pos)
        pos += FIELD.size
        fields.append(body[pos:pos + n].decode())
        pos += n
    if pos != len(body):
        raise ValueError("fields do not fill the body")
    return fields


class Frame:
    def __init__(self, type_, flags, id_, status, fields):
        self.type, self.flags, self.id = type_, flags, id_
        self.status, self.fields = status, fields


class Client:
    """One connection. Notifications that arrive while waiting for a reply
    are kept in .notifications, as (xml, event time)."""

    def __init__(self, path: str, timeout: float = 10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except BlockingIOError:  # the listen backlog is full: retry
                if time.monotonic() > deadline:
                    self.sock.close()
                    raise
                time.sleep(0.05)
        self.timeout = timeout
        self.next_id = 1
        self.notifications: list[tuple[str, str]] = []

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # frames
    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _recv_exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise Closed("the agent closed the connection")
            data += chunk
        return data

    def read_frame(self) -> Frame:
        length, version, type_, flags, id_, status = HEADER.unpack(
            self._recv_exactly(HEADER.size))
        assert version == VERSION, version
        assert length <= FRAME_MAX - HEADER.size, length
        return Frame(type_, flags, id_, status,
                     decode_fields(self._recv_exactly(length)))

    def request(self, op: int, fields=(), flags: int = 0) -> Frame:
        """Send a request and return its reply frame."""
        id_ = self.next_id
        self.next_id += 1
        self.send_raw(encode(op, fields, flags, id_))
        while True:
            frame = self.read_frame()
            if frame.type == NOTIFICATION:
                self.notifications.append(tuple(frame.fields))
                continue
            assert frame.type == op | REPLY and frame.id == id_, \
                (frame.type, frame.id, op, id_)
            return frame

    def call(self, op: int, fields=(), flags: int = 0) -> list[str]:
        """A request's reply fields; NbaError if it failed."""
        frame = self.request(op, fields, flags)
        if frame.status != OK:
            raise NbaError(frame.status,
                           frame.fields[0] if frame.fields else "")
        return frame.fields

    # operations
    def get(self, xpath: str = "", config: bool = True,
            state: bool = False) -> str:
        flags = (GET_CONFIG if config else 0) | (GET_STATE if state else 0)
        return self.call(GET, [xpath], flags)[0]

    def edit(self, xml: str, replace: bool = False) -> None:
        self.call(EDIT, [xml], EDIT_REPLACE if replace else 0)

    def validate(self) -> None:
        self.call(VALIDATE)

    def commit(self, comment: str | None = None) -> None:
        self.call(COMMIT, [comment] if comment is not None else [])

    def discard(self) -> None:
        self.call(DISCARD)

    def lock(self) -> None:
        self.call(LOCK)

    def unlock(self) -> None:
        self.call(UNLOCK)

    def modules(self) -> dict[str, tuple[str, str]]:
        """{name: (revision, namespace)}"""
        f = self.call(MODULES)
        return {f[i]: (f[i + 1], f[i + 2]) for i in range(0, len(f), 3)}

    def get_schema(self, name: str, revision: str = "",
                   yin: bool = False) -> str:
        fields = [name, revision] if revision else [name]
        return self.call(GET_SCHEMA, fields, SCHEMA_YIN if yin else 0)[0]

    def subscribe(self) -> None:
        self.call(SUBSCRIBE)

    def wait_notification(self, timeout: float) -> tuple[str, str]:
        """The next notification, (xml, event time)."""
        deadline = time.monotonic() + timeout
        while not self.notifications:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no notification")
            readable, _, _ = select.select([self.sock], [], [], remaining)
            if readable:
                frame = self.read_frame()
                assert frame.type == NOTIFICATION, frame.type
                self.notifications.append(tuple(frame.fields))
        return self.notifications.pop(0)

    def closed_by_agent(self, timeout: float) -> bool:
        """True once the agent has closed this connection (EOF or reset),
        within timeout seconds; replies still pending are read past."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            readable, _, _ = select.select(
                [self.sock], [], [], max(0, deadline - time.monotonic()))
            if not readable:
                continue
            try:
                if not self.sock.recv(65536):
                    return True
            except ConnectionResetError:
                return True
        return False
