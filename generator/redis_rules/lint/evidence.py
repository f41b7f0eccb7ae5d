"""Evidence about keys and functions that the Python and TypeScript checks share (language-free parts).

- Whether a key is meant to expire (RR002 outside a redis-rules project): a key named for something
  short-lived (`session`, `cache`, `token`, `lock`, ...) is; a durable record (a user, an index, a
  registry, a schedule) is not, and its TTL is `audit`'s no-ttl check.
- Whether the path that writes without a TTL is an explicit opt-out (`if (this.disableTTL)`, the branch
  for a duration that is not positive) rather than an optional TTL that is absent by default.
- Whether a function pages its result (`limit`/`offset` parameters): a whole-collection read inside it
  reads everything to return one page (RR008).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# words (of identifiers and key literals, split at case changes and separators) naming data that is
# short-lived by nature: written without a TTL it stays forever although nothing will ever read it again
SHORT_LIVED = frozenset(
    {
        *("session", "sessions", "sess", "sid", "cache", "caches", "cached", "caching"),
        *("token", "tokens", "nonce", "nonces", "otp", "csrf", "captcha", "verification"),
        *("lock", "locks", "mutex", "semaphore", "lease"),
        *("temp", "tmp", "transient", "ephemeral"),
    }
)
# words that, after a short-lived one, name a counter about it, a durable metric: `stats:cache_hits`,
# `session_count`, `token:usage` (trial 17)
METRIC_WORDS = frozenset(
    {"hit", "hits", "miss", "misses", "count", "counts", "counter", "stats", "total", "ratio", "usage", "metrics"}
)
# a TTL switched off on purpose: `disableTTL`, `no_ttl`, `skipExpiry`, `persistent`
OPT_OUT_FLAG = re.compile(
    r"(?:disable|no|skip|without|ignore)_?(?:ttl|expir\w*|timeout)|persist\w*|never_?expire", re.IGNORECASE
)
# parameters (or destructured options) of a function that returns one page of a collection
PAGING = frozenset({"limit", "offset", "page", "pagesize", "perpage", "skip", "top", "take", "pagenumber"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def words(text: str) -> list[str]:
    """`sessionByUserIdKeyPrefix` -> [session, by, user, id, key, prefix]; `ICacheItem` -> [i, cache, item];
    `rate_limit:{id}` -> [rate, limit, id]. Lowercase."""
    return [w.lower() for w in _WORD.findall(text)]


def short_lived(texts: Iterable[str]) -> str | None:
    """The first short-lived word in these names or literals, or None. Key literals (`"session:"`, with a `:`)
    come first: `f"session:{sid}"` is a session key, not a "sid" one (trial 14). A word followed by a metric
    word names a counter, no short-lived data: `stats:cache_hits`, `session_count` (trial 17)."""
    texts = list(texts)
    for text in sorted(texts, key=lambda t: ":" not in t):  # stable: otherwise in the order given
        ws = words(text)
        for i, w in enumerate(ws):
            if w in SHORT_LIVED and (i + 1 == len(ws) or ws[i + 1] not in METRIC_WORDS):
                return w
    return None


def with_article(word: str) -> str:
    """`an otp`, `a session`: the word with its indefinite article (by its first letter, as these words read)."""
    return f"{'an' if word[:1].lower() in 'aeio' else 'a'} {word}"


def opt_out_flag(name: str) -> bool:
    """A flag whose name says the TTL is switched off (`this.disableTTL`, `no_expiry`, `persistent`)."""
    return bool(OPT_OUT_FLAG.search(name.rsplit(".", 1)[-1]))


def paging_name(name: str) -> bool:
    """A parameter name of a paged read (`limit`, `offset`, `page_size`, `pageSize`, `top`, `skip`)."""
    return "".join(words(name)) in PAGING
