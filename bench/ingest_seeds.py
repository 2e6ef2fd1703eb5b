"""Ingest speed on the seed pages: prints pages/s and articles/s.

    .venv/bin/python bench/ingest_seeds.py [--copies N]

Copies the seed pages N times under new names into a scratch directory and ingests them
into a scratch data directory (SQLite + Whoosh), then times the pure pipeline alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="parknews-bench-"))
    pages = scratch / "pages"
    pages.mkdir()
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    for n in range(args.copies):
        for seed in seeds:
            shutil.copy(seed, pages / f"{n:03d}_{seed.name}")
    env = {**os.environ, "PARKNEWS_DATA_DIR": str(scratch / "data")}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    out = subprocess.run([*manage, "ingest", str(pages)], env=env, check=True,
                         capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    print(f"ingest command, {len(seeds) * args.copies} pages (incl. start-up): {wall:.2f} s")
    print("  ", out.strip())
    articles = int(out.split("articles ")[1].split(" new")[0])
    print(f"  {len(seeds) * args.copies / wall:.1f} pages/s, {articles / wall:.1f} articles/s")

    sys.path.insert(0, str(ROOT))
    from archive.ingest.parks import ParkLinker, load_registry_csv
    from archive.ingest.pipeline import process_page
    from archive.registry import REGISTRY_CSV

    linker = ParkLinker(load_registry_csv(REGISTRY_CSV))
    texts = [s.read_text(encoding="utf-8") for s in seeds]
    started = time.perf_counter()
    count = sum(len(process_page(t, linker)) for _ in range(args.copies) for t in texts)
    pure = time.perf_counter() - started
    print(f"pipeline alone: {len(texts) * args.copies / pure:.1f} pages/s, "
          f"{count / pure:.1f} articles/s")
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
