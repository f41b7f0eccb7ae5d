"""The test harness's own servers (redis_rules/servers.py, also the generated projects' tests/redis/redis_servers.py):
real processes on free loopback ports, started again elsewhere when their port is taken, never left behind."""

from __future__ import annotations

import socket

import pytest

from redis_rules import servers
from tests.conftest import BINARIES

BINARY = next(iter(BINARIES.values()))


def test_a_port_taken_between_the_probe_and_the_bind_is_picked_again() -> None:
    server = servers.Server(binary=BINARY)
    taken = server.port
    with socket.socket() as squatter:  # another process binds the port the harness picked
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        server.start()
        try:
            assert server.port != taken
            assert server.command("PING") == b"+PONG\r\n"
        finally:
            server.stop()
    assert not server.workdir.exists()


def test_a_server_that_cannot_start_raises_and_leaves_nothing() -> None:
    server = servers.Server(binary=BINARY, extra_args=("--no-such-option", "1"))
    with pytest.raises(servers.ExitedAtStart, match="exited at start"):
        server.start(timeout=5)
    assert server.process is not None and server.process.poll() is not None  # the last try's process is gone
    server.stop()
    assert not server.workdir.exists()


def test_a_cluster_whose_node_cannot_start_stops_the_nodes_that_did(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[servers.Server] = []
    real_start = servers.Server.start

    def start(self: servers.Server, timeout: float = 10.0) -> servers.Server:
        if len(started) == 2:  # the third node cannot start
            self.extra_args = (*self.extra_args, "--no-such-option", "1")
        started.append(self)
        return real_start(self, timeout)

    monkeypatch.setattr(servers.Server, "start", start)
    cluster = servers.Cluster(size=3, binary=BINARY)
    with pytest.raises(servers.ExitedAtStart):
        cluster.start()
    assert len(started) == 3 and cluster.nodes == []
    for node in started:
        assert node.process is None or node.process.poll() is not None
        assert not node.workdir.exists()


def test_restart_keeps_the_port() -> None:
    server = servers.Server(binary=BINARY).start()
    try:
        port = server.port
        server.restart()
        assert server.port == port and server.command("PING") == b"+PONG\r\n"
    finally:
        server.stop()
