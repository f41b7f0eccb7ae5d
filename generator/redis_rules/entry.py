"""The `redis-rules` console script. Ctrl-C while the tool's own modules load ends with the one line the CLI
prints for it later (trial 14: a KeyboardInterrupt traceback), not a traceback."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print("redis-rules: interrupted; nothing half-written was left behind", file=sys.stderr)
        return 130
    return run()
