"""The check registry (check name <-> rule id) and the Finding record every check produces."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any

# check name -> rule id. A public contract: rulesets/*.yml name these checks in `lint:`.
CHECKS: dict[str, str] = {
    "inline-key": "RR001",
    "write-without-ttl": "RR002",
    "incr-then-expire": "RR003",
    "keys-command": "RR007",
    "unbounded-read": "RR008",
    "client-per-call": "RR009",
    "hardcoded-connection": "RR010",
    "flush-command": "RR011",
    "xadd-unbounded": "RR016",
    "pickle-values": "RR022",
}
CODE_TO_CHECK: dict[str, str] = {code: check for check, code in CHECKS.items()}

# pseudo-codes for files the linter could not check (always reported, never filtered)
SYNTAX_ERROR = "E999"
READ_ERROR = "E902"
ERROR_CODES = {SYNTAX_ERROR: "syntax-error", READ_ERROR: "io-error"}

# used when the rulesets cannot be read (e.g. an installed copy without its template)
_FALLBACK_SEVERITY = {
    "RR001": "error",
    "RR002": "error",
    "RR003": "error",
    "RR007": "error",
    "RR008": "warning",
    "RR009": "error",
    "RR010": "error",
    "RR011": "error",
    "RR016": "error",
    "RR022": "error",
}


@dataclass(frozen=True)
class Finding:
    code: str  # rule id (RR007) or E999/E902
    check: str  # check name (keys-command)
    message: str
    path: str  # as displayed: relative to the working directory when possible
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int
    severity: str  # error | warning

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.lru_cache(maxsize=1)
def rules_by_id() -> dict[str, Any]:
    """Rules from the bundled rulesets keyed by id; empty when they cannot be loaded."""
    try:
        from ..rulesets import load_rules

        return {rule.id: rule for rule in load_rules()}
    except Exception:  # noqa: BLE001 - lint must work without the template (severity falls back)
        return {}


def severity_of(code: str) -> str:
    rule = rules_by_id().get(code)
    if rule is not None:
        return str(rule.severity)
    return _FALLBACK_SEVERITY.get(code, "error")


def known_selector(selector: str) -> bool:
    """A --select/--ignore entry: a rule id or prefix (RR00, RR), a check name, E999, or ALL."""
    sel = selector.strip()
    if sel.upper() == "ALL" or sel in CHECKS:
        return True
    up = sel.upper()
    return any(code.startswith(up) for code in [*CHECKS.values(), *ERROR_CODES])


def matches(selector: str, code: str) -> bool:
    sel = selector.strip()
    if sel.upper() == "ALL":
        return True
    if sel in CHECKS:
        return CHECKS[sel] == code
    return bool(sel) and code.startswith(sel.upper())
