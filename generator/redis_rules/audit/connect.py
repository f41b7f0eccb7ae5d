"""Connecting for the audit: URL choice, redaction, timeouts, one-line error messages.

redis-py does the handshake (URL parsing, TLS, AUTH, SELECT) with options that keep it
to commands a read-only ACL user may run: RESP2 (no HELLO), no ``CLIENT SETINFO``
(``lib_name=None, lib_version=None``), no retries. After that the audit uses the
socket through :class:`~redis_rules.audit.wire.Wire`.

Cluster discovery uses ``CLUSTER SLOTS`` on the seed node rather than redis-py's
``RedisCluster``, which also sends ``COMMAND`` (one more permission, and a large reply).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError, one_line
from ..policy import Policy
from ..redact import redact_url, register_url, scrub
from .wire import Deadline, DeadlineExceeded, ProtocolError, ReplyError, Wire, WireClosed, reply_text

DEFAULT_TIMEOUT = 3600.0  # seconds for the whole run (--timeout); a silent server fails after wire.STALL_TIMEOUT
MAX_URL = 4096
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")  # RFC 3986


def tidy_url(url: str) -> str:
    """The URL as it is meant: surrounding whitespace (` redis://…` or a line end from an env file) dropped
    and the scheme in lower case (schemes are case-insensitive, RFC 3986; redis-py compares them as written)."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if sep and _SCHEME.fullmatch(scheme):
        return scheme.lower() + sep + rest
    return url


def resolve_url(url: str | None, policy: Policy) -> str:
    """--url, else the env var the policy names, else REDIS_URL (tidied: `tidy_url`); its credentials are
    registered for scrubbing."""
    if url is not None:
        if not url.strip():  # an unset shell variable: never fall back to another server silently
            raise UserError("audit: --url: must not be empty (leave --url out to use the environment's URL)")
        url = tidy_url(url)
        register_url(url)
        return url
    names = [policy.redis_url_env] if policy.redis_url_env else []
    if "REDIS_URL" not in names:
        names.append("REDIS_URL")
    for name in names:
        value = os.environ.get(name)
        if value:
            if not value.strip():  # set but blank: falling back to the next variable would be another server
                raise UserError(f"audit: {name} holds only whitespace: set it to the server's URL or unset it")
            value = tidy_url(value)
            register_url(value)
            return value
    raise UserError(f"audit: no server given: pass --url or set {' or '.join(names)}")


def redact(url: str) -> str:
    """The URL with its password hidden (userinfo and secret query parameters): redact.redact_url."""
    return redact_url(url)


def check_url(url: str) -> None:
    """Refuse a URL redis-py would misread, before it is parsed: the message never shows the password.

    urllib (and so redis-py) ends the user name and password at the first '/', '?' or '#', so a
    password holding one of them unencoded would be cut and the rest read as the path or fragment.
    """
    if len(url) > MAX_URL or not url.isprintable():
        raise UserError("audit: --url: not a URL (too long, or holds control characters)")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return  # redis-py says what is wrong with it (no secret to show without '://')
    userinfo, at, _ = rest.rpartition("@")
    if at and any(ch in userinfo for ch in "/?#"):
        raise UserError(
            f"audit: {redact_url(url)}: the user name or password holds '/', '?' or '#'; percent-encode them "
            "(%2F, %3F, %23) so the URL can be read"
        )


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
    deadline: Deadline | None = field(default=None, repr=False)

    def close(self) -> None:
        for n in self.nodes:
            n.close()
        if self.deadline is not None:
            self.deadline.cancel()


# the note when INFO is refused; the text report's header says why the version is unknown with it
INFO_DENIED = "INFO not permitted"
_DNS_ERRORS = ("name or service not known", "nodename nor servname", "temporary failure in name")


def _explain(exc: BaseException, url: str, label: str, deadline: Deadline, *, connected: bool = False) -> str:
    """One line saying what went wrong, with a hint; never contains the password. A URL is followed by a
    space, never by ':' (the final redact_text of a message would read it as part of a ?password= value).
    ``connected``: the TCP connection was made, so a timeout means a server that does not answer."""
    import redis.exceptions as rx

    text = one_line(scrub(str(exc)), 300).rstrip(".")
    tls = url.lower().startswith("rediss://")
    where = redact_url(url)
    timeout = deadline.seconds
    tls_hint = " (TLS handshake got no answer: does the server speak TLS? try redis://)" if tls else ""
    silent = f"{label} accepted the connection but did not answer (a stopped, busy or overloaded server?){tls_hint}"
    if isinstance(exc, DeadlineExceeded) or deadline.expired():
        if connected:
            return f"audit: gave up after {timeout:g}s (--timeout): {silent}"
        return f"audit: gave up after {timeout:g}s (--timeout) connecting to {label}{tls_hint}"
    if isinstance(exc, ProtocolError):
        return f"audit: {text}"
    if (
        isinstance(exc, rx.AuthenticationError)
        or "WRONGPASS" in text
        or "NOAUTH" in text
        or "Authentication required" in text
    ):
        if "invalid username-password" in text or "WRONGPASS" in text or "invalid password" in text:
            return f"audit: authentication failed for {where} (wrong user name or password)"
        if "without any password configured" in text or "no password is set" in text:
            return f"audit: {where} has no password set for this user, but the URL gives one: leave it out of the URL"
        if "invalid username or password" in text.lower():
            # redis-py's words for an AUTH answered with anything but OK (a Redis server says WRONGPASS)
            return (
                f"audit: {where} did not answer AUTH with OK: is it a Redis or Valkey server, or a proxy that "
                "does not pass AUTH on?"
            )
        return (
            f"audit: {where} requires authentication: put the credentials in the URL "
            f"(redis://USER:PASSWORD@host:port/0)"
        )
    if isinstance(exc, rx.TimeoutError) or "timed out" in text.lower() or "Timeout" in text:
        if connected:
            return f"audit: timed out after {min(deadline.stall, timeout):g}s: {silent}"
        return f"audit: timed out after {min(deadline.stall, timeout):g}s connecting to {label}{tls_hint}"
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


def _unreadable(url: str, message: str) -> str:
    """Why redis-py could not read ``url`` (its ``message`` said), as far as it can be said without quoting
    the URL: a query parameter is named only when it is one redis-py parses (never a value)."""
    from urllib.parse import urlsplit

    from redis.connection import URL_QUERY_ARGUMENT_PARSERS

    if "scheme" in message:
        return "unknown scheme (use redis://, rediss:// or unix://)"
    try:
        parts = urlsplit(url)
    except ValueError:  # urllib's only complaint here: "Invalid IPv6 URL"
        return "an IPv6 host must be written [address], with both brackets"
    try:
        _ = parts.port
    except ValueError:
        return "the port must be a number from 1 to 65535"
    named = re.search(r"Invalid value for '([a-z_]+)'", message)
    if named and named.group(1) in URL_QUERY_ARGUMENT_PARSERS:
        return f"cannot read the value of {named.group(1)}"
    return "cannot read it"


def _database(text: str) -> int | None:
    """A database number as written in a URL (ASCII digits only: int() also takes '-1', ' 1', '1_0', '١')."""
    return int(text) if text.isascii() and text.isdigit() else None


def _url_problem(url: str) -> str | None:
    """What redis-py would misread in a URL it can parse, or None (one parse for every check):
    - a redis:// or rediss:// path other than empty, `/` or `/DB` (redis-py reads `/abc` as database 0;
      unix:// takes ?db=);
    - a unix:// URL without a socket path (redis-py connects to "" and blames localhost:6379), or with a host
      name, which redis-py drops (`unix://tmp/redis.sock` is the socket /redis.sock);
    - a query parameter the audit cannot use: redis-py hands every one it does not know to the connection as
      a keyword (``?foo=1`` is a TypeError inside it) and lets ``protocol=`` override the RESP2 the audit needs;
    - a parameter given twice, which redis-py settles silently: the first ?name= wins, the user info's user
      name and password win over ?username= and ?password=, ?db= over the path;
    - a ?db= that is not a database number (redis-py skips ?db=, sends SELECT -1, or cannot read ?db=zz).
    Names only: a value (or a misplaced password) is never quoted."""
    import inspect
    from urllib.parse import parse_qsl, unquote, urlsplit

    from redis.connection import SSLConnection

    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        host = parts.hostname
    except ValueError:
        return None  # unreadable: redis-py's own check names what is wrong
    names = [name for name, _ in pairs]
    path = unquote(parts.path).strip("/")
    if parts.scheme in ("redis", "rediss") and not (path == "" or _database(path) is not None):
        return "the path must be /DB, DB a database number such as /0"
    if parts.scheme == "unix":
        if host and host != "localhost":
            return "unix:// takes no host name: the socket path follows the '//' or the '@', unix:///path/to/redis.sock"
        if not path:
            return "the socket path is missing: unix:///path/to/redis.sock"
    tls = parts.scheme == "rediss"
    ssl_names = {n for n in inspect.signature(SSLConnection.__init__).parameters if n.startswith("ssl_")}
    allowed = {"db", "username", "password"} | (ssl_names if tls else set())
    if "protocol" in names:
        return "leave protocol= out: the audit speaks RESP2 itself"
    if any(name not in allowed for name in names):
        extra = ", and ssl_* settings for rediss://" if not tls else ", ssl_*"
        return f"unknown query parameter: the audit reads only db, username, password{extra}"
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if twice:  # a known name (checked above), so it may be shown
        return f"{twice} is given more than once: give it once"
    query = dict(pairs)
    if "db" in query:
        number = _database(query["db"])
        if number is None:
            return "db must be a database number such as db=0"
        if parts.scheme != "unix" and path and _database(path) != number:
            return "the database is given twice, as the path /DB and as db: give it once"
    if parts.password and query.get("password") and unquote(parts.password) != query["password"]:
        return "the password is given twice, in the user info and as password: give it once"
    if parts.username and query.get("username") and unquote(parts.username) != query["username"]:
        return "the user name is given twice, in the user info and as username: give it once"
    return None


def _open(url: str, deadline: Deadline, host: str | None = None, port: int | None = None) -> tuple[Wire, object, str]:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        wait = deadline.op_timeout()
    except DeadlineExceeded:
        raise UserError(f"audit: gave up after {deadline.seconds:g}s (--timeout) before connecting") from None
    if "://" not in url:  # the structure that tells a password from a host is missing: the URL is not shown
        raise UserError(
            "audit: bad URL (it must start with redis://, rediss:// or unix://; not shown, as it may hold a password)"
        )
    problem = _url_problem(url)
    if problem:
        raise UserError(f"audit: bad URL {redact_url(url)} ({problem})")
    try:
        pool = redis.ConnectionPool.from_url(
            url,
            **_no_setinfo(),
            protocol=2,
            socket_connect_timeout=wait,
            socket_timeout=wait,
            retry=Retry(NoBackoff(), 0),
        )
    except (ValueError, TypeError) as exc:
        # redis-py's message can quote the part of the URL it could not read: only its kind is shown
        raise UserError(f"audit: bad URL {redact_url(url)} ({_unreadable(url, str(exc))})") from None
    kwargs = dict(pool.connection_kwargs)
    if host is not None:
        kwargs["host"] = host
        kwargs["port"] = port
    kwargs.pop("orig_host_address", None)
    # redis-py's defaults when the URL leaves them out (`redis://:pw@`, `redis://h/0`)
    label = f"{kwargs.get('host') or 'localhost'}:{kwargs.get('port') or 6379}"
    if "path" in kwargs:
        label = str(kwargs["path"])
    try:
        conn = pool.connection_class(**kwargs)
    except TypeError:  # a URL option this redis-py does not take (its message would quote the option)
        raise UserError(f"audit: bad URL {redact_url(url)} (an option the client does not accept)") from None
    except redis.exceptions.RedisError as exc:  # SSLConnection refuses a value (`ssl_cert_reqs=bogus`)
        what = (
            "ssl_cert_reqs must be none, optional or required"
            if "certificate requirements" in str(exc).lower()
            else "an ssl_* value the client refuses"
        )
        raise UserError(f"audit: bad URL {redact_url(url)} ({what})") from None

    tcp_up: list[bool] = []  # set by the watchdog: the TCP connection was made (redis-py drops _sock on failure)

    def shut_down() -> None:  # the watchdog ends a handshake that trickles past the deadline
        sock = getattr(conn, "_sock", None)
        if sock is not None:
            tcp_up.append(True)
            with contextlib.suppress(OSError):
                sock.shutdown(2)

    deadline.on_expiry(shut_down)
    try:
        conn.connect()
    except (redis.exceptions.RedisError, OSError, ValueError) as exc:
        # a handshake (AUTH, HELLO) that timed out: redis-py reads "Timeout reading", not "connecting"
        connected = bool(tcp_up) or "reading from" in str(exc).lower()
        raise UserError(_explain(exc, url, label, deadline, connected=connected)) from None
    sock = getattr(conn, "_sock", None)
    if sock is None:  # pragma: no cover - redis-py internals changed
        raise UserError("audit: unsupported redis-py version (no socket on the connection)")
    return Wire(sock, label=label, deadline=deadline), conn, label


def _checked(wire: Wire, url: str, label: str, deadline: Deadline, *args: str) -> object:
    """Run one command; turn auth and connection trouble into UserError, return ReplyError."""
    try:
        return wire.command(*args)
    except ReplyError as exc:
        msg = str(exc)
        if msg.startswith(("NOAUTH", "WRONGPASS")):
            raise UserError(_explain(exc, url, label, deadline, connected=True)) from None
        return exc
    except WireClosed as exc:
        raise UserError(_explain(exc, url, label, deadline, connected=True)) from None


def _info_fields(raw: bytes) -> dict[str, str]:
    out = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        if ":" in line and not line.startswith("#"):
            k, _, v = line.partition(":")
            out[k.strip()] = v.strip()
    return out


def _primaries(slots: Any, seed_label: str, label: str) -> list[tuple[str, int]]:
    """(host, port) of each slot range's primary in a CLUSTER SLOTS reply; UserError when malformed."""
    seed_host = seed_label.rpartition(":")[0]
    primaries: list[tuple[str, int]] = []
    if not isinstance(slots, list):
        raise UserError(f"audit: malformed CLUSTER SLOTS reply from {label}")
    for entry in slots:
        node = entry[2] if isinstance(entry, list) and len(entry) >= 3 else None
        if not (isinstance(node, list) and len(node) >= 2 and isinstance(node[0], bytes) and isinstance(node[1], int)):
            raise UserError(f"audit: malformed CLUSTER SLOTS reply from {label}")
        try:
            host = node[0].decode("ascii") if node[0] else seed_host
        except UnicodeDecodeError:
            raise UserError(f"audit: malformed CLUSTER SLOTS reply from {label} (a non-ASCII host)") from None
        if not 0 < node[1] < 65536:
            raise UserError(f"audit: malformed CLUSTER SLOTS reply from {label} (port {node[1]})")
        if (host, node[1]) not in primaries:
            primaries.append((host, node[1]))
    return primaries


def connect(url: str, timeout: float | Deadline = DEFAULT_TIMEOUT) -> Target:
    """Connect, find out what the server is, and open one Wire per primary (all under one deadline)."""
    url = tidy_url(url)
    check_url(url)
    deadline = timeout if isinstance(timeout, Deadline) else Deadline(timeout)
    wire, conn, label = _open(url, deadline)
    notes: list[str] = []
    seed = Node(label=label, wire=wire, conn=conn)
    try:
        info = _checked(wire, url, label, deadline, "INFO", "server")
        version, flavour, mode = "unknown", "unknown", None
        if isinstance(info, ReplyError):
            notes.append(f"{INFO_DENIED} ({reply_text(info)}): server version unknown")
        elif not isinstance(info, bytes):
            raise UserError(f"audit: malformed INFO reply from {label}")
        else:
            fields = _info_fields(info)
            if "valkey_version" in fields:
                version, flavour = fields["valkey_version"], "valkey"
            elif "server_name" in fields and fields["server_name"] == "valkey":
                version, flavour = fields.get("redis_version", "unknown"), "valkey"
            else:
                version, flavour = fields.get("redis_version", "unknown"), "redis"
            mode = fields.get("redis_mode") or fields.get("server_mode")
        slots = None
        if mode in (None, "cluster"):
            reply = _checked(wire, url, label, deadline, "CLUSTER", "SLOTS")
            if isinstance(reply, ReplyError):
                if mode == "cluster":
                    raise UserError(
                        f"audit: {redact_url(url)} is a cluster node but CLUSTER SLOTS failed: {one_line(reply, 200)}"
                    )
                if "disabled" not in str(reply):  # NOPERM or renamed: we cannot tell
                    notes.append(
                        "INFO and CLUSTER SLOTS not permitted: if this is a cluster, only this node was scanned"
                    )
            else:
                slots = reply
        if slots is None:
            return Target(redact_url(url), "standalone", version, flavour, [seed], notes, deadline)
        primaries = _primaries(slots, label, label)
        nodes: list[Node] = []
        try:
            for host, port in sorted(primaries):
                if f"{host}:{port}" == label:
                    nodes.append(seed)
                    continue
                w, c, lab = _open(url, deadline, host, port)
                nodes.append(Node(label=lab, wire=w, conn=c))
        except BaseException:
            for n in nodes:
                n.close()
            raise
        if seed not in nodes:
            seed.close()
        return Target(redact_url(url), "cluster", version, flavour, nodes, notes, deadline)
    except BaseException:
        seed.close()
        if deadline is not timeout:  # made here: nobody else will stop its watchdog
            deadline.cancel()
        raise
