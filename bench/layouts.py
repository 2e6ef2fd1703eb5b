"""Ingest on real stories laid out in several newspaper layouts the seeds do not show.

    .venv/bin/python bench/layouts.py [--pages 60] [--skip 30000] [--corpus PATH]

Stories from `../shared/bench/xwlb_stories.jsonl.gz` (read where it lies, never copied
into the repository) go on pages of 3 to 8, in one layout at a time; their own
`央视网消息（新闻联播）：` openings are dropped, as a newspaper would print them. Since the
layout is ours, the right answer is known, and the table gives the share of stories whose
headline comes out as an article's title, and the share whose headline does and whose
article then ends where the story does (both of all the stories). Bylines and datelines
carry made-up names (any two or three characters).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_archive import NEWS_CORPUS, Story, read_stories  # noqa: E402

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
_OPENING = re.compile(r"^(?:央视网消息)?[（(]新闻联播[)）][:：]|^央视网消息[:：]")


def _paragraphs(story: Story) -> list[str]:
    return [p for p in (_OPENING.sub("", p).strip() for p in story.paragraphs) if p]


class Layouts:
    """One story as a block of page text, in each layout."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def name(self) -> str:
        size = self.rng.choice((1, 2))
        return self.rng.choice(_SURNAMES) + "".join(self.rng.choice(_GIVEN) for _ in range(size))

    def byline(self, title: str, paras: list[str], story: Story) -> str:
        return "\n\n".join([title, f"本报记者 {self.name()} {self.name()}", *paras])

    def wrapped(self, title: str, paras: list[str], story: Story) -> str:
        lines = "\n".join(title[i : i + 14] for i in range(0, len(title), 14))
        return "\n\n".join([lines, "本报讯 " + paras[0], *paras[1:]])

    def xinhua(self, title: str, paras: list[str], story: Story) -> str:
        month, day = (int(story.date[5:7]), int(story.date[8:10])) if story.date else (3, 5)
        first = f"新华社北京{month}月{day}日电（记者 {self.name()}）" + paras[0]
        return "\n\n".join([title, first, *paras[1:]])

    def credit(self, title: str, paras: list[str], story: Story) -> str:
        body = ["本报讯 " + paras[0], *paras[1:]]
        body[-1] += f"（记者 {self.name()}）"
        return "\n\n".join([title, *body])

    def stacked(self, title: str, paras: list[str], story: Story) -> str:
        """A two-part headline as title and a `——` subtitle line in one block (the title
        expected is then the first part)."""
        main, _, rest = title.partition(" ")
        head = f"{main}\n——{rest}" if rest else main
        return "\n\n".join([head, "本报讯 " + paras[0], *paras[1:]])

    def plain(self, title: str, paras: list[str], story: Story) -> str:
        return "\n\n".join([title, *paras])


LAYOUTS = ("byline", "wrapped", "xinhua", "credit", "stacked", "plain")


def expected_title(layout: str, title: str) -> str:
    return title.partition(" ")[0] if layout == "stacked" else title


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def measure(name: str, layout: Callable[[str, list[str], Story], str],
            stories: Iterator[Story], pages: int, rng: random.Random,
            linker) -> tuple[int, int, int, int]:
    """(stories, articles, headlines found, ends right) over `pages` pages."""
    from archive.ingest.pipeline import process_page

    total = articles = found = ends = 0
    for _ in range(pages):
        laid: list[tuple[str, list[str], Story]] = []
        size = rng.randint(3, 8)
        while len(laid) < size:
            story = next(stories)
            paras = _paragraphs(story)
            if paras:
                laid.append((story.title.strip("。！？!?；;，,"), paras, story))
        page = "\n\n\n".join(layout(t, p, s) for t, p, s in laid) + "\n"
        drafts = process_page(page, linker)
        articles += len(drafts)
        by_title = {_squeezed(d.title): d for d in drafts}
        for title, paras, _ in laid:
            total += 1
            draft = by_title.get(_squeezed(expected_title(name, title)))
            if draft is None:
                continue
            found += 1
            last = _squeezed(paras[-1])[-12:]
            ends += last in _squeezed(draft.body)[-40:]
    return total, articles, found, ends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--skip", type=int, default=30_000, help="stories passed over first")
    parser.add_argument("--corpus", type=Path, default=NEWS_CORPUS)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"--corpus: {args.corpus}: no such file")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parknews.settings")
    import django

    django.setup()
    from archive.ingest.parks import ParkLinker, load_registry_csv
    from archive.registry import REGISTRY_CSV

    linker = ParkLinker(load_registry_csv(REGISTRY_CSV))
    print(f"{'layout':9} {'stories':>7} {'articles':>8} {'headline found':>14} {'end right':>9}")
    for name in LAYOUTS:
        layouts = Layouts(args.seed)
        stories = itertools.islice(read_stories(args.corpus), args.skip, None)
        total, articles, found, ends = measure(name, getattr(layouts, name), stories,
                                               args.pages, layouts.rng, linker)
        print(f"{name:9} {total:>7} {articles:>8} {found / total:>14.3f} {ends / total:>9.3f}")


if __name__ == "__main__":
    main()
