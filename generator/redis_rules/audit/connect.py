"""Connecting for the audit: URL choice, redaction, timeouts, one-line error messages.

redis-py does the handshake (URL parsing, TLS, AUTH, SELECT) with options that keep it
to commands a read-only ACL user may run: RESP2 (no HELLO), no ``CLIENT SETINFO``
(``lib_name=None, lib_version=None``), no retries. After that the audit uses the
socket through :class:`~redis_rules.audit.wire.Wire`.

Cluster discovery uses ``CLUSTER SLOTS`` on the seed node rather than redis-py's
``RedisCluster``, which also sends ``COMMAND`` (one more permission, and a large reply).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import UserError
from ..policy import Policy
from .wire import ReplyError, Wire, WireClosed

DEFAULT_TIMEOUT = 5.0


def resolve_url(url: str | None, policy: Policy) -> str:
    """--url, else the env var the policy names, else REDIS_URL."""
    if url:
        return url
    names = [policy.redis_url_env] if policy.redis_url_env else []
    if "REDIS_URL" not in names:
        names.append("REDIS_URL")
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise UserError(f"audit: no server given: pass --url or set {' or '.join(names)}")


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (userinfo and ``?password=``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, sep, _pw = userinfo.partition(":")
        netloc = f"{user}:***@{hostport}" if sep else f"{userinfo}@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() == "password" for k, _ in pairs):
            query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass
class Node:
    """One server the audit walks (a standalone server or one cluster primary)."""

    label: str  # host:port
    wire: Wire
    conn: object = field(repr=False)  # the redis-py connection owning the socket

    def close(self) -> None:
        try:
            self.conn.disconnect()  # type: ignore[attr-defined]
        except Exception:
            pass


@dataclass
class Target:
    url: str  # redacted
    mode: str  # standalone | cluster
    version: str
    flavour: str  # redis | valkey | unknown
    nodes: list[Node]
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        for n in self.nodes:
            n.close()


_DNS_ERRORS = ("name or service not known", "nodename nor servname", "temporary failure in name")


def _explain(exc: BaseException, url: str, label: str, timeout: float) -> str:
    """One line saying what went wrong, with a hint; never contains the password."""
    import redis.exceptions as rx

    text = str(exc).strip().rstrip(".")
    tls = urlsplit(url).scheme == "rediss"
    where = redact(url)
    if (
        isinstance(exc, rx.AuthenticationError)
        or "WRONGPASS" in text
        or "NOAUTH" in text
        or "Authentication required" in text
    ):
        if "invalid username-password" in text or "WRONGPASS" in text or "invalid password" in text:
            return f"audit: authentication failed for {where}: wrong user name or password"
        return (
            f"audit: {where} requires authentication: put the credentials in the URL "
            f"(redis://USER:PASSWORD@host:port/0)"
        )
    if isinstance(exc, rx.TimeoutError) or "timed out" in text.lower() or "Timeout" in text:
        hint = " (TLS handshake got no answer: does the server speak TLS? try redis://)" if tls else ""
        return f"audit: timed out after {timeout:g}s connecting to {label}{hint}"
    low = text.lower()
    if "ssl" in low or "tls" in low or "wrong version number" in low or "record layer" in low:
        hint = "does the server speak TLS? try redis://" if tls else "the server may require TLS: try rediss://"
        return f"audit: TLS error connecting to {label}: {text} ({hint})"
    if "refused" in low:
        return f"audit: cannot connect to {label}: connection refused (is the server running, right host/port?)"
    if any(s in low for s in _DNS_ERRORS):
        return f"audit: cannot connect to {label}: unknown host"
    if "closed" in low or "reset by peer" in low or "protocol error" in low or "unexpected reply" in low:
        hint = " (does the server require TLS? try rediss://)" if not tls else ""
        return f"audit: {label} closed the connection or did not answer in RESP{hint}"
    return f"audit: cannot connect to {label}: {text}"


def _no_setinfo() -> dict[str, None]:
    """Options that stop redis-py from sending CLIENT SETINFO on connect.

    redis-py 5.1+ takes ``lib_name=None, lib_version=None``; 8.x deprecates those in
    favour of ``driver_info=None``.
    """
    import inspect

    from redis.connection import AbstractConnection

    if "driver_info" in inspect.signature(AbstractConnection.__init__).parameters:
        return {"driver_info": None}
    return {"lib_name": None, "lib_version": None}


def _open(url: str, timeout: float, host: str | None = None, port: int | None = None) -> tuple[Wire, object, str]:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        pool = redis.ConnectionPool.from_url(
            url,
            **_no_setinfo(),
            protocol=2,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
    except ValueError as exc:
        raise UserError(f"audit: bad URL {redact(url)}: {exc}") from exc
    kwargs = dict(pool.connection_kwargs)
    if host is not None:
        kwargs["host"] = host
        kwargs["port"] = port
    kwargs.pop("orig_host_address", None)
    label = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
    if "path" in kwargs:
        label = str(kwargs["path"])
    conn = pool.connection_class(**kwargs)
    try:
        conn.connect()
    except (redis.exceptions.RedisError, OSError) as exc:
        raise UserError(_explain(exc, url, label, timeout)) from None
    sock = getattr(conn, "_sock", None)
    if sock is None:  # pragma: no cover - redis-py internals changed
        raise UserError("audit: unsupported redis-py version (no socket on the connection)")
    return Wire(sock, label=label), conn, label


def _checked(wire: Wire, url: str, label: str, timeout: float, *args: str) -> object:
    """Run one command; turn auth and connection trouble into UserError, return ReplyError."""
    try:
        return wire.command(*args)
    except ReplyError as exc:
        msg = str(exc)
        if msg.startswith(("NOAUTH", "WRONGPASS")):
            raise UserError(_explain(exc, url, label, timeout)) from None
        return exc
    except WireClosed as exc:
        raise UserError(_explain(exc, url, label, timeout)) from None


def _info_fields(raw: bytes) -> dict[str, str]:
    out = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        if ":" in line and not line.startswith("#"):
            k, _, v = line.partition(":")
            out[k.strip()] = v.strip()
    return out


def connect(url: str, timeout: float = DEFAULT_TIMEOUT) -> Target:
    """Connect, find out what the server is, and open one Wire per primary."""
    wire, conn, label = _open(url, timeout)
    notes: list[str] = []
    seed = Node(label=label, wire=wire, conn=conn)
    try:
        info = _checked(wire, url, label, timeout, "INFO", "server")
        version, flavour, mode = "unknown", "unknown", None
        if isinstance(info, ReplyError):
            notes.append(f"INFO not permitted ({str(info)[:60]}): server version unknown")
        else:
            fields = _info_fields(info)  # type: ignore[arg-type]
            if "valkey_version" in fields:
                version, flavour = fields["valkey_version"], "valkey"
            elif "server_name" in fields and fields["server_name"] == "valkey":
                version, flavour = fields.get("redis_version", "unknown"), "valkey"
            else:
                version, flavour = fields.get("redis_version", "unknown"), "redis"
            mode = fields.get("redis_mode") or fields.get("server_mode")
        slots = None
        if mode in (None, "cluster"):
            reply = _checked(wire, url, label, timeout, "CLUSTER", "SLOTS")
            if isinstance(reply, ReplyError):
                if mode == "cluster":
                    raise UserError(f"audit: {redact(url)} is a cluster node but CLUSTER SLOTS failed: {reply}")
                if "disabled" not in str(reply):  # NOPERM or renamed: we cannot tell
                    notes.append(
                        "INFO and CLUSTER SLOTS not permitted: if this is a cluster, only this node was scanned"
                    )
            else:
                slots = reply
        if slots is None:
            return Target(redact(url), "standalone", version, flavour, [seed], notes)
        primaries: list[tuple[str, int]] = []
        seed_host = label.rpartition(":")[0]
        for entry in slots:  # type: ignore[attr-defined]
            node = entry[2]
            host = node[0].decode() if node[0] else seed_host
            addr = (host, int(node[1]))
            if addr not in primaries:
                primaries.append(addr)
        nodes: list[Node] = []
        try:
            for host, port in sorted(primaries):
                if f"{host}:{port}" == label:
                    nodes.append(seed)
                    continue
                w, c, lab = _open(url, timeout, host, port)
                nodes.append(Node(label=lab, wire=w, conn=c))
        except BaseException:
            for n in nodes:
                n.close()
            raise
        if seed not in nodes:
            seed.close()
        return Target(redact(url), "cluster", version, flavour, nodes, notes)
    except BaseException:
        seed.close()
        raise
