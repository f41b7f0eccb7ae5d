"""Counting the hostile inputs the suite tries, per verb; printed at the end of the session.

Registered from tests/conftest.py. With pytest-xdist each worker sends its counts to the
controller (workeroutput), which prints the total.
"""

from __future__ import annotations

from collections import Counter

import pytest

TRIED: Counter[str] = Counter()


def tried(verb: str, n: int = 1) -> None:
    """Count `n` hostile inputs given to `verb`."""
    TRIED[verb] += n


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["hostile_tried"] = dict(TRIED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    TRIED.update(getattr(node, "workeroutput", {}).get("hostile_tried", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TRIED:
        shown = ", ".join(f"{verb} {n}" for verb, n in sorted(TRIED.items()))
        terminalreporter.write_line(f"hostile inputs tried per verb: {shown} (total {sum(TRIED.values())})")
