"""The Bash guard decides on what would reach redis-cli/valkey-cli, not on the text of the line.

One table of command lines, dangerous and harmless (the issue's bypasses and false alarms among
them), checked against `find_dangers` directly and, for every row, through the installed
`redis-rules hook shell-guard` console script with a recorded Claude Code PreToolUse event.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from redis_rules.hooks.shell import find_dangers, redis_split
from tests.test_claude_hooks import recorded

REDIS_RULES = shutil.which("redis-rules")

# (command line, the dangerous command it runs, or None when it must pass)
TABLE: list[tuple[str, str | None]] = [
    # --- straight calls, every covered command
    ("redis-cli -h x KEYS '*'", "KEYS"),
    ("redis-cli FLUSHALL", "FLUSHALL"),
    ("redis-cli -n 3 flushdb", "FLUSHDB"),
    ("redis-cli CONFIG SET maxmemory 1gb", "CONFIG SET"),
    ("redis-cli -h h config set appendonly no", "CONFIG SET"),
    ("redis-cli DEBUG SLEEP 10", "DEBUG"),
    ("redis-cli shutdown nosave", "SHUTDOWN"),
    ("redis-cli SCRIPT FLUSH", "SCRIPT FLUSH"),
    ("redis-cli FUNCTION FLUSH", "FUNCTION FLUSH"),
    ("/usr/local/bin/redis-cli FLUSHDB ASYNC", "FLUSHDB"),
    ("valkey-cli -u redis://db:6379 KEYS '*'", "KEYS"),
    ("redis-cli -h cache.internal -p 6380 --tls -a s3cret keys 'user:*'", "KEYS"),
    ("redis-cli -3 --no-auth-warning -a s3cret flushall", "FLUSHALL"),
    ("redis-cli -r 100 -i 1 KEYS x", "KEYS"),
    ("redis-cli --cluster call 127.0.0.1:7000 FLUSHALL", "FLUSHALL"),
    # --- what reaches stdin
    ("redis-cli <<< FLUSHALL", "FLUSHALL"),
    ("redis-cli <<EOF\nPING\nFLUSHALL\nEOF\n", "FLUSHALL"),
    ("cat <<'EOF' | redis-cli -h db\nKEYS *\nEOF\n", "KEYS"),
    ("echo 'KEYS *' | redis-cli -h db", "KEYS"),
    ("printf 'FLUSHALL\\n' | valkey-cli", "FLUSHALL"),
    ("{ echo PING; echo FLUSHDB; } | redis-cli", "FLUSHDB"),
    ("echo -e 'PING\\nFLUSHDB' | redis-cli", "FLUSHDB"),
    ("printf '*1\\r\\n$8\\r\\nFLUSHALL\\r\\n' | redis-cli --pipe", "FLUSHALL"),
    ("echo FLUSHALL | xargs redis-cli", "FLUSHALL"),
    # --- quoting and expansion
    ("redis-cli $'FLUSH\\x41LL'", "FLUSHALL"),
    ("redis-cli $'\\x4b\\x45\\x59\\x53' '*'", "KEYS"),
    ("redis-cli 'FLUSH''ALL'", "FLUSHALL"),
    ('redis-cli "FLUSH"ALL', "FLUSHALL"),
    ("r\\edis-cli flushall", "FLUSHALL"),
    ('"redis-cli" flushall', "FLUSHALL"),
    ("X=FLUSHALL; redis-cli $X", "FLUSHALL"),
    ('CMD=keys; redis-cli "${CMD}" x', "KEYS"),
    ("redis-cli $(echo FLUSHALL)", "FLUSHALL"),
    # --- nested shells and wrappers
    ("sh -c \"redis-cli KEYS '*'\"", "KEYS"),
    ("bash -lc 'valkey-cli flushdb'", "FLUSHDB"),
    ('sh -c "sh -c \\"redis-cli flushall\\""', "FLUSHALL"),
    ('echo "redis-cli flushall" | sh', "FLUSHALL"),
    ('eval "redis-cli flushall"', "FLUSHALL"),
    ("ssh db1 'redis-cli flushall'", "FLUSHALL"),
    ("su redis -c 'redis-cli shutdown'", "SHUTDOWN"),
    ("watch -n 1 redis-cli keys 'a*'", "KEYS"),
    ("docker exec -it cache redis-cli FLUSHALL", "FLUSHALL"),
    ("kubectl exec -it redis-0 -- redis-cli flushall", "FLUSHALL"),
    ("sudo -u redis redis-cli flushall", "FLUSHALL"),
    ("timeout 5 redis-cli keys '*'", "KEYS"),
    ("env REDISCLI_AUTH=x redis-cli keys x", "KEYS"),
    # --- inside shell syntax
    ("cd /srv && redis-cli keys '*' | wc -l", "KEYS"),
    ("if true; then redis-cli keys x; fi", "KEYS"),
    ("case x in x) redis-cli keys y;; esac", "KEYS"),
    ("[[ -n x ]] && redis-cli flushall", "FLUSHALL"),
    ("(redis-cli flushall)", "FLUSHALL"),
    ("echo $(redis-cli keys '*')", "KEYS"),
    ("n=`redis-cli keys 'a*' | wc -l`", "KEYS"),
    ("redis-cli EVAL \"return redis.call('keys', ARGV[1])\" 0 'x:*'", "KEYS"),
    # --- raw TCP clients on a Redis port, code given to an interpreter (fresh-user trial 4)
    ("echo FLUSHALL | nc h 6379", "FLUSHALL"),
    ("printf 'KEYS *\\r\\n' | ncat db 6380", "KEYS"),
    ("socat - TCP:db:6379 <<< FLUSHDB", "FLUSHDB"),
    ("""python3 -c 'import os, redis; redis.Redis.from_url(os.environ["U"]).flushall()'""", "FLUSHALL"),
    ("""python -c "import redis; print(redis.Redis().keys('*'))" """, "KEYS"),
    ("""node -e "const Redis = require('ioredis'); new Redis().flushdb()" """, "FLUSHDB"),
    ("(echo FLUSHALL; sleep 1) | telnet localhost 6379", "FLUSHALL"),  # fresh-user trial 5
    ("echo FLUSHALL | socat - TCP:127.0.0.1:6379,crlf", "FLUSHALL"),
    ("echo flushall | busybox nc localhost 6379", "FLUSHALL"),
    # the stdin of a script run by the line: ssh, sh -c, su -c, eval (fresh-user trial 8); process substitution
    ("echo FLUSHALL | ssh bastion redis-cli", "FLUSHALL"),
    ("echo FLUSHALL | ssh bastion nc redis 6379", "FLUSHALL"),
    ("echo FLUSHALL | sh -c redis-cli", "FLUSHALL"),
    ('echo FLUSHALL | bash -c "cat | redis-cli -h x"', "FLUSHALL"),
    ("echo FLUSHALL | su -c redis-cli bob", "FLUSHALL"),
    ("echo FLUSHALL | eval redis-cli", "FLUSHALL"),
    ("redis-cli < <(echo FLUSHALL)", "FLUSHALL"),
    ("cat <(echo 'KEYS *') | redis-cli", "KEYS"),
    ('echo FLUSHALL | nc db "$REDIS_PORT"', "FLUSHALL"),
    ('printf "KEYS *\\r\\n" | socat - TCP:redis-master:12000', "KEYS"),
    ("echo flushdb | sudo ncat --ssl cache.valkey.internal 443", "FLUSHDB"),
    ("uv run python -c 'import redis; redis.Redis().flushall()'", "FLUSHALL"),
    ("python3 - <<'EOF'\nimport redis\nredis.Redis().flushall()\nEOF\n", "FLUSHALL"),
    ("""echo 'import redis; print(redis.Redis().keys("*"))' | python3""", "KEYS"),
    # --- fresh-user trial 7: `cat -`, Bash's /dev/tcp, more netcat names, openssl s_client
    ("echo FLUSHALL | cat - | redis-cli", "FLUSHALL"),
    ("echo FLUSHALL | cat - | nc redis 6379", "FLUSHALL"),
    ("printf 'KEYS *\\n' | cat -u - | valkey-cli", "KEYS"),
    ("echo FLUSHALL > /dev/tcp/redis/6379", "FLUSHALL"),
    ("printf 'KEYS *\\r\\n' >/dev/tcp/h/6379", "KEYS"),
    ("{ echo PING; echo FLUSHDB; } > /dev/tcp/$REDIS_HOST/12000", "FLUSHDB"),
    ("echo FLUSHALL | cat > /dev/tcp/cache/6380", "FLUSHALL"),
    (">/dev/tcp/valkey.internal/9000 echo FLUSHALL", "FLUSHALL"),
    ("exec 3<>/dev/tcp/db/6379; echo FLUSHALL >&3; cat <&3", "FLUSHALL"),
    # a named descriptor (Bash picks the number), and the shell's own stdout sent to the server
    ("exec {fd}<>/dev/tcp/db/6379; echo FLUSHALL >&$fd; cat <&$fd", "FLUSHALL"),
    ('exec {fd}<>/dev/tcp/db/6379; echo FLUSHALL >&"$fd"', "FLUSHALL"),
    ("exec {r}>/dev/tcp/redis/16379; printf 'FLUSHDB\\r\\n' >&${r}", "FLUSHDB"),
    ("exec >/dev/tcp/db/6379; echo FLUSHALL", "FLUSHALL"),
    ("exec 1>/dev/tcp/db/6379; echo PING; echo KEYS '*'", "KEYS"),
    ("exec 1<>/dev/tcp/db/6379; echo FLUSHALL", "FLUSHALL"),
    ("exec 3<>/dev/tcp/db/6379; exec >&3; echo FLUSHDB", "FLUSHDB"),
    ("exec >/dev/tcp/db/6379\nfor i in 1; do echo FLUSHALL; done", "FLUSHALL"),
    ("echo FLUSHALL | nc.openbsd -N h 6379", "FLUSHALL"),
    ("echo FLUSHALL | nc.traditional -q 1 h 6379", "FLUSHALL"),
    ("echo flushdb | netcat.openbsd -C redis 12000", "FLUSHDB"),
    ("echo FLUSHALL | netcat.traditional -w 2 h 6380", "FLUSHALL"),
    ("echo FLUSHALL | openssl s_client -connect redis:6380", "FLUSHALL"),
    ("printf 'KEYS *\\r\\n' | openssl s_client -quiet -crlf -connect h:6379", "KEYS"),
    ("openssl s_client -quiet -connect cache.redis.internal:443 <<< FLUSHDB", "FLUSHDB"),
    ("echo FLUSHALL | nc -w 3 -p 40000 h 6379", "FLUSHALL"),
    ("echo FLUSHALL | nc -vp40000 h 6379", "FLUSHALL"),
    ("echo FLUSHALL | nc -x proxy:1080 valkey.internal 9000", "FLUSHALL"),
    ("echo FLUSHALL | ncat --proxy=proxy:3128 redis-master 443", "FLUSHALL"),
    # --- a --scan listing deleted without a confirmation step
    ("redis-cli --scan --pattern 'user:*' | xargs redis-cli del", "--scan | DEL"),
    ("redis-cli --scan --pattern 'user:*' | xargs -n 100 redis-cli unlink", "--scan | DEL"),
    ("redis-cli --scan --pattern 's:*' | while read k; do redis-cli del \"$k\"; done", "--scan | DEL"),
    ("for k in $(redis-cli --scan --pattern 'x:*'); do redis-cli del $k; done", "--scan | DEL"),
    # --- harmless, including lines that merely mention the commands
    ("redis-cli GET k", None),
    ("ls", None),
    ("redis-cli --scan --pattern 'user:*'", None),
    ("redis-cli -h db --pattern keys --scan", None),
    ("redis-cli GET keys", None),
    ("redis-cli HGETALL flushall:report", None),
    ("redis-cli SET flushdb 1", None),
    ("redis-cli OBJECT FREQ keys", None),
    ("grep -rn KEYS src/", None),
    ('grep "redis-cli KEYS" notes.md', None),
    ("rg -n 'FLUSHDB|KEYS' generator/", None),
    ("echo FLUSHALL is dangerous", None),
    ('echo "redis-cli FLUSHALL"', None),
    ("echo KEYS > notes.txt", None),
    ("git commit -m 'stop using redis-cli KEYS and FLUSHALL'", None),
    ("git commit -m \"$(printf 'docs: never run redis-cli flushall\\n')\"", None),
    ("cat <<EOF > plan.md\nNever run redis-cli FLUSHALL.\nEOF\n", None),
    ("# redis-cli flushall", None),
    ("pytest tests/redis -k keys", None),
    ("python -c \"print('KEYS')\"", None),
    ("man redis-cli", None),
    ("redis-cli --help", None),
    ("redis-cli --bigkeys", None),
    ("redis-cli INFO keyspace", None),
    ("redis-cli CONFIG GET maxmemory", None),
    ('redis-cli SCRIPT LOAD "return 1"', None),
    ("redis-cli DEL session:abc", None),
    ("echo 'GET k' | redis-cli", None),
    ("redis-cli EVAL \"return redis.call('get', KEYS[1])\" 1 k", None),
    ("redis-cli XADD s MAXLEN '~' 1000 '*' f v", None),
    ("docker run --rm redis:7 redis-cli --version", None),
    ("sh -c 'echo flushall'", None),
    ("redis-cli $CMD", None),
    ("redis-cli --scan --pattern 'user:*' | head -20", None),
    ("redis-cli --scan --pattern 'user:*' | xargs -p redis-cli del", None),
    ("redis-cli --scan --pattern 'user:*' | xargs echo redis-cli del", None),
    ("redis-cli --scan --pattern 'user:*' > keys.txt", None),
    ("cat keys.txt | xargs redis-cli del", None),
    ("echo FLUSHALL | nc h 80", None),
    ("echo FLUSHALL | ssh -n bastion redis-cli", None),
    ("echo FLUSHALL | ssh bastion cat", None),
    ("diff <(echo KEYS) <(echo FLUSHALL)", None),
    ("nc web 80 < redis-notes.txt", None),
    ("echo 'GET k' | nc redis 12000", None),
    ("echo 'GET k' | nc h 6379", None),
    ("nc -l 6379", None),
    ("exec {fd}<>/dev/tcp/web/80; echo FLUSHALL >&$fd", None),
    ("exec {fd}<>/dev/tcp/db/6379; echo FLUSHALL >&$other", None),
    ("exec >/dev/tcp/db/6379; echo PING", None),
    ("exec >/dev/tcp/db/6379; echo FLUSHALL | grep -c x", None),
    ("exec >/dev/tcp/db/6379; x=$(echo FLUSHALL)", None),
    ("exec >/dev/tcp/db/6379; echo FLUSHALL > /tmp/out", None),
    ("exec >/dev/tcp/web/80; echo FLUSHALL", None),
    ("exec >log.txt; echo FLUSHALL", None),
    ("echo FLUSHALL; exec >/dev/tcp/db/6379", None),
    ("exec <>/dev/tcp/db/6379; echo FLUSHALL", None),
    ("echo FLUSHALL <>/dev/tcp/db/6379", None),
    ('python -c "d = {}; print(d.keys())"', None),
    ("python manage.py flush", None),
    ("echo 'print(1)' | python3", None),
    ("uv run pytest -k keys", None),
    ("(echo hi; sleep 1) | nc h 80", None),
    ("echo FLUSHALL | nc -p 6379 web 80", None),
    ("echo FLUSHALL | nc -l 6379", None),
    ("echo FLUSHALL | nc -lk 6379", None),
    ("echo FLUSHALL | nc -l -p 6379", None),
    ("echo FLUSHALL | ncat -l 6379", None),
    ("echo FLUSHALL | ncat --listen --keep-open 6379", None),
    ("echo FLUSHALL | socat - TCP-LISTEN:6379", None),
    ("echo FLUSHALL | socat TCP-LISTEN:6379,fork TCP:web:80", None),
    ("echo FLUSHALL | nc -x redis:1080 web 80", None),
    ("echo FLUSHALL | nc -X 5 -x redis:1080 web 80", None),
    ("echo FLUSHALL | ncat --proxy redis:1080 --proxy-type socks5 web 80", None),
    ("echo FLUSHALL | ncat --source-port 6379 web 80", None),
    ("echo FLUSHALL | nc -z redis 6379", None),
    ("echo FLUSHALL | nc predis 80", None),
    ("echo FLUSHALL | nc myvalkey 80", None),
    ("echo FLUSHALL > /dev/tcp/web/80", None),
    ("echo hi > /dev/tcp/web/80", None),
    ("echo PING > /dev/tcp/redis/6379", None),
    ("echo FLUSHALL 2> /dev/tcp/redis/6379", None),
    ("echo FLUSHALL | openssl s_client -connect web:443 -servername redis.example.com", None),
    ("echo FLUSHALL | openssl s_client -proxy redis:1080 -connect web:443", None),
    ("echo FLUSHALL | openssl enc -base64 -out redis-6379.b64", None),
]


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 60
    assert sum(1 for _, want in TABLE if want) >= 30 and sum(1 for _, want in TABLE if not want) >= 30
    assert len({cmd for cmd, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("command", "want"), TABLE, ids=[c[:60] for c, _ in TABLE])
def test_guard_decides_on_what_reaches_the_cli(command: str, want: str | None) -> None:
    found = [d.command for d in find_dangers(command)]
    assert found == ([want] if want else []), command


def test_reasons_name_the_rule_and_the_alternative() -> None:
    (keys,) = find_dangers("redis-cli KEYS '*'")
    assert keys.reason.startswith("RR007") and "--scan" in keys.reason
    (flush,) = find_dangers("redis-cli FLUSHDB")
    assert flush.reason.startswith("RR011") and "UNLINK" in flush.reason
    (mass,) = find_dangers("redis-cli --scan --pattern 'a:*' | xargs redis-cli del")
    assert mass.reason.startswith("RR012") and "xargs -p" in mass.reason


def test_files_the_line_reads_are_read(tmp_path: Path) -> None:
    (tmp_path / "cmds.txt").write_text("PING\nFLUSHDB\n")
    (tmp_path / "wipe.sh").write_text("#!/bin/sh\nredis-cli flushall\n")
    (tmp_path / "scan.lua").write_text("return redis.call('KEYS', ARGV[1])\n")
    os.mkfifo(tmp_path / "fifo")
    assert [d.command for d in find_dangers("redis-cli < cmds.txt", tmp_path)] == ["FLUSHDB"]
    cat_dash = find_dangers("echo KEYS x | cat cmds.txt - | redis-cli", tmp_path)  # `-`: cat's stdin
    assert [d.command for d in cat_dash] == ["FLUSHDB", "KEYS"]
    assert [d.command for d in find_dangers("bash wipe.sh", tmp_path)] == ["FLUSHALL"]
    assert [d.command for d in find_dangers("source ./wipe.sh", tmp_path)] == ["FLUSHALL"]
    assert [d.command for d in find_dangers("redis-cli --eval scan.lua , 'a*'", tmp_path)] == ["KEYS"]
    assert find_dangers("redis-cli < fifo", tmp_path) == []  # a FIFO is never opened
    assert find_dangers("redis-cli < missing.txt", tmp_path) == []


@pytest.mark.parametrize(
    "command",
    [
        "",
        "((((((((((",
        "redis-cli 'unterminated",
        "\x00\x01 redis-cli \udcff",
        "sh -c " * 200 + "'redis-cli flushall'",
        "$(" * 3000 + "redis-cli flushall" + ")" * 3000,
        "echo " + "x" * 2_000_000,
        "case",
        "redis-cli <<",
    ],
)
def test_hostile_lines_never_raise(command: str) -> None:
    find_dangers(command)


def test_redis_split_follows_redis_cli_quoting() -> None:
    assert redis_split('SET "a b" \'c d\' "\\x46LUSH"') == ["SET", "a b", "c d", "FLUSH"]
    assert redis_split("   ") == []


# ---------------------------------------------------------------- through the console script
def run_hook(
    name: str, event: object, *, args: tuple[str, ...] = (), cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    assert REDIS_RULES is not None, "redis-rules is not installed in this environment"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_RULES_HOOKS"}
    return subprocess.run(
        [REDIS_RULES, "hook", name, *args],
        input=event if isinstance(event, str) else json.dumps(event),
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def test_every_row_through_the_claude_hook() -> None:
    """The table once more, end to end: exit 2 and the reason on stderr, or exit 0 and silence."""
    wrong = []
    for command, want in TABLE:
        proc = run_hook("shell-guard", recorded("claude_pretooluse_bash.json", tool_input__command=command))
        ok = (proc.returncode, bool(proc.stderr.strip())) == ((2, True) if want else (0, False))
        if not ok or (want and want.split()[0] not in proc.stderr):
            wrong.append((command, proc.returncode, proc.stderr))
    assert wrong == []
