"""The generated CI workflow's Install step: redis-rules is not on PyPI, so CI installs it from where the
project's template came from (a remote git URL without credentials, at a tag), else from the repository
variable REDIS_RULES_SPEC, failing with what to set (fresh-user trial 12: `pip install redis-rules` fetched
a name anyone could register)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VARS = "${REDIS_RULES_SPEC:?set the repository variable REDIS_RULES_SPEC"


def install_step(answers: dict[str, str], first: str = "") -> dict[str, object]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT)), trim_blocks=True, lstrip_blocks=True)
    source = (
        "{% from 'templates/_includes/project/install_step.jinja' import install_step with context %}"
        "steps:\n{{ install_step(first) }}"
    )
    text = env.from_string(source).render(_copier_answers=answers, first=first)
    (step,) = yaml.safe_load(text)["steps"]
    assert step["name"] == "Install"
    return step


@pytest.mark.parametrize(
    ("src", "url"),
    [
        ("gh:acme/redis-rules", "https://github.com/acme/redis-rules"),
        ("gl:acme/tools/redis-rules", "https://gitlab.com/acme/tools/redis-rules"),
        ("https://git.acme.dev/platform/redis-rules.git", "https://git.acme.dev/platform/redis-rules.git"),
        ("git+https://github.com/acme/redis-rules", "https://github.com/acme/redis-rules"),
    ],
)
def test_a_remote_template_at_a_tag_is_installed_from_there(src: str, url: str) -> None:
    step = install_step({"_src_path": src, "_commit": "v0.3.0"})
    assert step["run"] == f"pip install -e '.[dev]' 'redis-rules @ git+{url}@v0.3.0'"
    assert install_step({"_src_path": src, "_commit": "v0.3.0"}, "npm install")["run"] == (
        f"npm install && pip install 'redis-rules @ git+{url}@v0.3.0'"
    )


@pytest.mark.parametrize(
    ("src", "commit"),
    [
        ("/home/me/redis-rules", "v0.3.0"),  # a local copy: CI cannot reach it
        ("/venv/lib/python3.12/site-packages/redis_rules/_template", "v0.3.0"),  # the installed tool's
        ("git+file:///srv/redis-rules", "v0.3.0"),
        ("git@github.com:acme/redis-rules.git", "v0.3.0"),  # SSH: CI has no key
        ("https://ci-token:s3cret@github.com/acme/redis-rules", "v0.3.0"),  # never copied into a workflow
        ("gh:acme/redis-rules", "v0.3.0-4-g1234abc"),  # no tag: pip cannot check out a describe string
        ("gh:acme/redis-rules", ""),
        ("gh:acme/redis rules';rm -rf /", "v0.3.0"),  # quoting: characters outside a URL's are never written
    ],
)
def test_otherwise_the_repository_variable_is_asked_for(src: str, commit: str) -> None:
    step = install_step({"_src_path": src, "_commit": commit})
    assert step["env"] == {"REDIS_RULES_SPEC": "${{ vars.REDIS_RULES_SPEC }}"}
    assert step["run"].startswith(f"pip install -e '.[dev]' \"{VARS}")
    assert "s3cret" not in str(step) and "rm -rf" not in str(step)


def test_without_recorded_answers_the_variable_is_asked_for() -> None:
    assert VARS in install_step({})["run"]
