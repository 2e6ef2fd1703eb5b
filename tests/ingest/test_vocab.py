"""Every vocabulary file of archive/ingest/vocab/ is in the loader's format.

One entry a line, a tab, then the reason it is there; tables with columns carry them in the
entry, space-separated (`word year<TAB>reason` in eras.txt, `unit base kind` in figure_units.txt).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.ingest import vocab
from archive.ingest.vocab import VOCAB_DIR, entries

FILES = sorted(VOCAB_DIR.glob("*.txt"))
# Files whose entries are tables: how many space-separated columns each entry has.
COLUMNS = {
    "eras": 2,
    "figure_units": 3,
    "figure_unit_blockers": 2,
    "figure_qualifiers": 3,
    "figure_status": 2,
}


def _lines(path: Path) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]


def test_there_are_vocabulary_files() -> None:
    assert {"figure_units", "figure_left_stops", "figure_status", "surnames"} <= {
        p.stem for p in FILES
    }


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_line_has_an_entry_and_a_reason(path: Path) -> None:
    lines = _lines(path)
    assert lines, f"{path.name} has no entries"
    for number, line in lines:
        entry, tab, reason = line.partition("\t")
        if not tab:
            entry, _, reason = line.partition(" | ")
        assert entry.strip() and reason.strip(), f"{path.name}:{number}: {line!r}"
        assert reason.strip() != entry.strip(), f"{path.name}:{number}: reason repeats the entry"
    assert len(entries(path.stem)) == len(lines)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_table_entries_have_their_columns(path: Path) -> None:
    want = COLUMNS.get(path.stem, 1)
    for entry in entries(path.stem):
        assert len(entry.split()) == want, f"{path.name}: {entry!r} wants {want} column(s)"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_no_entry_is_listed_twice(path: Path) -> None:
    listed = entries(path.stem)
    twice = sorted({e for e in listed if listed.count(e) > 1})
    assert not twice, f"{path.name} lists {twice} more than once"


def test_a_line_without_a_reason_names_its_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.txt").write_text("# comment\n有限\t一个理由\n比重\n", encoding="utf-8")
    monkeypatch.setattr(vocab, "VOCAB_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"broken\.txt:3"):
        entries.__wrapped__("broken")
