"""Aggregation of scanned keys into the audit report, and its text and JSON renderings.

The JSON shape is a stable contract (see the README, "JSON format"): new fields may be added,
existing ones keep their names and meaning.
"""

from __future__ import annotations

import heapq
import json
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from ..policy import Policy
from .checks import CHECKS, KeyFormat, display_key
from .connect import INFO_DENIED
from .scanner import Record

JSON_VERSION = 1

# TTL buckets: (label, upper bound in ms, exclusive); "no-ttl" is separate
TTL_BUCKETS = ["no-ttl", "<1m", "<1h", "<1d", "<7d", "<30d", ">=30d"]
_TTL_BOUNDS = [60_000, 3_600_000, 86_400_000, 604_800_000, 2_592_000_000]
MAX_CHILDREN = 100  # per namespace node; the rest is folded into "(other)"


@dataclass
class Thresholds:
    big_bytes: int
    big_elements: int
    stream_maxlen: int
    max_ttl_ms: int


@dataclass
class Violation:
    check: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # bad-name: failed placeholder -> count
    details: list[str] = field(default_factory=list)  # one per example, for the text report


class _Ns:
    __slots__ = ("count", "no_ttl", "memory", "children")

    def __init__(self) -> None:
        self.count = 0
        self.no_ttl = 0
        self.memory = 0
        self.children: dict[str, _Ns] = {}

    def child(self, name: str) -> _Ns:
        node = self.children.get(name)
        if node is None:
            if len(self.children) >= MAX_CHILDREN and name != "(other)":
                return self.child("(other)")
            node = self.children[name] = _Ns()
        return node


class Aggregator:
    """Collects per-key facts; ``add`` is the hot path (called once per SCAN batch)."""

    def __init__(
        self,
        policy: Policy,
        env: str | None,
        thresholds: Thresholds,
        *,
        top: int = 10,
        examples: int = 5,
        memory: bool = False,
        sizes: bool = False,
    ) -> None:
        self.policy = policy
        self.env = env
        self.fmt = KeyFormat(policy)
        self.th = thresholds
        self.top_n = top
        self.k = examples
        self.memory = memory
        self.sizes = sizes
        self.live = 0
        self.types: dict[str, int] = {}
        self.ttl_counts = [0] * len(TTL_BUCKETS)
        self.memory_total = 0
        self.memory_known = 0
        self.violations = {name: Violation(name) for name in CHECKS}
        self._bad_examples: dict[str, list[tuple[str, str]]] = {}
        self._big: list[tuple[int, bytes, str, int | None, int | None, int]] = []  # min-heap

    # ---- hot path ------------------------------------------------------------------
    def add(self, records: list[Record]) -> None:
        fmt = self.fmt
        v = self.violations
        no_ttl_v, bad_v, env_v = v["no-ttl"], v["bad-name"], v["wrong-env"]
        long_v = v["ttl-too-long"]
        env = self.env
        k = self.k
        envs = fmt.environments
        th = self.th
        ttl_counts = self.ttl_counts
        types = self.types
        is_persistent = self.policy.is_persistent if self.policy.persistent_keys else None
        for key, typ, pttl, mem, size in records:
            name = key.decode("utf-8", "surrogateescape")
            res = fmt.match(name)
            types[typ] = types.get(typ, 0) + 1
            stats = res.stats
            stats[0] += 1
            if mem is not None:
                stats[2] += mem
            if pttl < 0:
                stats[1] += 1
                ttl_counts[0] += 1
                if is_persistent is None or not is_persistent(name):
                    no_ttl_v.count += 1
                    if len(no_ttl_v.examples) < k:
                        no_ttl_v.examples.append(display_key(key))
                        no_ttl_v.details.append("")
            else:
                ttl_counts[bisect_right(_TTL_BOUNDS, pttl) + 1] += 1
                if pttl > th.max_ttl_ms:
                    self._hit(long_v, key, f"TTL {pttl // 1000}s > {th.max_ttl_ms // 1000}s")
            if res.failed is not None:
                self._bad_name(bad_v, key, res.failed, res.reason)
            if env is not None and res.env is not None and res.env != env and res.env in envs:
                self._hit(env_v, key, f"env {res.env!r}, this server serves {env!r}")
            if mem is not None:
                self.memory_total += mem
                self.memory_known += 1
            if mem is not None or size is not None:
                self._consider_big(key, typ, mem, size, pttl)
        self.live += len(records)

    def _tree(self) -> _Ns:
        """Roll the per-namespace counters up into a tree (children capped per node)."""
        root = _Ns()
        for path, (count, no_ttl, memory) in sorted(self.fmt.groups.items(), key=lambda kv: -kv[1][0]):
            if not count:
                continue
            node = root
            for part in path:
                node = node.child(part)
                node.count += count
                node.no_ttl += no_ttl
                node.memory += memory
        return root

    def _hit(self, viol: Violation, key: bytes, detail: str) -> None:
        viol.count += 1
        if len(viol.examples) < self.k:
            viol.examples.append(display_key(key))
            viol.details.append(detail)

    def _bad_name(self, viol: Violation, key: bytes, failed: str, reason: str) -> None:
        """Like _hit, but examples are spread over the placeholders that failed."""
        viol.count += 1
        viol.reasons[failed] = viol.reasons.get(failed, 0) + 1
        bucket = self._bad_examples.setdefault(failed, [])
        if len(bucket) < self.k:
            bucket.append((display_key(key), f"{failed}: {reason}"))
            # round-robin over placeholders, in order of first appearance
            viol.examples.clear()
            viol.details.clear()
            lists = list(self._bad_examples.values())
            depth = 0
            while len(viol.examples) < self.k and any(depth < len(b) for b in lists):
                for b in lists:
                    if depth < len(b) and len(viol.examples) < self.k:
                        viol.examples.append(b[depth][0])
                        viol.details.append(b[depth][1])
                depth += 1

    def _consider_big(self, key: bytes, typ: str, mem: int | None, size: int | None, pttl: int) -> None:
        th = self.th
        big = (mem is not None and mem > th.big_bytes) or (
            size is not None and (size > th.big_bytes if typ == "string" else size > th.big_elements)
        )
        if big:
            why = []
            if mem is not None and mem > th.big_bytes:
                why.append(f"{human_bytes(mem)} > {human_bytes(th.big_bytes)}")
            if size is not None and typ == "string" and size > th.big_bytes:
                why.append(f"{human_bytes(size)} string > {human_bytes(th.big_bytes)}")
            if size is not None and typ != "string" and size > th.big_elements:
                why.append(f"{size:,} elements > {th.big_elements:,}")
            self._hit(self.violations["big-key"], key, "; ".join(why))
        if typ == "stream" and size is not None and size > th.stream_maxlen:
            self._hit(self.violations["stream-too-long"], key, f"XLEN {size:,} > {th.stream_maxlen:,}")
        score = mem if mem is not None else size
        if score is None or self.top_n <= 0:
            return
        item = (score, key, typ, mem, size, pttl)
        if len(self._big) < self.top_n:
            heapq.heappush(self._big, item)
        elif item[0] > self._big[0][0]:
            heapq.heapreplace(self._big, item)

    # ---- results -------------------------------------------------------------------
    def namespaces(self) -> list[dict[str, Any]]:
        def render(name: str, node: _Ns) -> dict[str, Any]:
            out: dict[str, Any] = {
                "name": name,
                "count": node.count,
                "no_ttl": node.no_ttl,
                "no_ttl_share": round(node.no_ttl / node.count, 4) if node.count else 0.0,
            }
            if self.memory:
                out["memory"] = node.memory
            out["children"] = [
                render(n, c) for n, c in sorted(node.children.items(), key=lambda kv: (-kv[1].count, kv[0]))
            ]
            return out

        root = self._tree()
        return [render(n, c) for n, c in sorted(root.children.items(), key=lambda kv: (-kv[1].count, kv[0]))]

    def big_keys(self) -> list[dict[str, Any]]:
        rows = []
        for _score, key, typ, mem, size, pttl in sorted(self._big, key=lambda t: (-t[0], t[1])):
            rows.append(
                {
                    "key": display_key(key),
                    "type": typ,
                    "memory": mem,
                    "size": size,
                    "size_unit": "bytes" if typ == "string" else "elements",
                    "ttl_s": None if pttl < 0 else round(pttl / 1000, 3),
                }
            )
        return rows


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def build(
    agg: Aggregator,
    *,
    server: dict[str, Any],
    stats: Any,
    duration: float,
    fail_on: frozenset[str],
    options: dict[str, Any],
) -> dict[str, Any]:
    """The report as a JSON-ready dict (the stable format)."""
    scanned = stats.seen
    sampled = not stats.complete
    est_total = None
    factor = 1.0
    filtered = bool(options.get("match") or options.get("type"))
    if sampled and stats.dbsize is not None and scanned and not filtered:
        est_total = stats.dbsize
        factor = stats.dbsize / scanned
    violations = []
    for name, rule in CHECKS.items():
        viol = agg.violations[name]
        if not viol.count:
            continue
        entry: dict[str, Any] = {
            "check": name,
            "rule": rule,
            "count": viol.count,
            "examples": viol.examples,
            "fails": name in fail_on,
        }
        if name == "bad-name":
            entry["by_placeholder"] = dict(sorted(viol.reasons.items(), key=lambda kv: -kv[1]))
        if est_total is not None:
            entry["estimated_count"] = round(viol.count * factor)
        violations.append(entry)
    totals: dict[str, Any] = {
        "keys": agg.live,
        "expired_during_scan": stats.expired,
        "no_ttl": agg.ttl_counts[0],
        "by_type": dict(sorted(agg.types.items(), key=lambda kv: -kv[1])),
        "dbsize": stats.dbsize,
    }
    if agg.memory:
        totals["memory"] = agg.memory_total if stats.memory_available else None
    if est_total is not None:
        totals["estimated"] = {
            "keys": round(agg.live * factor),
            "no_ttl": round(agg.ttl_counts[0] * factor),
        }
        if agg.memory and stats.memory_available:
            totals["estimated"]["memory"] = round(agg.memory_total * factor)
    report: dict[str, Any] = {
        "version": JSON_VERSION,
        "server": server,
        "scanned": scanned,
        "sampled": sampled,
    }
    if sampled:
        report["estimated_total"] = est_total
    failing = any(v["fails"] for v in violations)
    report.update(
        {
            "duration_s": round(duration, 3),
            "keys_per_s": round(scanned / duration) if duration > 0 else None,
            "options": options,
            "totals": totals,
            "ttl_buckets": dict(zip(TTL_BUCKETS, agg.ttl_counts, strict=True)),
            "namespaces": agg.namespaces(),
            "big_keys": agg.big_keys(),
            "violations": violations,
            "failed": failing,
            "notes": list(stats.notes),
        }
    )
    return report


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _server_words(srv: dict[str, Any], notes: list[str]) -> str:
    """`valkey 8.1.1`; what is unknown said in words (`server version unknown: INFO not permitted`), never the
    JSON's placeholders side by side (`unknown unknown`)."""
    flavour, version = srv["flavour"], srv["version"]
    if version != "unknown":
        return f"{version}" if flavour == "unknown" else f"{flavour} {version}"
    why = ": " + INFO_DENIED if any(n.startswith(INFO_DENIED) for n in notes) else ""
    return f"server version unknown{why}" if flavour == "unknown" else f"{flavour}, version unknown{why}"


def render_text(report: dict[str, Any], agg: Aggregator, *, tree_depth: int = 3) -> str:
    out: list[str] = []
    srv = report["server"]
    nodes = f", {srv['nodes']} primaries" if srv.get("mode") == "cluster" else ""
    out.append(f"redis-rules audit: {srv['url']} ({_server_words(srv, report['notes'])}, {srv['mode']}{nodes})")
    t = report["totals"]
    line = f"scanned {report['scanned']:,} keys in {report['duration_s']:.2f} s ({report['keys_per_s'] or 0:,} keys/s)"
    if t["expired_during_scan"]:
        line += f"; {t['expired_during_scan']:,} expired during the scan"
    out.append(line)
    if report["sampled"]:
        est = report.get("estimated_total")
        out.append(
            f"sampled: stopped after {report['scanned']:,} keys"
            + (f"; estimates below extrapolate to {est:,} keys" if est else "; no extrapolation possible")
        )
    if "memory" in t and t["memory"] is not None:
        out.append(f"memory: {human_bytes(t['memory'])} over {t['keys']:,} keys (MEMORY USAGE, sampled)")
    out.append("")

    live = t["keys"]
    out.append("TTL            keys    share")
    for label, n in report["ttl_buckets"].items():
        out.append(f"  {label:<8} {n:>10,}  {_pct(n, live):>6}")
    out.append("")

    out.append(f"Namespaces ({agg.fmt.text}; count, share without TTL)")

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        shown = nodes[:15]
        for ns in shown:
            mem = f"  {human_bytes(ns['memory'])}" if "memory" in ns else ""
            out.append(
                f"  {'  ' * depth}{ns['name']:<{max(1, 36 - 2 * depth)}} {ns['count']:>10,}  "
                f"no TTL {_pct(ns['no_ttl'], ns['count']):>6}{mem}"
            )
            if depth + 1 < tree_depth:
                walk(ns["children"], depth + 1)
        if len(nodes) > len(shown):
            out.append(f"  {'  ' * depth}… {len(nodes) - len(shown)} more")

    walk(report["namespaces"], 0)
    if not report["namespaces"]:
        out.append("  (no keys)")
    out.append("")

    big = report["big_keys"]
    if big:
        out.append(f"Big keys (top {len(big)}, by {'memory' if agg.memory else 'size'})")
        for row in big:
            size = ""
            if row["size"] is not None:
                size = human_bytes(row["size"]) if row["size_unit"] == "bytes" else f"{row['size']:,} elements"
            mem = human_bytes(row["memory"]) if row["memory"] is not None else ""
            out.append(f"  {row['key']}  [{row['type']}]  {mem}  {size}".rstrip())
        out.append("")
    elif not (agg.memory or agg.sizes):
        out.append("Big keys: not measured (use --memory or --sizes)")
        out.append("")

    viols = report["violations"]
    if viols:
        out.append("Violations")
        for v in viols:
            mark = "✗" if v["fails"] else "!"
            est = f" (~{v['estimated_count']:,} estimated)" if "estimated_count" in v else ""
            keys = "key" if v["count"] == 1 else "keys"
            out.append(f"  {mark} {v['rule']} {v['check']:<16} {v['count']:>10,} {keys}{est}")
            details = agg.violations[v["check"]].details
            for ex, detail in zip(v["examples"], details, strict=False):
                out.append(f"      {ex}" + (f"  ({detail})" if detail else ""))
        out.append("")
    else:
        out.append("No violations.")
        out.append("")
    for note in report["notes"]:
        out.append(f"note: {note}")
    verdict = "FAIL" if report["failed"] else "ok"
    out.append(
        f"{verdict}: {sum(v['count'] for v in viols):,} violation(s); failing checks: "
        f"{', '.join(v['check'] for v in viols if v['fails']) or 'none'}"
    )
    return "\n".join(out) + "\n"
