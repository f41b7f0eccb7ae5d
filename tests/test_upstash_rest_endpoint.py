"""The Upstash REST test endpoints rendered into generated projects speak Upstash's error format.

Upstash sends an error reply whole ("NOSCRIPT No matching script. Please use EVAL."); clients key
their EVAL fallback on that prefix (@upstash/redis lower-cases the message and looks for "noscript").
The Python endpoint once forwarded redis-py's stripped text ("No matching script..."), so the
fallback never ran against it. Checked on a real server, over real HTTP.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from redis_rules.servers import running_server
from tests.conftest import BINARIES, render

pytestmark = pytest.mark.skipif(not BINARIES, reason="no Redis/Valkey server binary on this machine")


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("rendered_upstash_rest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def post(url: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_python_endpoint_keeps_the_error_code(tmp_path: Path) -> None:
    project = render(tmp_path / "p", client="upstash")
    endpoint_module = load(project / "tests/redis/upstash_rest.py")
    with running_server() as server:
        endpoint = endpoint_module.UpstashRestEndpoint(server.url, token="t").start()
        try:
            _, missing = post(endpoint.url, ["EVALSHA", "0" * 40, "0"])
            assert missing["error"].startswith("NOSCRIPT ")
            _, unknown = post(endpoint.url, ["NOSUCHCOMMAND"])
            assert unknown["error"].startswith("ERR unknown command")
            _, wrong = post(endpoint.url, ["GET"])
            assert wrong["error"].startswith("ERR wrong number of arguments")
            _, ok = post(endpoint.url, ["SET", "rr:test:k", "v", "EX", "5"])
            assert ok == {"result": "OK"}
            _, piped = post(endpoint.url + "/pipeline", [["EVALSHA", "0" * 40, "0"], ["GET", "rr:test:k"]])
            assert piped[0]["error"].startswith("NOSCRIPT ") and piped[1] == {"result": "v"}
        finally:
            endpoint.stop()
