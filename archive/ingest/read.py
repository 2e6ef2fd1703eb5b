"""Step 1: read a page file into text, refusing what is not a text page.

Pages are UTF-8 (with or without BOM) or GB18030. A file that is neither, or mixes the
two, is refused with the byte offset where it goes wrong: guessing would store garbage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

BINARY_SNIFF_BYTES = 8192
# Control characters other than tab/newline/CR/FF that text files do not contain.
_CONTROL_BYTES = set(range(0, 9)) | {11} | set(range(14, 32)) | {127}


class PageReadError(Exception):
    """A page file that cannot be ingested; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class RawPage:
    source: str
    path: Path
    text: str
    encoding: str
    content_hash: str


def read_page(
    path: Path, max_bytes: int, source: str | None = None, max_chars: int | None = None
) -> RawPage:
    """The decoded text of one page file, or PageReadError. `source` is the page's key
    (its path relative to the ingest root); the file name when not given. `max_chars`:
    the longest text the pipeline is known to handle in bounded time and memory."""
    if not path.exists():
        raise PageReadError(path, "no such file")
    if not path.is_file():
        raise PageReadError(path, "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise PageReadError(path, "empty file")
    if size > max_bytes:
        raise PageReadError(
            path, f"file too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PageReadError(path, f"cannot read ({error.strerror})") from None
    if looks_binary(data):
        raise PageReadError(path, "binary file, not a text page")
    text, encoding = decode(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if max_chars is not None and len(text) > max_chars:
        raise PageReadError(
            path, f"page too long ({len(text):,} characters; the limit is {max_chars:,})"
        )
    if not text.strip():
        raise PageReadError(path, "no text in file (only whitespace)")
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        raise PageReadError(path, "no Chinese text in file")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return RawPage(source or path.name, path, text, encoding, digest)


def looks_binary(data: bytes) -> bool:
    head = data[:BINARY_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    return controls > len(head) * 0.01


def decode(path: Path, data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    if any(byte >= 0x80 for byte in data[: utf8_error.start]):
        # Valid multi-byte UTF-8 before the bad byte: a file of mixed encodings.
        raise PageReadError(
            path, f"mixed encodings: invalid UTF-8 at byte {utf8_error.start}"
        ) from None
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise PageReadError(
            path, f"undecodable bytes at byte {utf8_error.start} (neither UTF-8 nor GB18030)"
        ) from None
