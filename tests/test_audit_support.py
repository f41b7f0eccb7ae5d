"""Shared helpers for the audit tests (no tests here): run the verb in-process, seed a known keyspace."""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from redis_rules.commands import audit as audit_cmd
from redis_rules.errors import UserError

POLICY_YAML = """\
app: shop
key_format: "{app}:{env}:{domain}:{entity}:{id}"
environments: [dev, test, staging, prod]
redis_url_env: SHOP_REDIS_URL
default_ttl: 3600
ttl_classes:
  session: 86400
  cache_short: 60
persistent_keys:
  - {pattern: "shop:prod:config:*", reason: "feature flags live forever"}
audit:
  stream_maxlen: 50
  big_key_bytes: 1048576
  big_key_elements: 10000
"""


def write_policy(folder: Path) -> Path:
    path = folder / ".redis-rules.yml"
    path.write_text(POLICY_YAML, encoding="utf-8")
    return path


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def violations(self) -> dict[str, dict]:
        return {v["check"]: v for v in self.json["violations"]}


def run_audit_cli(argv: list[str], capsys) -> Result:
    """Parse like the real CLI and run; UserError becomes exit code + one-line stderr."""
    parser = argparse.ArgumentParser(prog="redis-rules")
    sub = parser.add_subparsers()
    audit_cmd.register(sub)
    args = parser.parse_args(["audit", *argv])
    capsys.readouterr()
    try:
        code = args.func(args)
    except UserError as exc:
        print(f"redis-rules: error: {exc}", file=__import__("sys").stderr)
        code = exc.exit_code
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


# --- the known keyspace ------------------------------------------------------------------
# Every category below is exact; only the "short" keys (expiring within ~1.5 s) vary.


def seed(client, good_scale: float = 1.0, short: int = 500) -> dict:
    """Write the known keyspace with pipelines; returns the expected counts."""
    rnd = random.Random(7)
    pipe = client.pipeline(transaction=False)
    n_cart, n_user, n_sess = int(10_000 * good_scale), int(5_000 * good_scale), int(3_000 * good_scale)
    for i in range(n_cart):
        pipe.set(f"shop:prod:cart:item:{i}", "x", ex=3600)
    for i in range(n_user):
        pipe.set(f"shop:prod:user:profile:{i}", "x", ex=600)
    for i in range(n_sess):  # id wrapped as a cluster hash tag
        pipe.set(f"shop:prod:session:token:{{t{i}}}", "x", ex=80_000)
    for i in range(1000):  # no TTL: violations
        pipe.set(f"shop:prod:cache:page:{i}", "x")
    for i in range(200):  # no TTL but allowlisted
        pipe.set(f"shop:prod:config:flag:{i}", "1")
    for i in range(300):  # off-format (segment count)
        pipe.set(f"legacy_{i}", "x", ex=3600)
    for i in range(50):  # unknown env
        pipe.set(f"shop:prd:cart:item:{i}", "x", ex=3600)
    for i in range(25):  # bad domain
        pipe.set(f"shop:prod:Cart:item:{i}", "x", ex=3600)
    for i in range(400):  # another known environment
        pipe.set(f"shop:dev:cart:item:{i}", "x", ex=3600)
    for i in range(20):  # binary id, with TTL: bad-name (id)
        pipe.set(b"shop:prod:bin:item:\xff\xfe" + str(i).encode(), "x", ex=3600)
    for i in range(5):  # binary, no separator, no TTL: bad-name + no-ttl
        pipe.set(b"\x00\xffraw" + str(i).encode(), "x")
    for i in range(30):  # TTL over the policy maximum (86400)
        pipe.set(f"shop:prod:cart:long:{i}", "x", ex=200_000)
    pipe.hset("shop:prod:big:hash:1", mapping={f"f{i}": i for i in range(1000)})
    pipe.expire("shop:prod:big:hash:1", 3600)
    for i in range(100):
        pipe.xadd("shop:prod:events:stream:1", {"n": i})
    pipe.expire("shop:prod:events:stream:1", 3600)
    for i in range(short):  # expire while the tests run
        pipe.set(f"shop:prod:tmp:short:{i}", "x", px=rnd.randint(1, 1500))
    pipe.execute()
    stable = n_cart + n_user + n_sess + 1000 + 200 + 300 + 50 + 25 + 400 + 20 + 5 + 30 + 1 + 1
    return {
        "stable": stable,
        "short": short,
        "cart": n_cart + 30,
        "user": n_user,
        "session": n_sess,
        "violations": {
            "no-ttl": 1005,
            "bad-name": 400,
            "wrong-env": 400,
            "ttl-too-long": 30,
            "big-key": 1,
            "stream-too-long": 1,
        },
        "by_placeholder": {"segments": 305, "env": 50, "domain": 25, "id": 20},
    }


READ_ONLY_ACL = (
    "ACL",
    "SETUSER",
    "auditor",
    "on",
    ">auditor-pw",
    "resetkeys",
    "~*",
    "resetchannels",
    "-@all",
    "+scan",
    "+type",
    "+pttl",
    "+dbsize",
    "+info",
    "+memory|usage",
    "+strlen",
    "+hlen",
    "+scard",
    "+zcard",
    "+llen",
    "+xlen",
    "+cluster|slots",
)

READ_COMMANDS = {
    "scan",
    "type",
    "pttl",
    "dbsize",
    "info",
    "memory|usage",
    "memory",
    "strlen",
    "hlen",
    "scard",
    "zcard",
    "llen",
    "xlen",
    "cluster|slots",
    "cluster",
    "auth",
    "select",
}


def commandstats(server) -> dict[str, str]:
    raw = server.command("INFO", "commandstats").decode()
    stats = {}
    for line in raw.splitlines():
        if line.startswith("cmdstat_"):
            name, _, rest = line.partition(":")
            stats[name[len("cmdstat_") :]] = rest
    return stats
