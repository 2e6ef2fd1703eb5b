"""The national high-tech zone registry (archive/data/parks.csv) and park slugs.

Used by the data migration that fills the Park table and by `load_parks`, so it takes the
model class as an argument (a migration passes its historical model).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

REGISTRY_CSV = Path(__file__).resolve().parent / "data" / "parks.csv"
ZONE_SUFFIXES = ("高新技术产业开发区", "高新区", "农高区", "科技园区", "示范区", "开发区", "园区")


def read_registry(path: Path = REGISTRY_CSV) -> list[dict[str, Any]]:
    """Rows of the registry CSV as Park field values."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        {
            "name": row["short_name"].strip(),
            "full_name": row["full_name"].strip(),
            "province": row["province"].strip(),
            "city": row["city"].strip(),
            "approved_year": int(row["approved_year"]) if row["approved_year"].strip() else None,
            "aliases": "|".join(a.strip() for a in row["aliases"].split("|") if a.strip()),
        }
        for row in rows
        if row["short_name"].strip()
    ]


def sync_registry(park_model: Any, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Create registry zones that are missing and fill blanks of those present.

    Never overwrites a value already stored: staff may have corrected it in admin.
    Returns (created, updated).
    """
    created = updated = 0
    for row in rows:
        park = park_model.objects.filter(name=row["name"]).first()
        if park is None:
            park_model.objects.create(
                slug=unique_park_slug(park_model, row["name"]), in_registry=True, **row
            )
            created += 1
            continue
        blanks = {k: v for k, v in row.items() if v and not getattr(park, k)}
        if blanks or not park.in_registry:
            for key, value in blanks.items():
                setattr(park, key, value)
            park.in_registry = True
            park.save()
            updated += 1
    return created, updated


def park_slug_base(name: str) -> str:
    """`宁波高新区` → `ningbo`: the pinyin of the name without its zone word."""
    stem = name
    for suffix in ZONE_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    letters = "".join(lazy_pinyin(stem, errors=lambda chars: [c for c in chars if c.isalnum()]))
    return "".join(ch for ch in letters.lower() if ch.isascii() and ch.isalnum()) or "park"


def unique_park_slug(park_model: Any, name: str) -> str:
    base = park_slug_base(name)
    slug, n = base, 2
    while park_model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
