"""Kind 8: exit codes tell the truth, and every error is one line.

Exit 1 is only findings or conflicts; an unexpected exception is exit 3 with one line saying where its
traceback was written (--debug prints it); multi-line YAML, git and copier errors become one line
naming the field or source.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from redis_rules.commands import rules as rules_command
from tests.hostile.helpers import assert_refused, run, tried

SECRET = "Zq-crash-s3cret-Xk"


@pytest.fixture
def crashing_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inject a bug into one verb: it raises an exception no code path expects (fault injection)."""

    def boom(args: object) -> int:
        raise KeyError(f"bug with redis://user:{SECRET}@db.internal:6379/0 inside")

    monkeypatch.setattr(rules_command, "run", boom)


def _crash_file(err: str) -> Path:
    assert "the traceback is in " in err, err
    return Path(err.split("the traceback is in ", 1)[1].split(" (--debug", 1)[0])


def test_internal_error_is_exit_3_with_one_line_and_a_traceback_file(crashing_rules: None, cache_dir: Path) -> None:
    code, out, err = run("rules")
    tried("rules")
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and err.startswith("redis-rules: internal error in rules: KeyError")
    assert "Traceback" not in err and SECRET not in err
    path = _crash_file(err)
    assert path.is_file() and cache_dir in path.parents
    text = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "KeyError" in text
    assert SECRET not in text and "user:***@db.internal" in text  # the traceback file is scrubbed too


@pytest.mark.parametrize("how", ["--debug before the verb", "--debug after the verb", "REDIS_RULES_DEBUG=1"])
def test_debug_prints_the_traceback(crashing_rules: None, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    argv = {"--debug before the verb": ("--debug", "rules"), "--debug after the verb": ("rules", "--debug")}.get(
        how, ("rules",)
    )
    if how.startswith("REDIS_RULES_DEBUG"):
        monkeypatch.setenv("REDIS_RULES_DEBUG", "1")
    code, _, err = run(*argv)
    assert code == 3
    assert "Traceback (most recent call last)" in err and "KeyError" in err
    assert SECRET not in err


def test_unwritable_crash_folders_still_one_line(crashing_rules: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from redis_rules import crash

    monkeypatch.setattr(crash, "crash_folders", lambda: [Path("/proc/no-such-folder")])  # /proc refuses mkdir
    code, _, err = run("rules")
    assert code == 3 and err.count("\n") == 1 and "nowhere" in err


def test_usage_errors_are_exit_2_one_line() -> None:
    for argv in (["new", "--bogus"], ["audit", "--timeout"], ["lint", "--format", "xml"], ["rules", "a", "b"]):
        code, out, err = run(*argv)
        tried(argv[0])
        assert_refused(code, out, err)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lint", ""], "argument PATH: must not be empty"),
        (["lint", "", "{tmp}"], "argument PATH: must not be empty"),
        (["new", "{tmp}/a\nb", "--defaults"], "argument DEST: must be one line without control characters"),
        (["rules", ""], "unknown rule ''"),  # printed the whole table, exit 0
        (["rules", "x\x1b[31mred"], "unknown rule 'x\\x1b[31mred'"),  # the escape reached the terminal
    ],
)
def test_empty_paths_and_multiline_folders_are_refused(argv: list[str], message: str, tmp_path: Path) -> None:
    """`lint ""` (an unset "$DIR") linted the current folder; a DEST holding a newline split every message."""
    code, out, err = run(*[a.format(tmp=tmp_path) for a in argv])
    tried(argv[0])
    assert_refused(code, out, err)
    assert message in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("verb", ["new", "check", "update"])
def test_a_symlink_loop_as_dest_is_refused_in_one_line(verb: str, tmp_path: Path) -> None:
    """`new l1` with l1 -> l2 -> l1 was an internal error (Path.resolve raises RuntimeError on a loop)."""
    os.symlink(tmp_path / "l2", tmp_path / "l1")
    os.symlink(tmp_path / "l1", tmp_path / "l2")
    code, out, err = run(verb, str(tmp_path / "l1"), *(["--defaults"] if verb == "new" else []))
    tried(verb)
    assert_refused(code, out, err, "DEST")
    assert "symbolic link loop" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l1", "l2"]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["new", "{tmp}/out", "--def"], "--def"),
        (["new", "{tmp}/out", "--defaults", "--data-f", "/dev/null"], "--data-f"),
        (["lint", "--form", "json", "{tmp}"], "--form"),
    ],
)
def test_abbreviated_options_are_refused(argv: list[str], option: str, tmp_path: Path) -> None:
    """Options are taken by their full names only: `--def` in a script would change meaning (or become
    ambiguous) the day an option starting with it is added."""
    code, out, err = run(*[a.format(tmp=tmp_path) for a in argv])
    tried(argv[0])
    assert_refused(code, out, err, option)
    assert "unrecognized arguments" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", ["-3", "0", "65", "1e3", "99999999999999999999"])
def test_lint_jobs_out_of_range_is_a_usage_error(jobs: str, tmp_path: Path) -> None:
    """`--jobs -3` was accepted silently; 10**6 would have asked for a million processes."""
    code, out, err = run("lint", f"--jobs={jobs}", str(tmp_path))
    tried("lint")
    assert_refused(code, out, err, "--jobs")


MULTILINE_YAML = [
    "project_name: [unclosed\n  - x\n",
    "a: b: c\n",
    "key: 'unterminated\n",
    "\t- tab indented\n",
    "? [complex, key]\n: value\n",
    "project_name: !!python/object/apply:os.system ['echo hi']\n",
    "x: &a [*a]\n",
    "%YAML 9.9\n---\nx: 1\n",
]


@pytest.mark.parametrize("text", MULTILINE_YAML)
def test_yaml_errors_are_one_line_naming_the_file(tmp_path: Path, text: str) -> None:
    data = tmp_path / "answers.yml"
    data.write_text(text, encoding="utf-8")
    code, out, err = run("new", str(tmp_path / "out"), "--data-file", str(data))
    tried("new")
    assert_refused(code, out, err, "--data-file")
    assert not (tmp_path / "out").exists()
    policy = tmp_path / "policy.yml"
    policy.write_text(text, encoding="utf-8")
    code, out, err = run("rules", "RR001")  # unaffected verb still fine
    assert code == 0
    code, out, err = run("audit", "--policy", str(policy), "--url", "redis://127.0.0.1:1/0")
    tried("audit")
    assert_refused(code, out, err, "policy")


def test_copier_error_from_a_broken_template_is_one_line(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    template.mkdir()
    (template / "copier.yml").write_text("project_name:\n  type: str\n  default: x\n", encoding="utf-8")
    (template / "broken.txt.jinja").write_text("{{ project_name | no_such_filter }}\n{% if %}\n", encoding="utf-8")
    code, out, err = run("new", str(tmp_path / "out"), "--defaults", "--template", str(template))
    tried("new")
    assert_refused(code, out, err, "template")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tpl"] or sorted(p.name for p in tmp_path.iterdir()) == [
        "cache",
        "tpl",
    ]


def test_git_error_is_one_line(tmp_path: Path) -> None:
    """A repository git cannot read (a corrupt HEAD) is a one-line error naming git, not a traceback."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".git" / "HEAD").write_text("garbage\n", encoding="utf-8")
    code, out, err = run("update", str(repo))
    tried("update")
    assert_refused(code, out, err, "git", "DEST")


def test_real_process_exit_codes(tmp_path: Path) -> None:
    """Through the installed entry point: usage 2, bad input 2, nothing on stdout for errors."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    cmd = [sys.executable, "-m", "redis_rules"]
    usage = subprocess.run([*cmd, "new", "--nope"], capture_output=True, text=True, env=env, timeout=120)
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1
    bad = subprocess.run(
        [*cmd, "new", str(tmp_path / "x"), "--defaults", "--data", "default_ttl=true"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1
    assert "default_ttl" in bad.stderr


def test_a_crash_file_outlives_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With no writable cache folder, the traceback went to the run's private temp folder, which the run
    removes at its end: the message named a file that no longer existed."""
    import tempfile

    from redis_rules import crash

    run_tmp = tmp_path / f"{crash.RUN_TEMP_PREFIX}abc"
    run_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(run_tmp))
    monkeypatch.setenv("REDIS_RULES_CACHE_DIR", "/proc/no-such-folder")  # /proc refuses mkdir
    where = crash.write_traceback("Traceback: boom", "lint")
    assert Path(where).parent == tmp_path and Path(where).read_text() == "Traceback: boom"
