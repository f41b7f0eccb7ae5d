"""Names that say how often a function runs: connection factories (`get_redis`), process entry points (`main`),
startup hooks (`lifespan`, `create_app`) and caching decorators. The Python checks, the TypeScript checks and the
project index all judge "built once or per call" by these, so they live apart from all three."""

from __future__ import annotations

import functools

FACTORY_DECORATORS = frozenset(
    {"cache", "lru_cache", "cached_property", "alru_cache", "cached", "fixture", "LazyObject", "lazy", "memoize"}
    | {"singleton", "lazy_property", "command", "group", "callback"}  # click/typer entry points run once
)
# process entry points: what they construct lives as long as the process
ENTRY_POINTS = frozenset({"main", "cli", "run", "run_worker", "worker_main", "start", "serve", "entrypoint"})
# startup hooks by name (FastAPI lifespan, Flask/Django app setup): a factory they call builds once
STARTUP_HOOKS = frozenset(
    {"lifespan", "startup", "on_startup", "setup", "init", "initialize", "configure", "bootstrap", "ready"}
    | {"create_app", "make_app", "app_factory", "init_app", "setup_app", "__init__", "__post_init__"}
)
STARTUP_PREFIXES = ("init_", "setup_", "startup_", "on_startup", "create_app")


def is_startup_hook(snake_name: str) -> bool:
    """A function name (snake_case) that says it runs once at startup: `lifespan`, `init_redis`, `create_app_v2`.
    Python and TypeScript checks share this test, so the two languages exempt the same names."""
    low = snake_name.lower().lstrip("_")
    return low in STARTUP_HOOKS or low.startswith(STARTUP_PREFIXES) or low.endswith("_lifespan")


# web application classes: a function that builds one is an app factory (`def build_app(): app = Flask(...)`), run
# once per process; what it builds for its routes is built once
APP_CLASSES = frozenset({"Flask", "FastAPI", "Starlette", "Quart", "Sanic", "Litestar", "Application", "Celery"})


FACTORY_PREFIXES = (
    "get_",
    "make_",
    "create_",
    "_create_",
    "_get_",
    "_make_",
    "new_",
    "_new_",
    "init_",
    "_init_",
)
FACTORY_WORDS = (
    *("client", "redis", "valkey", "connection", "conn", "pool", "sentinel", "cache", "cluster"),
    *("subscriber", "publisher", "listener", "blocking"),  # dedicated connections are built on purpose (RR018)
)


@functools.lru_cache(maxsize=4096)
def is_factory_name(name: str, module_stem: str = "") -> bool:
    """A function named as a connection factory or entry point (`get_redis`, `create_pool`, `connect`,
    `factory`, `main`): what it builds is built once and kept by its caller, not per call."""
    low = name.lower().lstrip("_")
    if low in ENTRY_POINTS or low.endswith("_main") or low in ("factory", "from_url", "from_settings", "from_config"):
        return True
    if low.startswith(tuple(p.lstrip("_") for p in FACTORY_PREFIXES)) and any(w in low for w in FACTORY_WORDS):
        return True
    if low in ("open", "connect", "client", "pool", "connection", "redis_client", "redis") or low.startswith(
        ("connect_", "open_")
    ):
        return True
    stem = module_stem.lower()
    return any(w in stem for w in ("client", "redis", "valkey", "conn")) and low.startswith(("get", "create", "make"))


# decorators that register a function to run at startup or shutdown (FastAPI/Starlette `@app.on_event("startup")`,
# Flask `before_first_request`, Quart's and Sanic's serving hooks): it runs once per process, whatever its name
STARTUP_DECORATORS = frozenset(
    {"on_event", "on_startup", "on_shutdown", "before_first_request", "before_serving", "after_serving"}
    | {"before_server_start", "after_server_stop"}
)


# decorators that register a function to run per request, message or event (Flask's request hooks, routes of
# Flask/FastAPI/Sanic/aiohttp, Celery tasks, Django signal receivers): what it builds is built each time, whatever
# its name says (`@app.before_request def open_redis()`)
PER_REQUEST_DECORATORS = frozenset(
    {"before_request", "before_app_request", "after_request", "teardown_request", "teardown_appcontext"}
    | {"route", "get", "post", "put", "patch", "delete", "api_route", "websocket", "middleware"}
    | {"task", "shared_task", "periodic_task", "receiver"}
)
# base classes whose `run` method runs per task message (Celery), not once per process as a `run` entry point does
PER_MESSAGE_BASES = frozenset({"Task"})
