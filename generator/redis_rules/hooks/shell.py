"""What a shell command line would send to `redis-cli` / `valkey-cli`, decided on its parse tree.

The Bash guard hooks (Claude Code PreToolUse, Cursor beforeShellExecution, Gemini CLI BeforeTool,
Copilot preToolUse) ask one question: would this command line run a dangerous Redis command?
Matching the text is wrong both ways: `redis-cli <<< FLUSHALL`, a heredoc, `$'FLUSH\\x41LL'` or
`sh -c "redis-cli KEYS '*'"` slip through a regex, and `grep "redis-cli KEYS" notes.md` or a commit
message that mentions the phrase is blocked. So the line is parsed as Bash parses it (tree-sitter's
Bash grammar, the parser editors and GitHub use), words are evaluated statically (quote removal,
backslashes, ANSI-C `$'...'` escapes, variables assigned earlier in the same line, `$(echo ...)`),
and only what reaches a Redis CLI counts:

- its arguments after the options (`redis-cli -h db KEYS '*'`), including through wrappers
  (`sudo`, `env`, `timeout`, `docker exec`, `kubectl exec --`, `xargs`, ...);
- its standard input when it takes commands from there: a here-string, a heredoc, `< file`, or the
  output of an earlier pipeline stage whose output is known (`echo`, `printf`, `cat FILE`, `cat -`,
  a heredoc);
- `--pipe` input (inline commands and RESP), `--eval FILE` and `EVAL` scripts (`redis.call('KEYS', ...)`);
- nested shells: `sh -c STRING`, `bash script.sh`, `source FILE`, `eval ...`, `ssh host CMD`,
  `watch CMD`, and text piped into a shell; their commands read the stdin the nested shell is given
  (`echo FLUSHALL | ssh bastion redis-cli`); a `<(echo ...)` process substitution is a file of known text;
- the standard input of a raw TCP client (`nc`, `ncat`, `netcat`, `nc.openbsd`, `nc.traditional`, `socat`,
  `telnet`, `openssl s_client`) and what a command writes to Bash's `/dev/tcp/HOST/PORT` (`> /dev/tcp/...`,
  `>&3` after `exec 3<>/dev/tcp/...`, `>&$fd` after `exec {fd}<>/dev/tcp/...`, and every later command's
  output after `exec >/dev/tcp/...` or `exec >&3`), when the server has a Redis port (6370-6399, 7000-7099, 16379,
  26379) or a host or variable named for Redis (`nc redis 12000`, `cache.valkey.internal`, `$REDIS_PORT`;
  not `predis`); a proxy (`nc -x`), a source port (`nc -p`) and a listener (`nc -l`, `TCP-LISTEN`) are
  not the server;
- code given to an interpreter (`python -c`, `node -e`, or on its stdin), linted as a file.

Dangerous: KEYS, FLUSHALL, FLUSHDB, CONFIG SET, DEBUG, SHUTDOWN, SCRIPT FLUSH, FUNCTION FLUSH, and a
`--scan` listing piped into DEL/UNLINK (xargs or a read loop) without a confirm step (`xargs -p`).
What cannot be known statically (`$CMD`, a script's output, an unreadable file) is allowed: the guard
is a safety net in front of the linter, not a sandbox.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNKNOWN = "\ufffe"  # stands for a part of a word whose value cannot be known before run time
MAX_SOURCE_BYTES = 1024 * 1024  # longer command lines are analysed up to this size
MAX_FILE_BYTES = 256 * 1024  # scripts and input files read to see what they send
MAX_DEPTH = 6  # nested shells (sh -c "bash -c '...'")
MAX_WORD_NESTING = 40  # $( $( ... ) ): deeper parts are unknown

CLIS = frozenset({"redis-cli", "valkey-cli", "keydb-cli"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash"})
# commands that run the rest of their arguments as a command: name -> (options taking a value,
# positional arguments before the command). Container runners are searched for a Redis CLI word.
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "--unset", "--chdir"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u"}), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "chrt": (frozenset(), 1),
    "taskset": (frozenset(), 1),
    "flock": (frozenset({"-w", "-E", "--timeout", "--conflict-exit-code"}), 1),
    "setsid": (frozenset(), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "unbuffer": (frozenset(), 0),
    "chronic": (frozenset(), 0),
    "firejail": (frozenset(), 0),
    "systemd-run": (frozenset({"-u", "-p", "-E", "--unit", "--property", "--setenv"}), 0),
    "xargs": (
        frozenset({"-n", "-L", "-I", "-i", "-d", "-E", "-e", "-s", "-P", "-a", "--max-args", "--max-lines",
                   "--delimiter", "--max-procs", "--arg-file", "--replace", "--eof", "--max-chars"}),
        0,
    ),
}  # fmt: skip
CONTAINER_RUNNERS = frozenset(
    {"docker", "podman", "nerdctl", "kubectl", "oc", "npx", "parallel", "busybox"}
    | {"uv", "uvx", "poetry", "pipenv", "pdm", "hatch", "rye", "pixi"}  # `uv run python -c ...`
)
# commands that join their arguments into a shell command line
STRING_RUNNERS = frozenset({"watch", "ssh", "su", "runuser", "script"})
# commands that print nothing (between the echo lines of a pipeline stage)
SILENT = frozenset({"sleep", "true", ":", "wait"})


@dataclass(frozen=True)
class _Netcat:
    """How a netcat-like client is called: which options take a value (`-p 40000` is the source port, `-x
    proxy:1080` the proxy: neither is the server) and which mean stdin reaches no server (`-l` listens)."""

    short: frozenset[str]  # one-letter options that take a value (`-p 6379`, `-p6379`, `-vp 6379`)
    mute: frozenset[str]  # `-l`/`--listen` (a listener), `-z` (zero I/O), `-d` (OpenBSD: stdin not read)


NCAT_LONG = frozenset(
    {
        "--sh-exec", "--exec", "--lua-exec", "--max-conns", "--delay", "--output", "--hex-dump", "--idle-timeout",
        "--source-port", "--source", "--wait", "--proxy", "--proxy-type", "--proxy-auth", "--proxy-dns",
        "--ssl-cert", "--ssl-key", "--ssl-trustfile", "--ssl-ciphers", "--ssl-servername", "--ssl-alpn",
        "--allow", "--allowfile", "--deny", "--denyfile",
    }
)  # fmt: skip
# OpenBSD, Debian (netcat-openbsd/-traditional) and BusyBox nc; `-c`/`-C` are flags there (TLS, CRLF)
NC = _Netcat(frozenset("eGgHIiKMmOoPpqRsTVWwXx"), frozenset({"-l", "--listen", "-z", "-d", "--recv-only"}))
NCAT = _Netcat(frozenset("cdeGgimopswx"), frozenset({"-l", "--listen", "-z", "--recv-only"}))
TELNET = _Netcat(frozenset("beklnSX"), frozenset())
# raw TCP clients: their standard input reaches the server as inline commands when they connect to a Redis port
NETCATS = {"nc": NC, "netcat": NC, "ncat": NCAT, "telnet": TELNET} | {
    f"{name}.{flavour}": NC for name in ("nc", "netcat") for flavour in ("openbsd", "traditional")
}
RAW_CLIENTS = frozenset(NETCATS) | {"socat", "openssl"}  # openssl: only `openssl s_client -connect HOST:PORT`
SOCAT_VALUED = frozenset({"-b", "-t", "-T", "-lf", "-lp", "-L", "-W", "-r", "-R", "-S"})
SOCAT_STDIO = frozenset({"-", "STDIO", "STDIN", "FD:0", "READLINE"})  # socat addresses that read the stdin
S_CLIENT_TARGET = frozenset({"-connect", "-host", "-port"})
# `openssl s_client` options that take no value (the others do: `-servername x`, `-proxy h:p`, `-CAfile f`)
S_CLIENT_FLAGS = frozenset(
    {
        "-quiet", "-crlf", "-brief", "-ign_eof", "-no_ign_eof", "-showcerts", "-debug", "-msg", "-state",
        "-nbio", "-prexit", "-reconnect", "-status", "-tlsextdebug", "-nocommands", "-noservername",
        "-verify_return_error", "-no_ticket", "-4", "-6", "-ssl3", "-tls1", "-tls1_1", "-tls1_2", "-tls1_3",
        "-dtls", "-dtls1", "-dtls1_2", "-no_ssl3", "-no_tls1", "-no_tls1_1", "-no_tls1_2", "-no_tls1_3",
    }
)  # fmt: skip
DEV_TCP = "/dev/tcp/"  # Bash's `> /dev/tcp/HOST/PORT` connects and writes to HOST:PORT
# the ports Redis and Valkey listen on by default and in the usual cluster/sentinel layouts
REDIS_PORT = re.compile(r"(?:^|[:/])(63[78]\d|639\d|70\d\d|16379|26379)(?:$|,)")  # socat: TCP:h:6379,crlf
# ... or a host or variable named for Redis, as written (`nc redis 12000`, `nc "$HOST" "$REDIS_PORT"`): the name
# starts a word or a label (`redis-master`, `cache.valkey.internal`, `$REDIS_PORT`), not `predis` or `myvalkey`
REDIS_NAMED = re.compile(r"(?<![a-z])(?:redis|valkey)", re.IGNORECASE)
# interpreters given code on the command line: (names, the options whose value is the code), linted as a file
INLINE_CODE = {
    "python": (re.compile(r"python(?:\d+(?:\.\d+)?)?"), frozenset({"-c"}), "adhoc.py"),
    "node": (re.compile(r"node|nodejs|bun|deno"), frozenset({"-e", "--eval", "-p", "--print"}), "adhoc.js"),
}

# redis-cli options that take a value (the value is not the command)
VALUED = frozenset(
    {
        "-h", "-p", "-s", "-a", "-u", "-r", "-i", "-n", "-d", "-D", "-t", "-X",
        "--user", "--pass", "--sni", "--cacert", "--cacertdir", "--cert", "--key", "--tls-ciphers",
        "--tls-ciphersuites", "--pattern", "--quoted-pattern", "--count", "--pipe-timeout",
        "--memkeys-samples", "--keystats-samples", "--cursor", "--top", "--show-pushes", "--name",
    }
)  # fmt: skip
# modes that send no command from the arguments or stdin
MODES = frozenset(
    {
        "--scan", "--bigkeys", "--memkeys", "--hotkeys", "--keystats", "--stat", "--latency",
        "--latency-history", "--latency-dist", "--rdb", "--functions-rdb", "--replica", "--slave",
        "--lru-test", "--intrinsic-latency",
    }
)  # fmt: skip

KEYS_REASON = (
    "RR007: KEYS walks the whole keyspace and blocks the server while it does; "
    "use `redis-cli --scan --pattern 'prefix:*' --count 1000` (SCAN) instead"
)
FLUSH_REASON = (
    "RR011: {cmd} deletes {scope}; delete the keys you own by prefix "
    "(SCAN + UNLINK, with a dry run first), or ask the user to run it"
)
ADMIN_REASON = "{cmd} {what}; server administration is for the user, not the assistant: ask them to run it"
MASS_DELETE_REASON = (
    "RR012: deleting every key a --scan listing prints, with no dry run or confirmation; print the keys "
    "first (`redis-cli --scan --pattern 'p:*' | head`), then ask the user, or confirm each (`xargs -p`)"
)
ONE_WORD = {
    "KEYS": KEYS_REASON,
    "FLUSHALL": FLUSH_REASON.format(cmd="FLUSHALL", scope="every key of every database"),
    "FLUSHDB": FLUSH_REASON.format(cmd="FLUSHDB", scope="every key of the database"),
    "DEBUG": ADMIN_REASON.format(cmd="DEBUG", what="can crash, block or reload the server"),
    "SHUTDOWN": ADMIN_REASON.format(cmd="SHUTDOWN", what="stops the server for every client"),
}
TWO_WORD = {
    ("CONFIG", "SET"): ADMIN_REASON.format(cmd="CONFIG SET", what="changes the live server's configuration"),
    ("SCRIPT", "FLUSH"): FLUSH_REASON.format(
        cmd="SCRIPT FLUSH", scope="the script cache (every EVALSHA fails until the scripts are loaded again)"
    ),
    ("FUNCTION", "FLUSH"): FLUSH_REASON.format(cmd="FUNCTION FLUSH", scope="every function library"),
}
DELETES = frozenset({"DEL", "UNLINK"})
_LUA_CALL = re.compile(r"redis\s*\.\s*p?call\s*\(\s*(['\"])([A-Za-z]+)\1(?:\s*,\s*(['\"])([A-Za-z]+)\3)?")


@dataclass(frozen=True)
class Danger:
    """A Redis command the line would run, and why it is blocked."""

    command: str  # e.g. "FLUSHALL", "CONFIG SET", "--scan | DEL"
    reason: str


@dataclass
class _Context:
    cwd: Path | None
    env: dict[str, str] = field(default_factory=dict)
    depth: int = 0
    found: list[Danger] = field(default_factory=list)
    words: int = 0  # nesting of word evaluation ($(...) inside $(...)), bounded by MAX_WORD_NESTING
    tcp_fds: set[str] = field(default_factory=set)  # descriptors open on a Redis server (`exec 3<>/dev/tcp/...`, `$fd`)
    stdout_redis: bool = False  # the shell's own stdout goes to a Redis server (`exec >/dev/tcp/...`)
    stdin: str | None = None  # what a nested script reads on stdin (`echo FLUSHALL | ssh h redis-cli`)
    substituted: dict[str, str] = field(default_factory=dict)  # `<(echo ...)` as a /dev/fd path -> its text


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def find_dangers(command: str, cwd: Path | None = None) -> list[Danger]:
    """Every dangerous Redis command `command` would run, in order ([] when none).

    `cwd` is where the line runs: files it reads (`< cmds.txt`, `bash x.sh`, `--eval f.lua`) are
    read from there when they are small regular files. Never raises on odd input: text that does not
    parse is analysed as far as its parse tree goes.
    """
    ctx = _Context(cwd=cwd)
    try:
        _analyse(command, ctx)
    except RecursionError:  # pathological nesting: keep what was found before it
        pass
    unique: dict[tuple[str, str], Danger] = {}
    for danger in ctx.found:
        unique.setdefault((danger.command, danger.reason), danger)
    return list(unique.values())


def _analyse(source: str, ctx: _Context) -> None:
    if ctx.depth > MAX_DEPTH:
        return
    data = source.encode("utf-8", errors="surrogatepass")[:MAX_SOURCE_BYTES]
    tree = _parser().parse(data)
    _walk(tree.root_node, ctx)


def _walk(node: Any, ctx: _Context) -> None:
    stack = [node]
    while stack:  # document order, without recursion (deeply nested input cannot overflow the stack)
        current = stack.pop()
        kind = current.type
        if kind == "command":
            _command(current, ctx)
        elif kind == "redirected_statement":
            _tcp_redirects(current, current.child_by_field_name("body"), ctx)
        elif kind == "variable_assignment" and current.parent is not None and current.parent.type != "command":
            _assign(current, ctx)
        stack.extend(reversed(current.children))


# ---------------------------------------------------------------- words
def _text(node: Any) -> str:
    return bytes(node.text).decode("utf-8", errors="replace")


def _unescape(raw: str, escapable: str | None = None) -> str:
    """Backslash removal as the shell does it: outside quotes every character can be escaped
    (`r\\edis-cli` -> `redis-cli`); inside double quotes only those in `escapable` ($ ` " \\ newline).
    A backslash-newline is a line continuation and disappears."""
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw) and (escapable is None or raw[i + 1] in escapable):
            if raw[i + 1] != "\n":
                out.append(raw[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _unescape_bare(raw: str) -> str:
    return _unescape(raw)


def _unescape_double(raw: str) -> str:
    return _unescape(raw, '$`"\\\n')


_C_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def c_unescape(raw: str, *, octal_prefix_zero: bool = False) -> str:
    """Backslash escapes of `$'...'`, `echo -e` and printf (`\\x41`, `\\101`, `\\u0041`, `\\n`, ...)."""
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\" or i + 1 >= len(raw):
            out.append(ch)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt in _C_ESCAPES:
            out.append(_C_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = re.match(f"[0-9A-Fa-f]{{1,{width}}}", raw[i + 2 :])
            if digits:
                try:
                    out.append(chr(int(digits.group(0), 16)))
                except ValueError:
                    out.append(UNKNOWN)
                i += 2 + len(digits.group(0))
            else:
                out.append("\\" + nxt)
                i += 2
        elif nxt in "01234567":
            start = i + 1 + (1 if octal_prefix_zero and nxt == "0" else 0)
            digits = re.match(r"[0-7]{1,3}", raw[start:])
            if digits:
                out.append(chr(int(digits.group(0), 8) & 0xFF))
                i = start + len(digits.group(0))
            else:
                out.append("\0")
                i = start
        elif nxt == "c" and i + 2 < len(raw):
            out.append(chr(ord(raw[i + 2]) & 0x1F))
            i += 3
        else:
            out.append(nxt if nxt in "\\'\"?" else "\\" + nxt)
            i += 2
    return "".join(out)


def _word(node: Any, ctx: _Context) -> str:
    """The value of one shell word; parts only known at run time become UNKNOWN."""
    if ctx.words >= MAX_WORD_NESTING:
        return UNKNOWN
    ctx.words += 1
    try:
        return _word_value(node, ctx)
    finally:
        ctx.words -= 1


def _word_value(node: Any, ctx: _Context) -> str:
    kind = node.type
    if kind in ("word", "number"):
        return _unescape_bare(_text(node))
    if kind == "raw_string":
        return _text(node)[1:-1]
    if kind == "ansi_c_string":
        return c_unescape(_text(node)[2:-1])
    if kind in ("string", "translated_string"):
        return _string(node, ctx)
    if kind == "concatenation":
        return "".join(_word(child, ctx) for child in node.children)
    if kind in ("simple_expansion", "expansion"):
        return _expansion(node, ctx)
    if kind == "command_substitution":
        inner = [c for c in node.named_children]
        if len(inner) == 1:
            out = _stdout(inner[0], ctx, None)
            if out is not None:
                return out.rstrip("\n")
        return UNKNOWN
    if kind == "process_substitution" and _text(node).startswith("<("):
        # `redis-cli < <(echo FLUSHALL)`, `cat <(echo FLUSHALL)`: a /dev/fd path whose text is known
        inner = [c for c in node.named_children]
        out = _stdout(inner[0], ctx, None) if len(inner) == 1 else None
        if out is None:
            return UNKNOWN
        path = f"/dev/fd/{63 - len(ctx.substituted)}"
        ctx.substituted[path] = out
        return path
    return UNKNOWN


def _string(node: Any, ctx: _Context) -> str:
    start, end = node.start_byte + (2 if _text(node).startswith("$") else 1), node.end_byte - 1
    data = bytes(node.text)
    base = node.start_byte
    out, pos = [], start
    for child in node.children:
        if child.type in ('"', "$"):
            continue
        if child.start_byte > pos:
            out.append(_unescape_double(data[pos - base : child.start_byte - base].decode("utf-8", "replace")))
        if child.type == "string_content":
            out.append(_unescape_double(_text(child)))
        else:
            out.append(_word(child, ctx))
        pos = max(pos, child.end_byte)
    if end > pos:
        out.append(_unescape_double(data[pos - base : end - base].decode("utf-8", "replace")))
    return "".join(out)


def _expansion(node: Any, ctx: _Context) -> str:
    names = [c for c in node.named_children]
    if len(names) == 1 and names[0].type == "variable_name":
        return ctx.env.get(_text(names[0]), UNKNOWN)
    return UNKNOWN


def _assign(node: Any, ctx: _Context) -> None:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if name is None:
        return
    ctx.env[_text(name)] = _word(value, ctx) if value is not None else ""


def _basename(word: str) -> str:
    name = word.rsplit("/", 1)[-1]
    return name[:-4] if name.lower().endswith(".exe") else name


# ---------------------------------------------------------------- commands, redirects, pipelines
def _argv(node: Any, ctx: _Context) -> list[str]:
    words: list[str] = []
    for child in node.named_children:
        if child.type == "command_name":
            words.extend(_word(part, ctx) for part in child.named_children)
        elif child.type in ("variable_assignment", "herestring_redirect", "file_redirect", "heredoc_redirect"):
            continue
        elif child.type == "comment":
            continue
        else:
            words.append(_word(child, ctx))
    return words


def _written_args(node: Any) -> list[str]:
    """The arguments of a command as written (before expansion), without its name, assignments and redirects."""
    skip = ("command_name", "variable_assignment", "herestring_redirect", "file_redirect", "heredoc_redirect")
    return [_text(c) for c in node.named_children if c.type not in skip and c.type != "comment"]


def _redirects(node: Any) -> list[Any]:
    """Redirects that apply to a command: its own and those of a `redirected_statement` around it."""
    found = [c for c in node.children if c.type.endswith("_redirect")]
    parent = node.parent
    if parent is not None and parent.type == "redirected_statement":
        found += [c for c in parent.children if c.type.endswith("_redirect")]
    return found


def _stdin_from_redirects(node: Any, ctx: _Context) -> str | None:
    """Text the command reads from a here-string, heredoc or `< file`; None when none or unknowable."""
    text: str | None = None
    for redirect in _redirects(node):
        if redirect.type == "herestring_redirect":
            parts = [c for c in redirect.named_children]
            text = (_word(parts[-1], ctx) + "\n") if parts else None
        elif redirect.type == "heredoc_redirect":
            body = next((c for c in redirect.children if c.type == "heredoc_body"), None)
            text = _heredoc(body, ctx) if body is not None else ""
        elif redirect.type == "file_redirect":
            target = redirect.child_by_field_name("destination") or (
                redirect.named_children[-1] if redirect.named_children else None
            )
            if _reads_input(redirect) and target is not None:
                text = _read_file(_word(target, ctx), ctx)
    return text


def _heredoc(body: Any, ctx: _Context) -> str:
    out, pos, data, base = [], body.start_byte, bytes(body.text), body.start_byte
    for child in body.children:
        if child.start_byte > pos:
            out.append(data[pos - base : child.start_byte - base].decode("utf-8", "replace"))
        if child.type != "heredoc_content":
            out.append(_word(child, ctx))
        else:
            out.append(_text(child))
        pos = max(pos, child.end_byte)
    if body.end_byte > pos:
        out.append(data[pos - base :].decode("utf-8", "replace"))
    return "".join(out)


def _read_file(name: str, ctx: _Context) -> str | None:
    if name in ctx.substituted:  # `<(echo FLUSHALL)`
        return ctx.substituted[name]
    if UNKNOWN in name or not name:
        return None
    path = Path(os.path.expanduser(name))
    if not path.is_absolute():
        if ctx.cwd is None:
            return None
        path = ctx.cwd / path
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None  # not a regular file (FIFO, device), or too big to read in a hook
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def _stage_of(node: Any) -> tuple[Any, Any | None]:
    """(the pipeline stage holding `node`, the stage before it or None)."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "pipeline":
            stages = [c for c in parent.named_children if c.type != "comment"]
            index = next((i for i, s in enumerate(stages) if s.id == child.id), -1)
            if index > 0:
                return child, stages[index - 1]
            if index == 0 and parent.parent is not None and parent.parent.type == "heredoc_redirect":
                # `cat <<EOF | redis-cli`: the grammar nests the rest of the pipeline in the heredoc
                return child, parent.parent.parent
            return child, None
        child, parent = parent, parent.parent
    return node, None


def _ops(redirect: Any) -> set[str]:
    """The operator tokens of a redirect (`<`, `>`, `>>`, `<<<`, ...)."""
    return {c.type for c in redirect.children if not c.is_named}


def _reads_input(redirect: Any) -> bool:
    if redirect.type in ("herestring_redirect", "heredoc_redirect"):
        return True
    return redirect.type == "file_redirect" and bool(_ops(redirect) & {"<", "<&", "<>"})


def _stdin(node: Any, ctx: _Context) -> str | None:
    """What the command reads on stdin: its own input redirect, else the stage before it, else what the script
    it is part of reads (_nested); None: unknown."""
    if any(_reads_input(r) for r in _redirects(node)):
        return _stdin_from_redirects(node, ctx)
    _, before = _stage_of(node)
    return _stdout(before, ctx, None) if before is not None else ctx.stdin


def _stdout(node: Any, ctx: _Context, stdin: str | None) -> str | None:
    """What a pipeline stage prints, when it is echo/printf/cat of known text; None otherwise."""
    kind = node.type
    if kind == "redirected_statement":
        body = node.child_by_field_name("body") or (node.named_children[0] if node.named_children else None)
        if body is None:
            return None
        if any(c.type == "file_redirect" and not _reads_input(c) for c in node.children):
            return ""  # output goes to a file
        return _stdout(body, ctx, stdin)
    if kind in ("compound_statement", "subshell", "program", "list"):
        parts = []
        for child in node.named_children:
            if child.type in ("comment",):
                continue
            out = _stdout(child, ctx, None)
            if out is None:
                return None
            parts.append(out)
        return "".join(parts)
    if kind == "pipeline":
        stages = [c for c in node.named_children if c.type != "comment"]
        return _stdout(stages[-1], ctx, None) if stages else None
    if kind != "command":
        return None
    argv = _argv(node, ctx)
    if not argv:
        return None
    name = _basename(argv[0])
    args = argv[1:]
    if name == "echo":
        escapes = False
        newline = True
        while args and re.fullmatch(r"-[neE]+", args[0]):
            flags = args.pop(0)
            newline = newline and "n" not in flags
            escapes = ("e" in flags) or (escapes and "E" not in flags)
        text = " ".join(args)
        return (c_unescape(text, octal_prefix_zero=True) if escapes else text) + ("\n" if newline else "")
    if name in SILENT:
        return ""  # `(echo FLUSHALL; sleep 1) | nc ...`: sleep prints nothing
    if name == "printf":
        if args and args[0] == "--":
            args = args[1:]
        if args and args[0] == "-v":
            return ""
        return _printf(args[0], args[1:]) if args else None
    if name == "cat":
        return _cat(node, args, ctx)
    return None


def _cat(node: Any, args: list[str], ctx: _Context) -> str | None:
    """What `cat FILE...` prints: the files, its stdin for `-` (`echo FLUSHALL | cat - | redis-cli`) or when
    no file is given; None when a part is unknown."""
    files = [a for a in args if not a.startswith("-") or a == "-"] or ["-"]
    texts = [_stdin(node, ctx) if f == "-" else _read_file(f, ctx) for f in dict.fromkeys(files)]
    return None if any(t is None for t in texts) else "".join(t for t in texts if t is not None)


def _printf(fmt: str, args: list[str]) -> str:
    """Enough of printf(1) to see what it prints: escapes, %s %b %d %i %c %q %%, the format reused."""
    conv = re.compile(r"%(?:%|[-+ #0]*\d*(?:\.\d+)?([sbdicqxXoufeEgG]))")
    out: list[str] = []
    remaining = list(args)
    while True:
        used = False
        pieces = []
        pos = 0
        for match in conv.finditer(fmt):
            pieces.append(c_unescape(fmt[pos : match.start()], octal_prefix_zero=True))
            pos = match.end()
            spec = match.group(1)
            if spec is None:
                pieces.append("%")
                continue
            used = True
            value = remaining.pop(0) if remaining else ""
            pieces.append(c_unescape(value, octal_prefix_zero=True) if spec == "b" else value)
        pieces.append(c_unescape(fmt[pos:], octal_prefix_zero=True))
        out.append("".join(pieces))
        if not used or not remaining:
            break
    return "".join(out)


# ---------------------------------------------------------------- what runs
def _command(node: Any, ctx: _Context) -> None:
    _tcp_redirects(node, node, ctx)  # `>/dev/tcp/redis/6379 echo FLUSHALL`
    if ctx.stdout_redis:  # after `exec >/dev/tcp/redis/6379`, what a command prints goes to the server
        holder = _prints_to_shell_stdout(node)
        if holder is not None:
            _judge_input(_stdout(holder, ctx, None), ctx)
    argv = _argv(node, ctx)
    if argv:
        _run(argv, node, ctx, via=())


def _run(argv: list[str], node: Any, ctx: _Context, via: tuple[str, ...]) -> None:
    """Follow `argv` through wrappers and shells to any Redis CLI it starts."""
    name = _basename(argv[0])
    if name in CLIS:
        _cli(argv, node, ctx, via)
    elif name in SHELLS:
        _shell(argv, node, ctx)
    elif name == "eval":
        _nested(" ".join(argv[1:]), ctx, _stdin(node, ctx))
    elif name in ("source", "."):
        if len(argv) > 1:
            text = _read_file(argv[1], ctx)
            if text is not None:
                _nested(text, ctx, _stdin(node, ctx))
    elif name in STRING_RUNNERS:
        _string_runner(name, argv, node, ctx)
    elif name in RAW_CLIENTS:
        _raw_client(name, argv, node, ctx)
    elif (interpreter := _interpreter(name)) is not None:
        _inline_code(interpreter, argv, node, ctx)
    elif name in WRAPPERS or name in CONTAINER_RUNNERS:
        start = _wrapped(name, argv)
        if start is not None:
            extra = via + (name,)
            if name == "xargs":
                extra += tuple(a for a in argv[1:start] if a.startswith("-"))
            _run(argv[start:], node, ctx, extra)


def _followed(name: str) -> bool:
    """A command the guard looks into: a Redis CLI, a shell, a raw TCP client, an interpreter."""
    return name in CLIS or name in SHELLS or name in RAW_CLIENTS or _interpreter(name) is not None


def _interpreter(name: str) -> tuple[re.Pattern[str], frozenset[str], str] | None:
    return next((entry for entry in INLINE_CODE.values() if entry[0].fullmatch(name)), None)


def _inline_code(
    interpreter: tuple[re.Pattern[str], frozenset[str], str], argv: list[str], node: Any, ctx: _Context
) -> None:
    """`python -c CODE`, `node -e CODE`, or code on the interpreter's stdin (`python3 - <<EOF`, `echo ... |
    python3`): the code is linted as a file (the linter's RR007 and RR011 findings are the KEYS and FLUSH* it
    would send); scripts run from files are the linter's job, not the guard's."""
    _, options, path = interpreter
    code = next((argv[i + 1] for i in range(1, len(argv) - 1) if argv[i] in options), None)
    if code is None and all(a.startswith("-") for a in argv[1:]):  # no script: the code comes on stdin
        code = _stdin(node, ctx)
    if code is None or UNKNOWN in code:
        return
    from ..lint import lint_source  # imported only for such lines: the guard stays fast for the rest

    for finding in lint_source(code[:MAX_FILE_BYTES], path):
        if finding.code == "RR007":
            ctx.found.append(Danger("KEYS", KEYS_REASON))
        elif finding.code == "RR011":
            command = "FLUSHALL" if "FLUSHALL" in finding.message.upper() else "FLUSHDB"
            ctx.found.append(Danger(command, ONE_WORD[command]))


def _wrapped(name: str, argv: list[str]) -> int | None:
    """Index in argv of the command a wrapper runs, None when there is none to follow."""
    if name in CONTAINER_RUNNERS:  # `docker exec -it NAME redis-cli ...`: look for the CLI itself
        return next((i for i in range(1, len(argv)) if _followed(_basename(argv[i]))), None)
    valued, positional = WRAPPERS[name]
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if arg.startswith("-") and len(arg) > 1:
            i += 2 if arg in valued else 1
            continue
        if name == "env" and "=" in arg:
            i += 1
            continue
        if positional:
            positional -= 1
            i += 1
            continue
        break
    return i if i < len(argv) else None


def _nested(source: str, ctx: _Context, stdin: str | None = None) -> None:
    """Analyse a script run by this line (`sh -c`, `ssh h CMD`, `eval`), its commands reading `stdin`."""
    if UNKNOWN in source and not source.replace(UNKNOWN, "").strip():
        return
    inner = _Context(
        cwd=ctx.cwd, env=dict(ctx.env), depth=ctx.depth + 1, found=ctx.found, tcp_fds=set(ctx.tcp_fds), stdin=stdin
    )
    _analyse(source.replace(UNKNOWN, " "), inner)


def _shell(argv: list[str], node: Any, ctx: _Context) -> None:
    args = argv[1:]
    has_c = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if arg in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if arg.startswith(("-", "+")) and len(arg) > 1:
            if not arg.startswith("--") and "c" in arg[1:]:
                has_c = True
            i += 1
            continue
        break
    rest = args[i:]
    if has_c:
        if rest:
            _nested(rest[0], ctx, _stdin(node, ctx))  # `echo FLUSHALL | sh -c redis-cli`
        return
    if rest:
        text = _read_file(rest[0], ctx)
        if text is not None:
            _nested(text, ctx, _stdin(node, ctx))
        return
    script = _stdin(node, ctx)  # `echo "redis-cli flushall" | sh`
    if script is not None:
        _nested(script, ctx)


def _string_runner(name: str, argv: list[str], node: Any, ctx: _Context) -> None:
    args = argv[1:]
    # the remote or other user's command reads this stdin (`ssh -n` and `watch` read none)
    stdin = None if name == "watch" or (name == "ssh" and "-n" in argv) else _stdin(node, ctx)
    if name in ("su", "runuser", "script"):
        for i, arg in enumerate(args):
            if arg in ("-c", "--command") and i + 1 < len(args):
                _nested(args[i + 1], ctx, stdin)
                return
            if arg.startswith("--command="):
                _nested(arg.split("=", 1)[1], ctx, stdin)
                return
        return
    valued = {"watch": {"-n", "--interval", "-d", "--differences"}, "ssh": set("pilLoFJRDbcEemOQSWwB")}[name]
    i = 0
    while i < len(args) and args[i].startswith("-"):
        flag = args[i]
        takes = flag in valued if name == "watch" else (len(flag) == 2 and flag[1] in valued)
        i += 2 if takes else 1
    if name == "ssh":
        i += 1  # the host
    if i < len(args):
        _nested(" ".join(args[i:]), ctx, stdin)


def _cli_command(argv: list[str]) -> tuple[str, list[str]]:
    """(mode, words): mode 'args' with the command words, 'stdin', 'pipe', 'eval', 'cluster', 'none'."""
    args = argv[1:]
    i = 0
    mode = "stdin"
    while i < len(args):
        arg = args[i]
        if arg == "--pipe":
            mode = "pipe"
            i += 1
        elif arg == "--eval":  # the words after the script are its keys and arguments
            return ("eval", [args[i + 1]]) if i + 1 < len(args) else ("none", [])
        elif arg == "--cluster":
            return "cluster", args[i + 1 :]
        elif arg in MODES:
            return "none", []
        elif arg in VALUED:
            i += 2
        elif arg.startswith("-") and len(arg) > 1 and UNKNOWN not in arg:
            i += 1
        else:
            return "args", args[i:]
    return mode, []


def _cli(argv: list[str], node: Any, ctx: _Context, via: tuple[str, ...]) -> None:
    if "xargs" in via:
        fed = _stdin(node, ctx)  # xargs appends what it reads to the command line
        if fed is not None:
            argv = argv + fed.split()
    mode, words = _cli_command(argv)
    if mode == "args":
        _judge(words, ctx)
        if words and words[0].upper() in DELETES:
            _mass_delete(node, ctx, via)
    elif mode == "cluster":
        # `--cluster call HOST:PORT COMMAND ...` runs COMMAND on every node
        if len(words) >= 3 and words[0].lower() == "call":
            _judge(words[2:], ctx)
    elif mode == "eval":
        text = _read_file(words[0], ctx)
        if text is not None:
            _lua(text, ctx)
    elif mode in ("stdin", "pipe"):
        _judge_input(_stdin(node, ctx), ctx)


def _judge_input(text: str | None, ctx: _Context) -> None:
    """Judge every command of a Redis CLI's or a raw connection's input (None: unknown, allowed)."""
    for line_words in _stdin_commands(text or ""):
        _judge(line_words, ctx)


def _judge(words: list[str], ctx: _Context) -> None:
    if not words:
        return
    first = words[0].upper()
    if first in ONE_WORD:
        ctx.found.append(Danger(first, ONE_WORD[first]))
    elif len(words) > 1 and (first, words[1].upper()) in TWO_WORD:
        pair = (first, words[1].upper())
        ctx.found.append(Danger(" ".join(pair), TWO_WORD[pair]))
    elif first in ("EVAL", "EVAL_RO") and len(words) > 1:
        _lua(words[1], ctx)


def _lua(script: str, ctx: _Context) -> None:
    for match in _LUA_CALL.finditer(script):
        _judge([match.group(2)] + ([match.group(4)] if match.group(4) else []), ctx)


def _stdin_commands(text: str) -> Iterator[list[str]]:
    """Commands in redis-cli's input: inline commands (one per line) and RESP arrays (`--pipe`)."""
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.fullmatch(r"\*\d+", line.strip()):
            count = int(line.strip()[1:])
            words: list[str] = []
            j = i + 1
            while len(words) < count and j + 1 < len(lines) and lines[j].startswith("$"):
                words.append(lines[j + 1])
                j += 2
            yield words
            i = j
            continue
        words = redis_split(line)
        if words:
            yield words
        i += 1


def redis_split(line: str) -> list[str]:
    """Split one inline command like redis-cli does (sdssplitargs): quotes and \\x escapes."""
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            break
        current: list[str] = []
        quote = None
        while i < n:
            ch = line[i]
            if quote == '"':
                if (
                    ch == "\\"
                    and i + 3 < n
                    and line[i + 1] == "x"
                    and re.fullmatch(r"[0-9a-fA-F]{2}", line[i + 2 : i + 4])
                ):
                    current.append(chr(int(line[i + 2 : i + 4], 16)))
                    i += 4
                    continue
                if ch == "\\" and i + 1 < n:
                    current.append(c_unescape(line[i : i + 2]))
                    i += 2
                    continue
                if ch == '"':
                    quote = None
                    i += 1
                    continue
                current.append(ch)
            elif quote == "'":
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    current.append("'")
                    i += 2
                    continue
                if ch == "'":
                    quote = None
                    i += 1
                    continue
                current.append(ch)
            else:
                if ch.isspace():
                    break
                if ch in "\"'":
                    quote = ch
                    i += 1
                    continue
                current.append(ch)
            i += 1
        words.append("".join(current))
    return words


def _cli_words_in(node: Any, ctx: _Context) -> Iterator[tuple[Any, list[str]]]:
    """(command node, argv) of every Redis CLI invocation inside `node` (wrappers followed)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "command":
            argv = _argv(current, ctx)
            while argv and (_basename(argv[0]) in WRAPPERS or _basename(argv[0]) in CONTAINER_RUNNERS):
                nxt = _wrapped(_basename(argv[0]), argv)
                if nxt is None:
                    break
                argv = argv[nxt:]
            if argv and _basename(argv[0]) in CLIS:
                yield current, argv
        stack.extend(current.children)


def _is_scan(argv: list[str]) -> bool:
    return "--scan" in argv[1:]


def _fed_by_scan(node: Any, ctx: _Context) -> bool:
    """Does a `--scan` listing feed this command (an earlier pipeline stage, or a `for` word list)?"""
    current = node
    while current is not None:
        stage, before = _stage_of(current)
        while before is not None:
            if any(_is_scan(argv) for _, argv in _cli_words_in(before, ctx)):
                return True
            stage, before = _stage_of(before)
        parent = stage.parent
        while parent is not None and parent.type != "pipeline":
            if parent.type == "for_statement":
                values = [c for c in parent.children if c.type not in ("do_group", "variable_name") and c.is_named]
                for value in values:
                    if any(_is_scan(argv) for _, argv in _cli_words_in(value, ctx)):
                        return True
            parent = parent.parent
        current = parent
    return False


def _mass_delete(node: Any, ctx: _Context, via: tuple[str, ...]) -> None:
    if "-p" in via or "--interactive" in via:
        return  # xargs asks before each command
    if _fed_by_scan(node, ctx):
        ctx.found.append(Danger("--scan | DEL", MASS_DELETE_REASON))


# ---------------------------------------------------------------- raw TCP connections
def _raw_client(name: str, argv: list[str], node: Any, ctx: _Context) -> None:
    """`echo FLUSHALL | nc db 6379`, `... | nc db "$REDIS_PORT"` (the variable's value is unknown here): the
    stdin reaches the server as inline commands when the server, not a proxy, a source port or the port a
    listener listens on, is a Redis port or named for Redis."""
    written = _written_tail(node, len(argv) - 1)
    if any(_names_redis(argv[i], written[i - 1]) for i in _raw_targets(name, argv)):
        _judge_input(_stdin(node, ctx), ctx)


def _written_tail(node: Any, count: int) -> list[str]:
    """The last `count` arguments of a command as written, aligned with argv's (`sudo nc ...`: those of nc)."""
    written = _written_args(node)[-count:] if count > 0 else []
    return [""] * (count - len(written)) + written


def _names_redis(value: str, written: str) -> bool:
    """A server address (`6379`, `redis-master`, `TCP:h:6379,crlf`, `"$REDIS_PORT"`) that is Redis's."""
    value, written = value.split(",")[0], written.split(",")[0]  # socat address options (`,crlf`, `,bind=...`)
    return bool(REDIS_PORT.search(value) or REDIS_NAMED.search(value) or REDIS_NAMED.search(written))


def _raw_targets(name: str, argv: list[str]) -> list[int]:
    """Indexes in argv of the words naming the server the client sends its stdin to ([] when there is none)."""
    if name == "socat":
        return _socat_targets(argv)
    if name == "openssl":
        return _s_client_targets(argv) if argv[1:2] == ["s_client"] else []
    client = NETCATS[name]
    seen, operands = _getopt(argv, client.short)
    return [] if seen & client.mute else operands


def _getopt(argv: list[str], short: frozenset[str]) -> tuple[set[str], list[int]]:
    """(the options given, the indexes of the operands) as GNU getopt_long parses a netcat's argv: options may
    follow the operands (`nc redis 6379 -q 1`), a value is the next word or the rest of the cluster (`-p6379`)."""
    seen: set[str] = set()
    operands: list[int] = []
    i = 1
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return seen, operands + list(range(i + 1, len(argv)))
        if arg.startswith("--"):
            seen.add(arg.split("=", 1)[0])
            i += 2 if arg in NCAT_LONG else 1
        elif arg.startswith("-") and len(arg) > 1:
            i += _short_options(arg, short, seen)
        else:
            operands.append(i)
            i += 1
    return seen, operands


def _short_options(arg: str, short: frozenset[str], seen: set[str]) -> int:
    """Note a cluster of one-letter options (`-lk`, `-vp 6379`, `-p6379`); the words it takes (1, or 2 when its
    last option's value is the next word)."""
    for pos, letter in enumerate(arg[1:], start=2):
        seen.add("-" + letter)
        if letter in short:
            return 1 if pos < len(arg) else 2
    return 1


def _socat_targets(argv: list[str]) -> list[int]:
    """`socat - TCP:db:6379`: the address that is not the stdin, when the other one is (`-`, `STDIO`) and it
    does not listen (`TCP-LISTEN:6379`, `TCP-L:6379` wait for a client)."""
    addresses: list[int] = []
    i = 1
    while i < len(argv):
        if argv[i] != "-" and argv[i].startswith("-"):
            i += 2 if argv[i] in SOCAT_VALUED else 1
            continue
        addresses.append(i)
        i += 1
    kinds = {i: argv[i].split(",")[0].upper() for i in addresses}
    if not any(kind in SOCAT_STDIO for kind in kinds.values()):
        return []
    return [i for i, kind in kinds.items() if kind not in SOCAT_STDIO and not _socat_listens(kind)]


def _socat_listens(address: str) -> bool:
    return address.split(":", 1)[0].endswith(("-LISTEN", "-L", "-RECV", "-RECVFROM"))


def _s_client_targets(argv: list[str]) -> list[int]:
    """`openssl s_client -connect HOST:PORT` (or `-host H -port P`, or a HOST:PORT operand): its stdin goes to
    the server over TLS. Other options' values (`-servername`, `-proxy h:p`, `-CAfile`) are not the server."""
    targets: list[int] = []
    i = 2
    while i < len(argv):
        arg = argv[i]
        option = "-" + arg.lstrip("-").split("=", 1)[0]
        if not arg.startswith("-"):
            targets.append(i)  # the HOST:PORT operand (OpenSSL 3)
        elif option in S_CLIENT_TARGET:
            targets.append(i if "=" in arg else i + 1)  # `-connect=h:p` (the value in the word)
        takes = arg.startswith("-") and "=" not in arg and option not in S_CLIENT_FLAGS
        i += 2 if takes else 1
    return [t for t in targets if t < len(argv)]


def _tcp_redirects(holder: Any, body: Any | None, ctx: _Context) -> None:
    """`echo FLUSHALL > /dev/tcp/redis/6379`: Bash connects to HOST:PORT and `body` writes to it. Judged like a
    raw client's stdin when a redirect of `holder` (a redirected statement, or a command with a redirect before
    its name) sends the stdout to a Redis server or to a descriptor opened on one (`exec 3<>/dev/tcp/...`)."""
    if body is None:
        return
    redirects = [r for r in holder.children if r.type == "file_redirect"]
    if [r for r in redirects if _to_redis(r, body, ctx)]:  # every redirect seen (`exec` opens descriptors)
        _judge_input(_stdout(body, ctx, None), ctx)


def _to_redis(redirect: Any, body: Any, ctx: _Context) -> bool:
    """Does this redirect send the stdout to a Redis server? Notes the descriptors `exec N<>/dev/tcp/...` and
    `exec {fd}<>/dev/tcp/...` open, and a bare `exec` sending the shell's own stdout there."""
    fd, op, dest, written = _redirect_parts(redirect, ctx)
    if ">" not in op:
        return False
    argv = _argv(body, ctx) if body.type == "command" else []
    bare_exec = argv == ["exec"]
    if dest.startswith(DEV_TCP) and _names_redis(dest[len(DEV_TCP) - 1 :], written):
        name = _named_fd(body, argv)
        if name is not None:
            ctx.tcp_fds.add("$" + name)
            return False
        if fd in ("", "1"):
            to_stdout = op != "<>" or fd == "1"  # a bare `<>` opens the stdin
            ctx.stdout_redis = ctx.stdout_redis or (to_stdout and bare_exec)
            return to_stdout
        if bare_exec:
            ctx.tcp_fds.add(fd)
        return False
    if op == ">&" and fd in ("", "1") and (dest in ctx.tcp_fds or _fd_reference(written) in ctx.tcp_fds):
        ctx.stdout_redis = ctx.stdout_redis or bare_exec  # `exec >&3`
        return True
    return False


def _named_fd(body: Any, argv: list[str]) -> str | None:
    """`exec {fd}<>/dev/tcp/...`: Bash opens a free descriptor and keeps its number in `$fd`; the name.
    `argv`: the command's words, as _argv reads them."""
    if body.type != "command" or not body.named_children:
        return None
    last = body.named_children[-1]
    match = re.fullmatch(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", _text(last))
    if match is None or argv != ["exec", _text(last)]:
        return None
    after = body.next_sibling  # the redirect (or the `<` the grammar cannot place) follows with no space
    return match.group(1) if after is not None and after.start_byte == last.end_byte else None


def _fd_reference(written: str) -> str:
    """`$fd`, `${fd}`, `"$fd"` -> `$fd` (how `>&$fd` names a descriptor `exec {fd}...` opened)."""
    text = written.strip('"')
    braced = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text)
    return "$" + braced.group(1) if braced else text


def _prints_to_shell_stdout(node: Any) -> Any | None:
    """The statement (`node`, or the redirected statement around it) whose output is the shell's own stdout;
    None when the output is piped on to another stage or captured (`$(...)`, `<(...)`)."""
    holder = node.parent if node.parent is not None and node.parent.type == "redirected_statement" else node
    current = holder
    while current.parent is not None:
        parent = current.parent
        if parent.type in ("command_substitution", "process_substitution"):
            return None
        if parent.type == "pipeline":
            stages = [c for c in parent.named_children if c.type != "comment"]
            if stages and current.id != stages[-1].id:
                return None
        current = parent
    return holder


def _redirect_parts(redirect: Any, ctx: _Context) -> tuple[str, str, str, str]:
    """(descriptor, operator, destination, destination as written) of a file redirect (`3<>/dev/tcp/h/6379`:
    the grammar reads `<>` as `<` and an error node; without a descriptor, as an error node and `>`)."""
    dest = redirect.child_by_field_name("destination")
    fd = next((_text(c) for c in redirect.children if c.type == "file_descriptor"), "")
    op = "".join(_text(c) for c in redirect.children if not c.is_named or c.type == "ERROR")
    before = redirect.prev_sibling  # `exec <>/dev/...`, `exec {fd}<>...`: the `<` is an error node before it
    glued = before is not None and before.end_byte == redirect.start_byte
    if glued and before.type == "ERROR" and _text(before) == "<":
        op = "<" + op
    return fd, op, _word(dest, ctx) if dest is not None else "", _text(dest) if dest is not None else ""


# ---------------------------------------------------------------- allowlists (read-only helpers)
@dataclass(frozen=True)
class SimpleCommand:
    argv: list[str]  # words, UNKNOWN where a part is only known at run time
    writes_file: bool  # an output redirect to a file (`>`, `>>`, `&>`), /dev/null excepted


def simple_commands(source: str) -> list[SimpleCommand] | None:
    """Every simple command the line runs (nested ones included); None when the line does not parse."""
    data = source.encode("utf-8", errors="surrogatepass")[:MAX_SOURCE_BYTES]
    tree = _parser().parse(data)
    if tree.root_node.has_error:
        return None
    ctx = _Context(cwd=None)
    found: list[SimpleCommand] = []
    stack = [tree.root_node]
    while stack:
        current = stack.pop()
        if current.type == "variable_assignment" and current.parent is not None and current.parent.type != "command":
            _assign(current, ctx)
        elif current.type == "command":
            writes = False
            for redirect in _redirects(current):
                if redirect.type == "file_redirect" and not _reads_input(redirect):
                    target = redirect.named_children[-1] if redirect.named_children else None
                    writes = writes or target is None or _word(target, ctx) not in ("/dev/null", "&1", "&2", "1", "2")
            found.append(SimpleCommand(_argv(current, ctx), writes))
        stack.extend(reversed(current.children))
    return found
