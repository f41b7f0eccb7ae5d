"""Kind 6: audit has one overall deadline and bounded memory, whatever the server does.

The peers here are hostile servers written for the test (a socket that trickles, lies or floods): what
real servers do is covered by tests/test_audit_live.py.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.helpers import assert_contract, assert_refused, run, tried

Reply = bytes | Callable[[socket.socket], None]

INFO = b"# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\n"
CLUSTER_INFO = b"# Server\r\nredis_version:7.0.0\r\nredis_mode:cluster\r\n"
HONEST: dict[str, Reply] = {
    "INFO": b"$%d\r\n%s\r\n" % (len(INFO), INFO),
    "CLUSTER": b"-ERR This instance has cluster support disabled\r\n",
    "DBSIZE": b":1\r\n",
    "SCAN": b"*2\r\n$1\r\n0\r\n*1\r\n$22\r\nshop:prod:cart:item:42\r\n",
    "TYPE": b"+string\r\n",
    "PTTL": b":60000\r\n",
    "MEMORY": b":64\r\n",
    "STRLEN": b":3\r\n",
}


def _commands(conn: socket.socket) -> Iterator[list[bytes]]:
    """RESP arrays sent by the client, one command at a time."""
    buf = b""

    def need(n: int) -> None:
        nonlocal buf
        while len(buf) < n:
            chunk = conn.recv(65536)
            if not chunk:
                raise EOFError
            buf += chunk

    def line() -> bytes:
        nonlocal buf
        while b"\r\n" not in buf:
            need(len(buf) + 1)
        head, _, buf = buf.partition(b"\r\n")
        return head

    while True:
        count = int(line()[1:])
        args = []
        for _ in range(count):
            size = int(line()[1:])
            need(size + 2)
            args.append(buf[:size])
            buf = buf[size + 2 :]
        yield args


class HostileServer:
    """Answers like a tiny Redis, except for the commands given in `script`."""

    def __init__(self, script: dict[str, Reply]) -> None:
        self.replies = {**HONEST, **script}
        if "CLUSTER" in script and "INFO" not in script:  # make the audit ask for the slots
            self.replies["INFO"] = b"$%d\r\n%s\r\n" % (len(CLUSTER_INFO), CLUSTER_INFO)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            try:
                for args in _commands(conn):
                    reply = self.replies.get(args[0].decode().upper(), b"-ERR unknown\r\n")
                    if callable(reply):
                        reply(conn)
                        return
                    conn.sendall(reply)
            except (EOFError, OSError, ValueError):
                return

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def hostile_server() -> Iterator[Callable[[dict[str, Reply]], HostileServer]]:
    servers: list[HostileServer] = []

    def start(script: dict[str, Reply]) -> HostileServer:
        servers.append(HostileServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def trickle(payload: bytes, every: float) -> Callable[[socket.socket], None]:
    def send(conn: socket.socket) -> None:
        for i in range(len(payload)):
            conn.sendall(payload[i : i + 1])
            time.sleep(every)

    return send


def test_the_honest_fake_is_audited(hostile_server) -> None:
    server = hostile_server({})
    code, out, err = run("audit", "--url", server.url, "--fail-on", "none")
    assert code == 0, err
    assert "shop:prod:cart" in out or "1" in out


@pytest.mark.parametrize("command", ["INFO", "SCAN", "TYPE"])
def test_a_server_trickling_a_byte_every_2s_stops_at_the_deadline(hostile_server, command: str) -> None:
    """Every read gets its byte within the stall timeout, so only the overall deadline can end it."""
    payload = HONEST[command] if isinstance(HONEST[command], bytes) else b""
    server = hostile_server({command: trickle(payload + payload, 2.0)})
    started = time.monotonic()
    code, out, err = run("audit", "--url", server.url, "--timeout", "3")
    tried("audit")
    assert_refused(code, out, err, "--timeout")
    assert "gave up after 3s (--timeout)" in err
    assert time.monotonic() - started < 60  # a liveness bound: without the deadline this never ends


def silent(conn: socket.socket) -> None:
    time.sleep(30)


def test_a_silent_server_fails_after_the_stall_timeout_or_the_deadline(hostile_server) -> None:
    server = hostile_server({"SCAN": silent})
    code, out, err = run("audit", "--url", server.url, "--timeout", "2")
    tried("audit")
    assert_refused(code, out, err, "audit")
    assert "--timeout" in err


@pytest.mark.parametrize("reply", [b":1\r\n", b"+QUEUED\r\n"])
def test_a_server_answering_auth_without_ok_is_not_told_to_put_credentials_in_the_url(hostile_server, reply) -> None:
    # fresh-user trial 3: AUTH answered with an integer said "requires authentication: put the credentials in
    # the URL" to a URL that held them
    server = hostile_server({"AUTH": reply})
    url = f"redis://:s3cret-pw@127.0.0.1:{server.port}/0"
    code, out, err = run("audit", "--url", url, "--timeout", "10")
    tried("audit")
    assert_refused(code, out, err, "audit")
    assert "did not answer AUTH with OK" in err and "put the credentials" not in err
    assert "s3cret-pw" not in out + err


MALFORMED = {
    "INFO": [b":12\r\n", b"*1\r\n:1\r\n", b"$-5\r\n", b"$abc\r\n", b"+OK\r\n", b"?what\r\n", b"$3\r\nabcXY"],
    "CLUSTER": [
        b"*1\r\n*2\r\n:0\r\n:16383\r\n",
        b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$3\r\n\xff\xfe\xfd\r\n:7000\r\n",
        b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$9\r\n127.0.0.1\r\n:99999\r\n",
        b"*1\r\n:5\r\n",
        b":1\r\n",
    ],
    "DBSIZE": [b"$3\r\nabc\r\n", b":-1\r\n", b":99999999999999999999999\r\n", b":1.5\r\n"],
    "SCAN": [
        b"*3\r\n",
        b"*2\r\n$1\r\nx\r\n*0\r\n",
        b"*2\r\n$1\r\n0\r\n:5\r\n",
        b"*2\r\n$1\r\n0\r\n*1\r\n:5\r\n",
        b"*2\r\n$1\r\n0\r\n*-7\r\n",
        b"*2\r\n$1\r\n0\r\n*1\r\n$5\r\nabcdefg\r\n",
        b"*2\r\n$1\r\n0\r\n*1\r\n$99999999999\r\n",
        b"*2\r\n$1\r\n0\r\n*1\r\n$-3\r\n",
    ],
    "TYPE": [b":1\r\n", b"+\xff\xfe\r\n", b"$6\r\nstring\r\n", b"+" + b"a" * 200 + b"\r\n"],
    "PTTL": [b"+OK\r\n", b":abc\r\n", b":--1\r\n", b":\r\n", b"$2\r\n10\r\n"],
}
CASES = [(command, reply) for command, replies in MALFORMED.items() for reply in replies]


@pytest.mark.parametrize(("command", "reply"), CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)])
def test_malformed_replies_are_one_line(hostile_server, command: str, reply: bytes) -> None:
    server = hostile_server({command: reply})
    code, out, err = run("audit", "--url", server.url, "--timeout", "10", "--fail-on", "none")
    tried("audit")
    assert_contract(code, out, err, "audit")


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("INFO", b"$999999999\r\n"),
        ("INFO", b"*99999999\r\n"),
        ("INFO", b"*1\r\n" * 50 + b":1\r\n"),
        ("INFO", b"+" + b"a" * (2 * 1024 * 1024)),
        ("SCAN", b"*2\r\n$1\r\n0\r\n*2000000\r\n"),
        ("SCAN", b"*2\r\n$1\r\n0\r\n*1\r\n$20000000\r\n"),
        ("TYPE", b"+" + b"s" * (4 * 1024 * 1024)),
    ],
    ids=["bulk-1GB", "array-100M", "nested-50", "endless-line", "scan-2M-keys", "key-20MB", "endless-type"],
)
def test_huge_replies_are_refused_without_reading_them(hostile_server, command: str, reply: bytes) -> None:
    server = hostile_server({command: reply})
    code, out, err = run("audit", "--url", server.url, "--timeout", "20", "--fail-on", "none")
    tried("audit")
    assert_refused(code, out, err, "audit")
    assert "malformed reply" in err or "KiB" in err, err


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=st.sampled_from(sorted(MALFORMED)),
    reply=st.one_of(
        st.binary(max_size=200),
        st.builds(
            lambda kind, body: kind + body + b"\r\n",
            st.sampled_from([b"+", b"-", b":", b"$", b"*"]),
            st.binary(max_size=40),
        ),
    ),
)
def test_any_reply_bytes_end_in_the_contract(hostile_server, command: str, reply: bytes) -> None:
    server = hostile_server({command: reply + b"\r\n"})
    code, out, err = run("audit", "--url", server.url, "--timeout", "6", "--fail-on", "none")
    tried("audit")
    assert_contract(code, out, err, "audit")


@pytest.mark.parametrize(
    "argv",
    [
        ["--timeout", "nan"],
        ["--timeout", "inf"],
        ["--timeout", "-1"],
        ["--timeout", "0"],
        ["--timeout", "1e999"],
        ["--timeout", "99999999"],
        ["--timeout", "soon"],
        ["--rate", "nan"],
        ["--rate", "-inf"],
        ["--count", "1e3"],
        ["--count", "٣"],
        ["--sample", "0"],
        ["--sample", "9" * 40],
        ["--top", "-1"],
        ["--big", "bytes=1XB"],
        ["--fail-on", "everything"],
        ["--url", "redis://:p#ss@127.0.0.1:6379/0"],
        ["--url", "redis://:pa/ss@127.0.0.1:6379/0"],
        ["--url", "mongodb://127.0.0.1/0"],
        ["--url", "redis://127.0.0.1:99999/0"],
        ["--url", "redis://[::1/0"],
        ["--url", "redis://h\x00st:1/0"],
        ["--url", "x" * 10000],
    ],
)
def test_bad_options_are_usage_errors(argv: list[str]) -> None:
    code, out, err = run("audit", *argv, *(["--url", "redis://127.0.0.1:1/0"] if "--url" not in argv else []))
    tried("audit")
    assert_refused(code, out, err)
    assert "p#ss" not in err and "pa/ss" not in err
