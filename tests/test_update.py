"""`redis-rules update`: real git, real copier, the template tagged in a throwaway git repo."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from redis_rules import cli
from redis_rules.errors import Terminated
from tests.conftest import BINARIES, git, make_template_repo, run_generated_tests, stock_copier

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("own_cache")]

RunCli = Callable[..., tuple[int, str, str]]
KEYS = "my_service/db/redis/keys.py"
CLIENT = "my_service/db/redis/client.py"
TEAM_SECTION = "\n## Team notes\n\nAsk the platform team before adding a new key domain.\n"
TEAM_FUNCTION = (
    '\n\ndef team_report_key(day: str) -> str:\n    """Added by the team."""\n'
    '    return build("reports", "daily", day)\n'
)


def new_project(dest: Path, template: Path, *, commit: bool = True, **data: str) -> Path:
    argv = ["new", str(dest), "--defaults", "--template", str(template)]
    for key, value in {"modules": "[cache]", **data}.items():
        argv += ["--data", f"{key}={value}"]
    assert cli.main(argv) == 0
    if commit:
        git(dest, "init", "-q", "-b", "main")
        git(dest, "add", "-A")
        git(dest, "commit", "-qm", "rendered by redis-rules")
    return dest


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-qm", message)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def answers(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def stock_copier_update(project: Path, *data: str) -> subprocess.CompletedProcess[str]:
    args = [arg for item in data for arg in ("-d", item)]
    return stock_copier("update", "--defaults", *args, "--vcs-ref", ":current:", cwd=project)


def assert_generated_tests_pass(project: Path) -> None:
    """The updated project's generated tests pass on a real server, but for its fault suite (test_faults.py):
    that one proves the modules' behaviour under faults, which an update does not change (the rendered modules
    are the template's for these answers); tests/test_matrix.py runs it for every pair on both servers. What
    an update can break (imports, the team's edits, answers that reach the tests) shows in the others."""
    if not BINARIES:
        pytest.skip("no redis-server/valkey-server binary for the generated tests")
    proc = run_generated_tests(project, next(iter(BINARIES.values())), "--ignore=tests/redis/test_faults.py")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


# ------------------------------------------------------------------ policy change


def test_policy_change_applies_everywhere_and_keeps_edits(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template)
    with (project / KEYS).open("a") as fh:
        fh.write(TEAM_FUNCTION)
    with (project / "CLAUDE.md").open("a") as fh:
        fh.write(TEAM_SECTION)
    commit_all(project, "team edits")

    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800")

    assert code == 0, out + err
    assert "default_ttl: 3600 -> 1800" in out and "modified  " in out
    assert answers(project)["default_ttl"] == 1800
    keys = (project / KEYS).read_text()
    assert "DEFAULT_TTL: Final = 1800" in keys and "DEFAULT_TTL: Final = 3600" not in keys
    assert "def team_report_key(day: str) -> str:" in keys  # the team's function survived
    claude = (project / "CLAUDE.md").read_text()
    assert "| `TTL.default` | 1800 |" in claude and "3600 |\n" not in claude.split("`TTL.default`")[1][:10]
    assert claude.endswith(TEAM_SECTION)  # the team's section survived
    assert "were replaced by the render" not in out  # no edit inside our parts: nothing to warn about
    assert yaml.safe_load((project / ".redis-rules.yml").read_text())["default_ttl"] == 1800
    assert "<" * 7 not in keys + claude
    assert "U" not in "".join(line[:2] for line in git(project, "status", "--porcelain").splitlines())
    commit_all(project, "policy: default TTL 30 min")
    assert_generated_tests_pass(project)


def test_edits_inside_the_markers_are_replaced_and_said_so(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    # fresh-user trial 4: the replaced edit was listed as a plain "modified CLAUDE.md"
    project = new_project(tmp_path / "svc", template)
    claude = (project / "CLAUDE.md").read_text()
    assert claude.count("**RR001**") == 1
    (project / "CLAUDE.md").write_text(claude.replace("**RR001**", "**RR001** (our note)"))
    commit_all(project, "team edit inside the markers")

    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800")

    assert code == 0, out + err
    line = next(x for x in out.splitlines() if x.strip().endswith("has them)") or "CLAUDE.md" in x)
    assert "modified  CLAUDE.md  (edits inside its redis-rules parts were replaced by the render" in line
    assert "(our note)" not in (project / "CLAUDE.md").read_text()
    assert "(our note)" in git(project, "show", "HEAD:CLAUDE.md")
    assert out.count("were replaced by the render") == 1  # AGENTS.md and the others had no edits


def test_modules_removed_and_added_with_their_tests(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template, modules="[cache, streams]")
    mods = project / "my_service/db/redis"
    assert (mods / "streams.py").is_file() and (project / "tests/redis/test_streams.py").is_file()
    with (project / "tests/redis/test_streams.py").open("a") as fh:
        fh.write("\n# team note\n")
    commit_all(project, "team edit")

    code, out, err = run_cli("update", str(project), "--set", "modules=[cache]")
    assert code == 0, out + err
    assert "deleted   my_service/db/redis/streams.py\n" in out  # untouched since the render
    assert "deleted   tests/redis/test_streams.py  (had local edits; `git show HEAD:" in out
    assert not (mods / "streams.py").exists() and not (project / "tests/redis/test_streams.py").exists()
    assert answers(project)["modules"] == ["cache"]
    commit_all(project, "drop streams")

    code, out, err = run_cli("update", str(project), "--set", "modules=[cache, locks]")
    assert code == 0, out + err
    assert "added     my_service/db/redis/locks.py" in out
    assert (mods / "locks.py").is_file() and (project / "tests/redis/test_locks.py").is_file()
    commit_all(project, "add locks")
    assert_generated_tests_pass(project)


def test_a_client_change_names_what_the_teams_own_files_need(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    """Trial 18: `--set client=valkey-py` on a redis-py-async project exited 0 without a word, although
    pyproject.toml (a starter, never rewritten) did not list valkey and the app's `await check_rate_limit(...)`
    now failed. The update names both; changing back lists no dependency, since redis is there."""
    project = new_project(tmp_path / "svc", template, client="redis-py-async")
    code, out, err = run_cli("update", str(project), "--set", "client=valkey-py")
    assert code == 0, out + err
    notes = [line for line in out.splitlines() if line.startswith("  note ")]
    assert (
        "pyproject.toml does not list valkey in its dependencies (the update never rewrites it): add valkey>=6.0"
        in (notes[0])
    ), notes
    assert "valkey-py is synchronous: the modules' functions are no longer awaited" in notes[1], notes
    assert len(notes) == 2, notes
    commit_all(project, "valkey-py")
    code, out, err = run_cli("update", str(project), "--set", "client=redis-py-async", "--pretend")
    assert code == 0, out + err
    notes = [line for line in out.splitlines() if line.startswith("  note ")]
    assert len(notes) == 1 and "redis-py-async is asyncio: every function of the modules is now a coroutine" in notes[0]
    code, out, err = run_cli("update", str(project), "--set", "default_ttl=900", "--pretend")
    assert code == 0 and " note " not in out, out + err


def test_a_client_whose_library_is_only_a_test_dependency_is_named(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    """Trial 20: valkey-py -> redis-py-async said nothing, since `redis` was in pyproject.toml's dev extra (the
    tests' admin client): the application would run without it. Only [project] dependencies count for it."""
    project = new_project(tmp_path / "svc", template, client="valkey-py")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("redis") for extra in pyproject["project"]["optional-dependencies"].values() for d in extra)
    code, out, err = run_cli("update", str(project), "--set", "client=redis-py-async", "--pretend")
    assert code == 0, out + err
    notes = [line for line in out.splitlines() if line.startswith("  note ")]
    assert any("pyproject.toml does not list redis in its dependencies" in n for n in notes), notes


def test_generated_files_the_team_deleted_are_named_as_staying_deleted(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    """Copier's update never re-creates a file the project deleted, so an update's changes to it were lost
    without a word (stop 25's review). The update now names each such file in a note (exit 0: everything else
    is applied); with nothing deleted there is no note. Starter files (pyproject.toml) are not named."""
    project = new_project(tmp_path / "svc", template, modules="[cache, locks]")
    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1200", "--pretend")
    assert code == 0 and "stay" not in out, out + err
    (project / "my_service/db/redis/locks.py").unlink()
    (project / "pyproject.toml").unlink()
    commit_all(project, "the team drops locks.py by hand")

    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1300")
    assert code == 0, out + err
    note = next(line for line in out.splitlines() if line.startswith("  note "))
    assert "1 generated file the project deleted stays deleted, without this update's changes: " in note
    assert "my_service/db/redis/locks.py (`redis-rules check` says how" in note and "pyproject" not in note
    assert not (project / "my_service/db/redis/locks.py").exists()
    assert answers(project)["default_ttl"] == 1300
    commit_all(project, "ttl")
    code, out, err = run_cli("update", str(project), "--set", "modules=[cache]")
    assert code == 0 and " note " not in out, out + err


def test_a_deleted_module_the_team_still_imports_is_pointed_out(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    """Trial 14: `update --set "modules=[cache]"` deleted streams.py while the team's code imported it, and said
    nothing. Each deleted module now names the files that still import it, and how to keep it."""
    project = new_project(tmp_path / "svc", template, modules="[cache, streams]")
    (project / "my_service/web").mkdir(parents=True)
    (project / "my_service/web/views.py").write_text("from my_service.db.redis.streams import emit_event\n")
    (project / "my_service/web/other.py").write_text("from my_service.db.redis import cache\n")
    (project / "my_service/db/redis/extra.py").write_text("from .streams import emit_event  # ours\n")
    commit_all(project, "team code")

    code, out, err = run_cli("update", str(project), "--set", "modules=[cache]", "--pretend")
    assert code == 1 and "the update would delete 1 module still imported: my_service/db/redis/streams.py" in err
    code, out, err = run_cli("update", str(project), "--set", "modules=[cache]")
    assert code == 1, out + err  # applied, but the team's code no longer imports: not a clean exit
    assert err.count("\n") == 1 and "1 deleted module still imported: my_service/db/redis/streams.py; keep" in err
    line = next(x for x in out.splitlines() if "deleted   my_service/db/redis/streams.py" in x)
    assert (
        "(still imported by my_service/db/redis/extra.py, my_service/web/views.py: keep it with `git checkout " in line
    )
    assert "other.py" not in out


def test_importers_of_reads_python_and_typescript_imports(tmp_path: Path) -> None:
    from redis_rules.updating.importers import importers_of

    files = {
        "src/app/redis/rateLimit.ts": "export const x = 1;\n",
        "src/app/redis/streams.py": "",
        "src/routes/a.ts": 'import { x } from "../app/redis/rateLimit";\n',
        "src/routes/b.ts": 'export * from "../app/redis/rateLimit.js";\n',
        "src/routes/c.js": 'const r = require("../app/redis/rateLimit");\n',
        "src/routes/d.ts": 'import { x } from "./rateLimit";\n',  # another folder's rateLimit
        "src/routes/e.ts": 'const m = await import("../app/redis/rateLimit");\n',
        "src/jobs/p.py": "from app.redis import streams, cache\n",
        "src/jobs/q.py": "import app.redis.streams as s\n",
        "src/jobs/r.py": "from app.redis.streams_v2 import x\n",
        "src/app/api/s.py": "from ..redis import (\n    cache,\n    streams,\n)\n",
        "src/app/redis/t.py": "from . import streams\n",
        "src/app/api/u.py": "from ..redis.streams import emit\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    deleted = ["src/app/redis/rateLimit.ts", "src/app/redis/streams.py"]
    assert importers_of(tmp_path, deleted) == {
        "src/app/redis/rateLimit.ts": ["src/routes/a.ts", "src/routes/b.ts", "src/routes/c.js", "src/routes/e.ts"],
        "src/app/redis/streams.py": [
            "src/app/api/s.py",
            "src/app/api/u.py",
            "src/app/redis/t.py",
            "src/jobs/p.py",
            "src/jobs/q.py",
        ],
    }


# ------------------------------------------------------------------ template upgrade


def test_upgrade_brings_new_rule_and_module_change_and_keeps_edits(tmp_path: Path, run_cli: RunCli) -> None:
    template = make_template_repo(tmp_path / "tpl" / "redis-rules", "v1.0.0")
    project = new_project(tmp_path / "svc", template)
    assert answers(project)["_commit"] == "v1.0.0"
    with (project / KEYS).open("a") as fh:
        fh.write(TEAM_FUNCTION)
    with (project / "CLAUDE.md").open("a") as fh:
        fh.write(TEAM_SECTION)
    commit_all(project, "team edits")

    # v1.1.0 of the template: one more rule, one more constant in keys.py
    rules = sorted((template / "rulesets").glob("*.yml"))[-1]
    with rules.open("a") as fh:
        fh.write(
            "\n- id: RR099\n  name: upgrade-canary\n  title: Canary rule shipped by template v1.1.0\n"
            "  severity: warning\n  applies: {}\n  why: >-\n    Proves that an upgrade brings new rules.\n"
            "  claude: >-\n    Keep the upgrade canary in mind (RR099 canary).\n"
            "  examples:\n    python:\n      bad: {code: x = 1}\n      good: {code: x = 2}\n"
            "  lint: null\n  audit: null\n"
            "  source: https://example.invalid/rr099\n"
        )
    keys_tpl = template / "templates" / "python" / "{{ module_path }}" / "keys.py.jinja"
    text = keys_tpl.read_text()
    anchor = "DEFAULT_TTL: Final = {{ default_ttl }}\n"
    assert anchor in text
    keys_tpl.write_text(text.replace(anchor, anchor + "TEMPLATE_GENERATION: Final = 2\n"))
    git(template, "commit", "-qam", "v1.1.0: RR099 and TEMPLATE_GENERATION")
    git(template, "tag", "v1.1.0")

    # without --upgrade the project stays at its recorded version
    code, out, err = run_cli("update", str(project), "--pretend")
    assert code == 0, out + err
    assert "template v1.0.0)" in out and "no changes" in out

    code, out, err = run_cli("update", str(project), "--upgrade")
    assert code == 0, out + err
    assert "template v1.0.0 -> v1.1.0" in out
    assert answers(project)["_commit"] == "v1.1.0"
    claude = (project / "CLAUDE.md").read_text()
    keys = (project / KEYS).read_text()
    assert "RR099" in claude and claude.endswith(TEAM_SECTION)
    assert "TEMPLATE_GENERATION: Final = 2" in keys and "def team_report_key" in keys
    commit_all(project, "upgrade to v1.1.0")
    assert_generated_tests_pass(project)


# ------------------------------------------------------------------ conflicts


def test_conflict_is_reported_with_exit_1_inline_and_rej(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template)
    keys_path = project / KEYS
    text = keys_path.read_text()
    keys_path.write_text(text.replace("DEFAULT_TTL: Final = 3600", "DEFAULT_TTL: Final = 7200"))
    commit_all(project, "team: longer default TTL")
    before = snapshot(project)

    # --pretend predicts the conflict and writes nothing
    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800", "--pretend")
    assert code == 1
    assert f"conflict  {KEYS} (1 hunk)" in out and "would conflict" in err
    assert snapshot(project) == before and git(project, "status", "--porcelain") == ""

    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800")
    assert code == 1
    assert err.startswith("redis-rules: error: 1 file with conflicts: ")
    assert len(err.strip().splitlines()) == 1
    assert f"{KEYS} (1 hunk)" in err
    keys = keys_path.read_text()
    assert keys.count("<" * 7 + " ") == 1
    assert "DEFAULT_TTL: Final = 7200" in keys and "DEFAULT_TTL: Final = 1800" in keys
    assert f"UU {KEYS}" in git(project, "status", "--porcelain")  # git sees it unmerged too
    # nothing else is half-applied: every other file is fully at the new answers
    assert answers(project)["default_ttl"] == 1800
    assert yaml.safe_load((project / ".redis-rules.yml").read_text())["default_ttl"] == 1800
    assert "| `TTL.default` | 1800 |" in (project / "CLAUDE.md").read_text()
    changed = {line[3:] for line in git(project, "status", "--porcelain").splitlines()}
    assert all("<" * 7 not in (project / p).read_text() for p in changed if p != KEYS)

    # the generated project's own guard catches the leftover block (pre-commit hook script and test)
    script = subprocess.run(
        [sys.executable, "scripts/check_conflict_markers.py"], cwd=project, capture_output=True, text=True
    )
    assert script.returncode == 1 and f"{KEYS}:" in script.stdout
    guard = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/redis/test_no_conflict_markers.py"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert guard.returncode == 1 and "unresolved merge conflicts" in guard.stdout
    assert "check_conflict_markers.py" in (project / ".pre-commit-config.yaml").read_text()

    # the documented way back, then the same update keeping rejected hunks in .rej files
    git(project, "reset", "-q", "--hard")
    git(project, "clean", "-qfd")
    assert snapshot(project) == before
    (project / ".gitignore").write_text("*.rej\n")  # hidden from `git status`, still found
    commit_all(project, "ignore rejects")
    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800", "--conflict", "rej")
    assert code == 1
    assert f"{KEYS} (1 hunk, see {KEYS}.rej)" in err
    # copier's rej mode: the file takes the template's side, the team's conflicting hunk waits in FILE.rej
    rejected = (project / f"{KEYS}.rej").read_text()
    assert "+DEFAULT_TTL: Final = 7200" in rejected
    keys = keys_path.read_text()
    assert "<" * 7 not in keys and "DEFAULT_TTL: Final = 1800" in keys
    assert answers(project)["default_ttl"] == 1800


# ------------------------------------------------------------------ refusals (exit 2, nothing touched)


def test_no_git_is_refused_without_touching_anything(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template, commit=False)
    before = snapshot(project)
    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800")
    assert code == 2
    assert err.startswith("redis-rules: error: DEST is not a git repository") and "git init" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(project) == before
    # a folder that is neither a project nor a repository: `git init` would only lead to the next refusal
    plain = tmp_path / "plain"
    plain.mkdir()
    code, _, err = run_cli("update", str(plain))
    assert code == 2 and f"{plain} has no .copier-answers.yml" in err and "git init" not in err
    assert list(plain.iterdir()) == []


def test_dirty_tree_bad_answers_and_missing_answers_are_refused(
    tmp_path: Path, template: Path, run_cli: RunCli
) -> None:
    project = new_project(tmp_path / "svc", template)

    (project / "CLAUDE.md").write_text((project / "CLAUDE.md").read_text() + "\nwip\n")
    (project / "notes.txt").write_text("untracked counts too")
    before = snapshot(project)
    code, _, err = run_cli("update", str(project), "--set", "default_ttl=1800")
    assert code == 2
    assert "uncommitted changes: CLAUDE.md, notes.txt" in err and "commit or stash" in err
    assert snapshot(project) == before
    git(project, "checkout", "-q", "--", "CLAUDE.md")
    (project / "notes.txt").unlink()

    before = snapshot(project)
    for args, expected in [
        (["--set", "default_ttl=0"], "redis-rules: error: default_ttl: out of range: must be from 1 to 2592000"),
        (["--set", "default_ttl=soon"], "redis-rules: error: default_ttl: must be a whole number"),
        (["--set", "flavour=moon"], "redis-rules: error: flavour: 'moon' is not allowed"),
        (["--set", "client=upstash"], "redis-rules: error: flavour: the 'upstash' client"),
        (["--set", "nope=1"], "redis-rules: error: nope: unknown answer"),
        (["--set", "default_ttl"], "redis-rules: error: --set: expected KEY=VALUE"),
        (["--set", "_commit=v9"], "redis-rules: error: --set: _commit is copier's own bookkeeping"),
    ]:
        code, _, err = run_cli("update", str(project), *args)
        assert code == 2, args
        assert err.startswith(expected), (args, err)
        assert len(err.strip().splitlines()) == 1
    assert snapshot(project) == before and git(project, "status", "--porcelain") == ""

    (project / ".copier-answers.yml").unlink()
    commit_all(project, "lose the answers")
    code, _, err = run_cli("update", str(project))
    assert code == 2 and "no .copier-answers.yml" in err and "redis-rules new" in err
    (project / "notes.txt").write_text("a dirty tree that is not a project says so first")
    code, _, err = run_cli("update", str(project))
    assert code == 2 and f"{project} has no .copier-answers.yml" in err


@pytest.mark.parametrize("verb", ["new", "check", "update"])
def test_an_empty_dest_is_refused_not_read_as_the_current_folder(verb: str, run_cli: RunCli) -> None:
    """`redis-rules new "$DIR"` with DIR unset must not render into the current folder."""
    code, out, err = run_cli(verb, "", *(["--defaults"] if verb == "new" else []))
    assert code == 2 and out == ""
    assert err == "redis-rules: error: argument DEST: must not be empty (use . for the current folder)\n"


# ------------------------------------------------------------------ flavour change


def test_flavour_change_to_elasticache_serverless(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template, modules="[cache, rate_limit]")
    assert "REQUIRE_TLS_IN_PROD: Final = False" in (project / CLIENT).read_text()
    assert "**RR020**" not in (project / "CLAUDE.md").read_text()

    code, out, err = run_cli("update", str(project), "--set", "flavour=elasticache-serverless")

    assert code == 0, out + err
    client = (project / CLIENT).read_text()
    assert "RedisCluster" in client and "REQUIRE_TLS_IN_PROD: Final = True" in client
    assert "CLUSTER_MODE: Final = True" in (project / KEYS).read_text()
    assert "**RR020**" in (project / "CLAUDE.md").read_text()
    policy = yaml.safe_load((project / ".redis-rules.yml").read_text())
    assert policy["flavour"] == "elasticache-serverless"
    assert "cluster" in (project / "tests/redis/conftest.py").read_text().lower()
    commit_all(project, "move to ElastiCache Serverless")
    assert_generated_tests_pass(project)  # against a throwaway 3-node cluster


# ------------------------------------------------------------------ sources


def test_stock_copier_update_works_on_a_project_made_by_new(tmp_path: Path, template: Path) -> None:
    project = new_project(tmp_path / "svc", template)
    assert answers(project)["_src_path"] == str(template)
    proc = stock_copier_update(project, "default_ttl=1800")
    assert proc.returncode == 0, proc.stderr
    assert "DEFAULT_TTL: Final = 1800" in (project / KEYS).read_text()


def test_wheel_install_renders_from_a_cached_git_repo_and_updates_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    """A wheel's template is a plain folder: `new` materialises it as a tagged git repo in the cache."""
    from redis_rules import template_source

    bundled = tmp_path / "site-packages" / "redis_rules" / "_template"
    repo = make_template_repo(tmp_path / "snapshot", "unused")
    bundled.mkdir(parents=True)
    for name in ("copier.yml", "templates", "rulesets"):
        src = repo / name
        subprocess.run(["cp", "-rL", str(src), str(bundled / name)], check=True)  # a wheel holds no symlinks
    monkeypatch.setattr(template_source, "bundled_template_root", lambda: bundled)
    cache = tmp_path / "cache" / "template"
    tag = template_source.installed_tag()

    code, out, err = run_cli("new", str(tmp_path / "svc"), "--defaults", "--data", "modules=[cache]")
    assert code == 0, err
    project = tmp_path / "svc"
    recorded = answers(project)
    assert Path(str(recorded["_src_path"])).expanduser() == cache and recorded["_commit"] == tag
    assert git(cache, "tag", "--list").split() == [tag]
    assert template_source.ensure_cached_template(bundled) == (recorded["_src_path"], tag)  # idempotent
    # pip compiles the template's Python files on install: bytecode is not a new template version
    pycache = bundled / "templates" / "python" / "tests" / "redis" / "__pycache__"
    pycache.mkdir(parents=True, exist_ok=True)
    (pycache / "fault_proxy.cpython-311.pyc").write_bytes(b"\x00bytecode")
    (bundled / "templates" / "stray.pyc").write_bytes(b"\x00")
    assert template_source.ensure_cached_template(bundled) == (recorded["_src_path"], tag)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "rendered")

    # the cache is gone (new machine, cleaned cache): the installed version is put back, no network
    subprocess.run(["rm", "-rf", str(cache)], check=True)
    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800")
    assert code == 0, out + err
    assert "DEFAULT_TTL: Final = 1800" in (project / KEYS).read_text()
    commit_all(project, "ttl")

    # stock copier understands the same answers file
    proc = stock_copier_update(project, "default_ttl=900")
    assert proc.returncode == 0, proc.stderr
    assert "DEFAULT_TTL: Final = 900" in (project / KEYS).read_text()

    # a different build under the same version gets its own tag, the old one stays for merges
    (bundled / "rulesets" / "99-local.yml").write_text("[]\n")
    src, new_tag = template_source.ensure_cached_template(bundled)
    assert new_tag.startswith(f"{tag}+") and set(git(cache, "tag", "--list").split()) == {tag, new_tag}


def test_missing_recorded_source_is_a_clear_error(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc", template)
    text = (project / ".copier-answers.yml").read_text().replace(str(template), str(tmp_path / "gone"))
    (project / ".copier-answers.yml").write_text(text)
    commit_all(project, "source moved")
    code, _, err = run_cli("update", str(project), "--set", "default_ttl=1800")
    assert code == 2 and "recorded in .copier-answers.yml is unusable" in err and "Traceback" not in err


# ------------------------------------------------------------------ units


def test_marker_hunk_count() -> None:
    from redis_rules.updating.conflicts import count_marker_hunks

    s, m, e = "<" * 7, "=" * 7, ">" * 7
    text = f"a\n{s} before updating\nb\n{m}\nc\n{e} after updating\nd\n{s} x\n{m}\n{e} y\n"
    assert count_marker_hunks(text) == 2
    assert count_marker_hunks(f"Title\n{m}\n") == 0
    assert count_marker_hunks(f"{s}{s}\n") == 0


# ------------------------------------------------------------------ TypeScript projects

TS_KEYS = "src/db/redis/keys.ts"
TS_TEAM_FUNCTION = (
    '\nexport function teamReportKey(day: string): string {\n  return build("reports", "daily", day);\n}\n'
)


def test_typescript_policy_change_keeps_edits(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc-ts", template, language="typescript", edge="true")
    assert (project / TS_KEYS).is_file() and (project / "src/edge/redis/client.ts").is_file()
    with (project / TS_KEYS).open("a") as fh:
        fh.write(TS_TEAM_FUNCTION)
    with (project / "CLAUDE.md").open("a") as fh:
        fh.write(TEAM_SECTION)
    package_json = (project / "package.json").read_text() + "\n"
    (project / "package.json").write_text(package_json)  # the team's own file now (written only when missing)
    commit_all(project, "team edits")

    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800", "--set", "modules=[cache, locks]")

    assert code == 0, out + err
    assert "default_ttl: 3600 -> 1800" in out
    keys = (project / TS_KEYS).read_text()
    assert "export const DEFAULT_TTL = 1800;" in keys and "export const DEFAULT_TTL = 3600;" not in keys
    assert "export function teamReportKey(day: string): string {" in keys  # the team's function survived
    assert (project / "src/db/redis/locks.ts").is_file() and (project / "test/redis/locks.test.ts").is_file()
    claude = (project / "CLAUDE.md").read_text()
    assert "| `TTL.default` | 1800 |" in claude and claude.endswith(TEAM_SECTION)
    assert "`await locks.withLock(" in claude
    assert (project / "package.json").read_text() == package_json
    assert "<" * 7 not in keys + claude


def test_a_language_change_is_refused_without_writing(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    project = new_project(tmp_path / "svc-ts", template, language="typescript")
    before = snapshot(project)
    code, out, err = run_cli("update", str(project), "--set", "language=python")
    assert code == 2
    assert err == (
        "redis-rules: error: language: a typescript project cannot be updated to python; render a new project "
        "with `redis-rules new DEST --data language=python` instead\n"
    )
    assert snapshot(project) == before


@pytest.mark.parametrize("adoption", ["rules", "modules"])
def test_an_adoption_change_is_refused_without_writing(
    tmp_path: Path, template: Path, run_cli: RunCli, adoption: str
) -> None:
    """`adoption` decides which files exist at all: set on a project made by `new`, Copier would delete its
    modules, tests and project files (31 files, exit 0, before this was refused)."""
    project = new_project(tmp_path / "svc", template)
    before = snapshot(project)
    code, out, err = run_cli("update", str(project), "--set", f"adoption={adoption}")
    assert code == 2 and "updated" not in out  # (out holds what `new` printed)
    assert err.startswith(
        "redis-rules: error: adoption: recorded by `redis-rules new --into` (here: not set: a project made by "
        "`redis-rules new`) and not changed by an update"
    )
    assert len(err.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_the_wheel_ships_exactly_the_parts_the_template_cache_snapshots() -> None:
    """pyproject's wheel force-include and template_source.TEMPLATE_PARTS list the template twice (hatch
    cannot read the Python constant): a part added to one and not the other would ship a template whose
    cached snapshot, and so its version, differs from what is installed."""
    import tomllib

    from redis_rules import template_source

    pyproject = tomllib.loads((template_source.PACKAGE_DIR.parent.parent / "pyproject.toml").read_text())
    shipped = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert shipped == {part: f"redis_rules/_template/{part}" for part in template_source.TEMPLATE_PARTS}


def test_a_crlf_rule_file_stays_crlf_and_nothing_is_replaced(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    """A team on Windows commits CLAUDE.md with CRLF: the update rewrites the redis-rules section only, in CRLF,
    and says nothing was replaced (fresh-user trial 12: every line became LF, and 'edits inside its redis-rules
    parts were replaced' was printed for a file nobody had edited)."""
    project = new_project(tmp_path / "svc", template)
    claude = (project / "CLAUDE.md").read_text(encoding="utf-8")
    crlf = ("# Our service\n\nTeam notes.\n\n" + claude).replace("\n", "\r\n")
    (project / "CLAUDE.md").write_bytes(crlf.encode("utf-8"))
    commit_all(project, "CLAUDE.md in CRLF, with the team's text")

    code, out, err = run_cli("update", str(project), "--set", "default_ttl=1800")

    assert code == 0, out + err
    after = (project / "CLAUDE.md").read_bytes().decode("utf-8")
    assert after.startswith("# Our service\r\n\r\nTeam notes.\r\n") and "1800" in after
    assert after.count("\n") == after.count("\r\n")  # every line still CRLF
    assert "were replaced by the render" not in out
    changed = git(project, "diff", "--numstat", "--", "CLAUDE.md").split()
    assert changed and int(changed[0]) < 10, changed  # the TTL lines, not the whole file


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, Terminated])
def test_an_update_cut_short_after_copier_wrote_is_undone(
    tmp_path: Path, template: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, interrupt: type
) -> None:
    """Trial 14: Ctrl-C part-way through `update` left a half-applied tree (the policy changed, the answers not;
    once a team's own section was gone) under "nothing half-written was left behind". Now an interrupt after
    Copier wrote undoes the update: exit 130 (143 for SIGTERM), and the project is as it was."""
    from redis_rules.updating import flow

    project = new_project(tmp_path / "svc", template)
    claude = project / "CLAUDE.md"
    claude.write_text(claude.read_text() + "\n## Team notes\n\nOurs.\n")
    commit_all(project, "team notes")
    before = snapshot(project)

    def cut_short(top: Path, dest: Path, *args: object) -> list[str]:
        assert "77" in (dest / ".redis-rules.yml").read_text()  # Copier has written the new answers
        raise interrupt()

    monkeypatch.setattr(flow, "reconcile_owned", cut_short)
    code, out, err = run_cli("update", str(project), "--set", "default_ttl=77")
    assert code == (130 if interrupt is KeyboardInterrupt else 143), out + err
    assert "nothing half-written was left behind" in err and err.count("\n") == 1
    assert git(project, "status", "--porcelain") == ""
    assert snapshot(project) == before


def test_an_update_that_overflows_agents_md_is_undone(tmp_path: Path, template: Path, run_cli: RunCli) -> None:
    """`new` refuses answers whose AGENTS.md section passes the 32 KiB Codex reads; `update --set` of the same
    answers is refused too (exit 2, one line) and leaves the project as it was: files, index, untracked."""
    import json

    project = new_project(tmp_path / "svc", template, modules="[cache, rate_limit, sessions, locks, streams, pubsub]")
    before = snapshot(project)
    reason = "kept without a TTL because the team reloads it from the source of truth on every deploy " * 3
    entries = [{"pattern": f"*:config{i}:*", "reason": reason.strip()[:300]} for i in range(50)]
    code, out, err = run_cli("update", str(project), "--set", f"persistent_keys={json.dumps(entries)}")
    assert code == 2, out + err
    assert err.startswith("redis-rules: error: persistent_keys: AGENTS.md would be ")
    assert "the update was undone" in err and err.count("\n") == 1
    assert git(project, "status", "--porcelain") == ""
    assert snapshot(project) == before
    # within the size, the same kind of change goes through
    code, out, err = run_cli("update", str(project), "--set", f"persistent_keys={json.dumps(entries[:3])}")
    assert code == 0, out + err
    assert "*:config2:*" in (project / "AGENTS.md").read_text()


def test_answer_changes_are_printed_as_the_answers_file_writes_them() -> None:
    """Trial 20: `answer rate_limit_default: None -> 5/1s` and `ttl_classes: {'session': 604800, ...}`
    (Python reprs); the answers file and --set say null and {session: 604800}."""
    from redis_rules.commands.update import _value

    assert [_value(v) for v in (None, True, 900, "5/1s", ["cache", "locks"])] == [
        "null",
        "true",
        "900",
        "5/1s",
        "[cache, locks]",
    ]
    assert _value({"session": 604800, "cache_short": 60}) == "{session: 604800, cache_short: 60}"  # answers' order
    assert _value([{"pattern": "*:config:*"}]) == "[{pattern: '*:config:*'}]"
    assert _value("") == "''" and _value(" padded ") == "' padded '"
