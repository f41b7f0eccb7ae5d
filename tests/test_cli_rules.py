"""`redis-rules rules [RULE]`: the list, one rule explained, JSON, and errors."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from redis_rules import cli
from redis_rules.commands import rules as rules_cmd
from redis_rules.rulesets import REQUIRED, load_rules

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules(ROOT)


@pytest.fixture
def run(monkeypatch, capsys):
    """Run the real cli.main with only the `rules` verb registered (other verbs may not exist yet)."""
    monkeypatch.setattr(cli, "VERBS", ("rules",))

    def _run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["rules", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


# ---------------------------------------------------------------- list


def test_list_shows_every_rule(run):
    code, out, err = run()
    assert code == 0 and err == ""
    header = out.splitlines()[0].split()
    assert header == ["ID", "SEVERITY", "NAME", "LINT", "AUDIT", "TITLE"]
    for rule in RULES:
        row = next(line for line in out.splitlines() if line.startswith(rule.id + " "))
        assert rule.name in row and rule.severity in row and rule.title in row
        assert (rule.lint or "-") in row and (rule.audit or "-") in row
    assert f"{len(RULES)} rules" in out


def test_list_json(run):
    code, out, _ = run("--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [item["id"] for item in data] == [r.id for r in RULES]
    assert all(list(item) == list(REQUIRED) for item in data)


# ---------------------------------------------------------------- one rule


def test_explain_rr007(run):
    code, out, err = run("RR007")
    assert code == 0 and err == ""
    rule = next(r for r in RULES if r.id == "RR007")
    assert out.startswith("RR007 (no-keys-command)\n")
    assert rule.title in out
    assert "Severity: error" in out
    for heading in ("## Why", "## Instead of", "## Do", "## Checked by", "## CLAUDE.md line", "## Source"):
        assert heading in out
    # the sections come in that order
    positions = [out.index(h) for h in ("## Why", "## Instead of", "## Do", "## Checked by", "## Source")]
    assert positions == sorted(positions)
    assert "KEYS is O(N)" in out
    assert 'r.keys("user:*")' in out  # bad
    assert "r.scan_iter(match=" in out  # good
    assert "lint: keys-command" in out
    assert rule.claude.strip() in out
    assert rule.source in out


def test_explain_by_name_and_lowercase_id(run):
    _, by_name, _ = run("no-keys-command")
    _, by_lower, _ = run("rr007")
    _, by_id, _ = run("RR007")
    assert by_name == by_lower == by_id


def test_explain_review_only_rule_and_conditions(run):
    code, out, _ = run("RR020")
    assert code == 0
    assert "review only" in out
    assert "Applies: cluster_mode: true" in out


def test_explain_lists_both_checks(run):
    _, out, _ = run("RR008")
    assert "lint: unbounded-read" in out and "audit: big-key" in out


def test_explain_every_rule_has_code_blocks(run):
    for rule in RULES:
        code, out, _ = run(rule.id)
        assert code == 0
        assert out.count("```python") == 2, rule.id
        assert rule.code("bad").strip() in out and rule.code("good").strip() in out


def test_explain_rr007_in_typescript(run):
    code, out, err = run("RR007", "--language", "typescript")
    assert code == 0 and err == ""
    assert out.count("```typescript\n") == 2 and "```python" not in out
    assert 'import { getClient } from "@/db/redis";' in out
    assert 'await r.keys("user:*")' in out  # bad
    assert "r.scanStream({ match:" in out  # good
    # the header, the checks and the source do not depend on the language; the rule's text names TypeScript's
    _, python, _ = run("RR007")
    assert out.split("## Why")[0] == python.split("## Why")[0]
    assert (
        out.split("## Checked by")[1].split("## CLAUDE.md line")[0]
        == python.split("## Checked by")[1].split("## CLAUDE.md line")[0]
    )
    assert "in scripts iterate with SCAN (MATCH, COUNT 1000)" in out and "scan_iter" not in out
    assert out.split("## Source")[1] == python.split("## Source")[1]


def test_typescript_pages_name_no_python_api(run):
    """Trial 20: `rules RR009 --language typescript` gave the Python CLAUDE.md line (`client.get_client()`,
    `redis.Redis(...)`), not the one a TypeScript project's CLAUDE.md holds."""
    from tests.test_agent_files_ts import PYTHON_ISMS

    for rule in RULES:
        _, out, _ = run(rule.id, "--language", "typescript")
        prose = (
            out.split("## Why")[1].split("## Instead of")[0] + out.split("## CLAUDE.md line")[1].split("## Source")[0]
        )
        assert not PYTHON_ISMS.search(prose), (rule.id, PYTHON_ISMS.search(prose))
    _, out, _ = run("RR009", "--language", "typescript")
    assert "getClient() from index.ts (one client per process)" in out


def test_a_check_that_reads_only_other_languages_says_so(run, monkeypatch):
    """Trial 20: RR022 in TypeScript said "lint: pickle-values" although that check read Python code only.
    (Here keys-command is made Python-only: whichever checks read one language today.)"""
    import dataclasses

    registry = [
        dataclasses.replace(c, languages=("python",)) if c.name == "keys-command" else c for c in rules_cmd.LINT_CHECKS
    ]
    monkeypatch.setattr(rules_cmd, "LINT_CHECKS", registry)
    _, out, _ = run("RR007", "--language", "typescript")
    assert "lint: keys-command  (redis-rules lint): " in out and out.count("(reads python code only)") == 1
    _, out, _ = run("RR007", "--language", "python")
    assert "code only)" not in out
    monkeypatch.undo()
    for rule in RULES:  # today's registry: a check is marked exactly when it skips the page's language
        for language in ("python", "typescript"):
            _, out, _ = run(rule.id, "--language", language)
            skipping = [c for c in rules_cmd.LINT_CHECKS if c.rule == rule.id and language not in c.languages]
            assert out.count("code only)") == len(skipping), (rule.id, language)


def test_the_language_defaults_to_the_projects(run, monkeypatch, tmp_path):
    """Trial 20: inside a TypeScript project, `redis-rules rules RR022` (as CLAUDE.md says to run it) showed
    Python examples. The project's answers file, in the folder or above it, gives the language."""
    project = tmp_path / "svc"
    (project / "src" / "app").mkdir(parents=True)
    (project / ".copier-answers.yml").write_text("_commit: v1\nlanguage: typescript\n")
    monkeypatch.chdir(project / "src" / "app")
    _, default, _ = run("RR007")
    _, typescript, _ = run("RR007", "--language", "typescript")
    _, python, _ = run("RR007", "--language", "python")
    assert default == typescript != python and "```typescript" in default
    (project / ".copier-answers.yml").write_text(
        "language: python\nmodule_path: orders/db/redis\nttl_classes: {short: 60, long: 3600}\n"
    )
    _, page, _ = run("RR002")  # trial 20: the examples imported myapp.db.redis in the project orders
    assert "from orders.db.redis import" in page and "myapp" not in page and "TTL.short" in page
    assert "TTL.cache_short" not in page
    (project / ".copier-answers.yml").write_text("language: typescript\nmodule_path: src/lib/redis\n")
    _, page, _ = run("RR009")
    assert 'from "@/lib/redis"' in page and "@/db/redis" not in page
    _, page, _ = run("RR009", "--language", "python")  # the other language: its default layout
    assert "from myapp.db.redis" in page
    for answers in ("language: python\n", "{not yaml: [", "- a list\n", "language: cobol\n"):
        (project / ".copier-answers.yml").write_text(answers)
        assert run("RR007")[1] == python, answers


def test_explain_every_rule_in_typescript(run):
    for rule in RULES:
        code, out, _ = run(rule.id, "--language", "typescript")
        assert code == 0
        bad, good = rule.code("bad", "typescript"), rule.code("good", "typescript")
        assert f"## Instead of\n```typescript\n{bad.rstrip()}\n```" in out, rule.id
        assert f"## Do\n```typescript\n{good.rstrip()}\n```" in out, rule.id


def test_language_python_is_the_default(run, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no project's answers file here or above
    _, default, _ = run("RR001")
    _, python, _ = run("RR001", "--language", "python")
    assert default == python and "```python" in default


def test_unknown_language_is_a_usage_error(run, capsys):
    with pytest.raises(SystemExit) as exc:
        run("RR007", "--language", "go")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --language: invalid choice: 'go'" in err
    assert "python" in err and "typescript" in err


def test_language_does_not_change_json_or_the_list(run):
    _, json_py, _ = run("RR007", "--format", "json")
    _, json_ts, _ = run("RR007", "--format", "json", "--language", "typescript")
    assert json_py == json_ts
    assert set(json.loads(json_ts)["examples"]) == {"python", "typescript"}
    _, table_py, _ = run()
    _, table_ts, _ = run("--language", "typescript")
    assert table_py == table_ts


def test_explain_json(run):
    code, out, _ = run("RR020", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == list(REQUIRED)
    assert data["id"] == "RR020" and data["name"] == "cluster-hash-tags"
    assert data["applies"] == {"cluster_mode": [True]}
    assert data["lint"] is None and data["audit"] is None


# ---------------------------------------------------------------- errors


def test_unknown_rule_is_one_line_exit_2(run):
    code, out, err = run("RR999")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("redis-rules: error: rule: unknown rule 'RR999'")
    assert "Traceback" not in err


def test_bad_format_is_a_usage_error(run):
    with pytest.raises(SystemExit) as exc:
        run("--format", "xml")
    assert exc.value.code == 2


def test_unknown_rule_in_a_real_process_has_no_traceback():
    code = "import sys; import redis_rules.cli as c; c.VERBS = ('rules',); sys.exit(c.main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code, "rules", "RR999"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "redis-rules: error: rule: unknown rule 'RR999' (see `redis-rules rules` for the list)"
    ]


# ---------------------------------------------------------------- registration


def test_register_adds_rules_verb_with_help(monkeypatch):
    monkeypatch.setattr(cli, "VERBS", ("rules",))
    parser = cli.build_parser()
    assert "rules" in parser.format_help()
    args = parser.parse_args(["rules", "RR001", "--format", "json"])
    assert args.func is rules_cmd.run
    assert args.rule == "RR001" and args.format == "json"
    args = parser.parse_args(["rules"])
    assert args.rule is None and args.format == "text" and args.language is None  # the project's, else python
    assert parser.parse_args(["rules", "RR001", "--language", "typescript"]).language == "typescript"


def test_table_and_explain_are_plain_functions():
    text = rules_cmd.table(RULES)
    assert text.splitlines()[0].startswith("ID")
    page = rules_cmd.explain(RULES[0])
    assert page.startswith("RR001 (key-builders)")
    assert "```typescript" in rules_cmd.explain(RULES[0], "typescript")


@pytest.mark.parametrize("language", ["python", "typescript"])
def test_the_page_in_a_project_says_what_its_claude_md_says(run, monkeypatch, tmp_path, language):
    """`redis-rules rules RRnnn` inside a project gives each rule's line exactly as the project's CLAUDE.md
    has it: the language's names, the project's TTL classes."""
    import re

    from tests.conftest import render

    monkeypatch.setattr(cli, "VERBS", ("rules", "new"))
    project = tmp_path / "svc"
    with contextlib.redirect_stdout(io.StringIO()):
        render(project, language=language, ttl_classes="{brief: 30, lasting: 86400}")
    monkeypatch.chdir(project)
    lines = dict(re.findall(r"^- \*\*(RR\d{3})\*\* (.+)$", (project / "CLAUDE.md").read_text(), re.M))
    assert len(lines) > 10
    for rule_id, line in lines.items():
        _, page, _ = run(rule_id)
        assert page.split("## CLAUDE.md line\n")[1].split("\n\n## Source")[0] == line, rule_id
