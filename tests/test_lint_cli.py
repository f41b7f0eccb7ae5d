"""`redis-rules lint` end to end: formats, exit codes, paths, policy and stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from redis_rules.cli import _Parser
from redis_rules.commands import lint as lint_command
from redis_rules.errors import UserError

CASES = Path(__file__).parent / "lint_cases"
SARIF_SCHEMA = json.loads((CASES / "sarif-2.1.0-subset.json").read_text())

BAD = 'import redis\nr = redis.Redis()\nfor k in r.keys("*"):\n    r.lrange(k, 0, -1)\n'
CLEAN = "import redis\nr = redis.Redis()\nr.set(KEY, 1, ex=60)\n"


def run(*argv: str, stdin: str | None = None, capsys=None, monkeypatch=None) -> tuple[int, str, str]:
    """Run the lint verb in-process the way cli.main does (own parser: other verbs may not exist yet)."""
    parser = _Parser(prog="redis-rules")
    lint_command.register(parser.add_subparsers(dest="verb", parser_class=_Parser))
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        args = parser.parse_args(["lint", *argv])
        code = args.func(args)
    except UserError as exc:
        print(f"redis-rules: error: {exc}", file=sys.stderr)
        code = exc.exit_code
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "bad.py").write_text(BAD)
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    (tmp_path / "app" / "notes.txt").write_text("r.keys('*')\n")
    for skipped in (".venv", "node_modules", "build", "__pycache__"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.py").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_output_and_exit_1(project, capsys):
    code, out, err = run("app", capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "app/bad.py:3:12: RR007 KEYS blocks the server while it scans the whole keyspace; use SCAN (scan_iter)"
        " [r: redis.Redis(...) at line 2]",
        "app/bad.py:4:7: RR008 LRANGE 0 -1 reads the whole collection; read bounded pages"
        " [r: redis.Redis(...) at line 2]",
    ]
    assert err.strip() == "Found 2 findings in 1 file."


def test_default_path_is_cwd_and_skips_vendor_dirs(project, capsys):
    code, out, _ = run(capsys=capsys)
    assert code == 1
    assert {line.split(":")[0] for line in out.splitlines()} == {"app/bad.py"}


def test_clean_exit_0(project, capsys):
    code, out, err = run("app/clean.py", capsys=capsys)
    assert (code, out.strip(), err) == (0, "All checks passed.", "")


def test_exit_zero(project, capsys):
    code, out, _ = run("app", "--exit-zero", capsys=capsys)
    assert code == 0 and "RR007" in out


def test_json_output(project, capsys):
    code, out, _ = run("app", "--format", "json", capsys=capsys)
    assert code == 1
    data = json.loads(out)
    assert [d["code"] for d in data] == ["RR007", "RR008"]
    assert set(data[0]) == {
        "code",
        "check",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "evidence",
        "reason",
    }
    assert data[0]["check"] == "keys-command" and data[0]["path"] == "app/bad.py"
    assert (data[0]["evidence"], data[0]["reason"]) == (
        "proven",
        "r: r assigned at line 2 <- redis.Redis(...) at line 2",
    )
    assert (data[0]["line"], data[0]["column"]) == (3, 12)


def test_json_clean_is_empty_list(project, capsys):
    code, out, _ = run("app/clean.py", "--format", "json", capsys=capsys)
    assert (code, json.loads(out)) == (0, [])


def test_sarif_output_validates(project, capsys):
    (project / "app" / "broken.py").write_text("def f(:\n")
    code, out, _ = run("app", "--format", "sarif", capsys=capsys)
    assert code == 1
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert log["version"] == "2.1.0" and "$schema" in log
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "redis-rules" and driver["informationUri"].startswith("https://")
    rule_ids = [r["id"] for r in driver["rules"]]
    assert {"RR001", "RR002", "RR003", "RR007", "RR022", "E999"} <= set(rule_ids)
    rr007 = driver["rules"][rule_ids.index("RR007")]
    assert rr007["name"] == "no-keys-command" and rr007["defaultConfiguration"]["level"] == "error"
    assert rr007["shortDescription"]["text"] and rr007["fullDescription"]["text"]
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["RR007", "RR008", "E999"]  # files in sorted order
    first = next(r for r in results if r["ruleId"] == "RR007")
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "app/bad.py"
    assert (loc["region"]["startLine"], loc["region"]["startColumn"]) == (3, 12)
    assert driver["rules"][first["ruleIndex"]]["id"] == "RR007"
    assert first["properties"] == {
        "check": "keys-command",
        "evidence": "proven",
        "reason": "r: r assigned at line 2 <- redis.Redis(...) at line 2",
    }


def test_sarif_schema_rejects_broken_logs():
    """The embedded schema subset does catch mistakes (so the test above means something)."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0"}, SARIF_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}, SARIF_SCHEMA)
    bad_result = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "R"}]}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad_result, SARIF_SCHEMA)


def test_syntax_error_reported_and_others_checked(project, capsys):
    (project / "app" / "broken.py").write_text("x = 1\ndef f(:\n    pass\n")
    code, out, _ = run("app", capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("app/broken.py:2:") and " E999 SyntaxError: " in line for line in lines)
    assert any(line.startswith("app/bad.py:3:12: RR007") for line in lines)


def test_syntax_error_alone_exits_1(project, capsys):
    (project / "broken.py").write_text("def f(:\n")
    code, out, _ = run("broken.py", "--format", "json", capsys=capsys)
    assert code == 1 and json.loads(out)[0]["code"] == "E999"


def test_missing_path_is_usage_error(project, capsys):
    code, out, err = run("app", "nope.py", capsys=capsys)
    assert code == 2 and out == ""
    assert err.strip() == "redis-rules: error: lint: no such file or directory: nope.py"
    assert len(err.strip().splitlines()) == 1


def test_unknown_selector_is_usage_error(project, capsys):
    code, _, err = run("app", "--select", "RR999", capsys=capsys)
    assert code == 2 and "RR999" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("app", "--select", ""), "--select needs at least one rule id"),
        (("app", "--ignore", ","), "--ignore needs at least one rule id"),
        (("app", "--stdin-filename", "x.py"), "give '-' as the path"),
        (("-", "--stdin-filename", ""), "--stdin-filename must be a path"),
    ],
)
def test_empty_selectors_and_a_stray_stdin_filename_are_usage_errors(project, capsys, argv, message):
    """`--select ''` ran every check and `--stdin-filename` without `-` was ignored (fresh-user trial 6)."""
    code, out, err = run(*argv, capsys=capsys)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_bad_format_is_usage_error(project, capsys):
    code, _, err = run("app", "--format", "xml", capsys=capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_select_and_ignore(project, capsys):
    assert run("app", "--select", "RR008", capsys=capsys)[1].count("RR0") == 1
    code, out, _ = run("app", "--ignore", "RR007,RR008", capsys=capsys)
    assert code == 0 and out.strip() == "All checks passed."
    code, out, _ = run("app", "--select", "keys-command", capsys=capsys)
    assert code == 1 and "RR008" not in out
    code, out, _ = run("app", "--select", "no-keys-command", capsys=capsys)
    assert code == 1 and "RR007" in out and "RR008" not in out
    code, out, _ = run("app", "--ignore", "bounded-reads,keys-command", capsys=capsys)
    assert code == 0


def test_policy_with_unknown_selector_is_usage_error(project, capsys):
    (project / ".redis-rules.yml").write_text("lint:\n  ignore: RR007\n")
    code, out, err = run("app", capsys=capsys)
    assert code == 2 and out == "" and err.startswith("redis-rules: error: policy ")
    assert "lint.ignore: must be a list" in err and err.count("\n") == 1
    (project / ".redis-rules.yml").write_text("lint:\n  per_file_ignores: {'app/*': [RR9]}\n")
    code, out, err = run("app", capsys=capsys)
    assert code == 2 and "per_file_ignores['app/*']" in err and "RR9" in err and len(err.splitlines()) == 1


def test_policy_found_from_path_and_explicit(project, capsys):
    (project / ".redis-rules.yml").write_text("lint:\n  ignore: [RR007]\n  exclude: ['app/clean.py']\n")
    code, out, _ = run("app", capsys=capsys)
    assert code == 1 and "RR007" not in out and "RR008" in out
    other = project / "other.yml"
    other.write_text("lint:\n  per_file_ignores:\n    'app/*.py': [RR008]\n")
    code, out, _ = run("app", "--policy", str(other), capsys=capsys)
    assert "RR008" not in out and "RR007" in out


def test_bad_policy_is_usage_error(project, capsys):
    (project / ".redis-rules.yml").write_text("lint:\n  nonsense: 1\n")
    code, out, err = run("app", capsys=capsys)
    assert code == 2 and "nonsense" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("app", "--policy", "missing.yml", capsys=capsys)
    assert code == 2 and "missing.yml" in err


def test_stdin(project, capsys, monkeypatch):
    code, out, _ = run("-", stdin=BAD, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1 and out.startswith("<stdin>:3:12: RR007")
    code, out, _ = run(
        "-",
        "--stdin-filename",
        "scripts/reset_dev.py",
        stdin=BAD.replace("r.lrange(k, 0, -1)", "r.flushall()"),
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert out.startswith("scripts/reset_dev.py:3:12: RR007") and "RR011" not in out


def test_suppression_comment_end_to_end(project, capsys):
    (project / "app" / "bad.py").write_text(BAD.replace('r.keys("*"):', 'r.keys("*"):  # redis-rules: ignore[RR007]'))
    code, out, _ = run("app", capsys=capsys)
    assert "RR007" not in out and "RR008" in out


def test_through_the_real_cli(project):
    """`python -m redis_rules lint` (skipped while another verb module is still missing)."""
    probe = subprocess.run([sys.executable, "-c", "import redis_rules.cli as c; c.build_parser()"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("redis_rules.cli cannot build its parser yet (a verb module is missing)")
    env_root = str(Path(__file__).resolve().parents[1])
    proc = subprocess.run(
        [sys.executable, "-m", "redis_rules", "lint", "app", "missing_dir"],
        capture_output=True,
        text=True,
        cwd=project,
        env={"PYTHONPATH": env_root, "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "redis_rules", "lint", "app", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=project,
        env={"PYTHONPATH": env_root, "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1 and [d["code"] for d in json.loads(proc.stdout)] == ["RR007", "RR008"]


def test_paths_after_options_through_cli_main(project, capsys, monkeypatch):
    """`lint app/a.py --no-cache app/b.py` was refused ("unrecognized arguments: app/b.py"); ruff takes it.
    An unknown option, an empty path and extra words for another verb are still usage errors."""
    from redis_rules.cli import main

    monkeypatch.chdir(project)
    (project / "app" / "b.py").write_text(BAD)
    assert main(["lint", "app/bad.py", "--no-cache", "app/b.py", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert sorted({d["path"] for d in json.loads(out)}) == ["app/b.py", "app/bad.py"]
    for argv, message in (
        (["lint", "app", "--no-cache", "--bogus"], "unrecognized arguments: --bogus"),
        (["lint", "app", "--no-cache", ""], "argument PATH: must not be empty"),
        (["audit", "--timeout", "1", "redis://:S3cret-Pw@h"], "unrecognized arguments: redis://:***@h"),
    ):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and message in err and "S3cret-Pw" not in err and err.count("\n") == 1


def test_a_verb_imports_only_its_own_module(tmp_path):
    """`redis-rules lint FILE` builds only the lint sub-command: copier (for new/update/check) and the installed
    version (importlib.metadata) are not imported; `--version` and the top-level help still work."""
    (tmp_path / "app.py").write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    code = (
        "import sys\nfrom redis_rules.cli import main\n"
        "rc = main(['lint', 'app.py'])\n"
        "print(rc, sorted(m for m in ('copier', 'importlib.metadata', 'redis_rules.commands.new') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "1 []"
    version = subprocess.run([sys.executable, "-m", "redis_rules", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("redis-rules ")
    top = subprocess.run([sys.executable, "-m", "redis_rules", "--help"], capture_output=True, text=True)
    assert all(verb in top.stdout for verb in ("new", "update", "lint", "audit", "rules", "check", "hook"))


def test_the_policy_check_is_remembered_until_the_file_changes(tmp_path):
    """A policy file that passed its schema check is not checked again (no YAML, no jsonschema import) until the
    file, the schema or redis-rules changes; a broken edit is still a usage error."""
    (tmp_path / "app.py").write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    policy = tmp_path / ".redis-rules.yml"
    policy.write_text("lint:\n  ignore: [RR007]\n")
    code = (
        "import sys\nfrom redis_rules.cli import main\nrc = main(['lint', 'app.py'])\n"
        "print(rc, 'jsonschema' in sys.modules)"
    )

    def run() -> str:
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
        return (proc.stdout.strip().splitlines() or [""])[-1] + "|" + proc.stderr.strip()

    assert run().startswith("0 True")  # checked, and RR007 ignored as the policy says
    assert run().startswith("0 False")  # remembered
    policy.write_text("lint:\n  ignore: [RR007]\n  bogus: 1\n")
    broken = subprocess.run(
        [sys.executable, "-m", "redis_rules", "lint", "app.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert broken.returncode == 2 and "bogus" in broken.stderr


def test_a_refused_policy_leaves_nothing_behind(tmp_path):
    """A policy lint refuses (an unknown selector passes the schema, not lint) is an error naming the file and
    the field, and nothing is written: no cache folder remembers it."""
    (tmp_path / "app.py").write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    (tmp_path / ".redis-rules.yml").write_text("lint:\n  ignore: [RR999]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "redis_rules", "lint", "app.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert f"policy {tmp_path / '.redis-rules.yml'}: lint.ignore: unknown rule selector(s) RR999" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".redis-rules.yml", "app.py"]
