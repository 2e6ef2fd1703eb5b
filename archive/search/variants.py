"""Traditional → simplified characters, for matching only (OpenCC's `t2s` data).

Readers in Taiwan, Hong Kong and abroad type traditional characters, and OCR of older pages
mixes both; the archive's pages are mostly simplified. Search folds both the index and the
query to simplified (`analysis.fold`), so `國家高新區`, `国家高新区` and `國家高新区` are the
same needle and highlight the same spans. Stored text is never converted.

The table is character by character: each character of the CJK blocks converted on its own
by OpenCC's `t2s` configuration (its `TSCharacters` dictionary, shipped in the `opencc`
wheel, so no network), keeping the conversions to exactly one character. A character
conversion keeps every folded character tied to one printed character, which highlighting
needs; what it gives up is OpenCC's phrase table (`TSPhrases`), whose few entries choose
between simplified forms by context. Since both sides are folded the same way, the cost
is a little over-matching where two traditional characters share a simplified one
(乾/干, 餘/余), never a miss. `tw2s`/`hk2s` are not used: their variant tables turn
characters that simplified text uses every day into others (么 → 幺).
"""

from __future__ import annotations

import functools
import threading

# The CJK blocks OpenCC's character dictionary covers: the unified ideographs with
# extension A, the compatibility ideographs (which NFKC already unifies, kept for text
# folded without it) and extension B.
BLOCKS = ((0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))
CONFIG = "t2s"
_lock = threading.Lock()


@functools.cache
def table() -> dict[str, str]:
    """Traditional character → its simplified character (only those that differ)."""
    import opencc

    with _lock:
        converter = opencc.OpenCC(CONFIG)
        chars = [chr(code) for low, high in BLOCKS for code in range(low, high)]
        # One call for all: a newline between characters keeps OpenCC's phrase matching
        # from joining neighbours.
        converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError(f"opencc {CONFIG}: {len(converted)} lines for {len(chars)} characters")
    out = {ch: to for ch, to in zip(chars, converted, strict=True) if to != ch and len(to) == 1}
    # A conversion whose result converts again (薴 → 苧 → 苎) goes all the way.
    for ch, to in out.items():
        seen = {ch}
        while to in out and to not in seen:
            seen.add(to)
            to = out[to]
        out[ch] = to
    return out


def simplified(text: str) -> str:
    """`text` with every traditional character in the table replaced, length kept."""
    mapping = table()
    return "".join(mapping.get(ch, ch) for ch in text)


def version() -> str:
    """The OpenCC release the table comes from (part of the index's signature)."""
    import opencc

    return str(getattr(opencc, "__version__", "unknown"))
