"""One keyspace, two languages: keys.ts builds byte for byte the keys keys.py builds.

For several answer sets, the Python and the TypeScript targets are rendered with the same answers,
and every key builder is called with the same large generated input set in both languages: Python
in-process (the rendered keys.py), TypeScript through node (the rendered keys.ts, transpiled by the
shared toolchain's TypeScript). Every call must give the same key, or fail in both languages with the
same kind of error. Inputs aim at the places where the languages differ: what "whitespace" is
(Python's `\\s` has U+0085 and not U+FEFF, JavaScript's the reverse), `$` before a trailing newline,
UTF-16 surrogates, astral characters, float rounding of windows (half up), integers beyond 2**53.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import ts_toolchain
from tests.conftest import ROOT, render

pytestmark = pytest.mark.skipif(ts_toolchain.node_binaries() is None, reason="node and npm are not on PATH")

RUNNER = Path(__file__).parent / "ts_tools" / "keys_runner.mjs"
CALLS_PER_SET = 6000
ANSWER_SETS: dict[str, dict[str, str]] = {
    "default": {},
    "cluster-env-first": {
        "flavour": "cluster",
        "key_format": "{env}:{domain}:{entity}:{id}",
        "environments": "[prod, qa-2]",
    },
    "no-env-literal": {
        "key_format": "{app}:v1:{domain}:{entity}:{id}",
        "app": "shop_api",
        "rate_limit_default": "5/2m",
    },
}

# Characters where the two languages could disagree, plus the ones keys.py escapes.
PY_WHITESPACE = [chr(c) for c in range(0x110000) if c < 0x3001 and chr(c).isspace()]
SPECIAL = [*"%:{},.-_ ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x1f", "\x7f", "\x85", "\xa0", "\ufeff"]
SPECIAL += PY_WHITESPACE + ["\u200b", "\u2060", "\u00e9", "e\u0301", "\u05d0", "\u4e2d", "\U0001f600", "\U0010ffff"]
SPECIAL += ["\ud800", "\udfff", "\ud83d"]  # lone surrogates (no UTF-8 form): refused by both
NAME_CHARS = "abcxyz0189_.-"


def random_text(rng: random.Random, *, max_len: int = 12) -> str:
    """Text that means the same in both languages: a lone high surrogate followed by a lone low one
    is two code points in Python but one astral character in JavaScript (UTF-16), so never adjacent."""
    pool = [*SPECIAL, *"abcXYZ019"]
    chars: list[str] = []
    for _ in range(rng.randint(0, max_len)):
        char = rng.choice(pool)
        if chars and "\ud800" <= chars[-1] <= "\udbff" and "\udc00" <= char <= "\udfff":
            chars.append("x")
        chars.append(char)
    return "".join(chars)


def random_name(rng: random.Random) -> str:
    """Mostly valid names, some with one flaw (upper case, a dot, a trailing newline, unicode...)."""
    name = rng.choice("abcxyz019") + "".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(0, 8)))
    flaw = rng.random()
    if flaw < 0.08:
        name += "\n"
    elif flaw < 0.14:
        name = name.upper()
    elif flaw < 0.18:
        name = rng.choice(["-", ".", "_"]) + name
    elif flaw < 0.22:
        name += rng.choice(SPECIAL)
    elif flaw < 0.24:
        name = ""
    return name


def tag_int(value: int) -> dict[str, str]:
    return {"int": str(value)}


def random_id(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.6:
        return random_text(rng)
    if roll < 0.8:
        return tag_int(
            rng.choice([0, -1, 7, 2**31, 2**53 - 1, 2**53, 2**53 + 1, -(2**63), 10**30, rng.randint(-999, 10**12)])
        )
    if roll < 0.85:
        return {"bool": rng.random() < 0.5}
    if roll < 0.9:  # JavaScript has no integral float (2.0 is the integer 2): only the others
        return {"float": repr(rng.choice([1.5, -0.25, 1e21, 2.0**60]))}
    if roll < 0.93:
        return None
    return rng.choice(["", "Tk3_xY", "user:42", "{tag}", "50%", "x y", "2001:db8::1", "a,b"])


def random_window(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.35:  # at and around the half-millisecond boundaries
        k = rng.randint(0, 5000)
        value = k / 1000 + rng.choice([0.0005, -0.0005, 0.00049999999, 0.0005000001, 0.0])
        return {"float": repr(value)}
    if roll < 0.6:
        return {"float": repr(rng.uniform(0, 10 ** rng.randint(-4, 8)))}
    if roll < 0.8:
        return tag_int(rng.choice([0, 1, 60, 3600, 86400, -5, 10**12]))
    choice = rng.choice([math.nan, math.inf, -math.inf, 1e300, 5e-324, 0.0004999, 1e18, 9.007199254740993e15])
    if rng.random() < 0.2:
        return {"bool": True}
    return {"float": repr(choice)}


def random_limit(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.8:
        return tag_int(rng.choice([1, 5, 100, 10_000, 2**53 - 1, 0, -3, rng.randint(1, 10**9)]))
    if roll < 0.9:
        return {"float": "2.5"}
    return {"bool": True}


ALGORITHMS = ["sliding_window", "token_bucket", "fixed_window", "leaky", "SLIDING_WINDOW"]
MISSING = {"missing": True}


def random_call(rng: random.Random, environments: list[str]) -> dict[str, Any]:
    env = rng.choice([*environments, *environments, "nope", None])
    fn = rng.choice(
        [
            "encode_segment", "encode_segment", "window_ms", "limit_definition", "build", "build",
            "session_key", "user_sessions_key", "user_profile_key", "cache_key", "cache_lock_key",
            "cache_tag_key", "rate_limit_key", "rate_limit_key", "rate_limit_bucket_keys",
            "idempotency_key", "stream_key", "dead_letter_stream_key", "stream_request_ids_key", "channel_name",
            "lock_key", "current_env",
        ]
    )  # fmt: skip
    args: list[Any]
    if fn in ("encode_segment", "user_sessions_key", "user_profile_key", "lock_key"):
        args = [random_id(rng)]
    elif fn in ("session_key", "cache_lock_key", "cache_tag_key"):
        args = [random_text(rng)]
    elif fn == "window_ms":
        args = [random_window(rng)]
    elif fn == "limit_definition":
        args = [random_limit(rng), random_window(rng)]
    elif fn == "build":
        args = [random_name(rng), random_name(rng), random_id(rng), rng.random() < 0.5]
    elif fn == "cache_key":
        args = [random_name(rng), random_limit(rng), random_id(rng)]
    elif fn in ("rate_limit_key", "rate_limit_bucket_keys"):
        limit = random_limit(rng) if rng.random() < 0.7 else MISSING
        window = random_window(rng) if rng.random() < 0.7 else MISSING
        algorithm = rng.choice(ALGORITHMS[:3] * 5 + ALGORITHMS[3:]) if rng.random() < 0.8 else MISSING
        route, dimension, value = random_name(rng), rng.choice([random_name(rng), "ip", "user"]), random_id(rng)
        if fn == "rate_limit_key":
            args = [route, dimension, value, limit, window, algorithm]
        else:
            args = [route, dimension, value, "sliding_window" if algorithm is MISSING else algorithm, limit, window]
    elif fn == "idempotency_key":
        args = [random_name(rng), random_id(rng)]
    elif fn in ("stream_key", "dead_letter_stream_key", "stream_request_ids_key", "channel_name"):
        args = [random_name(rng)]
    else:
        args = []
    return {"fn": fn, "args": args, "env": env}


def calls(seed: int, environments: list[str]) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    fixed = [  # named cases first, so a failure report starts with something readable
        {"fn": "window_ms", "args": [{"float": "0.0025"}], "env": environments[0]},
        {"fn": "build", "args": ["users\n", "profile", "1", False], "env": environments[0]},
        {"fn": "encode_segment", "args": ["a\x85b\ufeffc"], "env": environments[0]},
        {
            "fn": "rate_limit_key",
            "args": ["login", "ip", "2001:db8::1", MISSING, MISSING, MISSING],
            "env": environments[0],
        },
        {"fn": "lock_key", "args": [tag_int(2**64)], "env": environments[0]},
    ]
    return fixed + [random_call(rng, environments) for _ in range(CALLS_PER_SET)]


def python_value(v: Any) -> Any:
    if isinstance(v, dict):
        if "int" in v:
            return int(v["int"])
        if "float" in v:
            return float(v["float"])
        if "bool" in v:
            return bool(v["bool"])
    return v


def python_call(keys: ModuleType, call: dict[str, Any]) -> dict[str, Any]:
    raw = call["args"]
    a = [python_value(v) for v in raw]
    given = [v != MISSING for v in raw]

    def kw(names: list[str], start: int) -> dict[str, Any]:
        return {n: a[start + i] for i, n in enumerate(names) if given[start + i]}

    fns: dict[str, Callable[[], Any]] = {
        "build": lambda: keys.build(a[0], a[1], a[2], hash_tag=a[3]),
        "rate_limit_key": lambda: keys.rate_limit_key(a[0], a[1], a[2], **kw(["limit", "window", "algorithm"], 3)),
        "rate_limit_bucket_keys": lambda: keys.rate_limit_bucket_keys(
            a[0], a[1], a[2], a[3], **kw(["limit", "window"], 4)
        ),
    }
    if call["env"] is None:
        os.environ.pop("APP_ENV", None)
    else:
        os.environ["APP_ENV"] = call["env"]
    try:
        result = fns[call["fn"]]() if call["fn"] in fns else getattr(keys, call["fn"])(*a)
    except keys.InvalidKeyPart:
        return {"error": "InvalidKeyPart"}
    except RuntimeError:
        return {"error": "Error"}  # keys.ts throws a plain Error for a missing or unknown APP_ENV
    return {"ok": result}


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def node_modules() -> Path:
    try:
        return ts_toolchain.node_modules()
    except ts_toolchain.ToolchainUnavailable as exc:
        pytest.fail(str(exc))  # node is here (not skipped), so a failed install is a real failure


def run_typescript(keys_ts: Path, modules: Path, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    payload = "".join(json.dumps(c) + "\n" for c in batch)
    env = {k: v for k, v in os.environ.items() if k != "APP_ENV"}
    proc = subprocess.run(
        ["node", str(RUNNER), str(keys_ts), str(modules)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line]


@pytest.fixture
def clean_app_env() -> Iterator[None]:
    saved = os.environ.get("APP_ENV")
    yield
    if saved is None:
        os.environ.pop("APP_ENV", None)
    else:
        os.environ["APP_ENV"] = saved


@pytest.mark.parametrize("answer_set", sorted(ANSWER_SETS))
def test_keys_ts_builds_the_keys_keys_py_builds(
    answer_set: str, tmp_path: Path, node_modules: Path, clean_app_env: None
) -> None:
    answers = ANSWER_SETS[answer_set]
    py_project = render(tmp_path / "py", **answers)
    ts_project = render(tmp_path / "ts", language="typescript", **answers)
    keys_py = load_module(py_project / "my_service/db/redis/keys.py", f"rr_keys_{answer_set.replace('-', '_')}")
    environments = list(keys_py.ENVIRONMENTS)
    batch = calls(sum(map(ord, answer_set)), environments)
    expected = [python_call(keys_py, call) for call in batch]
    got = run_typescript(ts_project / "src/db/redis/keys.ts", node_modules, batch)
    assert len(got) == len(batch)
    mismatches = [(c, e, g) for c, e, g in zip(batch, expected, got, strict=True) if e != g]
    shown = "\n".join(f"{json.dumps(c)}\n  keys.py: {e}\n  keys.ts: {g}" for c, e, g in mismatches[:8])
    assert not mismatches, f"{len(mismatches)} of {len(batch)} calls differ:\n{shown}"
    # the input set really exercises both outcomes of every builder
    outcomes = {(c["fn"], "ok" in e) for c, e in zip(batch, expected, strict=True)}
    builders = {c["fn"] for c in batch}
    assert {(fn, True) for fn in builders} <= outcomes, "some builder never succeeded"
    assert {(fn, False) for fn in builders} <= outcomes, "some builder never failed"


def test_python_whitespace_is_what_keys_ts_spells_out() -> None:
    """keys.ts writes Python's \\s out as a character class; it must be exactly Python's set."""
    import re

    template = (ROOT / "templates/typescript/{{ module_path }}/keys.ts.jinja").read_text(encoding="utf-8")
    line = next(t for t in template.splitlines() if t.startswith("const ESCAPE_RE"))
    spelled = line.split("/[", 1)[1].rsplit("]/", 1)[0]
    js_class = re.compile("[" + spelled.replace("\\x", "\\x").replace("\\u", "\\u") + "]")
    py_class = re.compile(r"[%:{},\s\x00-\x1f\x7f]")
    differs = [hex(c) for c in range(0x110000) if bool(js_class.match(chr(c))) != bool(py_class.match(chr(c)))]
    assert differs == []
