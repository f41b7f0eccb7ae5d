"""The README's promises are tested: its two commands and its rule table."""

from __future__ import annotations

import re

from redis_rules.rulesets import load_rules
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_lines_give_exactly_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README.split("\n## ")[0], flags=re.S)
    assert blocks == ["pip install . && redis-rules new demo --defaults", "pip install -e '.[dev]' && pytest"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "grep -m1 \"^pip install -e '.\\[dev\\]'\" README.md" in ci
    assert 'eval "$test_cmd"' in ci


def test_rule_table_matches_the_rulesets() -> None:
    table = README.split("<!-- rules-table")[1].split("<!-- /rules-table -->")[0]
    rows = re.findall(r"^\| (RR\d{3}) \| `([a-z0-9-]+)` \| (\w+) \|", table, flags=re.M)
    assert rows == [(r.id, r.name, r.severity) for r in load_rules(ROOT)]
