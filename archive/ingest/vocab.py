"""Word lists the ingest steps read, kept as data files in `vocab/`.

Each file holds one entry a line, then a tab (or ` | `) and the reason the entry is there,
in the manner of jieba's `dict.txt` and OpenCC's dictionaries: people can read, check and
extend them without touching code. `#` starts a comment line; blank lines are ignored.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

VOCAB_DIR = Path(__file__).with_name("vocab")
_SEPARATOR = re.compile(r"\t+| \| ")


@functools.cache
def entries(name: str) -> tuple[str, ...]:
    """The entries of `vocab/<name>.txt`, in file order; each line must give a reason."""
    path = VOCAB_DIR / f"{name}.txt"
    out: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = _SEPARATOR.split(line, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{path}:{number}: expected 'entry<TAB>reason', got {raw!r}")
        out.append(parts[0].strip())
    return tuple(out)
