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

# check name -> rule id (stable, part of the JSON format)
CHECKS: dict[str, str] = {
    "no-ttl": "RR002",
    "bad-name": "RR001",
    "wrong-env": "RR025",
    "ttl-too-long": "RR026",
    "big-key": "RR008",
    "stream-too-long": "RR016",
}
DEFAULT_FAIL_ON = ("no-ttl", "wrong-env")

_PLACEHOLDER = re.compile(r"^\{([a-z_][a-z0-9_]*)\}$")
_LOWER = re.compile(r"^[a-z0-9_-]+$")
# characters that must not appear raw inside a segment (they are percent-encoded)
_RAW_FORBIDDEN = re.compile(r"[{}\s\x00-\x1f\x7f]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-F]{2})")
_SURROGATE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


def parse_fail_on(text: str) -> frozenset[str]:
    value = text.strip().lower()
    if value in ("", "none"):
        return frozenset()
    if value == "all":
        return frozenset(CHECKS)
    names = {n.strip() for n in value.split(",") if n.strip()}
    unknown = names - set(CHECKS)
    if unknown:
        raise UserError(
            f"audit: --fail-on: unknown check(s) {', '.join(sorted(unknown))} "
            f"(allowed: {', '.join(CHECKS)}, all, none)"
        )
    return frozenset(names)


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2,
          "g": 1024**3, "gb": 1024**3, "gib": 1024**3}


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
        elif name == "elements":
            try:
                big_elements = int(value.strip().replace("_", ""))
            except ValueError:
                raise UserError(f"audit: --big: elements must be an integer, got {value!r}") from None
        else:
            raise UserError(f"audit: --big: unknown threshold {name!r} (names: bytes, elements)")
    return big_bytes, big_elements


@dataclass(frozen=True)
class NameResult:
    """Outcome of matching one key name: ``failed`` names the placeholder (or literal) that
    did not match, with ``reason``; ``env`` is the env segment when the shape fits."""

    failed: str | None
    reason: str
    env: str | None
    path: tuple[str, ...]  # namespace path (segments before {id}) for the tree


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
        self._cache: dict[tuple[str, ...], tuple[str | None, str]] = {}

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
            return None if value in self.environments else (
                f"not one of {', '.join(self.policy.environments)}")
        if name in ("domain", "entity"):
            return None if _LOWER.match(value) else "must match [a-z0-9_-]+"
        return None if value else "empty"

    def match(self, name: str) -> NameResult:
        parts = name.split(":")
        if len(parts) != self.width:
            return NameResult(
                "segments",
                f"{len(parts)} ':'-separated segments, format {self.text} has {self.width}",
                None,
                ("(off-format)", _short(parts[0]) if len(parts) > 1 else "(no ':')"),
            )
        values = [p[1:-1] if len(p) >= 2 and p[0] == "{" and p[-1] == "}" else p for p in parts]
        prefix = tuple(values[: self.tree_depth])
        cached = self._cache.get(prefix)
        if cached is None:
            cached = (None, "")
            for i in range(self.tree_depth):
                why = self._check_segment(i, values[i])
                if why:
                    cached = (self._label(i), why)
                    break
            if len(self._cache) < 100_000:
                self._cache[prefix] = cached
        failed, reason = cached
        if failed is None:
            for i in range(self.tree_depth, self.width):
                why = self._check_segment(i, values[i])
                if why:
                    failed, reason = self._label(i), why
                    break
        env = values[self.env_index] if self.env_index is not None else None
        return NameResult(failed, reason, env, tuple(_short(v) for v in prefix))

    def _label(self, index: int) -> str:
        is_ph, name = self.segments[index]
        return name if is_ph else f"literal {name!r}"


def _printable(text: str) -> str:
    """Escape what a terminal would not show: control characters and undecodable bytes."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _short(text: str, limit: int = 60) -> str:
    text = _printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_key(key: bytes) -> str:
    """A key name for output: UTF-8 as is; other bytes as ``\\xNN``; control chars escaped."""
    return _printable(key.decode("utf-8", "surrogateescape"))
