"""Suppression comments, shared by the Python and TypeScript linters.

`redis-rules: ignore` (every rule on the line), `redis-rules: ignore[RR007,no-keys-command]` (these rules on
the line), `redis-rules: ignore-file[...]` / `ignore-file` (the whole file). A code is anything a selector
takes: a rule id or id prefix, a rule name, a check name (model.resolve_selector).

A code lint does not know (`ignore[RR999]`, a typo such as `ignore[no-key-command]`) and empty brackets
(`ignore[]`) suppress nothing and are reported (E903), as ruff reports an invalid `# noqa` code: otherwise the
author believes a finding is suppressed, or, for `ignore[]`, every finding on the line would be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import known_selector, matches

MARKER = "redis-rules:"
_SUPPRESS = re.compile(r"redis-rules:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?")


@dataclass
class Suppressions:
    lines: dict[int, set[str] | None] = field(default_factory=dict)  # line -> codes, None: every code
    file_codes: set[str] = field(default_factory=set)
    file_all: bool = False  # `ignore-file` without codes: the file is not checked
    bad: list[tuple[int, int, str]] = field(default_factory=list)  # (line, 1-based column, message)

    def hides(self, code: str, line: int, end_line: int) -> bool:
        """Whether a finding of `code` reported on `line` (its call ending on `end_line`) is suppressed."""
        if self.file_all or _covers(self.file_codes, code):
            return True
        for at in {line, end_line}:
            if at in self.lines:
                codes = self.lines[at]
                if codes is None or _covers(codes, code):
                    return True
        return False


def _covers(codes: Iterable[str], code: str) -> bool:
    return any(matches(c, code) for c in codes)


def parse_suppressions(comments: Iterable[tuple[int, int, str]]) -> Suppressions:
    """Suppressions from `(line, 1-based column, text)` of each comment of a file."""
    out = Suppressions()
    for line, column, text in comments:
        for match in _SUPPRESS.finditer(text):
            kind, listed = match.group(1), match.group(2)
            codes: set[str] | None = None
            if listed is not None:
                codes = _known(listed, kind, line, column + match.start(), out.bad)
                if not codes:
                    continue  # only unknown codes, or none: suppresses nothing (reported above)
            if kind == "ignore-file":
                if codes is None:
                    out.file_all = True
                else:
                    out.file_codes |= codes
            elif codes is None or out.lines.get(line, set()) is None:
                out.lines[line] = None
            else:
                out.lines[line] = (out.lines.get(line) or set()) | codes
    return out


def _known(listed: str, kind: str, line: int, column: int, bad: list[tuple[int, int, str]]) -> set[str]:
    """The codes of `ignore[...]` that name something lint knows; a message in `bad` for the others."""
    codes = [c.strip() for c in listed.split(",") if c.strip()]
    if not codes:
        bad.append(
            (
                line,
                column,
                f"`{kind}[]` names no rule and suppresses nothing: write `{kind}` (every rule) or list "
                f"rule ids (`{kind}[RR007]`)",
            )
        )
        return set()
    unknown = [c for c in codes if not known_selector(c)]
    for code in unknown:
        shown = repr(code) if len(code) <= 40 and code.isprintable() else repr(code[:40]) + "..."
        bad.append(
            (
                line,
                column,
                f"`{kind}[...]` names {shown}, which is no rule id, rule name or check name: it suppresses "
                "nothing (`redis-rules rules` lists them)",
            )
        )
    return {c for c in codes if c not in unknown}
