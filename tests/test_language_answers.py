"""The `language` answer: choices that depend on it, its defaults, and the refusal to change it on update.

Copier's extended choice form (`{value: ..., validator: "..."}`) disables the clients of the other
language; `redis-rules new` (questions.py) must read that form exactly as stock copier does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from redis_rules.errors import UserError
from redis_rules.questions import load_questions, resolve_answers
from redis_rules.updating.answers import merge_answers
from tests.conftest import ROOT

QUESTIONS = load_questions(ROOT)
BY_NAME = {q.name: q for q in QUESTIONS}


def resolved(**given: Any) -> dict[str, Any]:
    return resolve_answers(QUESTIONS, {k: str(v) for k, v in given.items()})


def test_typescript_defaults() -> None:
    answers = resolved(language="typescript")
    assert answers["client"] == "ioredis"
    assert answers["module_path"] == "src/db/redis"
    assert answers["edge"] is False
    assert answers["client_profile"]["language"] == "typescript"
    assert answers["client_profile"]["api"] == "ioredis"
    assert not BY_NAME["package"].is_asked(answers)  # TypeScript has no Python package
    assert not BY_NAME["edge_path"].is_asked(answers)
    assert BY_NAME["edge_path"].is_asked(resolved(language="typescript", edge="true"))


def test_python_defaults_are_unchanged() -> None:
    answers = resolved()
    assert (answers["language"], answers["client"], answers["module_path"]) == (
        "python",
        "redis-py",
        "my_service/db/redis",
    )
    assert BY_NAME["package"].is_asked(answers)
    assert not BY_NAME["edge"].is_asked(answers)


@pytest.mark.parametrize(
    ("language", "client", "allowed"),
    [
        ("typescript", "redis-py", "ioredis, node-redis, upstash"),
        ("typescript", "valkey-py", "ioredis, node-redis, upstash"),
        ("python", "ioredis", "redis-py, redis-py-async, valkey-py, upstash"),
        ("python", "node-redis", "redis-py, redis-py-async, valkey-py, upstash"),
    ],
)
def test_a_client_of_the_other_language_is_refused_with_the_allowed_values(
    language: str, client: str, allowed: str
) -> None:
    with pytest.raises(UserError) as info:
        resolved(language=language, client=client)
    message = str(info.value)
    assert message.startswith(f"client: '{client}' is a ")
    assert message.endswith(f"choose one of: {allowed}")


def test_upstash_exists_in_both_languages() -> None:
    assert resolved(language="python", client="upstash")["client_profile"]["lib"] == "upstash_redis"
    assert resolved(language="typescript", client="upstash")["client_profile"]["lib"] == "@upstash/redis"


def test_disabled_choices_say_why() -> None:
    client = BY_NAME["client"]
    answers = resolved(language="typescript")
    assert client.enabled_choices(answers) == ["ioredis", "node-redis", "upstash"]
    assert client.disabled("ioredis", answers) == ""
    assert "is a Python client" in client.disabled("redis-py (sync)", answers)
    assert client.enabled_choices(resolved()) == ["redis-py", "redis-py-async", "valkey-py", "upstash"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"edge": "true"}, "edge: edge modules are TypeScript only"),
        ({"language": "typescript", "client": "upstash", "edge": "true"}, "edge: the 'upstash' client already runs"),
        ({"language": "typescript", "module_path": "../lib"}, "module_path: must be relative folder names"),
        ({"language": "typescript", "module_path": "/abs/redis"}, "module_path: must be relative folder names"),
        ({"language": "typescript", "module_path": "src/db redis"}, "module_path: must be relative folder names"),
        ({"language": "typescript", "module_path": "node_modules/x"}, "module_path: must not start in 'node_modules/'"),
        (
            {"language": "typescript", "edge": "true", "edge_path": "src/db/redis/edge"},
            "edge_path: must be a folder apart",
        ),
        ({"language": "typescript", "edge": "true", "edge_path": "src//edge"}, "edge_path: must be relative folder"),
        ({"language": "typescript", "client": "upstash", "flavour": "cluster"}, "pick client ioredis for cluster"),
        ({"language": "cobol"}, "language: 'cobol' is not allowed (allowed: python, typescript)"),
    ],
)
def test_bad_typescript_answers(given: dict[str, str], message: str) -> None:
    with pytest.raises(UserError, match=None) as info:
        resolved(**given)
    assert message in str(info.value)


def test_typescript_module_path_accepts_common_layouts() -> None:
    for path in ("src/db/redis", "lib/redis", "packages/api/src/redis", "app/_lib/redis.v2"):
        assert resolved(language="typescript", module_path=path)["module_path"] == path


def test_update_refuses_a_language_change() -> None:
    recorded = {"language": "python", "project_name": "svc", "client": "redis-py"}
    with pytest.raises(UserError) as info:
        merge_answers(QUESTIONS, recorded, {"language": "typescript"})
    assert str(info.value).startswith("language: a python project cannot be updated to typescript")
    with pytest.raises(UserError, match="language: a python project"):  # recorded before the answer existed
        merge_answers(QUESTIONS, {"project_name": "svc"}, {"language": "typescript"})
    data, changes = merge_answers(QUESTIONS, recorded, {"language": "python", "default_ttl": "60"})
    assert data["default_ttl"] == 60 and [c.name for c in changes] == ["default_ttl"]


def test_update_of_the_package_moves_a_module_path_inside_it() -> None:
    """`--set package=billing` alone: the modules move along, reported as a change (the refusal named
    module_path, which the user had not touched: fresh-user trial 12); a path given too, or one outside
    the package, or a TypeScript project's, is left as it is."""
    recorded = {"language": "python", "project_name": "svc", "package": "svc", "module_path": "svc/db/redis"}
    data, changes = merge_answers(QUESTIONS, recorded, {"package": "billing"})
    assert (data["package"], data["module_path"]) == ("billing", "billing/db/redis")
    assert [(c.name, c.old, c.new) for c in changes] == [
        ("package", "svc", "billing"),
        ("module_path", "svc/db/redis", "billing/db/redis"),
    ]
    data, _ = merge_answers(QUESTIONS, {**recorded, "module_path": "svc/infra/cache"}, {"package": "billing"})
    assert data["module_path"] == "billing/infra/cache"
    data, _ = merge_answers(QUESTIONS, recorded, {"package": "billing", "module_path": "billing/r"})
    assert data["module_path"] == "billing/r"
    with pytest.raises(UserError, match="^module_path: must start with the package folder 'billing/'"):
        merge_answers(QUESTIONS, recorded, {"package": "billing", "module_path": "svc/db/redis"})


def test_cli_refusal_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, run_cli) -> None:
    code, out, err = run_cli(
        "new", str(tmp_path / "d"), "--defaults", "--data", "language=typescript", "--data", "client=valkey-py"
    )
    assert code == 2
    assert err == (
        "redis-rules: error: client: 'valkey-py' is a Python client; with language 'typescript' "
        "choose one of: ioredis, node-redis, upstash\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("given", "field", "condition"),
    [
        ({"language": "typescript", "package": "shop"}, "package", "language == 'python'"),
        ({"language": "typescript", "edge_path": "src/x"}, "edge_path", "language == 'typescript' and edge"),
        ({"modules": "[cache]", "rate_limit_default": "5/1s"}, "rate_limit_default", "'rate_limit' in modules"),
        ({"key_format": "{env}:{domain}:{entity}:{id}", "app": "shop"}, "app", "'{app}' in key_format"),
    ],
)
def test_an_answer_the_other_answers_do_not_ask_for_is_refused_when_typed(
    given: dict[str, str], field: str, condition: str
) -> None:
    """Copier drops such an answer without a word (a TypeScript project silently ignores `package=`)."""
    with pytest.raises(UserError) as refused:
        resolve_answers(QUESTIONS, given, explicit=given)
    assert str(refused.value) == f"{field}: not used with these answers (asked only when {condition}); leave it out"
    resolve_answers(QUESTIONS, given)  # the same answers recorded earlier (not typed now) are dropped quietly


def test_a_question_that_refuses_in_its_own_words_keeps_them() -> None:
    with pytest.raises(UserError, match=r"^edge: edge modules are TypeScript only \(language is 'python'\)$"):
        resolve_answers(QUESTIONS, {"edge": "true"}, explicit={"edge"})


def recorded_answers(**given: Any) -> dict[str, Any]:
    """The answers as Copier records them: only the questions asked."""
    answers = resolved(**given)
    return {q.name: answers[q.name] for q in QUESTIONS if not q.hidden and q.is_asked(answers)}


def test_update_refuses_a_set_answer_the_project_does_not_use_and_reports_a_dropped_one() -> None:
    recorded = recorded_answers(modules="[cache, rate_limit]", rate_limit_default="5/1s")
    data, changes = merge_answers(QUESTIONS, recorded, {"modules": "[cache]"})  # the limit is no longer asked
    assert data == {"modules": ["cache"]}
    assert [(c.name, c.old, c.dropped) for c in changes] == [
        ("modules", ["cache", "rate_limit"], ""),
        ("rate_limit_default", "5/1s", "'rate_limit' in modules"),
    ]
    with pytest.raises(UserError, match=r"^rate_limit_default: not used with these answers"):
        merge_answers(QUESTIONS, recorded_answers(modules="[cache]"), {"rate_limit_default": "9/1s"})


def test_a_multiselect_answer_is_read_as_copier_records_it() -> None:
    """Once each, in the order of the choices: `update --set modules=[cache, cache]` reported a change it then
    did not make (the answers file, written by Copier, already said [cache])."""
    assert resolved(modules="[locks, cache, cache]")["modules"] == ["cache", "locks"]
    recorded = recorded_answers(modules="[cache]")
    data, changes = merge_answers(QUESTIONS, recorded, {"modules": "[cache, cache]"})
    assert data == {"modules": ["cache"]} and changes == []
