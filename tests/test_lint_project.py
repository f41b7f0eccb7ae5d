"""Project-wide receiver inference: clients reaching a module from other modules, the facts cache, and
the reason each finding gives."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from redis_rules.lint import lint_paths, lint_source
from redis_rules.lint.index import CACHE_DIR


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'shop'\n",
            "shop/__init__.py": "",
            "shop/db/__init__.py": "from .conn import redis_conn, make_client\n",
            "shop/db/conn.py": """
                import os
                import redis

                redis_conn = redis.Redis.from_url(os.environ["REDIS_URL"])

                def make_client():
                    return redis_conn

                class BaseStore:
                    def __init__(self):
                        self.database = redis_conn

                    def connection(self) -> redis.Redis:
                        return self.database

                class TracedRedis(redis.Redis):
                    pass

                SWEEP = "for _, k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end"
            """,
            "shop/views.py": """
                from shop.db import redis_conn, make_client
                from shop.db.conn import BaseStore, TracedRedis, SWEEP


                def listing():
                    return redis_conn.keys()


                def factory():
                    c = make_client()
                    return c.keys()


                class Store(BaseStore):
                    def all(self):
                        return self.database.keys()

                    def via_method(self):
                        return self.connection().keys()


                class Mine(TracedRedis):
                    def everything(self):
                        return self.keys()


                def typed(r: TracedRedis):
                    return r.keys()


                def sweep(r: TracedRedis):
                    r.eval(SWEEP, 0, "tmp:*")
            """,
        },
    )
    return tmp_path


def _by_line(findings) -> dict[int, str]:
    return {f.line: f.code for f in findings if f.path.endswith("views.py")}


def test_clients_from_other_modules(project, monkeypatch):
    monkeypatch.chdir(project)
    found = lint_paths([project])
    assert _by_line(found) == {6: "RR007", 11: "RR007", 16: "RR007", 19: "RR007", 24: "RR007", 28: "RR007", 32: "RR007"}
    first = next(f for f in found if f.line == 6)
    assert first.evidence == "proven"
    assert "shop/db/conn.py" in first.message and "shop/db/conn.py" in first.reason


def test_one_file_uses_the_project_index_and_its_cache(project, monkeypatch):
    monkeypatch.chdir(project)
    views = project / "shop" / "views.py"
    assert len(_by_line(lint_paths([views]))) == 7
    cache = list((project / CACHE_DIR).glob("facts-*.pickle"))
    assert len(cache) == 1 and (project / CACHE_DIR / ".gitignore").read_text().strip().endswith("*")
    # warm: same answer; then a changed module is re-read (mtime/size), not taken from the cache
    assert len(_by_line(lint_paths([views]))) == 7
    conn = project / "shop" / "db" / "conn.py"
    conn.write_text(conn.read_text().replace("redis_conn = redis.Redis.from_url(", "redis_conn = dict("))
    os.utime(conn, ns=(1, 1))  # a different mtime even on coarse clocks
    lines = _by_line(lint_paths([views]))
    assert 6 not in lines and 11 not in lines and 24 in lines  # the subclass still is a client


def test_no_cache_writes_nothing(project, monkeypatch):
    monkeypatch.chdir(project)
    lint_paths([project / "shop" / "views.py"], cache=False)
    assert not (project / CACHE_DIR).exists()


def test_unwritable_cache_folder_falls_back_to_the_user_cache(project, monkeypatch, tmp_path_factory):
    """`.redis-rules-cache` cannot be created (here: a file is in the way, as a read-only tree would refuse it):
    the facts go to $XDG_CACHE_HOME/redis-rules/ and the run is the same."""
    xdg = tmp_path_factory.mktemp("xdg")
    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    (project / CACHE_DIR).write_text("not a folder")
    assert len(_by_line(lint_paths([project / "shop" / "views.py"]))) == 7
    assert len(list((xdg / "redis-rules").glob("*/facts-*.pickle"))) == 1
    assert len(_by_line(lint_paths([project / "shop" / "views.py"]))) == 7  # read back from there


class _Planted:
    """What someone who can write the project folder (not the linting user) could leave as the cache file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_cache_file_runs_no_code(project, monkeypatch, tmp_path_factory):
    """The facts cache was read with pickle.load: a file planted in .redis-rules-cache/ ran its code as the user
    who linted (RR022's own lesson). Now only ModuleFacts may be unpickled, and only from a file this user owns
    that nobody else may write; anything else is a cache miss."""
    import pickle

    import redis_rules.lint.index as index

    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    views = project / "shop" / "views.py"
    assert len(_by_line(lint_paths([views]))) == 7
    (cache,) = (project / CACHE_DIR).glob("facts-*.pickle")
    marker = tmp_path_factory.mktemp("planted") / "ran"
    payload = pickle.dumps({"shop/views.py": (0, 0, _Planted(marker))})
    cache.write_bytes(index._checksum(payload) + b"\n" + payload)  # a valid checksum: the allowlist refuses it
    cache.chmod(0o600)
    assert len(_by_line(lint_paths([views]))) == 7
    assert not marker.exists()

    loads: list[object] = []
    monkeypatch.setattr(index, "_FactsUnpickler", lambda fh: loads.append(fh) or pickle.Unpickler(fh))
    cache.chmod(0o666)  # writable by others: not even opened for unpickling
    assert len(_by_line(lint_paths([views]))) == 7
    assert loads == []


def test_a_cache_file_of_the_wrong_shape_is_a_cache_miss(project, monkeypatch, tmp_path_factory):
    """A well-formed pickle or JSON file of the wrong shape (edited by hand, written by another version) made lint
    exit 3 and print no finding until the cache was deleted (fresh-user trial 6): now it is a miss."""
    import json
    import pickle

    import redis_rules.lint.index as index

    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    (project / ".redis-rules.yml").write_text("lint:\n  ignore: [RR008]\n")
    views = project / "shop" / "views.py"
    assert len(_by_line(lint_paths([views]))) == 7
    (facts,) = (project / CACHE_DIR).glob("facts-*.pickle")
    (policy,) = (project / CACHE_DIR).glob("policy-*.json")
    for entries in ({"shop/views.py": 5}, {"shop/views.py": (1, 2, index.ModuleFacts("x", "y", instances=[]))}):
        payload = pickle.dumps(entries)
        for text in (payload, index._checksum(payload) + b"\n" + payload):  # without and with a valid checksum
            facts.write_bytes(text)
            facts.chmod(0o600)
            assert len(_by_line(lint_paths([views]))) == 7
    stored = json.loads(policy.read_text())
    stored["data"]["lint"] = 5
    policy.write_text(json.dumps(stored))
    assert len(_by_line(lint_paths([views]))) == 7
    assert json.loads(policy.read_text())["data"]["lint"] == {"ignore": ["RR008"]}  # rewritten from the file
    # data of the wrong type with its checksum recomputed (fresh-user trial 7): still the policy file decides
    from redis_rules.lint import policy_cache

    for lint in ({"exclude": 5}, {"ignore": "RR007"}):
        stored = json.loads(policy.read_text())
        stored["data"]["lint"] = lint
        stored["sum"] = policy_cache._sum(stored["key"], stored["data"])
        policy.write_text(json.dumps(stored))
        assert len(_by_line(lint_paths([views]))) == 7
    policy.write_text('{"key": ' + "[" * 5000 + "]" * 5000 + "}")  # nested past the recursion limit
    assert len(_by_line(lint_paths([views]))) == 7


def test_a_fifo_or_an_endless_file_in_the_cache_is_a_miss(project, monkeypatch, tmp_path_factory):
    """A FIFO in place of a cache file made lint wait forever, a link to /dev/zero read until memory ran out
    (fresh-user trial 7): only a regular file this user wrote, of bounded size, is read."""
    import shutil
    import threading

    monkeypatch.chdir(project)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    (project / ".redis-rules.yml").write_text("lint:\n  ignore: [RR008]\n")
    views = project / "shop" / "views.py"

    def lint_in_time() -> list[int]:
        found: list[int] = []
        run = threading.Thread(target=lambda: found.append(len(_by_line(lint_paths([views])))), daemon=True)
        run.start()
        run.join(60)
        return found

    for make in (os.mkfifo, lambda p: p.symlink_to("/dev/zero")):
        for pattern in ("facts-*.pickle", "policy-*.json"):
            shutil.rmtree(project / CACHE_DIR, ignore_errors=True)
            assert lint_in_time() == [7]  # writes both cache files
            (file,) = (project / CACHE_DIR).glob(pattern)
            file.unlink()
            make(file)
            assert lint_in_time() == [7]


def test_import_cycle_is_resolved(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "setup.py": "",
            "app/__init__.py": "",
            "app/a.py": "from app.b import client\n\ndef f():\n    return client.keys()\n",
            "app/b.py": "import redis\nfrom app import a\n\nclient = redis.Redis()\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert [(f.path, f.line) for f in lint_paths([tmp_path])] == [("app/a.py", 4)]


def test_files_without_a_project_marker_see_each_other(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/c.py": "import redis\nr = redis.Redis()\n",
            "pkg/u.py": "from pkg.c import r\nr.keys()\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    found = lint_paths([tmp_path / "pkg"])
    assert [(f.path, f.code) for f in found] == [("pkg/u.py", "RR007")]
    assert not (tmp_path / CACHE_DIR).exists()  # no project: nothing cached


def test_unrelated_module_with_same_names_is_not_a_client(project, monkeypatch):
    write(project, {"other/__init__.py": "", "other/x.py": "from shop.views import Store\ns = Store()\ns.keys()\n"})
    monkeypatch.chdir(project)
    assert [f for f in lint_paths([project / "other"]) if f.code == "RR007"] == []


# ---------------------------------------------------------------- hard-coded defaults (RR010)
def test_hardcoded_url_defaults_in_signatures_and_settings():
    src = textwrap.dedent(
        """
        import os
        from pydantic import BaseSettings, Field

        REDIS_URL = "redis://localhost:6379/0"
        CACHES = {"default": {"LOCATION": "redis://127.0.0.1:6379/1"}}
        FROM_ENV = os.environ.get("REDIS_URL", "redis://localhost:6379/0")

        def connect(url="redis://localhost:6379", *, other="rediss://cache:6380"):
            return url

        class Settings(BaseSettings):
            redis_url: str = "redis://localhost:6379/2"
            broker: str = Field(default="redis://localhost:6379/3")
            name: str = "service"
        """
    )
    found = [f for f in lint_source(src, "app/settings.py") if f.code == "RR010"]
    assert [f.line for f in found] == [5, 6, 7, 9, 9, 13, 14]
    assert "REDIS_URL" in found[0].message and "connect(url=...)" in found[3].message


def test_constant_passed_to_a_client_is_reported_once_at_its_definition():
    src = 'import redis\nURL = "redis://localhost:6379"\nr = redis.Redis.from_url(URL)\n'
    assert [(f.code, f.line) for f in lint_source(src, "app/x.py")] == [("RR010", 2)]


def test_lua_scripts_loaded_from_files(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "lim/__init__.py": "",
            "lim/resources/clear_keys.lua": "for _, k in ipairs(redis.call('keys', KEYS[1])) do\n"
            "  redis.call('del', k)\nend\n",
            "lim/resources/incr.lua": "return redis.call('incr', KEYS[1])\n",
            "lim/storage.py": """
                import redis
                from importlib.resources import files

                RES = "resources"

                def load(name):
                    return files("lim").joinpath(name).read_text()

                class Storage:
                    SCRIPT_CLEAR = load(f"{RES}/clear_keys.lua")
                    SCRIPT_INCR = load("resources/incr.lua")

                    def __init__(self, url):
                        self.r = redis.Redis.from_url(url)
                        self.clear = self.r.register_script(self.SCRIPT_CLEAR)
                        self.incr = self.r.register_script(self.SCRIPT_INCR)
            """,
            "lim/aio.py": """
                from lim.storage import Storage

                class AsyncStorage(Storage):
                    def register(self, conn):
                        self.clear = conn.register_script(self.SCRIPT_CLEAR)
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [(f.path, f.line, f.code) for f in lint_paths([tmp_path])]
    assert found == [("lim/aio.py", 5, "RR007"), ("lim/storage.py", 15, "RR007")]


def test_the_projects_own_keys_method_is_not_redis_keys(tmp_path, monkeypatch):
    """`s.keys("u:")` on the project's own class (typed parameter, or an instance of a class imported from a
    module without Redis) was RR007 by shape; a subclass of a client class still is. Found by the
    fresh-user trial."""
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "pkg/__init__.py": "",
            "pkg/store.py": "class Store:\n    def keys(self, prefix):\n        return []\n",
            "pkg/client_store.py": "from redis import Redis\n\n\nclass ClientStore(Redis):\n    pass\n",
            "pkg/use.py": """
                from pkg.client_store import ClientStore
                from pkg.store import Store


                class Local:
                    def keys(self, prefix):
                        return []


                def typed(s: Store):
                    return s.keys("u:")


                def built():
                    s = Store()
                    return s.keys("u:")


                def local(s: Local):
                    return s.keys("u:")


                def client(s: ClientStore):
                    return s.keys("u:")
                """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = lint_paths([tmp_path], cache=False)
    assert [(f.path, f.line, f.code) for f in found] == [("pkg/use.py", 24, "RR007")]  # client()


def test_a_wrapper_whose_keys_passes_the_pattern_on_is_reported_where_the_pattern_is_chosen(tmp_path, monkeypatch):
    """A project class whose keys(p) is `self.r.keys(p)` is no plain class for keys(): the caller chooses the
    pattern (as TypeScript, where the labelled corpus row is the call site)."""
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "pkg/__init__.py": "from pkg.conn import Conn as Conn\n",
            "pkg/conn.py": """
                import os

                import redis


                class Conn:
                    def __init__(self):
                        self.r = redis.Redis.from_url(os.environ["REDIS_URL"])

                    def keys(self, pattern):
                        return self.r.keys(pattern)


                class Store:
                    def keys(self, prefix):
                        return [prefix]


                def here(c: Conn):
                    return c.keys("*")
                """,
            "pkg/use.py": """
                from pkg import Conn
                from pkg.conn import Store


                def typed(c: Conn):
                    return c.keys("*")


                def built():
                    return Conn().keys("*")


                def plain(s: Store):
                    return s.keys("u:")
                """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [(f.path, f.line, f.code) for f in lint_paths([tmp_path], cache=False)]
    assert found == [
        ("pkg/conn.py", 11, "RR007"),
        ("pkg/conn.py", 20, "RR007"),
        ("pkg/use.py", 6, "RR007"),
        ("pkg/use.py", 10, "RR007"),
    ]


def test_a_factory_of_another_module_called_per_request(tmp_path, monkeypatch):
    """Trial 13: `get_redis` in deps.py building a client each time, used by views.py's handlers (called, or given
    to FastAPI's Depends): RR009 at each per-request use, naming where it builds. A cached factory, or one used
    only at startup, is not reported."""
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'api'\n",
            "api/__init__.py": "",
            "api/deps.py": """
                import functools
                import os

                import redis


                def get_redis() -> redis.Redis:
                    return redis.Redis.from_url(os.environ["REDIS_URL"])


                @functools.cache
                def get_cached() -> redis.Redis:
                    return redis.Redis.from_url(os.environ["REDIS_URL"])


                _client = None


                def get_lazy() -> redis.Redis:
                    global _client
                    if _client is None:
                        r = redis.Redis.from_url(os.environ["REDIS_URL"])
                        _client = r
                        return r
                    return _client
            """,
            "api/views.py": """
                from fastapi import Depends

                from api.deps import get_cached, get_lazy, get_redis


                def a():
                    return get_redis().get("k")


                def b(r=Depends(get_redis)):
                    return r.get("k")


                def c():
                    return get_cached().get("k") or get_lazy().get("k")


                def lifespan(app):
                    app.state.redis = get_redis()
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [f for f in lint_paths([tmp_path]) if f.code == "RR009"]
    assert [(f.path.rsplit("/", 1)[-1], f.line) for f in found] == [("views.py", 7), ("views.py", 10)]
    assert "(api/deps.py line 8), and a() calls it on every request" in found[0].message
    assert "and Depends(get_redis) calls it on every request" in found[1].message


def test_a_client_kept_in_flask_g_by_a_factory_of_another_module(tmp_path, monkeypatch):
    """Trial 17: the Flask tutorial's `get_redis()` keeps its client in `g`, which lives one request, and views of
    another module call it: a client per request, reported at the constructor naming `g`. Lazy singletons kept in
    a global or on the app are not reported."""
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'app'\n",
            "app/__init__.py": "",
            "app/db.py": """
                import os

                import redis
                from flask import current_app, g

                _client = None


                def get_redis():
                    if "redis" not in g:
                        g.redis = redis.Redis.from_url(os.environ["REDIS_URL"])
                    return g.redis


                def get_shared():
                    global _client
                    if _client is None:
                        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
                    return _client


                def get_on_app():
                    if "redis" not in current_app.extensions:
                        current_app.extensions["redis"] = redis.Redis.from_url(os.environ["REDIS_URL"])
                    return current_app.extensions["redis"]
            """,
            "app/views.py": """
                from flask import Blueprint

                from app.db import get_on_app, get_redis, get_shared

                bp = Blueprint("v", __name__)


                @bp.get("/")
                def index():
                    return str(get_redis().get("hits") or get_shared().get("x") or get_on_app().get("y"))
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [f for f in lint_paths([tmp_path]) if f.code == "RR009"]
    assert [(f.path.rsplit("/", 1)[-1], f.line) for f in found] == [("db.py", 11)]
    assert "it is kept in flask.g, which lives one request" in found[0].message


def test_a_factory_reached_through_a_package_or_a_generator_dependency(tmp_path, monkeypatch):
    """Trial 13 probe: a FastAPI dependency that yields a new client (`yield r`), a factory called as an attribute
    of its module (`deps.get_redis()`) and one re-exported by the package's __init__.py are each a client per
    request; a dependency that yields the shared client is not."""
    write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'api'\n",
            "api/__init__.py": "from .deps import get_redis\n",
            "api/deps.py": """
                import os

                import redis.asyncio as redis

                SHARED = redis.Redis.from_url(os.environ["REDIS_URL"])


                def get_redis() -> redis.Redis:
                    return redis.Redis.from_url(os.environ["REDIS_URL"])


                async def get_conn():
                    r = redis.Redis.from_url(os.environ["REDIS_URL"])
                    try:
                        yield r
                    finally:
                        await r.aclose()


                async def get_shared_conn():
                    yield SHARED
            """,
            "api/views.py": """
                from fastapi import Depends

                from api import deps, get_redis


                async def a(r=Depends(deps.get_conn)):
                    return await r.get("k")


                async def b():
                    return await deps.get_redis().get("k")


                async def c():
                    return await get_redis().get("k")


                async def d(r=Depends(deps.get_shared_conn)):
                    return await r.get("k")


                @api.on_event("startup")
                async def on_start():
                    api.state.redis = deps.get_redis()


                def new_subscriber():
                    return deps.get_redis()  # a factory of its own: reported where it is called per request
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    found = [f for f in lint_paths([tmp_path]) if f.code == "RR009"]
    assert [(f.path.rsplit("/", 1)[-1], f.line) for f in found] == [("views.py", 6), ("views.py", 11), ("views.py", 15)]
    assert "(api/deps.py line 13), and Depends(get_conn) calls it on every request" in found[0].message
    assert "b() calls it on every request" in found[1].message
    assert "(api/deps.py line 9), and c() calls it" in found[2].message
