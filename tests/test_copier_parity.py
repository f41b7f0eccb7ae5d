"""Stock `copier copy` from a tagged git clone gives the same project as `redis-rules new`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import make_template_repo, render, stock_copier

ANSWERS = {"project_name": "parity-svc", "client": "redis-py-async", "flavour": "cluster", "default_ttl": "1200"}


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template_repo(tmp_path_factory.mktemp("tpl") / "redis-rules")


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_stock_copier_copy_matches_redis_rules_new(template_repo: Path, tmp_path: Path) -> None:
    data_args = [arg for k, v in ANSWERS.items() for arg in ("--data", f"{k}={v}")]
    stock = tmp_path / "stock"
    proc = stock_copier("copy", "--defaults", *data_args, str(template_repo), str(stock))
    assert proc.returncode == 0, proc.stderr
    ours = render(tmp_path / "ours", **ANSWERS)  # from this checkout
    from_template = tmp_path / "from-template"
    from redis_rules import cli

    assert cli.main(["new", str(from_template), "--defaults", "--template", str(template_repo), *data_args]) == 0

    stock_tree, ours_tree, tpl_tree = tree(stock), tree(ours), tree(from_template)
    assert stock_tree.keys() == ours_tree.keys() == tpl_tree.keys()
    for rel in stock_tree:
        if rel == ".copier-answers.yml":
            continue
        assert stock_tree[rel] == ours_tree[rel] == tpl_tree[rel], rel
    stock_answers = yaml.safe_load(stock_tree[".copier-answers.yml"])
    tpl_answers = yaml.safe_load(tpl_tree[".copier-answers.yml"])
    assert stock_answers == tpl_answers  # same source, same tag, same answers
    assert stock_answers["_commit"] == "v0.1.0"
    ours_answers = yaml.safe_load(ours_tree[".copier-answers.yml"])
    drop = ("_src_path", "_commit")
    assert {k: v for k, v in ours_answers.items() if k not in drop} == {
        k: v for k, v in stock_answers.items() if k not in drop
    }


def test_stock_copier_rejects_bad_answers_without_writing(template_repo: Path, tmp_path: Path) -> None:
    proc = stock_copier("copy", "--defaults", "--data", "default_ttl=0", str(template_repo), str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "default_ttl: out of range: must be from 1 to 2592000 seconds (30 days)" in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("language", "client", "allowed"),
    [
        ("python", "ioredis", "redis-py, redis-py-async, valkey-py, upstash"),
        ("typescript", "redis-py", "ioredis, node-redis, upstash"),
    ],
)
def test_stock_copier_refuses_a_client_of_the_other_language(
    template_repo: Path, tmp_path: Path, language: str, client: str, allowed: str
) -> None:
    """The choice validators of copier.yml disable the other language's clients in stock copier too."""
    proc = stock_copier(
        "copy", "--defaults", "--data", f"language={language}", "--data", f"client={client}",
        str(template_repo), str(tmp_path / "out"),
    )  # fmt: skip
    assert proc.returncode != 0
    assert f"client: '{client}' is a" in proc.stderr + proc.stdout
    assert f"choose one of: {allowed}" in proc.stderr + proc.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


TS_ANSWERS = {
    "language": "typescript",
    "project_name": "parity-ts",
    "client": "node-redis",
    "flavour": "cluster",
    "edge": "true",
    "default_ttl": "900",
}


def test_stock_copier_copy_matches_redis_rules_new_for_typescript(template_repo: Path, tmp_path: Path) -> None:
    """`copier copy --data language=typescript ...` and `redis-rules new` give the same TypeScript project."""
    data_args = [arg for k, v in TS_ANSWERS.items() for arg in ("--data", f"{k}={v}")]
    stock = tmp_path / "stock"
    proc = stock_copier("copy", "--defaults", *data_args, str(template_repo), str(stock))
    assert proc.returncode == 0, proc.stderr
    ours = render(tmp_path / "ours", **TS_ANSWERS)
    stock_tree, ours_tree = tree(stock), tree(ours)
    assert stock_tree.keys() == ours_tree.keys()
    assert "src/db/redis/index.ts" in stock_tree and "src/edge/redis/client.ts" in stock_tree
    assert "test/redis/vitest.config.ts" in stock_tree and "package.json" in stock_tree
    assert not any(rel.endswith(".py") and not rel.startswith((".claude/", "scripts/")) for rel in stock_tree)
    for rel in stock_tree:
        if rel != ".copier-answers.yml":
            assert stock_tree[rel] == ours_tree[rel], rel
    drop = ("_src_path", "_commit")
    stock_answers = yaml.safe_load(stock_tree[".copier-answers.yml"])
    ours_answers = yaml.safe_load(ours_tree[".copier-answers.yml"])
    assert {k: v for k, v in ours_answers.items() if k not in drop} == {
        k: v for k, v in stock_answers.items() if k not in drop
    }
    assert stock_answers["language"] == "typescript" and "package" not in stock_answers  # not asked, not stored
