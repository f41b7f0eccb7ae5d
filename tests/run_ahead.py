"""Start the slow, mostly waiting jobs of parametrized tests ahead of the tests that check them.

A generated project's suite spends ~95% of its wall time waiting (deadlines, expiries, stalled
servers), so the matrices run several suites at once in a small thread pool and each test collects
its own job's outcome. A job can only start ahead when this process knows it will run that test: in
a serial run, or under xdist with `--dist loadgroup` (each matrix module is one `xdist_group`, so one
worker gets all of it). Otherwise jobs start when their test asks for them.
"""

from __future__ import annotations

import os
from typing import Any

import pytest


def planned_params(request: pytest.FixtureRequest, test_name: str) -> list[dict[str, Any]]:
    """The parameters of the selected items of `test_name` (its function name) that this process will run,
    in run order; empty when that cannot be known."""
    if "PYTEST_XDIST_WORKER" in os.environ and request.config.getoption("dist", None) != "loadgroup":
        return []
    planned = []
    for item in request.session.items:
        spec = getattr(item, "callspec", None)
        if getattr(item, "originalname", None) == test_name and spec is not None:
            planned.append(dict(spec.params))
    return planned
