"""Kinds 1 and 2: every answer is type-checked before Jinja or Python sees it, and every accepted value
is rendered safely where it lands (or refused).

Sources: `new --data`, `new --data-file`, a hand-edited `.copier-answers.yml` read by `update`.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redis_rules.agent_files import BEGIN_PREFIX, END_LINE
from tests.conftest import PREVIOUS_RELEASE, ROOT, archive_of, make_template_repo
from tests.hostile.helpers import ALIAS_BOMB, assert_refused, committed_project, run, tried
from tests.hostile.project_checks import check_files, full_checks, imports

# (field, YAML text of the value in a data file, what the one-line error says)
WRONG_TYPES = [
    ("project_name", "123", "project_name: must be text (got the number 123)"),
    ("project_name", "[a, b]", "project_name: must be text (got a list of 2)"),
    ("project_name", "{a: 1}", "project_name: must be text (got a mapping)"),
    ("project_name", "null", "project_name: must be text (got nothing (null))"),
    ("project_name", "2024-01-01", "project_name: must be text (got a date)"),
    ("project_name", "true", "project_name: must be text (got true)"),
    ("package", "[x]", "package: must be text"),
    ("package", "7", "package: must be text"),
    ("module_path", "{a: b}", "module_path: must be text"),
    ("key_format", "1.5", "key_format: must be text"),
    ("app", "[]", "app: must be text"),
    ("redis_url_env", "42", "redis_url_env: must be text"),
    ("rate_limit_default", "100", "rate_limit_default: must be text"),
    ("client", "[redis-py]", "client: must be text"),
    ("flavour", "{}", "flavour: must be text"),
    ("default_ttl", "true", "default_ttl: must be a whole number (got true)"),
    ("default_ttl", "3.5", "default_ttl: must be a whole number (got the number 3.5)"),
    ("default_ttl", "'3.5'", "default_ttl: must be a whole number such as 3600 (got '3.5')"),
    ("default_ttl", "[3600]", "default_ttl: must be a whole number"),
    ("default_ttl", ".nan", "default_ttl: must be a whole number"),
    ("default_ttl", "'٣٦٠٠'", "default_ttl: must be a whole number"),
    ("default_ttl", "1" + "0" * 30, "default_ttl: out of range: must be from 1 to 2592000 seconds (30 days)"),
    ("default_ttl", "1" + "0" * 5000, "not valid YAML: Exceeds the limit (4300 digits)"),
    ("ttl_jitter_pct", "false", "ttl_jitter_pct: must be a whole number (got false)"),
    ("ttl_jitter_pct", "10.0", "ttl_jitter_pct: must be a whole number"),
    ("claude_hooks", "1", "claude_hooks: must be true or false (got the number 1)"),
    ("claude_hooks", "maybe", "claude_hooks: must be true or false"),
    ("environments", "prod", "environments: must be a non-empty list"),
    ("environments", "{prod: 1}", "environments: must be a non-empty list"),
    ("environments", "[1, 2]", "must be text (got the number "),
    ("environments", "[[dev]]", "environments[0]: must be text"),
    ("environments", "[]", "environments: must not be empty"),
    ("environments", "[" + ", ".join(f"e{i}" for i in range(20)) + "]", "environments: must list at most 16"),
    ("ttl_classes", "[1, 2]", "ttl_classes: must be a mapping"),
    ("ttl_classes", "{session: true}", "ttl_classes.session: must be a whole number (got true)"),
    ("ttl_classes", "{session: 60.5}", "ttl_classes.session: must be a whole number"),
    ("ttl_classes", "{session: '60'}", "ttl_classes.session: must be a whole number"),
    ("ttl_classes", "{session: {a: 1}}", "ttl_classes.session: must be a whole number"),
    ("ttl_classes", "{}", "ttl_classes: must not be empty"),
    ("ttl_classes", "{" + "x" * 50 + ": 5}", "ttl_classes: key"),
    ("persistent_keys", "{pattern: 'x:*', reason: r}", "persistent_keys: must be a list of {pattern, reason}"),
    ("persistent_keys", "[x]", "persistent_keys[0]: must be a mapping {pattern: 'glob', reason: 'why'}"),
    ("persistent_keys", "[{pattern: 5, reason: r}]", "persistent_keys[0].pattern: must be text"),
    ("persistent_keys", "[{pattern: 'a:cfg:*', reason: [r]}]", "persistent_keys[0].reason: must be text"),
    ("persistent_keys", "[{pattern: 'a:cfg:*', reason: r, ttl: 0}]", "persistent_keys[0]: unknown key 'ttl'"),
    ("persistent_keys", "[{pattern: 'a:cfg:*'}]", "persistent_keys[0]: missing 'reason'"),
    ("modules", "[cache, [x]]", "modules[1]: must be text"),
    ("modules", "{cache: true}", "modules: must be a list"),
    ("agents", "[claude, 5]", "agents[1]: must be text"),
    ("project_name", "'" + "x" * 81 + "'", "project_name: must be at most 80 characters"),
    ("key_format", "'" + "{app}:" * 30 + "{id}'", "key_format: must be at most 120 characters"),
    ("nonsense_field", "1", "nonsense_field: unknown answer"),
]


def _data_file(tmp_path: Path, field: str, text: str) -> Path:
    path = tmp_path / "answers.yml"
    path.write_text(f"{field}: {text}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("field", "text", "message"), WRONG_TYPES, ids=[f"{f}={t[:20]}" for f, t, _ in WRONG_TYPES])
def test_wrong_types_in_a_data_file_are_refused(tmp_path: Path, field: str, text: str, message: str) -> None:
    data = _data_file(tmp_path, field, text)
    code, out, err = run("new", str(tmp_path / "out"), "--defaults", "--data-file", str(data))
    tried("new")
    assert_refused(code, out, err, field, "--data-file")
    assert message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yml", "cache"] or not (tmp_path / "out").exists()
    assert not any(p.name.startswith(".redis-rules-") for p in tmp_path.iterdir())


# (field, --data text, what the one-line error says): text answers cast to the question's type
WRONG_TEXT = [
    ("default_ttl", "3.5", "default_ttl: must be a whole number such as 3600 (got '3.5')"),
    ("default_ttl", "true", "default_ttl: must be a whole number"),
    ("default_ttl", "1e3", "default_ttl: must be a whole number"),
    ("default_ttl", " ", "default_ttl: must be a whole number"),
    (
        "default_ttl",
        "9" * 40,
        f"default_ttl: out of range: must be from 1 to 2592000 seconds (30 days) (got {'9' * 40})",
    ),
    ("default_ttl", "9" * 5000, "default_ttl: out of range (a number of 5000 digits) (in --data)"),
    ("ttl_jitter_pct", "½", "ttl_jitter_pct: must be a whole number"),
    ("claude_hooks", "yes please", "claude_hooks: must be true or false"),
    ("environments", "prod", "environments: must be a non-empty list"),
    ("environments", "[dev, &a x, *a]", "environments"),
    ("ttl_classes", "{a: *b}", "ttl_classes: not valid YAML"),
    ("ttl_classes", "[" * 100 + "]" * 100, "ttl_classes"),
    ("persistent_keys", "&a [*a]", "persistent_keys: a value contains itself"),
    ("persistent_keys", "!!python/name:os.system", "persistent_keys: not valid YAML"),
    ("modules", "[cache", "modules: not valid YAML"),
]


@pytest.mark.parametrize(("field", "text", "message"), WRONG_TEXT, ids=[f"{f}={t[:20]}" for f, t, _ in WRONG_TEXT])
def test_wrong_text_in_data_is_refused(tmp_path: Path, field: str, text: str, message: str) -> None:
    code, out, err = run("new", str(tmp_path / "out"), "--defaults", "--data", f"{field}={text}")
    tried("new")
    assert_refused(code, out, err, field)
    assert message in err, err
    assert not (tmp_path / "out").exists()


BAD_FILES = [
    ("not UTF-8", b"project_name: caf\xe9\n", "not UTF-8 text (byte 0xe9"),
    ("UTF-16", "project_name: x\n".encode("utf-16"), "not UTF-8 text"),
    ("alias bomb", ALIAS_BOMB.encode(), "too large once its aliases"),
    ("self-reference", b"project_name: &a [*a]\n", "contains itself"),
    ("deep nesting", b"project_name: " + b"[" * 60 + b"]" * 60 + b"\n", "nested more than"),
    ("duplicate key", b"default_ttl: 60\ndefault_ttl: 120\n", "key 'default_ttl' appears twice (line 2)"),
    ("oversized", b"project_name: x\n" + b"# padding\n" * 120_000, "over 1024 KiB"),
    ("not a mapping", b"- project_name\n- x\n", "must be a YAML mapping"),
    ("several documents", b"a: 1\n---\nb: 2\n", "not valid YAML"),
    ("control character", b"project_name: a\x07b\n", "not valid YAML"),
    ("NUL byte", b"project_name: a\x00b\n", "not valid YAML"),
    ("non-text key", b"1: x\n", "answer names must be text"),
]


@pytest.mark.parametrize(("why", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_data_files_are_refused_naming_the_file(tmp_path: Path, why: str, data: bytes, message: str) -> None:
    path = tmp_path / "answers.yml"
    path.write_bytes(data)
    code, out, err = run("new", str(tmp_path / "out"), "--defaults", "--data-file", str(path))
    tried("new")
    assert_refused(code, out, err, "--data-file")
    assert message in err, err
    assert str(path) in err
    assert not (tmp_path / "out").exists()


def test_data_file_from_a_device_or_a_folder(tmp_path: Path) -> None:
    for source, message in (("/dev/zero", "over 1024 KiB"), (str(tmp_path), "is a folder"), ("/nope.yml", "cannot")):
        code, out, err = run("new", str(tmp_path / "out"), "--defaults", "--data-file", source)
        tried("new")
        assert_refused(code, out, err, "--data-file")
        assert message in err, err


# ---------------------------------------------------------------- kind 2: accepted values that broke the render
URL = "redis://admin:s3cret@prod-redis:6379"  # a credential in free text: refused, never echoed
PK_REASON_URL = "persistent_keys: entry 1: 'reason' must not hold a URL or an address (no '://' or '@'"
PK_PATTERN_URL = "persistent_keys: entry 1: 'pattern' must not hold a URL or an address (no '://' or '@'"
REFUSED = [
    ("project_name", "two\nlines", "project_name: must be one line of printable characters"),
    ("project_name", "tab\there", "project_name: must be one line"),
    ("project_name", "bell\x07", "project_name: must be one line"),
    ("project_name", "rtl\u202eoverride", "project_name: must be one line"),
    ("project_name", " padded", "project_name: no leading or trailing spaces"),
    ("project_name", "redis://:s3cret@cache:6379/0", "project_name: must be a name, not a URL"),
    ("project_name", "ops@example.com", "project_name: must be a name, not a URL or an address"),
    ("ttl_classes", "{class: 5}", "ttl_classes: class name 'class' is a Python keyword or builtin"),
    ("ttl_classes", "{match: 5}", "class name 'match' is a Python keyword"),
    ("ttl_classes", "{list: 5}", "class name 'list' is a Python keyword or builtin"),
    ("ttl_classes", "{mro: 5}", "class name 'mro'"),
    ("ttl_classes", "{_private: 5}", "must be a lowercase ASCII identifier"),
    ("ttl_classes", "{__init__: 5}", "must be a lowercase ASCII identifier"),
    ("ttl_classes", "{'café': 5}", "must be a lowercase ASCII identifier"),
    ("ttl_classes", "{'a-b': 5}", "must be a lowercase ASCII identifier"),
    ("ttl_classes", "{a: 0}", "ttl_classes: 'a' out of range: must be from 1 to 2592000 seconds (30 days) (got 0)"),
    ("package", "json", "package: 'json' is a standard-library module"),
    ("package", "asyncio", "package: 'asyncio' is a standard-library module"),
    ("package", "typing", "package: 'typing' is a standard-library module"),
    ("package", "requests", "package: 'requests' is the import name of a common library"),
    ("package", "tests", "package: 'tests' is the import name"),
    ("package", "pytest", "package: 'pytest'"),
    ("package", "ñandú", "package: must be ASCII"),
    ("key_format", "{id}", "key_format: must contain {domain} and {entity}"),
    ("key_format", "{app}:{env}:{id}", "key_format: must contain {domain} and {entity}"),
    ("key_format", "{domain}:{id}", "key_format: must contain {domain} and {entity}"),
    ("key_format", "{app}:ｖ1:{domain}:{entity}:{id}", "key_format: literal segment 'ｖ1' must be lowercase ASCII"),
    ("key_format", "{app}:-x:{domain}:{entity}:{id}", "literal segment '-x'"),
    ("app", "ｍｙａｐｐ", "app: must be lowercase ASCII"),
    ("app", "-app", "app: must be lowercase ASCII"),
    ("environments", "[ｐｒｏｄ]", "environments: each entry must be lowercase ASCII"),
    ("environments", "[_x]", "environments: each entry must be lowercase ASCII"),
    ("redis_url_env", "ＲＥＤＩＳ", "redis_url_env: must be an environment variable name"),
    ("redis_url_env", "APP_ENV", "redis_url_env: APP_ENV holds the environment name"),
    ("persistent_keys", "[{pattern: '*:*', reason: all}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: '**', reason: all}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: 'my-service:*', reason: app}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: 'my-service:prod:*', reason: env}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: '*:*:*:*:*', reason: all}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: '*conf*', reason: wild}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: '[a-z]*:*', reason: set}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: 'a b:cfg:*', reason: r}]", "'pattern' must be one glob"),
    ("persistent_keys", "[{pattern: 'x:`cfg`:*', reason: r}]", "'pattern' must be one glob"),
    ("persistent_keys", "[{pattern: 'x:cfg:*', reason: \"two\\nlines\"}]", "'reason' must be one line"),
    ("persistent_keys", "[{pattern: 'x:cfg:*', reason: ' '}]", "needs a 'reason'"),
    ("persistent_keys", f"[{{pattern: '*:config:*', reason: 'see {URL} for details'}}]", PK_REASON_URL),
    ("persistent_keys", "[{pattern: 'x:cfg:*', reason: 'ask admin:s3cret@prod-redis'}]", PK_REASON_URL),
    ("persistent_keys", "[{pattern: 'redis://u:s3cret@h:1', reason: r}]", PK_PATTERN_URL),
    (
        "persistent_keys",
        "[{pattern: 'x:cfg:*', reason: r}, {pattern: 'u:s3cret@h:cfg:*', reason: r}]",
        "entry 2: 'pattern' must not hold a URL",
    ),
    ("rate_limit_default", "1000001/60s", "rate_limit_default: COUNT must be between 1 and 1000000"),
    ("rate_limit_default", "0/60s", "rate_limit_default: COUNT must be between 1 and 1000000"),
    ("rate_limit_default", "10/25h", "rate_limit_default: WINDOW must be between 1s and 24h"),
    ("rate_limit_default", "10/1441m", "rate_limit_default: WINDOW must be between 1s and 24h"),
    ("rate_limit_default", "10/0s", "rate_limit_default: WINDOW must be between 1s and 24h"),
    ("rate_limit_default", "١٠/60s", "rate_limit_default: must look like 100/60s"),
    ("rate_limit_default", "10/6⁰s", "rate_limit_default: must look like 100/60s"),
    ("rate_limit_default", "99999999999/60s", "rate_limit_default: must look like 100/60s"),
    ("adoption", "rules", "adoption: recorded by `--into`"),
]


@pytest.mark.parametrize(("field", "text", "message"), REFUSED, ids=[f"{f}={t[:24]!r}" for f, t, _ in REFUSED])
def test_values_that_would_break_the_render_are_refused(tmp_path: Path, field: str, text: str, message: str) -> None:
    code, out, err = run("new", str(tmp_path / "out"), "--defaults", "--data", f"{field}={text}")
    tried("new")
    assert_refused(code, out, err, field)
    assert message in err, err
    assert "s3cret" not in out + err  # a value refused for holding a credential is not echoed
    assert not (tmp_path / "out").exists()


def test_a_credential_in_a_persistent_key_reason_from_a_data_file(tmp_path: Path) -> None:
    """The user trial: a reason quoting a URL with its password went into CLAUDE.md, AGENTS.md and the policy."""
    path = tmp_path / "answers.yml"
    path.write_text(f"persistent_keys:\n  - {{pattern: '*:config:*', reason: 'see {URL} for details'}}\n")
    code, out, err = run("new", str(tmp_path / "out"), "--defaults", "--data-file", str(path))
    tried("new")
    assert_refused(code, out, err, "persistent_keys")
    assert PK_REASON_URL in err, err
    assert "s3cret" not in out + err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ttl_classes", {"class": 5}),
        ("key_format", "{id}"),
        ("persistent_keys", [{"pattern": "*:*", "reason": "all"}]),
        ("rate_limit_default", "5/25h"),
        ("project_name", "a\tb"),
        ("redis_url_env", "APP_ENV"),
        ("package", "json"),
        ("package", "requests"),
        ("project_name", URL),
        ("persistent_keys", [{"pattern": "*:config:*", "reason": f"see {URL}"}]),
        ("persistent_keys", [{"pattern": "redis://u:s3cret@h:1", "reason": "r"}]),
    ],
)
def test_stock_copier_refuses_them_too(tmp_path: Path, field: str, value: object) -> None:
    """The validators live in copier.yml, so `copier copy` (no redis-rules code) refuses the same values."""
    import copier

    with pytest.raises(ValueError, match=f"Validation error for question '{field}'"):
        copier.run_copy(
            str(ROOT), str(tmp_path / "out"), data={field: value}, defaults=True, quiet=True, vcs_ref="HEAD"
        )
    tried("copier")


def test_name_lists_cover_this_python() -> None:
    """validators.jinja's keyword, builtin and standard-library lists hold at least what this Python has."""
    text = (ROOT / "templates/_includes/validators.jinja").read_text(encoding="utf-8")

    def listed(name: str) -> set[str]:
        block = re.search(r"set " + name + r" = \[(.*?)\]", text, re.DOTALL)
        assert block, name
        return set(re.findall(r"'([^']*)'", block.group(1)))

    assert set(keyword.kwlist) | set(keyword.softkwlist) <= listed("python_keywords")
    assert {n for n in dir(builtins) if not n.startswith("_") and n == n.lower()} <= listed("python_builtins")
    assert {n for n in sys.stdlib_module_names if n == n.lower()} <= listed("stdlib_modules")


# ---------------------------------------------------------------- accepted hostile values render safely
HOSTILE_BUT_VALID = {
    "project_name": 'O"Brien \\ """ <!-- END redis-rules --> `x` *y* [l](u) é😀 ｆｕｌｌ |t| #h &amp;',
    "package": "obrien",
    "persistent_keys": (
        "[{pattern: 'obrien:*:config:fl\"ag\\\\', reason: 'kept \"forever\" <b>*x*</b> é😀 `c` | \\\\'},"
        " {pattern: '*:flags:[ab]?:\\\\*', reason: \"it's fine\"}]"
    ),
    "ttl_classes": "{default: 5, session: 2592000, x: 1, class_ttl: 7, len_ttl: 9}",
    "key_format": "{env}:v2:{entity}:{domain}:{id}",
    "environments": "[prod, e-2, x_y]",
    "rate_limit_default": "1000000/24h",
    "ttl_jitter_pct": "50",
    "default_ttl": "2592000",
    "redis_url_env": "_X9",
    "agents": "[claude, agents_md, cursor, copilot]",
}


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("hostile") / "p"
    argv = ["new", str(dest), "--defaults"]
    for key, value in HOSTILE_BUT_VALID.items():
        argv += ["--data", f"{key}={value}"]
    code, out, err = run(*argv)
    assert code == 0, err
    tried("new")
    return dest


def test_hostile_but_valid_values_land_escaped(hostile_project: Path) -> None:
    dest = hostile_project
    answers = check_files(dest)
    name = str(HOSTILE_BUT_VALID["project_name"])
    assert answers["project_name"] == name
    patterns = yaml.safe_load(str(HOSTILE_BUT_VALID["persistent_keys"]))
    # Python literals hold exactly the answers
    conftest = (dest / "tests/redis/conftest.py").read_text(encoding="utf-8")
    literal = re.search(r"PERSISTENT_PATTERNS: list\[str\] = (\[.*?\n\])", conftest, re.DOTALL)
    assert literal and ast.literal_eval(literal.group(1)) == [p["pattern"] for p in patterns]
    assert ast.get_docstring(ast.parse((dest / "obrien/db/redis/keys.py").read_text(encoding="utf-8")))
    # YAML (policy, Cursor and Copilot frontmatter) holds exactly the answers
    policy = yaml.safe_load((dest / ".redis-rules.yml").read_text(encoding="utf-8"))
    assert policy["persistent_keys"] == patterns
    for rel in (".cursor/rules/redis.mdc", ".github/instructions/redis.instructions.md"):
        front = (dest / rel).read_text(encoding="utf-8").split("---")[1]
        assert name in yaml.safe_load(front)["description"], rel
    # Markdown: the name cannot close the section or open markup; one section per file
    for rel in ("CLAUDE.md", "AGENTS.md", ".claude/rules/redis.md"):
        text = (dest / rel).read_text(encoding="utf-8")
        assert text.count(BEGIN_PREFIX) == 1 and text.count(END_LINE) == 1 and text.rstrip().endswith(END_LINE), rel
        assert "\\<!-- END redis-rules --\\>" in text and "\\`x\\`" in text, rel
    # the distribution name is a valid one derived from the human name
    pyproject = (dest / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^name = "[a-z0-9]([a-z0-9-]*[a-z0-9])?"$', pyproject, re.MULTILINE), pyproject
    imports(dest, "obrien.db.redis")


def test_rendering_again_keeps_one_section(hostile_project: Path, tmp_path: Path) -> None:
    """A name holding the END marker cannot break the next render (the merge finds one section)."""
    copy = tmp_path / "again"
    shutil.copytree(hostile_project, copy, symlinks=True)
    argv = ["new", str(copy), "--defaults", "--overwrite"]
    for key, value in HOSTILE_BUT_VALID.items():
        argv += ["--data", f"{key}={value}"]
    code, _, err = run(*argv)
    tried("new")
    assert code == 0, err
    for rel in ("CLAUDE.md", "AGENTS.md"):
        assert (copy / rel).read_text(encoding="utf-8") == (hostile_project / rel).read_text(encoding="utf-8")


@pytest.mark.slow
def test_hostile_but_valid_project_passes_ruff_mypy_and_its_tests(
    hostile_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    full_checks(hostile_project, "obrien", tmp_path_factory.mktemp("mypy"))


# ---------------------------------------------------------------- a hand-edited answers file (update)
@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("upd")
    return committed_project(base / "proj", make_template_repo(base / "tpl", "v1.0.0"))


def _edited_copy(committed: Path, tmp_path: Path, edit: str | bytes) -> Path:
    dest = tmp_path / "proj"
    shutil.copytree(committed, dest, symlinks=True)
    answers = dest / ".copier-answers.yml"
    if isinstance(edit, bytes):
        answers.write_bytes(edit)
    else:
        answers.write_text(edit, encoding="utf-8")
    for args in (["add", "-A"], ["commit", "-qm", "hand edit"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=dest, check=True)
    return dest


def _replace(text: str, field: str, value: str) -> str:
    """The answers file with `field` set to `value` (added when the file does not record it)."""
    pattern = re.compile(rf"^{field}:.*(\n[ -].*)*", re.MULTILINE)
    if not pattern.search(text):
        return text + f"{field}: {value}\n"
    return pattern.sub(lambda _: f"{field}: {value}", text, count=1)


ANSWERS_FILE_EDITS = [
    ("default_ttl", "true", "default_ttl: must be a whole number (got true) (in .copier-answers.yml)"),
    ("default_ttl", "3.5", "default_ttl: must be a whole number"),
    ("project_name", "123", "project_name: must be text (got the number 123) (in .copier-answers.yml)"),
    ("package", "[a]", "package: must be text"),
    ("environments", "prod", "environments: must be a non-empty list"),
    ("ttl_classes", "{class: 5}", "ttl_classes: class name 'class'"),
    ("persistent_keys", "[{pattern: '*:*', reason: x}]", "would exempt keys of every domain"),
    ("persistent_keys", "[{pattern: 'a:b:*', reason: x, extra: 1}]", "persistent_keys[0]: unknown key 'extra'"),
    ("persistent_keys", f"[{{pattern: 'a:cfg:*', reason: 'see {URL}'}}]", PK_REASON_URL),
    ("persistent_keys", "[{pattern: 'redis://u:s3cret@h:1', reason: x}]", PK_PATTERN_URL),
    ("key_format", "'{id}'", "key_format: must contain {domain} and {entity}"),
    ("claude_hooks", "[true]", "claude_hooks: must be true or false"),
    ("rate_limit_default", "100", "rate_limit_default: must be text"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), ANSWERS_FILE_EDITS, ids=[f"{f}={v[:16]}" for f, v, _ in ANSWERS_FILE_EDITS]
)
def test_hand_edited_answers_file_is_type_checked(
    committed: Path, tmp_path: Path, field: str, value: str, message: str
) -> None:
    text = (committed / ".copier-answers.yml").read_text(encoding="utf-8")
    dest = _edited_copy(committed, tmp_path, _replace(text, field, value))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True).stdout
    code, out, err = run("update", str(dest), "--set", "default_ttl=600")
    tried("update")
    assert_refused(code, out, err, field)
    assert message in err, err
    assert "s3cret" not in out + err
    assert subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True).stdout == ""
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True).stdout == head


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (b"_src_path: x\n_commit: \xff\xfe\n", "not UTF-8 text"),
        (ALIAS_BOMB.encode(), "too large once its aliases"),
        (b"- a\n- b\n", "must be a YAML mapping"),
        (b"_src_path: [x]\n_commit: v1\n", "_src_path must be text"),
        (b"a: 1\na: 2\n", "key 'a' appears twice"),
    ],
    ids=["not-utf8", "alias-bomb", "list", "src-path-list", "duplicate"],
)
def test_broken_answers_files_are_refused(committed: Path, tmp_path: Path, edit: bytes, message: str) -> None:
    dest = _edited_copy(committed, tmp_path, edit)
    code, out, err = run("update", str(dest))
    tried("update")
    assert_refused(code, out, err, ".copier-answers.yml")
    assert message in err, err


def test_unknown_and_computed_names_in_the_answers_file(committed: Path, tmp_path: Path) -> None:
    text = (committed / ".copier-answers.yml").read_text(encoding="utf-8")
    for extra, message in (("defualt_ttl: 60", "'defualt_ttl' is not a question"), ("cluster_mode: true", "computed")):
        dest = _edited_copy(committed, tmp_path / extra.split(":")[0], text + extra + "\n")
        code, out, err = run("update", str(dest))
        tried("update")
        assert_refused(code, out, err, extra.split(":")[0])
        assert message in err, err


@pytest.mark.parametrize(("field", "value"), [("default_ttl", "3.5"), ("package", "json"), ("environments", "prod")])
def test_update_set_is_checked_like_new_data(committed: Path, tmp_path: Path, field: str, value: str) -> None:
    dest = tmp_path / "proj"
    shutil.copytree(committed, dest, symlinks=True)
    code, out, err = run("update", str(dest), "--set", f"{field}={value}")
    tried("update")
    assert_refused(code, out, err, field)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"[{{pattern: 'a:cfg:*', reason: 'see {URL}'}}]", PK_REASON_URL),
        ("[{pattern: 'redis://u:s3cret@h:1', reason: x}]", PK_PATTERN_URL),
    ],
)
def test_update_set_refuses_a_credential_in_persistent_keys(
    committed: Path, tmp_path: Path, value: str, message: str
) -> None:
    dest = tmp_path / "proj"
    shutil.copytree(committed, dest, symlinks=True)
    code, out, err = run("update", str(dest), "--set", f"persistent_keys={value}")
    tried("update")
    assert_refused(code, out, err, "persistent_keys")
    assert message in err, err
    assert "s3cret" not in out + err
    assert subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True).stdout == ""


def test_an_older_template_without_the_validator_macros_still_validates(tmp_path: Path) -> None:
    """`new --template` of the v0.1.0 release (no templates/_includes/validators.jinja): our extra checks
    that live there are skipped, the template's own validators run."""
    old = tmp_path / "v0.1.0"
    old.mkdir()
    archive = archive_of(PREVIOUS_RELEASE)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    code, out, err = run("new", str(tmp_path / "p"), "--defaults", "--template", str(old), "--data", "modules=[cache]")
    tried("new")
    assert code == 0, err
    code, out, err = run("new", str(tmp_path / "q"), "--defaults", "--template", str(old), "--data", "default_ttl=3.5")
    assert_refused(code, out, err, "default_ttl")


def test_a_template_whose_package_validator_lacks_the_macro_still_refuses_a_shadowing_package(tmp_path: Path) -> None:
    """A template version with validators.jinja's package_error but a copier.yml that does not call it yet (as
    main had before the call was wired in): `new` runs the macro after the validator (PENDING_VALIDATORS)."""
    old = tmp_path / "unwired"
    old.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    copier_yml = old / "copier.yml"
    text = copier_yml.read_text(encoding="utf-8")
    unwired = text.replace("{% from 'templates/_includes/validators.jinja' import package_error %}", "").replace(
        "{% else %}{{ package_error(package) }}", ""
    )
    assert "package_error" not in unwired
    copier_yml.write_text(unwired, encoding="utf-8")
    code, out, err = run("new", str(tmp_path / "p"), "--defaults", "--template", str(old), "--data", "package=json")
    tried("new")
    assert_refused(code, out, err, "package")
    assert "package: 'json' is a standard-library module" in err, err
    assert not (tmp_path / "p").exists()
