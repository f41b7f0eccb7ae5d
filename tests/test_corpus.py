"""The labelled lint corpora in bench/corpus/: schema, counts, rule ids, duplicates, reasons. No network."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from redis_rules.lint.engine import SKIP_DIRS
from redis_rules.lint.model import CHECKS, CODE_TO_CHECK
from redis_rules.rulesets import load_rules

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import CORPORA, MINIMUM, CorpusError, lint_rule_ids, load, problems  # noqa: E402


@pytest.fixture(scope="module", params=sorted(CORPORA))
def name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def raw(name: str) -> dict[str, Any]:
    return yaml.safe_load(CORPORA[name].read_text(encoding="utf-8"))


def test_file_is_valid(name: str) -> None:
    corpus = load(CORPORA[name])
    assert corpus.language == name


def test_counts_meet_the_floor(name: str) -> None:
    corpus = load(CORPORA[name])
    packages, true, trap = MINIMUM[name]
    assert len(corpus.packages) >= packages
    assert corpus.count("TRUE") >= true
    assert corpus.count("TRAP") >= trap


def test_every_rule_exists_and_has_a_lint_check(name: str) -> None:
    rules = {rule.id: rule for rule in load_rules()}
    for row in load(CORPORA[name]).rows:
        assert row.rule in rules, row
        assert row.rule in CODE_TO_CHECK, row
        assert rules[row.rule].lint == CODE_TO_CHECK[row.rule], row


def test_no_duplicate_rows_and_every_reason_said(name: str) -> None:
    rows = load(CORPORA[name]).rows
    idents = [r.ident for r in rows]
    assert len(idents) == len(set(idents))
    assert all(r.reason.strip() and r.code.strip() for r in rows)


def test_every_row_names_a_listed_package(name: str) -> None:
    corpus = load(CORPORA[name])
    listed = {p.name for p in corpus.packages}
    assert {r.package for r in corpus.rows} <= listed
    # and every listed package contributes rows: no package is there for show
    assert listed == {r.package for r in corpus.rows}


def test_every_row_is_in_a_file_the_linter_reads_when_it_walks_the_package(name: str) -> None:
    # rows in folders the linter skips (dist/, build/, node_modules/, ...) would measure nothing users run
    for row in load(CORPORA[name]).rows:
        folders = row.path.split("/")[:-1]
        assert not set(folders) & SKIP_DIRS, row
        assert not row.path.endswith((".d.ts", ".min.js")), row


def test_python_rows_spread_over_every_lint_rule() -> None:
    corpus = load(CORPORA["python"])
    # every check that applies to Python code (edge-rest-client is about TypeScript edge functions)
    python_checks = {rule for check, rule in CHECKS.items() if check != "edge-tcp-client"}
    assert {r.rule for r in corpus.rows} == python_checks
    assert all(r.path.endswith(".py") for r in corpus.rows)


def test_typescript_corpus_says_which_files_are_typescript() -> None:
    corpus = load(CORPORA["typescript"])
    sources = {p.name: p.source for p in corpus.packages}
    assert sum(1 for s in sources.values() if s == "typescript") >= 6
    for row in corpus.rows:
        # rows of a package that ships only JavaScript are in .js files, and the other way round
        assert row.typescript == (sources[row.package] == "typescript"), row
    # most labelled rows are TypeScript source, not JavaScript
    assert sum(1 for r in corpus.rows if r.typescript) > len(corpus.rows) / 2


# ------------------------------------------------------------------ the validator rejects bad files
def broken(mutate: Any) -> list[str]:
    data = copy.deepcopy(raw("python"))
    mutate(data)
    return problems(data, lint_rule_ids())


def test_validator_reports_each_kind_of_problem() -> None:
    assert problems(raw("python"), lint_rule_ids()) == []

    def dup(d: dict[str, Any]) -> None:
        d["rows"].append(dict(d["rows"][0]))

    assert any("duplicate of an earlier row" in p for p in broken(dup))

    def unknown_rule(d: dict[str, Any]) -> None:
        d["rows"][0]["rule"] = "RR004"  # exists, but lint has no check for it

    assert any(p.startswith("rows[0].rule:") for p in broken(unknown_rule))

    def empty_reason(d: dict[str, Any]) -> None:
        d["rows"][1]["reason"] = "  "

    assert broken(empty_reason) == ["rows[1].reason: expected a non-empty string"]

    def bad_verdict(d: dict[str, Any]) -> None:
        d["rows"][2]["verdict"] = "MAYBE"

    assert any(p.startswith("rows[2].verdict:") for p in broken(bad_verdict))

    def bad_line(d: dict[str, Any]) -> None:
        d["rows"][3]["line"] = 0

    assert broken(bad_line) == ["rows[3].line: expected an integer >= 1"]

    def bad_sha(d: dict[str, Any]) -> None:
        d["packages"][0]["sha256"] = "abc"

    assert broken(bad_sha) == ["packages[0].sha256: expected 64 lowercase hex digits"]

    def unpinned(d: dict[str, Any]) -> None:
        d["packages"][0]["spec"] = d["packages"][0]["name"]

    assert any(p.startswith("packages[0].spec:") for p in broken(unpinned))

    def escape(d: dict[str, Any]) -> None:
        d["rows"][0]["path"] = "../etc/passwd"

    assert any(p.startswith("rows[0].path:") for p in broken(escape))

    def stray_package(d: dict[str, Any]) -> None:
        d["rows"][0]["package"] = "not-listed"

    assert any(p.startswith("rows[0].package:") for p in broken(stray_package))


def test_load_raises_one_line_per_problem(tmp_path: Path) -> None:
    data = raw("python")
    data["rows"][0]["reason"] = ""
    data["rows"][1]["verdict"] = "nope"
    bad = tmp_path / "python.yml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load(bad)
    assert str(info.value).splitlines() == [
        "python.yml: rows[0].reason: expected a non-empty string",
        "python.yml: rows[1].verdict: 'nope'; allowed: TRUE, TRAP",
    ]
