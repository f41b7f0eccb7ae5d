"""The fault proxy (generator/redis_rules/fault_proxy.py, rendered into generated projects) against a real
server: each fault is observed by a plain redis-py client on the wire."""

from __future__ import annotations

import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from redis_rules.fault_proxy import FaultProxy
from redis_rules.servers import Server
from tests.conftest import BINARIES

pytestmark = pytest.mark.skipif(not BINARIES, reason="no Redis/Valkey server binary on this machine")


@pytest.fixture(scope="module")
def server():
    srv = Server(binary=next(iter(BINARIES.values()))).start()
    yield srv
    srv.stop()


@pytest.fixture
def proxy(server):
    with FaultProxy("127.0.0.1", server.port) as p:
        yield p


def client(url: str, timeout: float = 0.5) -> redis.Redis:
    # no retries: each fault must reach the test as the client library first sees it
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def test_plain_forwarding(proxy: FaultProxy) -> None:
    r = client(proxy.url)
    assert r.set("fp:k", "v", ex=10) and r.get("fp:k") == b"v"
    r.close()


def test_delay_holds_replies(proxy: FaultProxy) -> None:
    r = client(proxy.url, timeout=0.3)
    r.ping()
    proxy.delay(0.6)
    with pytest.raises(redis.TimeoutError):
        r.ping()
    r.close()


def test_dropped_reply_means_the_command_ran(proxy: FaultProxy, server: Server) -> None:
    r = client(proxy.url)
    r.ping()
    proxy.drop_next_reply()
    with pytest.raises(redis.TimeoutError):
        r.incr("fp:counter")
    direct = client(server.url)
    assert direct.get("fp:counter") == b"1"  # ran once; only its answer was lost
    direct.delete("fp:counter")
    direct.close()
    r.close()


def test_a_targeted_drop_spares_other_clients(proxy: FaultProxy, server: Server) -> None:
    """drop_next_reply(to=...) loses only the reply to the command carrying those bytes: another client's
    commands in between keep theirs (a background thread sharing the proxy)."""
    bystander, target = client(proxy.url), client(proxy.url)
    bystander.ping()
    target.ping()
    proxy.drop_next_reply(to=b"fp:targeted")
    assert bystander.incr("fp:other") == 1  # not the one
    with pytest.raises(redis.TimeoutError):
        target.incr("fp:targeted")
    assert bystander.incr("fp:other") == 2
    assert proxy.dropped == 1
    direct = client(server.url)
    assert direct.get("fp:targeted") == b"1"  # it ran; only its answer was lost
    direct.delete("fp:targeted", "fp:other")
    for conn in (direct, bystander, target):
        conn.close()
    with pytest.raises(ValueError, match="non-empty"):
        proxy.drop_next_reply(to=b"")


def test_freeze_keeps_the_connection_open_and_silent(proxy: FaultProxy) -> None:
    r = client(proxy.url, timeout=0.3)
    r.ping()
    proxy.freeze()
    started = time.monotonic()
    with pytest.raises(redis.TimeoutError):  # a timeout, not a reset: nothing closed the connection
        r.ping()
    assert time.monotonic() - started >= 0.25
    proxy.thaw()
    r.close()


def test_refuse_and_reset(proxy: FaultProxy) -> None:
    r = client(proxy.url)
    r.ping()
    proxy.reset_connections()
    assert r.ping()  # the pool saw the reset connection on checkout and opened a new one
    assert proxy.connections == 2
    proxy.refuse()
    with pytest.raises(redis.ConnectionError):
        client(proxy.url).ping()
    proxy.heal()
    assert client(proxy.url).ping()
