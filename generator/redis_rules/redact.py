"""Keeping credentials out of every output, log, report and error message.

Two layers:
- structural: `redact_url` hides the userinfo password (or a userinfo that may be a token) and
  secret-looking query parameters of one URL; `redact_text` does the same for every URL inside a
  free text (a git or copier error quoting a command line). Neither relies on `urllib.parse`, which
  cuts a URL at the first `#`, `?` or `/` of an unencoded password and so would print the rest of it.
- a safety net: secrets registered with `register_secret` (the password of the URL being used, a
  token read from the environment) are replaced wherever they appear in text that goes out
  (`scrub`). Only secrets of at least `MIN_SECRET` characters are registered, so a short password
  cannot blank out ordinary words; the structural layer covers those.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

MASK = "***"
MIN_SECRET = 6
# query parameters whose values are credentials (redis-py takes ?password=)
_SECRET_PARAM = re.compile(r"(?i)pass|pwd|token|secret|auth|key|credential")
# a user name shown as is: an ACL user, never a token-like blob
_PLAIN_USER = re.compile(r"[A-Za-z0-9._-]{1,32}")
_REDIS_SCHEMES = ("redis", "rediss", "valkey", "valkeys", "unix")
# scheme://userinfo@ inside free text: the userinfo runs to the last '@' before whitespace or a quote. Any
# number of slashes: a URL taken for a path comes back with `//` collapsed (`redis:/:pw@host/0`).
_URL_IN_TEXT = re.compile(r"(?P<name>\b[A-Za-z][A-Za-z0-9+.-]*):(?P<slashes>/+)(?P<rest>[^\s'\"<>`]+)")
# host:port style text with a userinfo but no `//` (`redis:pw@h`, `redis//:pw@h`, `user:pw@h`): a URL typed
# wrong. Everything between the first ':' and the last '@' is hidden; a secret never starts with '/', so a
# URL the pattern above already redacted (`redis://:***@h`, `redis://alice@h`) is left as it is.
_BARE_USERINFO = re.compile(
    r"(?<![\w/:.+-])(?P<head>[A-Za-z][A-Za-z0-9+._-]*/*):(?!/)(?P<secret>[^\s'\"<>`]*)@(?P<host>[^\s'\"<>`@]+)"
)
_registered: set[str] = set()


def _split(url: str) -> tuple[str, str | None, str]:
    """(scheme with '://', userinfo or None, the rest after '@'); the userinfo ends at the last '@'."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "", None, url
    if "@" not in rest:
        return scheme + sep, None, rest
    userinfo, _, host = rest.rpartition("@")
    return scheme + sep, userinfo, host


def _redact_query(rest: str) -> str:
    head, sep, query = rest.partition("?")
    if not sep:
        return rest
    query, hash_sep, fragment = query.partition("#")
    pairs = []
    for pair in query.split("&"):
        name, eq, _ = pair.partition("=")
        pairs.append(f"{name}={MASK}" if eq and _SECRET_PARAM.search(name) else pair)
    return head + "?" + "&".join(pairs) + hash_sep + fragment


def redact_url(url: str) -> str:
    """The URL with its password (and a user name that may be a token) shown as ``***``.

    ``redis://alice:pw@h:6379/0`` -> ``redis://alice:***@h:6379/0``;
    ``https://TOKEN@git.example/x.git`` -> ``https://***@git.example/x.git``; ``?password=x`` -> ``?password=***``.
    A password holding unencoded ``#``, ``/``, ``?`` or ``@`` is hidden whole (the userinfo ends at the last ``@``).
    """
    if "://" not in url:  # typed wrong (`redis:/:pw@h`, `redis:pw@h`): read as free text
        return redact_text(url)
    scheme, userinfo, rest = _split(url)
    rest = _redact_query(rest)
    if userinfo is None:
        return scheme + rest
    user, colon, _ = userinfo.partition(":")
    redis_like = scheme[:-3].lower() in _REDIS_SCHEMES
    if colon:
        shown = user if _PLAIN_USER.fullmatch(user) or not user else MASK
        return f"{scheme}{shown}:{MASK}@{rest}"
    if (redis_like and _PLAIN_USER.fullmatch(user)) or user == "git":
        return f"{scheme}{user}@{rest}"  # an ACL user name alone, or ssh's `git@`
    return f"{scheme}{MASK}@{rest}"


def has_credentials(url: str) -> bool:
    """Does the URL carry a password, a token as user name, or a secret query parameter?"""
    return redact_url(url) != url


def url_secrets(url: str) -> list[str]:
    """The credential parts of a URL, raw and percent-decoded (for `register_secret`).

    Ambiguous URLs (an unencoded '@', '/', '?' or '#' in a password or a query value) are read both
    ways, and every candidate is returned: masking a little more is harmless, missing a secret is not.
    """
    _, userinfo, _ = _split(url)
    found: list[str] = []
    if "://" not in url:  # a URL typed wrong (`redis:pw@h`): what _BARE_USERINFO hides
        found += [m.group("secret") for m in _BARE_USERINFO.finditer(url)]
    if userinfo is not None:
        user, colon, password = userinfo.partition(":")
        found += [password] if colon else [user]
    # the query read from the first '?' of the whole URL too: a query value may hold the '@' _split ends at
    _, sep, query = url.partition("?")
    if sep:
        for pair in query.partition("#")[0].split("&"):
            name, eq, value = pair.partition("=")
            if eq and _SECRET_PARAM.search(name):
                found.append(value)
    return [form for value in found for form in {value, unquote(value)} if form]


def register_secret(value: str | None) -> None:
    """Remember a credential so `scrub` removes it from any text that goes out (long enough ones only)."""
    if not value or len(value) < MIN_SECRET:
        return
    _registered.update({value, quote(value, safe=""), quote(value, safe=":/@")})


def register_url(url: str | None) -> None:
    for secret in url_secrets(url or ""):
        register_secret(secret)


def forget_secrets() -> None:
    """Drop the registered secrets (the CLI does it after each run; tests call main() many times)."""
    _registered.clear()


def scrub(text: str) -> str:
    """`text` with URL credentials redacted and every registered secret replaced by ``***``."""
    text = redact_text(text)
    for secret in sorted(_registered, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_text(text: str) -> str:
    """Every ``scheme://user:password@`` inside free text with its credentials hidden (also with one
    slash or three: a URL passed where a path was expected is printed with its ``//`` collapsed), and the
    userinfo of a URL typed without ``//`` (``redis:pw@host``)."""
    return _BARE_USERINFO.sub(_mask_bare, _URL_IN_TEXT.sub(_redact_match, text))


def _mask_bare(m: re.Match[str]) -> str:
    return f"{m.group('head')}:{MASK}@{m.group('host')}"


def _redact_match(m: re.Match[str]) -> str:
    """One URL of `redact_text`, read as ``name://rest`` and given back with its own slashes."""
    name, slashes = m.group("name"), m.group("slashes")
    redacted = redact_url(f"{name}://{m.group('rest')}")
    return f"{name}:{slashes}{redacted[len(name) + 3 :]}"


def git_failure(exc: BaseException) -> str:
    """The line that says why git (run by Copier through plumbum) failed, redacted: plumbum's message is
    "Unexpected exit code ... Command line: | git ... Stderr: | fatal: ...", and its last line is git's own."""
    lines = [
        re.sub(r"^(?:Stderr|Stdout):\s*", "", line.strip()).lstrip("| ")
        for line in redact_text(str(exc)).splitlines()
        if line.strip()
    ]
    # git's reasons start with fatal:/error: (ssh's with ssh:); after them come hints ("Please make sure you have
    # the correct access rights / and the repository exists."), whose last line says nothing (trial 20)
    reasons = [line for line in lines if re.match(r"(?:fatal|error|ssh|remote):", line)]
    if reasons:
        return "; ".join(dict.fromkeys(reasons[:3]))
    return lines[-1] if lines else type(exc).__name__
