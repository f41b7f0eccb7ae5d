"""Audit pieces that need no server: key-format matcher, option parsing, redaction, rate limiter, RESP."""

from __future__ import annotations

import socket
import threading

import pytest

from redis_rules.audit.checks import KeyFormat, display_key, parse_big, parse_fail_on, parse_size
from redis_rules.audit.connect import redact, resolve_url
from redis_rules.audit.scanner import Scanner, TokenBucket
from redis_rules.audit.wire import ReplyError, Wire, WireClosed, pack, reply_text
from redis_rules.errors import UserError
from redis_rules.policy import AuditPolicy, Policy


def _policy(**kw) -> Policy:
    return Policy(app="shop", **kw)


@pytest.mark.parametrize(
    ("key", "failed"),
    [
        ("shop:prod:cart:item:42", None),
        ("shop:prod:cart:item:{42}", None),  # cluster hash tag around the id
        ("shop:prod:cart:item:a%3Ab%20c", None),  # percent-encoded ':' and space
        ("shop:prod:cart-2:item_x:Ab", None),
        ("shop:prod:cart:item", "segments"),
        ("shop:prod:cart:item:1:2", "segments"),
        ("other:prod:cart:item:1", "app"),
        ("shop:qa:cart:item:1", "env"),
        ("shop:prod:Cart:item:1", "domain"),
        ("shop:prod:cart:It em:1", "entity"),
        ("shop:prod:cart:item:", "id"),
        ("shop:prod:cart:item:{}", "id"),
        ("shop:prod:cart:item:a b", "id"),  # raw whitespace must be encoded
        ("shop:prod:cart:item:a{b", "id"),
        ("shop:prod:cart:item:50%", "id"),  # bad escape
        ("shop:prod:cart:item:%3a", "id"),  # lowercase hex is not what the builders write
    ],
)
def test_key_format_default(key, failed):
    result = KeyFormat(_policy()).match(key)
    assert result.failed == failed, result.reason


def test_key_format_non_utf8_names_the_segment():
    fmt = KeyFormat(_policy())
    name = b"shop:prod:c\xffrt:item:1".decode("utf-8", "surrogateescape")
    res = fmt.match(name)
    assert res.failed == "domain" and "UTF-8" in res.reason
    assert res.path == ("shop", "prod", "c\\xffrt", "item")


def test_key_format_with_literal_and_no_app():
    fmt = KeyFormat(_policy(key_format="v1:{env}:{domain}:{entity}:{id}"))
    assert fmt.match("v1:prod:cart:item:1").failed is None
    res = fmt.match("v2:prod:cart:item:1")
    assert res.failed == "literal 'v1'"
    assert fmt.match("v1:dev:cart:item:1").env == "dev"
    no_env = KeyFormat(_policy(key_format="{app}:{domain}:{id}"))
    assert not no_env.has_env and no_env.match("shop:cart:1").env is None


def test_key_format_path_for_tree():
    fmt = KeyFormat(_policy())
    assert fmt.match("shop:prod:cart:item:1").path == ("shop", "prod", "cart", "item")
    assert fmt.match("legacy:thing").path == ("(off-format)", "legacy")
    assert fmt.match("plain").path == ("(off-format)", "(no ':')")


def test_display_key_escapes_binary_and_control_chars():
    assert display_key(b"shop:prod:x:y:1") == "shop:prod:x:y:1"
    assert display_key("café".encode()) == "café"
    assert display_key(b"\x00\xffa\n") == "\\x00\\xffa\\n"
    # injective: a backslash is doubled, so the text `\x1b` never reads like an ESC byte (nor `\xff` like a byte)
    assert display_key(b"back\\x1bslash") == r"back\\x1bslash"
    assert display_key(b"back\x1bslash") == r"back\x1bslash"
    assert display_key(b"a\\xff") == r"a\\xff" != display_key(b"a\xff")
    assert display_key(b"a\\") == "a\\\\" and display_key(b"\\n") == r"\\n" != display_key(b"\n")
    assert display_key(b"\x85") == r"\x85" != display_key("\x85".encode()) == r"\u0085"  # a byte, a character
    assert display_key("a\u2028b\U000e0001".encode()) == r"a\u2028b\U000e0001"


def test_parse_fail_on():
    assert parse_fail_on("no-ttl,wrong-env") == {"no-ttl", "wrong-env"}
    assert parse_fail_on("none") == frozenset()
    assert len(parse_fail_on("all")) == 6
    with pytest.raises(UserError, match="unknown check"):
        parse_fail_on("no-ttl,nope")


def test_parse_big_and_sizes():
    policy = _policy(audit=AuditPolicy(big_key_bytes=100, big_key_elements=7))
    assert parse_big(None, policy) == (100, 7)
    assert parse_big("bytes=1MB,elements=10000", policy) == (1_048_576, 10_000)
    assert parse_big("elements=5", policy) == (100, 5)
    assert parse_size("512KB") == 524_288 and parse_size("2048") == 2048
    for bad in ("bytes", "size=1", "bytes=1XB", "elements=many", "elements=-1", "elements=0", "bytes=0", "bytes=0.1"):
        with pytest.raises(UserError):
            parse_big(bad, policy)
    with pytest.raises(UserError, match=r"^audit: --big: elements must be an integer of at least 1, got '-1'$"):
        parse_big("elements=-1", policy)  # was accepted: every key with an element was big (fresh-user trial 12)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://user:pw@host:6379/0", "redis://user:***@host:6379/0"),
        ("rediss://:secret@host:6380/1", "rediss://:***@host:6380/1"),
        ("redis://host:6379/0", "redis://host:6379/0"),
        ("redis://user@host:6379/0", "redis://user@host:6379/0"),
        ("redis://h:1/0?password=abc&x=1", "redis://h:1/0?password=***&x=1"),
        ("redis://u:p%40ss@h:1/0", "redis://u:***@h:1/0"),
    ],
)
def test_redact(url, shown):
    assert redact(url) == shown


def test_resolve_url_order(monkeypatch):
    policy = _policy(redis_url_env="SHOP_URL")
    monkeypatch.setenv("REDIS_URL", "redis://fallback/0")
    monkeypatch.delenv("SHOP_URL", raising=False)
    assert resolve_url(None, policy) == "redis://fallback/0"
    monkeypatch.setenv("SHOP_URL", "redis://named/0")
    assert resolve_url(None, policy) == "redis://named/0"
    assert resolve_url("redis://given/0", policy) == "redis://given/0"
    monkeypatch.delenv("SHOP_URL")
    monkeypatch.delenv("REDIS_URL")
    with pytest.raises(UserError, match="SHOP_URL or REDIS_URL"):
        resolve_url(None, policy)


def test_token_bucket_bounds_rate_with_fake_clock():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    bucket = TokenBucket(1000, clock=lambda: now[0], sleep=sleep)
    for _ in range(50):
        bucket.acquire(100)  # 5000 keys
    # 5000 keys at 1000/s with a 100-key burst: at least 4.9 s
    assert now[0] >= 4.9
    assert now[0] <= 5.0 + 1e-9


def test_split_quota():
    assert Scanner._split_quota(1000, [100, 300, 600]) == [100, 300, 600]
    assert sum(Scanner._split_quota(1001, [1, 1, 1])) == 1001
    assert Scanner._split_quota(10, [5]) == [10]
    assert Scanner._split_quota(9, [None, 3, 4]) == [3, 3, 3]


def _wire_with(reply: bytes) -> tuple[Wire, socket.socket]:
    a, b = socket.socketpair()
    a.settimeout(2)

    def feed():
        # dribble the reply one small chunk at a time to exercise buffering
        for i in range(0, len(reply), 3):
            b.sendall(reply[i : i + 3])

    t = threading.Thread(target=feed)
    t.start()
    t.join()
    return Wire(a, label="test:0"), b


def test_wire_parses_replies_across_chunks():
    payload = (
        b"*2\r\n$1\r\n0\r\n*2\r\n$5\r\na\r\nb\xff\r\n$0\r\n\r\n"  # SCAN reply with a CRLF inside a key
        b"+string\r\n:-1\r\n$-1\r\n-NOPERM no\r\n:42\r\n"
    )
    wire, other = _wire_with(payload)
    assert wire.read_reply() == [b"0", [b"a\r\nb\xff", b""]]
    assert wire.read_lines(3) == [b"+string", b":-1", b"$-1"]
    err = wire.read_reply()
    assert isinstance(err, ReplyError) and str(err) == "NOPERM no"
    assert wire.read_reply() == 42
    other.close()
    with pytest.raises(WireClosed):
        wire.read_reply()
    wire.sock.close()


def test_pack():
    assert pack([b"TYPE", b"k"]) == b"*2\r\n$4\r\nTYPE\r\n$1\r\nk\r\n"


def test_every_generated_key_builder_passes_the_name_check(tmp_path, monkeypatch):
    """The audit's bad-name check accepts every key the generated keys.py builds (cache and limiter
    entities carry dots: `user_card.v2`, `login.ip.100-60000ms`)."""
    import importlib.util
    import sys

    from redis_rules.audit.checks import KeyFormat
    from redis_rules.policy import load_policy
    from tests.conftest import render

    project = render(tmp_path / "p", flavour="cluster")
    spec = importlib.util.spec_from_file_location("generated_keys", project / "my_service/db/redis/keys.py")
    assert spec and spec.loader
    keys = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "generated_keys", keys)
    spec.loader.exec_module(keys)
    monkeypatch.setenv("APP_ENV", "prod")
    built = [
        keys.session_key("Tk3 xY:z"),
        keys.user_sessions_key(42),
        keys.user_profile_key(42),
        keys.cache_key("user_card", 2, "a b"),
        keys.cache_lock_key("x"),
        keys.cache_tag_key("user:42"),
        *keys.rate_limit_bucket_keys("login", "ip", "2001:db8::1", "sliding_window", limit=5, window=0.5),
        *keys.rate_limit_bucket_keys("login", "ip", "1.2.3.4", "token_bucket"),
        keys.idempotency_key("payments", "req-1"),
        keys.stream_key("events"),
        keys.dead_letter_stream_key("events"),
        keys.lock_key("nightly-report"),
    ]
    fmt = KeyFormat(load_policy(project / ".redis-rules.yml"))
    for key in built:
        assert fmt.match(key).failed is None, (key, fmt.match(key).reason)


def test_a_server_reply_in_a_note_is_whole_or_cut_at_a_word_boundary() -> None:
    real = "NOPERM this user has no permissions to run the 'dbsize' command"
    assert reply_text(ReplyError(real)) == real  # was cut to "... run the 'db"
    long = "NOPERM " + " ".join(f"word{i}" for i in range(60))
    shown = reply_text(long, 80)
    assert len(shown) <= 80 and shown.endswith("…")
    assert long.startswith(shown[:-1]) and long[len(shown) - 1] == " "  # ends where a word ends
    assert reply_text("ERR bad\x1b[31mred\n") == "ERR bad\\x1b[31mred"  # a hostile server drives no terminal
