"""Policy checks on one key, and the key-format matcher.

Key names follow the generated key builders: segments joined by ':'; inside a segment
'%', ':', '{', '}', whitespace and control characters are percent-encoded (uppercase
hex); a segment may be wrapped as a cluster hash tag ``{x}`` (read as ``x``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UserError
from ..policy import Policy


@dataclass(frozen=True)
class AuditCheck:
    """One live-keyspace check: its stable name, the rule it enforces, and what it reports."""

    name: str
    rule: str
    summary: str


# The audit check registry: declared once; the report, `--fail-on` and `redis-rules rules` read it.
REGISTRY: tuple[AuditCheck, ...] = (
    AuditCheck("no-ttl", "RR002", "keys without a TTL (outside the policy's persistent_keys)"),
    AuditCheck("bad-name", "RR001", "key names that do not follow the policy's key_format"),
    AuditCheck("wrong-env", "RR025", "keys of another environment than --env"),
    AuditCheck("ttl-too-long", "RR026", "TTLs longer than the largest TTL class plus jitter"),
    AuditCheck("big-key", "RR008", "keys over the big-key thresholds (bytes or elements)"),
    AuditCheck("stream-too-long", "RR016", "streams longer than the policy's stream_maxlen"),
)
# check name -> rule id (stable, part of the JSON format)
CHECKS: dict[str, str] = {c.name: c.rule for c in REGISTRY}
DEFAULT_FAIL_ON = ("no-ttl", "wrong-env")

_PLACEHOLDER = re.compile(r"^\{([a-z_][a-z0-9_]*)\}$")
# domain and entity names, as keys.py allows them (its _NAME_RE): cache_key's "user_card.v2" has a dot
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
# characters that must not appear raw inside a segment (they are percent-encoded)
_RAW_FORBIDDEN = re.compile(r"[{}\s\x00-\x1f\x7f]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-F]{2})")
# an {id} that needs no closer look: escapes well-formed, nothing raw that must be encoded
_SAFE_ID = re.compile(r"(?:[^%{}\s\x00-\x1f\x7f\udc80-\udcff]|%[0-9A-F]{2})+")
MAX_GROUPS = 100_000  # distinct namespaces tracked; more go to "(too many namespaces)"
_SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


def parse_fail_on(text: str) -> frozenset[str]:
    value = text.strip().lower()
    if value in ("", "none"):
        return frozenset()
    if value == "all":
        return frozenset(CHECKS)
    names: set[str] = set()
    unknown: list[str] = []
    for entry in (n.strip() for n in text.split(",")):
        if not entry:
            continue
        found = checks_named(entry)
        if found:
            names |= found
        else:
            unknown.append(entry)
    if unknown:
        raise UserError(
            f"audit: --fail-on: unknown check(s) {', '.join(sorted(unknown))} "
            f"(allowed: {', '.join(CHECKS)}, a rule id or name they enforce, all, none)"
        )
    return frozenset(names)


def checks_named(name: str) -> set[str]:
    """The audit checks `name` selects: a check name, or a rule id (RR002) / rule name (ttl-on-every-key)."""
    if name.lower() in CHECKS:
        return {name.lower()}
    by_rule = {c.name for c in REGISTRY if c.rule == name.upper()}
    if by_rule:
        return by_rule
    from ..rulesets import load_rules

    ids = {r.id for r in load_rules() if r.name == name}
    return {c.name for c in REGISTRY if c.rule in ids}


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
}


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise UserError(f"audit: --big: bad size {text!r} (e.g. 512KB, 1MB, 1048576)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def parse_big(text: str | None, policy: Policy) -> tuple[int, int]:
    """``bytes=1MB,elements=10000`` -> (bytes, elements); missing parts from policy.audit."""
    big_bytes, big_elements = policy.audit.big_key_bytes, policy.audit.big_key_elements
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep:
            raise UserError(f"audit: --big: expected NAME=VALUE, got {part!r} (names: bytes, elements)")
        if name == "bytes":
            big_bytes = parse_size(value)
            if big_bytes < 1:
                raise UserError(f"audit: --big: bytes must be at least 1 byte, got {value!r}")
        elif name == "elements":
            try:
                big_elements = int(value.strip().replace("_", ""))
            except ValueError:
                big_elements = 0
            if big_elements < 1:  # as the policy's audit.big_key_elements (minimum 1)
                raise UserError(f"audit: --big: elements must be an integer of at least 1, got {value!r}") from None
        else:
            raise UserError(f"audit: --big: unknown threshold {name!r} (names: bytes, elements)")
    return big_bytes, big_elements


class NameResult:
    """Outcome of matching one key name: ``failed`` names the placeholder (or literal) that
    did not match, with ``reason``; ``env`` is the env segment when the shape fits; ``path``
    is the namespace (segments before {id}); ``stats`` is the mutable per-namespace counter
    list ``[keys, keys without TTL, memory]`` shared by every key of that namespace."""

    __slots__ = ("failed", "reason", "env", "path", "stats")

    def __init__(
        self, failed: str | None, reason: str, env: str | None, path: tuple[str, ...], stats: list[int]
    ) -> None:
        self.failed, self.reason, self.env, self.path, self.stats = failed, reason, env, path, stats

    def __repr__(self) -> str:
        return f"NameResult(failed={self.failed!r}, reason={self.reason!r}, env={self.env!r}, path={self.path!r})"


class KeyFormat:
    """Matches key names against a format like ``{app}:{env}:{domain}:{entity}:{id}``."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.text = policy.key_format
        self.segments: list[tuple[bool, str]] = []  # (is_placeholder, name or literal)
        for seg in self.text.split(":"):
            m = _PLACEHOLDER.match(seg)
            self.segments.append((True, m.group(1)) if m else (False, seg))
        self.width = len(self.segments)
        names = [name for is_ph, name in self.segments if is_ph]
        self.env_index = next((i for i, (p, n) in enumerate(self.segments) if p and n == "env"), None)
        # the namespace tree covers the segments before the last placeholder ({id})
        self.tree_depth = max(
            (i for i, (p, _n) in enumerate(self.segments) if p and (_n == "id")), default=self.width - 1
        )
        self.has_env = "env" in names
        self.environments = set(policy.environments)
        self._cache: dict[tuple[str, ...], NameResult] = {}
        self._off_cache: dict[tuple[str, int], NameResult] = {}
        # namespace path -> [keys, keys without TTL, memory]; read by the report
        self.groups: dict[tuple[str, ...], list[int]] = {}
        self._overflow = ("(too many namespaces)",)
        self._tail = [(i, self.segments[i]) for i in range(self.tree_depth, self.width)]

    def _check_segment(self, index: int, value: str) -> str | None:
        """Why the segment at ``index`` fails, or None."""
        is_ph, name = self.segments[index]
        if not is_ph:
            return None if value == name else f"expected literal {name!r}"
        if _SURROGATE.search(value):
            return "not valid UTF-8"
        if _RAW_FORBIDDEN.search(value):
            return "contains a raw '{', '}', whitespace or control character (must be %-encoded)"
        if _BAD_PERCENT.search(value):
            return "bad %-escape (use %XX, uppercase hex)"
        if name == "id":
            return None if value else "empty"
        if name == "app":
            return None if value == self.policy.app else f"expected {self.policy.app!r}"
        if name == "env":
            return None if value in self.environments else (f"not one of {', '.join(self.policy.environments)}")
        if name in ("domain", "entity"):
            return None if _NAME.match(value) else "must match [a-z0-9][a-z0-9_.-]*"
        return None if value else "empty"

    def _group(self, path: tuple[str, ...]) -> list[int]:
        stats = self.groups.get(path)
        if stats is None:
            if len(self.groups) >= MAX_GROUPS:
                path = self._overflow
                stats = self.groups.get(path)
                if stats is not None:
                    return stats
            stats = self.groups[path] = [0, 0, 0]
        return stats

    def _off_format(self, parts: list[str]) -> NameResult:
        ck = (parts[0] if len(parts) > 1 else "", len(parts))
        hit = self._off_cache.get(ck)
        if hit is None:
            path = ("(off-format)", _short(parts[0]) if len(parts) > 1 else "(no ':')")
            hit = NameResult(
                "segments",
                f"{len(parts)} ':'-separated segments, format {self.text} has {self.width}",
                None,
                path,
                self._group(path),
            )
            if len(self._off_cache) < MAX_GROUPS:
                self._off_cache[ck] = hit
        return hit

    def _prefix(self, prefix: tuple[str, ...]) -> NameResult:
        failed, reason = None, ""
        for i, value in enumerate(prefix):
            why = self._check_segment(i, value)
            if why:
                failed, reason = self._label(i), why
                break
        env = prefix[self.env_index] if self.env_index is not None and self.env_index < len(prefix) else None
        path = tuple(_short(v) for v in prefix)
        hit = NameResult(failed, reason, env, path, self._group(path))
        if len(self._cache) < MAX_GROUPS:
            self._cache[prefix] = hit
        return hit

    def match(self, name: str) -> NameResult:
        parts = name.split(":")
        if len(parts) != self.width:
            return self._off_format(parts)
        if "{" in name:  # hash tags: a segment {x} is read as x
            parts = [p[1:-1] if len(p) >= 2 and p[0] == "{" and p[-1] == "}" else p for p in parts]
        depth = self.tree_depth
        prefix = tuple(parts[:depth])
        hit = self._cache.get(prefix)
        if hit is None:
            hit = self._prefix(prefix)
        if hit.failed is not None:
            return hit
        for i, (is_ph, seg_name) in self._tail:
            value = parts[i]
            if is_ph and seg_name == "id" and _SAFE_ID.fullmatch(value):
                continue
            why = self._check_segment(i, value)
            if why:
                return NameResult(self._label(i), why, hit.env, hit.path, hit.stats)
        if self.env_index is not None and self.env_index >= depth:
            return NameResult(None, "", parts[self.env_index], hit.path, hit.stats)
        return hit

    def _label(self, index: int) -> str:
        is_ph, name = self.segments[index]
        return name if is_ph else f"literal {name!r}"


def _printable(text: str) -> str:
    """The one escaping of key names for display (text report and JSON alike): ASCII control characters as `\\n`,
    `\\x1b`, ..., other unprintable characters as `\\u2028`, undecodable bytes as `\\xNN` and a backslash as `\\\\`,
    so no two names print alike: a key holding the text `\\x1b` never prints like one holding an ESC byte."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch.isprintable():
            out.append(ch)
        elif "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch < "\x80":  # \n, \t, \x1b, \x7f
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:  # U+0085 as \u0085: `\x85` is the undecodable byte 0x85
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return "".join(out)


def _short(text: str, limit: int = 60) -> str:
    text = _printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_key(key: bytes) -> str:
    """A key name for output: UTF-8 as is; other bytes as ``\\xNN``; control chars escaped; ``\\`` doubled."""
    return _printable(key.decode("utf-8", "surrogateescape"))
