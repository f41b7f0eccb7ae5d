"""Kind 9: property-based runs of every verb with arbitrary values and arbitrary text.

Every answer field (through `--data-file` as a YAML value and through `--data` as text), the data file
as a whole, a hand-edited answers file (`update`), the policy file (`lint`, `audit`) and rule ids
(`rules`) get arbitrary input. Each run must end either with exit 0 (1 for findings) and a sound
result (for `new`: a project whose files parse and whose modules import; a fixed sample also passes
ruff, mypy --strict and its own tests in test_answers.py), or with exit 2, one line naming the field or
source, and nothing on disk. `new` renders from a plain copy of the template (no git clone per run),
which Copier renders exactly like the checkout.

A render takes seconds, so each test renders at most RENDERS of the inputs it finds acceptable (decided
in-process by the same checks `new` runs first) and asks Hypothesis for other examples instead of the
rest; every refused input runs end to end. The expensive checks of an accepted project (ruff, mypy
--strict, its tests) run on a fixed hostile sample in test_answers.py.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from redis_rules.errors import UserError
from redis_rules.questions import load_questions, resolve_answers
from redis_rules.servers import running_server
from redis_rules.updating.answers import check_recorded
from tests.conftest import BINARIES, ROOT, make_template_repo
from tests.hostile.helpers import assert_contract, committed_project, run, tried
from tests.hostile.project_checks import check_files, imports

QUESTIONS = load_questions(ROOT)
FIELDS = sorted(q.name for q in QUESTIONS if not q.hidden and q.name != "adoption")
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-5, 3_000_000)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["", " ", "{id}", "*:*", "class", "json", "100/60s", "prod", "REDIS_URL", "\t", "\n"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(max_size=12) | st.sampled_from(["pattern", "reason", "session", "class"]), inner, max_size=4
        )
    ),
    max_leaves=10,
)
RENDERS = 4  # accepted inputs rendered per test (the rest are skipped, see the module doc)
_rendered: dict[str, int] = {}


def _accepted(answers: dict[str, Any]) -> bool:
    """Would `new --defaults` accept these answers? The same checks, in-process, before any render."""
    from redis_rules.answer_types import check_answers

    try:
        resolve_answers(QUESTIONS, check_answers(QUESTIONS, answers))
    except UserError:
        return False
    return True


def _update_accepts(recorded: dict[str, Any], field: str, value: str) -> bool:
    """Would `update --set field=value` accept it? Update's own answer merge, in-process, before any render."""
    from redis_rules.updating.answers import merge_answers

    try:
        merge_answers(QUESTIONS, recorded, {field: value})
    except UserError:
        return False
    return True


def _budget(test: str, answers: dict[str, Any]) -> None:
    """Skip (assume False) an acceptable input once `test` has rendered RENDERS of them."""
    if _accepted(answers):
        assume(_rendered.get(test, 0) < RENDERS)
        _rendered[test] = _rendered.get(test, 0) + 1


# text as the shell passes it: any characters, including lone surrogates (argv bytes that are not UTF-8)
ARGV_TEXT = st.text(st.characters(blacklist_characters="\0"), max_size=60)


def examples(n: int) -> settings:
    """n examples, no per-example deadline (a render takes seconds), no health checks on slow data."""
    return settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tpl") / "redis-rules"
    root.mkdir()
    shutil.copy2(ROOT / "copier.yml", root / "copier.yml")
    for part in ("templates", "rulesets"):
        shutil.copytree(ROOT / part, root / part)  # links (redis_servers.py) copied as files
    return root


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()


def _new(template: Path, field: str | None, *args: str) -> None:
    with tempfile.TemporaryDirectory(prefix="hostile-new-") as tmp:
        dest = Path(tmp) / "proj"
        code, out, err = run("new", str(dest), "--defaults", "--template", str(template), *args)
        tried("new")
        # names the field given, the data file, or the field whose default the given answer changed
        names = [*([field] if field else []), "--data-file", "derived from your other answers"]
        assert_contract(code, out, err, *names)
        if code == 2:
            assert not dest.exists()
            assert not [p for p in Path(tmp).iterdir() if p.name.startswith(".redis-rules-")]
            return
        answers = check_files(dest)
        imports(dest, str(answers["module_path"]).replace("/", "."))


@examples(60)
@given(field=st.sampled_from(FIELDS), value=VALUES)
def test_new_with_any_yaml_value_in_a_data_file(plain_template: Path, field: str, value: Any) -> None:
    text = yaml.safe_dump({field: value}, allow_unicode=True)
    _budget("data-file", yaml.safe_load(text))
    with tempfile.NamedTemporaryFile("w", suffix=".yml", encoding="utf-8", delete=False) as handle:
        handle.write(text)
    try:
        _new(plain_template, field, "--data-file", handle.name)
    finally:
        Path(handle.name).unlink()


@examples(60)
@given(field=st.sampled_from(FIELDS), value=ARGV_TEXT | VALUES.map(_as_text))
def test_new_with_any_text_in_data(plain_template: Path, field: str, value: str) -> None:
    _budget("data", {field: value})
    _new(plain_template, field, "--data", f"{field}={value}")


@examples(40)
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_new_with_any_bytes_as_the_data_file(plain_template: Path, content: bytes) -> None:
    try:
        loaded = yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError):
        loaded = "unreadable"
    if loaded is None or isinstance(loaded, dict):
        _budget("bytes", {k: v for k, v in (loaded or {}).items() if not str(k).startswith("_")})
    with tempfile.NamedTemporaryFile("wb", suffix=".yml", delete=False) as handle:
        handle.write(content)
    try:
        _new(plain_template, None, "--data-file", handle.name)
    finally:
        Path(handle.name).unlink()


# ---------------------------------------------------------------- update: a hand-edited answers file
@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Path:

    base = tmp_path_factory.mktemp("prop-upd")
    return committed_project(base / "proj", make_template_repo(base / "tpl", "v1.0.0"))


_applied: list[str] = []  # accepted edits really run through copier (slow): a few per session


def _would_apply(recorded: dict[str, Any]) -> bool:
    try:
        resolve_answers(QUESTIONS, check_recorded(QUESTIONS, recorded, upgrade=False))
    except UserError:
        return False
    return True


@examples(15)
@given(field=st.sampled_from(FIELDS), value=VALUES)
def test_update_with_any_value_in_the_answers_file(committed: Path, field: str, value: Any) -> None:
    path = committed / ".copier-answers.yml"
    recorded = yaml.safe_load(path.read_text(encoding="utf-8"))
    recorded[field] = value
    names = {k: v for k, v in recorded.items() if not k.startswith("_")}
    # an accepted edit runs copier's full update (seconds): the first one here, the rest in tests/test_update.py
    assume(not (_would_apply(names) and _applied))
    with tempfile.TemporaryDirectory(prefix="hostile-upd-") as tmp:
        dest = Path(tmp) / "proj"
        shutil.copytree(committed, dest, symlinks=True)
        (dest / ".copier-answers.yml").write_text(yaml.safe_dump(recorded, allow_unicode=True), encoding="utf-8")
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
        subprocess.run([*git, "commit", "-qam", "hand edit"], cwd=dest, check=True)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True).stdout
        code, out, err = run("update", str(dest))
        tried("update")
        assert_contract(code, out, err, field, ".copier-answers.yml", allowed=(0, 1, 2))
        if code == 2:
            status = subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True)
            assert status.stdout == ""
            assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True).stdout == head
        else:
            _applied.append(field)


@examples(15)
@given(field=st.sampled_from(FIELDS), value=ARGV_TEXT)
def test_update_with_any_text_in_set(committed: Path, field: str, value: str) -> None:
    recorded = yaml.safe_load((committed / ".copier-answers.yml").read_text(encoding="utf-8"))
    names = {k: v for k, v in recorded.items() if not k.startswith("_")}
    # accepted: copier's update, covered above and in test_update. Judged by update's own merge (in-process), not
    # `new`'s: `--set package=rg` is accepted because update carries module_path under the new package (CI53)
    assume(not _accepted({**names, field: value}) and not _update_accepts(recorded, field, value))
    with tempfile.TemporaryDirectory(prefix="hostile-upd-") as tmp:
        dest = Path(tmp) / "proj"
        shutil.copytree(committed, dest, symlinks=True)
        code, out, err = run("update", str(dest), "--set", f"{field}={value}")
        tried("update")
        assert_contract(code, out, err, field, "--set", "derived from your other answers", allowed=(0, 1, 2))
        assert code == 2, (field, value, out)


# ---------------------------------------------------------------- lint, audit, rules
@pytest.fixture(scope="module")
def live_server():
    if not BINARIES:
        pytest.skip("no server binary")
    with running_server(next(iter(BINARIES.values()))) as server:
        yield server


@examples(40)
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_lint_and_audit_with_any_bytes_as_the_policy(live_server, content: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="hostile-pol-") as tmp:
        policy = Path(tmp) / ".redis-rules.yml"
        policy.write_bytes(content)
        (Path(tmp) / "app.py").write_text("import redis\n\nredis.Redis().keys('*')\n", encoding="utf-8")
        for argv in (
            ["lint", "--policy", str(policy), str(Path(tmp) / "app.py")],
            ["audit", "--policy", str(policy), "--url", live_server.url, "--timeout", "20"],
        ):
            code, out, err = run(*argv)
            tried(argv[0])
            assert_contract(code, out, err, str(policy), allowed=(0, 1, 2))


@examples(40)
@given(
    value=VALUES,
    field=st.sampled_from(
        [
            "environments",
            "key_format",
            "ttl_classes",
            "persistent_keys",
            "app",
            "default_ttl",
            "ttl_jitter_pct",
            "audit",
            "redis_url_env",
        ]
    ),
)
def test_audit_with_any_value_in_a_policy_field(live_server, field: str, value: Any) -> None:
    with tempfile.TemporaryDirectory(prefix="hostile-pol-") as tmp:
        policy = Path(tmp) / ".redis-rules.yml"
        policy.write_text(yaml.safe_dump({field: value}, allow_unicode=True), encoding="utf-8")
        code, out, err = run("audit", "--policy", str(policy), "--url", live_server.url, "--timeout", "20")
        tried("audit")
        assert_contract(code, out, err, field, str(policy), allowed=(0, 1, 2))


@examples(60)
@given(rule=ARGV_TEXT)
def test_rules_with_any_rule_id(rule: str) -> None:
    code, out, err = run("rules", rule)
    tried("rules")
    assert_contract(code, out, err, "rule", "RR", allowed=(0, 2))
