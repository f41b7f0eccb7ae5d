"""A TCP proxy that injects real network faults between a client and a real server.

Used by this repo's tests and rendered verbatim into generated projects as
``tests/redis/fault_proxy.py`` (standard library only). Faults are provoked for real on the
wire, never mocked:

- ``delay(seconds)``: every reply from the server is held that long before it is forwarded
  (a slow or overloaded server, a congested network);
- ``drop_next_reply()``: the next reply is read from the server and thrown away, so the
  command ran but its answer never arrives (the client sees a read timeout); with ``to=b"..."``
  only the reply to the next command containing those bytes (other clients sharing the proxy,
  such as a background thread left by an earlier test, keep their replies);
- ``freeze()`` / ``thaw()``: nothing is forwarded in either direction and no connection is
  closed, no FIN, no RST (a NAT or proxy that silently dropped the flow, a dead peer);
- ``refuse(True)``: new connections are reset as soon as they are accepted;
- ``reset_connections()``: every open connection is reset (RST) at once.

    with FaultProxy(server.host, server.port) as proxy:
        client = redis.Redis.from_url(proxy.url)
        proxy.drop_next_reply()
        ...

Replies are forwarded in the chunks the server writes them; "one reply" is one such chunk,
which is exact for one command at a time (what the fault tests send).
"""

from __future__ import annotations

import selectors
import socket
import struct
import threading
import time
from types import TracebackType

_CHUNK = 65536
_TICK = 0.05  # seconds a pump waits before looking at the fault switches again


def _rst(sock: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER 0), as a crashed or resetting peer does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FaultProxy:
    """Listens on a free loopback port and forwards to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._frozen = threading.Event()
        self._refusing = False
        self._delay = 0.0
        self._drop = 0
        self._drop_to: list[bytes] = []  # drop the reply to the next command containing each
        self.dropped = 0  # replies thrown away so far by drop_next_reply()
        self.connections = 0  # accepted so far (refused ones included)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(256)
        listener.settimeout(_TICK)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._spawn(self._accept_loop, "fault-proxy-accept")
        return self

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def stop(self) -> None:
        """Close the listener and every connection; wait for the pump threads."""
        self._stopping.set()
        self._frozen.clear()
        if self._listener is not None:
            self._listener.close()
        self.reset_connections()
        for thread in self._threads:
            thread.join(2)

    def __enter__(self) -> FaultProxy:
        return self.start() if self._listener is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ faults
    def delay(self, seconds: float) -> None:
        """Hold every reply ``seconds`` before forwarding it (0: no delay)."""
        self._delay = max(0.0, seconds)

    def drop_next_reply(self, count: int = 1, *, to: bytes | None = None) -> None:
        """Read the next ``count`` replies from the server and throw them away; with ``to``, the replies
        to the next ``count`` commands that contain ``to`` (on any connection), whatever comes between."""
        with self._lock:
            if to is None:
                self._drop += count
            elif not to:
                raise ValueError("to must be a non-empty byte string")
            else:
                self._drop_to.extend([to] * count)

    def freeze(self) -> None:
        """Forward nothing, close nothing: the connections look alive and say nothing."""
        self._frozen.set()

    def thaw(self) -> None:
        self._frozen.clear()

    def refuse(self, on: bool = True) -> None:
        """Reset new connections as soon as they are accepted."""
        self._refusing = on

    def heal(self) -> None:
        """Back to a plain proxy (existing connections stay as they are)."""
        self._delay, self._drop, self._refusing = 0.0, 0, False
        self._drop_to.clear()
        self._frozen.clear()

    def reset_connections(self) -> None:
        """Reset (RST) every open connection, both sides."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for client, upstream in pairs:
            _rst(client)
            _rst(upstream)

    # ------------------------------------------------------------------ internals
    def _spawn(self, target: object, name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed
            self.connections += 1
            if self._refusing:
                _rst(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _rst(client)
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs.append((client, upstream))
            self._spawn(self._pump, "fault-proxy-pump", client, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Move bytes both ways, applying the fault switches between reads."""
        selector = selectors.DefaultSelector()
        marked = 0  # replies still to drop on this connection: its commands matched drop_next_reply(to=...)
        try:
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            while not self._stopping.is_set():
                if self._frozen.is_set():
                    time.sleep(_TICK)  # leave the bytes in the kernel buffers: nothing moves
                    continue
                for key, _ in selector.select(_TICK):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = source.recv(_CHUNK)
                    if not data:
                        return
                    if source is client and self._drop_to:  # a command: is its reply one to drop?
                        with self._lock:
                            for marker in self._drop_to:
                                if marker in data:
                                    self._drop_to.remove(marker)
                                    marked += 1
                                    break
                    if source is upstream:  # a reply on its way to the client
                        with self._lock:
                            dropping = marked > 0 or self._drop > 0
                            if marked:
                                marked -= 1
                            elif dropping:
                                self._drop -= 1
                            if dropping:
                                self.dropped += 1
                        if dropping:
                            continue
                        if self._delay:
                            time.sleep(self._delay)
                    key.data.sendall(data)
        except (OSError, ValueError):
            return  # a side was reset or closed (reset_connections, stop)
        finally:
            selector.close()
            with self._lock:
                if (client, upstream) in self._pairs:
                    self._pairs.remove((client, upstream))
            for sock in (client, upstream):
                try:
                    sock.close()
                except OSError:
                    pass
