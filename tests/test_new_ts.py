"""`redis-rules new` for TypeScript: adopting into an existing Node project, and the issue's "done when":
a fresh `redis-rules new demo-ts --defaults --data language=typescript --data edge=true` passes
`npm install && npm test` (servers it starts itself) and `npm run typecheck`, with the package.json pins
installed from the npm registry (not the shared toolchain of the matrix)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BINARIES

EXISTING = {
    "package.json": json.dumps({"name": "shop-web", "private": True, "scripts": {"test": "jest"}}, indent=2) + "\n",
    "tsconfig.json": '{ "compilerOptions": { "strict": true } }\n',
    "src/app.ts": "export const app = 1;\n",
    "CLAUDE.md": "# Shop web\n\nUse pnpm.\n",
}


def test_adopt_into_a_typescript_project_with_modules(tmp_path: Path, run_cli) -> None:
    repo = tmp_path / "shop-web"
    for rel, text in EXISTING.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    code, out, err = run_cli(
        "new",
        "--into",
        str(repo),
        "--with-modules",
        "--defaults",
        "--data",
        "language=typescript",
        "--data",
        "edge=true",
    )
    assert code == 0, out + err
    for rel in ("package.json", "tsconfig.json", "src/app.ts"):
        assert (repo / rel).read_text() == EXISTING[rel], rel  # the project's own files are left alone
    assert (repo / "CLAUDE.md").read_text().startswith(EXISTING["CLAUDE.md"])  # our section is appended
    for rel in (
        "src/db/redis/index.ts",
        "src/db/redis/keys.ts",
        "src/edge/redis/client.ts",
        "test/redis/faults.test.ts",
    ):
        assert (repo / rel).is_file(), rel
    assert not (repo / "tests").exists() and not list(repo.rglob("__init__.py"))  # nothing of the Python tree


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not on PATH")
@pytest.mark.skipif(not BINARIES, reason="no Redis/Valkey server binary on this machine")
def test_new_typescript_project_installs_typechecks_and_passes_its_tests(tmp_path: Path, run_cli) -> None:
    demo = tmp_path / "demo-ts"
    env_before = {k: os.environ.get(k) for k in ("REDIS_SERVER_BIN", "REDIS_URL")}
    os.environ["REDIS_SERVER_BIN"] = next(iter(BINARIES.values()))
    os.environ.pop("REDIS_URL", None)
    try:
        code, out, err = run_cli(
            "new", str(demo), "--defaults", "--data", "language=typescript", "--data", "edge=true", "--verify"
        )
    finally:
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert code == 0, out[-3000:] + err[-2000:]
    assert "verifying: npm install" in out and "verify: generated tests passed" in out
    typecheck = subprocess.run(["npm", "run", "typecheck"], cwd=demo, capture_output=True, text=True, timeout=300)
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
