"""Kind 5: no credential from a URL, the environment or a file reaches any output, report or error,
whatever characters it holds (property-based over random passwords and tokens).

Every generated secret is wrapped in markers ("Zq…Xk") so that finding it in output can only mean a
leak, never a coincidence; the percent-encoded form is looked for too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redis_rules.redact import forget_secrets, redact_text, redact_url, register_url, scrub
from redis_rules.servers import free_port, running_server
from tests.conftest import BINARIES
from tests.hostile.helpers import assert_contract, run, tried

# any text, the URL delimiters over-represented, no NUL (no OS accepts it in argv) and no surrogates
CHARS = st.one_of(
    st.sampled_from(list("#@%/:?&=+ ;,!$'()*[]{}\\\"`~^|<>")),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
)
SECRETS = st.text(CHARS, min_size=2, max_size=24).map(lambda middle: f"Zq{middle}Xk")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def leaked(secret: str, *texts: str) -> bool:
    forms = {secret, quote(secret, safe=""), quote(secret, safe=":/@")}
    return any(form in text for form in forms for text in texts)


@SETTINGS
@given(user=st.sampled_from(["", "alice", "x-access-token"]), secret=SECRETS, encode=st.booleans())
def test_redacted_urls_never_show_the_password(user: str, secret: str, encode: bool) -> None:
    password = quote(secret, safe="") if encode else secret
    for url in (
        f"redis://{user}:{password}@cache.internal:6380/1",
        f"rediss://{user}:{password}@[::1]:6379/0?ssl_cert_reqs=none",
        f"https://{user}:{password}@git.example/team/template.git",
        f"redis://cache.internal:6379/0?password={quote(secret, safe='')}&db=1",  # '&' unencoded is another param
    ):
        shown = redact_url(url)
        assert not leaked(secret, shown), (url, shown)
        quoted = f"fatal: could not read {url} (exit 128)"
        if not any(ch.isspace() or ch in "'\"<>`" for ch in password):  # a URL in free text ends at these
            assert not leaked(secret, redact_text(quoted)), url
            as_path = f"not found: /srv/{url.replace('://', ':/', 1)}"  # a URL taken for a path: `//` collapsed
            assert not leaked(secret, redact_text(as_path)), as_path
        register_url(url)  # the safety net: a registered secret is removed wherever it appears
        try:
            assert not leaked(secret, scrub(quoted), scrub(f"{secret} and {password}")), url
        finally:
            forget_secrets()


@SETTINGS
@given(secret=SECRETS, encode=st.booleans())
def test_audit_errors_never_show_the_password(secret: str, encode: bool) -> None:
    password = quote(secret, safe="") if encode else secret
    url = f"redis://default:{password}@127.0.0.1:{free_port()}/0"
    code, out, err = run("audit", "--url", url, "--timeout", "5")
    tried("audit")
    assert_contract(code, out, err, "audit")
    assert code == 2 and not leaked(secret, out, err), err


@pytest.fixture(scope="module")
def password_server():
    if not BINARIES:
        pytest.skip("no server binary")
    with running_server(next(iter(BINARIES.values())), extra_args=("--requirepass", "initial-Pw1")) as server:
        admin = redis.Redis(port=server.port, password="initial-Pw1")
        admin.set("shop:prod:cart:item:1", "x", ex=600)
        admin.set("no-ttl-key", "x")
        yield server, admin
        admin.close()


@SETTINGS
@given(secret=SECRETS, right=st.booleans(), env=st.booleans())
def test_audit_against_a_password_server_never_shows_it(
    password_server, monkeypatch, secret: str, right: bool, env: bool
) -> None:
    """Right password: the report (text and JSON) has no trace of it; wrong one: a one-line refusal."""
    server, admin = password_server
    admin.config_set("requirepass", secret if right else "Other-pw-1")
    admin.connection_pool.reset()
    admin.connection_pool.connection_kwargs["password"] = secret if right else "Other-pw-1"
    url = f"redis://default:{quote(secret, safe='')}@127.0.0.1:{server.port}/0"
    for fmt in ("text", "json"):
        argv = ["audit", "--format", fmt, "--fail-on", "none", "--timeout", "10"]
        if env:
            monkeypatch.setenv("REDIS_URL", url)
        else:
            argv += ["--url", url]
        code, out, err = run(*argv)
        tried("audit")
        assert_contract(code, out, err, "audit")
        assert code == (0 if right else 2), err
        assert not leaked(secret, out, err), (out, err)


@SETTINGS
@given(secret=SECRETS, user=st.sampled_from(["", "x-access-token", "deploy"]))
def test_new_template_url_with_a_token_is_refused_without_showing_it(tmp_path: Path, secret: str, user: str) -> None:
    token = quote(secret, safe="")
    userinfo = f"{user}:{token}" if user else token
    code, out, err = run(
        "new", str(tmp_path / "out"), "--defaults", "--template", f"https://{userinfo}@127.0.0.1:1/t.git"
    )
    tried("new")
    assert_contract(code, out, err, "--template")
    assert code == 2 and "credential" in err and not leaked(secret, out, err), err
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def rendered_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("secret") / "proj"
    code, _, err = run("new", str(dest), "--defaults", "--data", "modules=[cache]")
    assert code == 0, err
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "r"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=dest, check=True)
    return dest


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=SECRETS, encode=st.booleans())
def test_update_never_shows_a_token_recorded_in_src_path(rendered_repo: Path, secret: str, encode: bool) -> None:
    """An answers file written by stock copier from a token URL: update's errors (git, copier) hide it."""
    token = quote(secret, safe="") if encode else secret
    answers = rendered_repo / ".copier-answers.yml"
    original = answers.read_text(encoding="utf-8")
    lines = [line for line in original.splitlines() if not line.startswith("_src_path:")]
    src = f"https://x-access-token:{token}@127.0.0.1:{free_port()}/team/template.git"
    import yaml

    answers.write_text("\n".join(lines) + "\n" + yaml.safe_dump({"_src_path": src}, allow_unicode=True), "utf-8")
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "token"], cwd=rendered_repo)
    try:
        for argv in (["update", str(rendered_repo)], ["update", str(rendered_repo), "--upgrade", "--pretend"]):
            code, out, err = run(*argv)
            tried("update")
            assert_contract(code, out, err, "template", ".copier-answers.yml", "git")
            assert code == 2 and not leaked(secret, out, err), err
    finally:
        answers.write_text(original, encoding="utf-8")
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "back"], cwd=rendered_repo
        )


@SETTINGS
@given(secret=SECRETS.filter(lambda s: not any(ch.isspace() or ch in "'\"<>`/" for ch in s)))
def test_a_url_given_where_a_path_goes_never_shows_its_password(tmp_path: Path, secret: str) -> None:
    """Paths collapse `//`: `new redis://:pw@host/0` names the folder `redis:/:pw@host`; still a URL to redact."""
    url = f"redis://:{secret}@cache.internal/0"
    for argv in (("new", url, "--defaults"), ("lint", "--policy", url, str(tmp_path))):
        code, out, err = run(*argv)
        assert_contract(code, out, err, allowed=(2,))
        assert not leaked(secret, out, err), (argv, err)
        tried(argv[0])


BARE_SECRETS = SECRETS.filter(lambda s: not any(ch.isspace() or ch in "'\"<>`" for ch in s))


@SETTINGS
@given(secret=BARE_SECRETS, form=st.sampled_from(["redis//:{}@h:6379/0", "redis:{}@h:6379/0", "app:{}@h:6379"]))
def test_a_url_typed_without_its_slashes_never_shows_its_password(secret: str, form: str) -> None:
    """`redis//:pw@h` has no `://`, so the URL redaction left it whole: audit's bad-URL message and the
    usage error for an argument given without --url quoted the password."""
    url = form.format(secret)
    assert not leaked(secret, redact_url(url), redact_text(f"error: unrecognized arguments: {url}"))
    for argv in (("audit", "--url", url), ("audit", url), ("audit", "redis://" + url.split("//", 1)[-1])):
        code, out, err = run(*argv)
        assert_contract(code, out, err, allowed=(2,))
        assert not leaked(secret, out, err), (argv, err)
    tried("audit")


@pytest.mark.parametrize("secret", ["Zq-S3cret-Xk", "Zq:p@ss#1Xk", "Zq%2Fenc%40Xk"])
def test_a_blocked_command_line_is_quoted_without_its_password(secret: str) -> None:
    """The audit-shell hook quotes the command it blocks: `audit --url redis://:pw@h` printed pw."""
    import json
    import sys

    for url in (f"redis://:{secret}@h:1/0", f"redis:{secret}@h:1/0"):
        command = f"redis-rules audit --url {url}"
        event = {"tool_name": "Bash", "tool_input": {"command": command}}
        proc = subprocess.run(
            [sys.executable, "-m", "redis_rules", "hook", "audit-shell"],
            input=json.dumps(event), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 2 and "Blocked by redis-rules" in proc.stderr, proc.stderr
        assert not leaked(secret, proc.stdout, proc.stderr), proc.stderr
