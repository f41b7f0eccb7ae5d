"""Count block `{% if %}`/`{% elif %}` tags per template file, and those that test a client or
flavour *name* (the redesign's target: templates branch on profile capabilities instead).

    python tests/tools/template_branches.py templates
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

BLOCK_IF = re.compile(r"{%-?\s*(?:el)?if\s+(.*?)-?%}", re.S)
# `client`/`flavour` as answers, not as a profile field (`m.cp.classes.client` is a capability)
NAME_TEST = re.compile(
    r"((?<![\w.])(client|flavour)|\bm\.lib)\b\s*(==|!=|in\b|not in\b)"
    r"|'(redis-py|redis-py-async|valkey-py|upstash|ioredis|node-redis)'"
)


def main(root: str) -> int:
    total = names = 0
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        text = path.read_text(errors="replace")
        conds = BLOCK_IF.findall(text)
        by_name = [c for c in conds if NAME_TEST.search(c)]
        total += len(conds)
        names += len(by_name)
        if conds:
            print(f"{len(conds):4d} {len(by_name):4d}  {path.relative_to(root)}")
    print(f"{total:4d} {names:4d}  total (block if/elif, of which test a client/flavour name)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "templates"))
