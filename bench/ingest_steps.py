"""Speed of the pure ingest steps, on the seeds and on hostile pages: prints a table.

    .venv/bin/python bench/ingest_steps.py

Best of several runs for each line. The hostile pages (100 KB without punctuation,
mojibake, punctuation only, 5,000 lines without a blank one) show the time per
character stays bounded.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.ingest.figures import extract_figures  # noqa: E402
from archive.ingest.parks import ParkLinker, load_registry_csv  # noqa: E402
from archive.ingest.pipeline import process_page  # noqa: E402
from archive.registry import REGISTRY_CSV  # noqa: E402


def best(action: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    entries = load_registry_csv(REGISTRY_CSV)
    print(f"{'step':<52}{'ms':>10}{'µs/char':>10}")
    build = best(lambda: ParkLinker(entries)) * 1e3
    print(f"{'build the park linker (176 zones)':<52}{build:>10.1f}")
    linker = ParkLinker(entries)
    seeds = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))}
    line = "本报讯 近日,宁波高新区总投资71.69亿元的项目开工,高新技术企业963家。"
    hostile = {
        "100 KB prose without punctuation (figures)": ("园区总投资12亿元新增企业" * 9000)[:100_000],
        "100 KB of digits (figures)": "1" * 100_000,
        "mojibake page, 26 K chars": "楂樻柊鍖烘柊闂汇€傛湰鎶ヨ" * 2000,
        "punctuation only, 75 K chars": "。,、;:“”!?……——\n" * 5000,
        "5,000 lines, no blank line": "\n".join([line] * 5000),
    }
    def row(name: str, seconds: float, text: str) -> None:
        print(f"{name:<52}{seconds * 1e3:>10.1f}{seconds * 1e6 / len(text):>10.2f}")

    for name, text in seeds.items():
        row(f"process_page {name}", best(lambda t=text: process_page(t, linker)), text)
        row("  find_mentions", best(lambda t=text: linker.find_mentions(t), runs=5), text)
    for name, text in hostile.items():
        step = extract_figures if "(figures)" in name else (lambda t: process_page(t, linker))
        row(name, best(lambda s=step, t=text: s(t), runs=1), text)


if __name__ == "__main__":
    main()
