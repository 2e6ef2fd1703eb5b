"""Archive benchmark: ingest, index, rebuild and search a synthetic archive of N articles,
and the same corpus on engine floors (raw Whoosh, SQLite FTS5, tantivy).

    .venv/bin/python bench/bench_archive.py [--articles 1000] [--json out.json] [--keep]
        [--corpus ../shared/bench/xwlb_stories.jsonl.gz]
    .venv/bin/python manage.py bench [same options]

The corpus is deterministic for a given N and --seed: page text files in the paper's
layout (headline block, byline, paragraphs separated by blank lines) that recombine the
paragraphs of seeds/ under made-up headlines about real registry parks, each with a
`.date` sidecar (corpus name `seeds-recombined`). With `--corpus PATH` the pages hold
instead the first N real stories of a gz JSONL file ({"title", "date", "body"} a line,
paragraphs separated by newlines; the shared one is described in its README and is read
where it lies, never copied into the repository): stories of one date on pages of 3 to 6
(sizes from --seed), each a headline, its own dateline paragraph (本报讯 when it has
none) and its paragraphs, the date in the page's sidecar; the corpus name is the file's
name. A path that is absent or not gz JSONL stops the run with one line and status 2.
Either way the pages go through `manage.py ingest` into a scratch data directory (SQLite
and Whoosh), so ingest and indexing are the product's own code paths.

The query mix: the synthetic corpus has fixed needles (`query_mix`); on a real corpus
the same kinds get needles drawn from --seed out of the ingested articles' indexed text
(`corpus_mix`: words, word pairs and phrases of one article, the park filter's word from
an article of that park), and its zero-hit needles (a corpus word with one character
changed, a made-up name) are kept only when ours finds nothing. Both add "zone names":
registry names and aliases, drawn from --seed, that have hits. A zero-hit query with
hits, or a query of another kind without any, stops the run: its number would mean
nothing. The chosen queries are in the JSON (`ours.queries`).

Measured: ingest articles/s (the command, with its index writes off), full rebuild
(`rebuild_index`) docs/s and seconds, index size, peak RSS, time from ingesting a new page
until a search finds it, and search p50/p95 over a fixed mix, warm (open searcher, arrays
kept) and cold (index reopened and `arrays.cache` emptied before every query, as in a new
process). The floors index the same folded tokens (`analysis.grams` pairs and
`analysis.words`), built outside Django, and answer the same needles; highlighting has no
floor. Then gunicorn serves the scratch archive (`bench/workers.py`; `--no-served` skips it):
eight zero-hit searches at once in fresh workers and again warm, the mix through the
pages, and each worker's RSS and open index files, beside their floors. Prints one table
at the end and writes JSON after each stage (`"complete": false`
until the last), so a long run stopped early keeps what it measured.

Pages and floors are streamed (files on disk, database iterated in chunks, writers
committed in batches), so memory stays bounded at 10k and 50k articles. Time grows about
linearly with N; most of it is ingest (~65 articles/s) and the raw Whoosh floor (~24
docs/s). A full 1k run takes about 90 s on 2 cores; a 1k run of the news corpus with
`--floors fts5,tantivy` about 30 s (its stories are shorter than the synthetic articles).
"""

from __future__ import annotations

import argparse
import gzip
import io
import itertools
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Real news stories (see its README): read at run time, never copied into the repository.
NEWS_CORPUS = ROOT.parent / "shared" / "bench" / "xwlb_stories.jsonl.gz"
SYNTHETIC = "seeds-recombined"  # the corpus name of the default, synthetic corpus

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰峰波宁晨阳琳欣怡雪梅松"
HEADLINE_ENDS = [
    "打造创新高地", "跑出发展加速度", "培育新兴产业集群", "推动高质量发展", "招商引资再提速",
    "科技企业孵化见成效", "复工复产按下快进键", "筑牢产业链供应链", "优化营商环境",
    "引进高层次人才", "重大项目集中开工", "数字经济蓬勃发展",
]
SIGNOFFS = ["（完）", "", "", ""]
ROUNDS_WARM = 5
ROUNDS_COLD = 2
FRESH_TIMEOUT = 60.0


# Corpus.


def seed_paragraphs() -> list[str]:
    """Body paragraphs of the seed pages, as the pipeline reads them."""
    from archive.ingest.parks import ParkLinker, load_registry_csv
    from archive.ingest.pipeline import process_page
    from archive.registry import REGISTRY_CSV

    linker = ParkLinker(load_registry_csv(REGISTRY_CSV))
    paragraphs: list[str] = []
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        for draft in process_page(seed.read_text(encoding="utf-8"), linker):
            paragraphs += [p.strip() for p in draft.body.split("\n") if len(p.strip()) >= 30]
    return paragraphs


def registry_parks(aliases: bool = False) -> list[str]:
    """Short names of the registry's zones (with `aliases`, their aliases too, once each)."""
    from archive.ingest.parks import load_registry_csv
    from archive.registry import REGISTRY_CSV

    entries = load_registry_csv(REGISTRY_CSV)
    names = [n for e in entries for n in (e.short_name, *(e.aliases if aliases else ()))]
    return list(dict.fromkeys(names))


@dataclass
class Corpus:
    name: str = SYNTHETIC
    pages: int = 0
    planned_articles: int = 0


# Real stories (--corpus).


class CorpusError(Exception):
    """The --corpus file cannot be read as gzipped JSONL stories."""


@dataclass(frozen=True)
class Story:
    title: str
    date: str  # YYYY-MM-DD
    paragraphs: tuple[str, ...]


def read_stories(path: Path) -> Iterator[Story]:
    """The stories of a gzipped JSONL file ({"title", "date", "body"} a line, paragraphs
    of the body separated by newlines), in file order. Stories with no title or no body
    text are passed over; anything unreadable raises CorpusError saying what."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    story = parse_story(line, number)
                    if story.title and story.paragraphs:
                        yield story
    except FileNotFoundError:
        raise CorpusError("no such file") from None
    except IsADirectoryError:
        raise CorpusError("is a directory, not a file") from None
    except PermissionError:
        raise CorpusError("permission denied") from None
    except gzip.BadGzipFile:
        raise CorpusError("not a gzip file") from None
    except EOFError:
        raise CorpusError("gzip data ends early (truncated file)") from None
    except UnicodeDecodeError:
        raise CorpusError("not UTF-8 text inside the gzip") from None
    except OSError as error:
        raise CorpusError(error.strerror or str(error)) from None


def parse_story(line: str, number: int) -> Story:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise CorpusError(f"line {number}: not JSON ({error.msg})") from None
    if not (isinstance(row, dict)
            and all(isinstance(row.get(k), str) for k in ("title", "date", "body"))):
        raise CorpusError(f"line {number}: not an object with string title, date and body")
    try:
        day = date.fromisoformat(row["date"]).isoformat()
    except ValueError:
        raise CorpusError(f"line {number}: date {row['date']!r} is not YYYY-MM-DD") from None
    paragraphs = tuple(p.strip() for p in row["body"].split("\n") if p.strip())
    return Story(headline(row["title"]), day, paragraphs)


def headline(title: str) -> str:
    # Headlines ending in punctuation read as body text; printed ones do not.
    return " ".join(title.split()).strip("。！？!?；;，,")


def stop_on_corpus(path: Path, error: CorpusError) -> NoReturn:
    """One line naming the file and what is wrong with it; exit status 2."""
    print(f"bench: --corpus {path}: {error}", file=sys.stderr)
    sys.exit(2)


def check_corpus(path: Path) -> None:
    """Fail early (before any set-up) on a file that is absent or not gz JSONL."""
    if next(read_stories(path), None) is None:
        raise CorpusError("no stories in it")


def page_sizes(count: int, rng: random.Random) -> list[int]:
    """`count` stories of one date split into pages of 3 to 6 (fewer only when the date
    has fewer than 3)."""
    sizes = []
    while count > 6:
        sizes.append(rng.randint(3, min(6, count - 3)))
        count -= sizes[-1]
    return [*sizes, count]


def story_block(story: Story) -> list[str]:
    """One story as the paper prints an article: headline, then a dateline paragraph
    (the story's own, `央视网消息（新闻联播）：`, or 本报讯 when it has none), then the
    rest of its paragraphs, each its own block."""
    from archive.ingest.datelines import split_dateline

    lead, *rest = story.paragraphs
    if split_dateline(lead)[0] is None:
        lead = "本报讯 " + lead
    return [story.title, lead, *rest]


def story_pages(stories: Iterable[Story], seed: int) -> Iterator[tuple[str, str, int]]:
    """(page text, issue date, stories on it): consecutive stories of one date grouped
    on pages of 3 to 6, sizes drawn from `seed`."""
    rng = random.Random(seed)
    for day, run in itertools.groupby(stories, key=lambda story: story.date):
        day_stories = list(run)
        start = 0
        for size in page_sizes(len(day_stories), rng):
            blocks = [b for story in day_stories[start : start + size] for b in story_block(story)]
            start += size
            yield "\n\n".join(blocks) + "\n", day, size


def page_texts(n_articles: int, seed: int) -> Iterator[tuple[str, str, int]]:
    """(page text, issue date, articles on it) until n_articles are planned."""
    rng = random.Random(seed)
    paragraphs = seed_paragraphs()
    parks = registry_parks()
    start = date(2012, 1, 1)
    planned = 0
    while planned < n_articles:
        count = min(rng.randint(3, 6), n_articles - planned)
        blocks: list[str] = []
        for _ in range(count):
            park = rng.choice(parks)
            blocks.append(f"{park}{rng.choice(HEADLINE_ENDS)}")
            authors = " ".join(
                rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                for _ in range(rng.randint(1, 3))
            )
            blocks.append(authors)
            body = rng.sample(paragraphs, rng.randint(3, 8))
            # Name the park in the lead so the article is about it, as real reports are.
            body[0] = f"本报讯 近日，{park}" + body[0]
            body[-1] += rng.choice(SIGNOFFS)
            blocks += body
        issued = start + timedelta(days=rng.randrange(365 * 12))
        planned += count
        yield "\n\n".join(blocks) + "\n", issued.isoformat(), count


def write_corpus(directory: Path, n_articles: int, seed: int,
                 source: Path | None = None) -> Corpus:
    """Page text files and `.date` sidecars in `directory`: the synthetic corpus, or with
    `source` the first n_articles stories of that gz JSONL file."""
    if source is None:
        corpus, pages, prefix = Corpus(), page_texts(n_articles, seed), "synthetic"
    else:
        stories = itertools.islice(read_stories(source), n_articles)
        corpus, pages, prefix = Corpus(name=source.name), story_pages(stories, seed), "news"
    directory.mkdir(parents=True, exist_ok=True)
    for number, (text, issued, count) in enumerate(pages):
        name = f"{prefix}_{seed}_{number:06d}"
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
        (directory / f"{name}.date").write_text(issued + "\n")
        corpus.pages += 1
        corpus.planned_articles += count
    return corpus


# Measurement helpers.


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def latency(runs: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(runs), 2), "p95_ms": round(pct(runs, 95), 2)}


# The query mix: the same needles for ours and the floors.


@dataclass(frozen=True)
class Query:
    kind: str
    needles: tuple[str, ...]
    park: str = ""
    facets: bool = False
    highlight: bool = False

    def get(self) -> dict[str, str]:
        q = " ".join(f'"{n}"' if self.kind == "phrase" else n for n in self.needles)
        return {"q": q, **({"park": self.park} if self.park else {})}


def label(query: Query) -> str:
    return " ".join(query.needles) + (f" park={query.park}" if query.park else "")


def query_mix(park: str) -> list[Query]:
    return [
        Query("single word", ("企业",)),
        Query("single word", ("创新",)),
        Query("two words", ("项目", "投资")),
        Query("two words", ("高新区", "人才")),
        Query("phrase", ("高新技术企业",)),
        Query("phrase", ("产业集群",)),
        Query("park filter", ("企业",), park=park),
        Query("park filter", ("发展",), park=park),
        Query("with facets", ("企业",), facets=True),
        Query("with facets", ("项目", "投资"), facets=True),
        Query("with highlighting", ("企业",), highlight=True),
        Query("with highlighting", ("产业集群",), highlight=True),
        # Typos: no hits, so ours also looks for a suggestion (spelling tables).
        Query("zero hits", ("招商引姿",)),
        Query("zero hits", ("马超欣欣",)),
    ]


# Needles of the real corpus: drawn (from --seed) from the texts the product indexes, so they
# have hits; the zero-hit ones are checked to have none.

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
NEEDLE_TRIES = 200


class Needles:
    """Words, word pairs and phrases taken from articles picked with `rng`."""

    def __init__(self, rng: random.Random) -> None:
        from archive.models import Article

        self.rng = rng
        self.public = Article.objects.public().order_by("pk")
        self.pks = list(self.public.values_list("pk", flat=True))

    def text(self, park: str = "") -> str:
        """The folded searchable text of one article (of `park`, when given)."""
        from archive.search import analysis
        from archive.search_indexes import ArticleIndex

        pks = (list(self.public.filter(park__name=park).values_list("pk", flat=True))
               if park else self.pks)
        article = self.public.get(pk=self.rng.choice(pks))
        return analysis.fold(ArticleIndex().prepare_text(article)).text

    def words(self, count: int = 1, park: str = "") -> tuple[str, ...]:
        """`count` different words (2 to 4 Chinese characters) of one article."""
        from archive.search import analysis

        for _ in range(NEEDLE_TRIES):
            found = {w.text: None for w in analysis.words(self.text(park), sub_words=False)
                     if 2 <= len(w.text) <= 4 and CJK_RUN.fullmatch(w.text)}
            if len(found) >= count:
                return tuple(self.rng.sample(sorted(found), count))
        raise RuntimeError("no article with enough words for the query mix")

    def phrase(self) -> tuple[str]:
        """Two or three adjacent words of one article, 4 to 8 Chinese characters."""
        from archive.search import analysis

        for _ in range(NEEDLE_TRIES):
            text = self.text()
            terms = analysis.words(text, sub_words=False)
            size = self.rng.randint(2, 3)
            # A slice of the text itself (so it has hits), kept when only Chinese characters.
            runs = [text[terms[i].start : terms[i + size - 1].end]
                    for i in range(len(terms) - size + 1)]
            runs = [r for r in runs if 4 <= len(r) <= 8 and CJK_RUN.fullmatch(r)]
            if runs:
                return (self.rng.choice(runs),)
        raise RuntimeError("no article with a phrase for the query mix")

    def typo(self) -> tuple[str]:
        """A word of the corpus (3 or 4 characters when there is one) with one character
        replaced."""
        for _ in range(NEEDLE_TRIES):
            word = self.words()[0]
            if len(word) >= 3:
                break
        i = self.rng.randrange(len(word))
        return (word[:i] + self.rng.choice(SURNAMES + GIVEN) + word[i + 1 :],)

    def made_up_name(self) -> tuple[str]:
        return (self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=3)),)


def corpus_mix(park: str, seed: int, count: Callable[[Query], int]) -> list[Query]:
    """The synthetic mix's kinds with needles from the ingested corpus; the zero-hit
    needles are made up and kept only when `count` (ours) finds nothing."""
    pick = Needles(random.Random(seed))

    def absent(make: Callable[[], tuple[str, ...]]) -> Query:
        for _ in range(NEEDLE_TRIES):
            if not count(query := Query("zero hits", make())):
                return query
        raise RuntimeError("no made-up needle without hits for the query mix")

    zero = [absent(pick.typo), absent(pick.made_up_name)]
    return [
        Query("single word", pick.words()),
        Query("single word", pick.words()),
        Query("two words", pick.words(2)),
        Query("two words", pick.words(2)),
        Query("phrase", pick.phrase()),
        Query("phrase", pick.phrase()),
        Query("park filter", pick.words(park=park), park=park),
        Query("park filter", pick.words(park=park), park=park),
        Query("with facets", pick.words(), facets=True),
        Query("with facets", pick.words(2), facets=True),
        Query("with highlighting", pick.words(), highlight=True),
        Query("with highlighting", pick.phrase(), highlight=True),
        *zero,
    ]


def zone_queries(seed: int, count: Callable[[Query], int], n: int = 2) -> list[Query]:
    """Registry zone names and aliases as queries (people search for their zone), drawn
    from `seed`: the first `n` that have hits, or any when the corpus names none."""
    names = registry_parks(aliases=True)
    random.Random(seed).shuffle(names)
    queries = [Query("zone names", (name,)) for name in names[:NEEDLE_TRIES]]
    with_hits = list(itertools.islice((q for q in queries if count(q)), n))
    return with_hits + queries[: n - len(with_hits)]


def mix_problems(counts: dict[str, int], mix: list[Query]) -> list[str]:
    """Queries whose counts make their kind meaningless: a zero-hit query with hits, or a
    query of another kind (zone names aside) without any."""
    return [f"{q.kind} {label(q)!r}: {counts[label(q)]} hits" for q in mix
            if q.kind != "zone names" and (q.kind == "zero hits") != (counts[label(q)] == 0)]


def measure(mix: list[Query], run: Callable[[Query], Any], cold: Callable[[], None] | None,
            rounds: int) -> dict[str, dict[str, float]]:
    """p50/p95 per query kind; with `cold`, called (untimed) before every query."""
    for query in mix:
        run(query)  # warm-up: jieba, caches
    by_kind: dict[str, list[float]] = {}
    for _ in range(rounds):
        for query in mix:
            if cold:
                cold()
            by_kind.setdefault(query.kind, []).append(timed(lambda q=query: run(q)))
    return {kind: latency(runs) for kind, runs in by_kind.items()}


# Ours: the product, in this process.


def ours(args: argparse.Namespace, data: Path, pages: Path) -> dict[str, Any]:
    os.environ["PARKNEWS_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parknews.settings"
    os.environ.setdefault("PARKNEWS_STATIC_MANIFEST", "False")
    os.environ.pop("SEARCH_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.http import QueryDict

    from archive.models import Article
    from archive.search import analysis, arrays, engine, spelling, writer
    from archive.search.backend import WriteReport, get_backend
    from archive.search.params import read_params

    out: dict[str, Any] = {}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    corpus = write_corpus(pages, args.articles, args.seed, args.corpus)
    out["corpus"] = {"name": corpus.name, "pages": corpus.pages,
                     "planned_articles": corpus.planned_articles,
                     "seconds": round(time.perf_counter() - started, 2)}

    # Ingest through the command with the index writer's write step (writer._write) made a
    # no-op, then build the index with rebuild_index: each article is indexed once, by the
    # same backend.apply that ingest's own writes use (measured at the same docs/s), which
    # keeps a 1k run short. The freshness check below goes through the inline path.
    real_write = writer._write
    writer._write = lambda backend, ids: WriteReport()
    started = time.perf_counter()
    try:
        call_command("ingest", str(pages), verbosity=0, stdout=io.StringIO())
    finally:
        writer._write = real_write
    ingest_s = time.perf_counter() - started
    articles = Article.objects.public().count()
    out["articles"] = articles
    out["ingest"] = {"seconds": round(ingest_s, 2), "articles_per_s": round(articles / ingest_s, 1)}
    out["peak_rss_mb_after_ingest"] = round(peak_rss_mb(), 1)

    index_dir = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    analysis.ensure_jieba()  # loading the dictionary is start-up, not indexing
    rebuild_s = timed(lambda: call_command("rebuild_index", interactive=False, verbosity=0)) / 1000
    out["rebuild"] = {"seconds": round(rebuild_s, 2), "docs_per_s": round(articles / rebuild_s, 1),
                      "index_mb": round(dir_mb(index_dir), 2)}
    out["end_to_end_articles_per_s"] = round(articles / (ingest_s + rebuild_s), 1)

    out["fresh_seconds"] = round(freshness(pages.parent / "fresh", args.seed), 2)

    def run(query: Query) -> Any:
        qd = QueryDict(mutable=True)
        qd.update(query.get())
        params = read_params(qd)[0]
        outcome = engine.search(params, with_facets=query.facets, with_highlight=query.highlight)
        return outcome.count

    park = busiest_park()
    mix = query_mix(park) if args.corpus is None else corpus_mix(park, args.seed, run)
    mix += zone_queries(args.seed, run)
    out["park_filter"] = park
    out["queries"] = [asdict(q) for q in mix]

    def cold() -> None:
        backend = get_backend()
        backend._drop_searcher()
        backend.setup_complete = False  # the next read opens the index from disk
        arrays.cache.clear()  # and reads every posting it needs again, as a new process
        spelling._tables.clear()

    out["counts"] = {label(q): run(q) for q in mix}
    if problems := mix_problems(out["counts"], mix):
        raise SystemExit("bench: query mix is off for this corpus: " + "; ".join(problems))
    out["warm"] = measure(mix, run, None, ROUNDS_WARM)
    out["cold"] = measure(mix, run, cold, ROUNDS_COLD)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["open_index_files"] = open_files_in(index_dir)
    return out


def open_files_in(directory: Path) -> int:
    """This process's open files inside the (live) index directory."""
    live = os.path.realpath(directory) + os.sep
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(live)
        except OSError:
            continue
    return count


def freshness(directory: Path, seed: int) -> float:
    """Seconds from starting to ingest one new page until a search finds it."""
    from django.core.management import call_command
    from django.http import QueryDict

    from archive.search import engine
    from archive.search.params import read_params

    rng = random.Random(seed + 1)
    # A made-up word of characters the seed paragraphs do not use, so only this page has it.
    marker = "".join(rng.choices("龘靐齉麤爩", k=4))
    text, issued, _ = next(page_texts(1, seed + 1))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fresh.txt").write_text(text.replace("本报讯 近日，", f"本报讯 {marker}报道，", 1))
    (directory / "fresh.date").write_text(issued + "\n")
    qd = QueryDict(mutable=True)
    qd["q"] = marker
    params = read_params(qd)[0]
    started = time.perf_counter()
    call_command("ingest", str(directory), verbosity=0, stdout=io.StringIO())
    while engine.search(params, with_facets=False, with_highlight=False).count == 0:
        if time.perf_counter() - started > FRESH_TIMEOUT:
            return float("inf")
        time.sleep(0.05)
    return time.perf_counter() - started


def busiest_park() -> str:
    from django.db.models import Count

    from archive.models import Article

    row = (Article.objects.public().exclude(park=None).values("park__name")
           .annotate(n=Count("id")).order_by("-n", "park__name").first())
    return row["park__name"] if row else ""


# Floors: the same token streams, no Django on the query path.


def token_streams() -> Iterator[tuple[int, str, list[str], list[str]]]:
    """(id, park, pair grams by position, base jieba words) for every public article,
    from the texts the product indexes. A position without a pair (barrier, last char)
    gets a filler token so phrase positions stay aligned."""
    from archive.models import Article
    from archive.search import analysis
    from archive.search_indexes import ArticleIndex

    index = ArticleIndex()
    queryset = index.index_queryset().order_by("pk")
    for article in queryset.iterator(chunk_size=500):
        text = index.prepare_text(article)
        folded = analysis.fold(text).text
        pairs = ["_" if folded[i] == analysis.BARRIER or folded[i + 1] == analysis.BARRIER
                 else folded[i : i + 2] for i in range(len(folded) - 1)]
        word_list = [t.text for t in analysis.words(text, sub_words=False)]
        park = article.park.name if article.park else ""
        yield article.pk, park, pairs, word_list
    del Article


class Tokens:
    """The token streams, made once (timed: tokenising is part of every floor's indexing
    cost, as analysis is part of ours) and kept in a file so memory stays bounded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seconds = 0.0

    def build(self) -> None:
        started = time.perf_counter()
        with self.path.open("w", encoding="utf-8") as f:
            for row in token_streams():
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.seconds = time.perf_counter() - started

    def __iter__(self) -> Iterator[tuple[int, str, list[str], list[str]]]:
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                pk, park, pairs, word_list = json.loads(line)
                yield pk, park, pairs, word_list


def enc(token: str) -> str:
    """Any token as one alphanumeric word, so each engine's plain tokenizer keeps it whole."""
    return token.encode("utf-8").hex()


def needle_pairs(needle: str) -> list[str]:
    from archive.search import analysis

    folded = analysis.fold_needle(needle)
    return [folded[i : i + 2] for i in range(len(folded) - 1)] or [folded]


def floor_whoosh(work: Path, mix: list[Query], tokens: Tokens) -> dict[str, Any]:
    """Whoosh with the same analyzers and the product's match/rank queries, no Django."""
    from whoosh import index as windex
    from whoosh import query as wq
    from whoosh import sorting
    from whoosh.fields import ID, TEXT, Schema

    from archive.search import analysis
    from archive.search.compile import needle_query
    from archive.search_indexes import ArticleIndex

    schema = Schema(id=ID(stored=True, unique=True), park=ID(stored=True),
                    text=TEXT(analyzer=analysis.GramAnalyzer(), phrase=True),
                    words=TEXT(analyzer=analysis.WordAnalyzer(), phrase=True))
    path = work / "whoosh_floor"
    path.mkdir()
    ix = windex.create_in(str(path), schema)
    index = ArticleIndex()
    started = time.perf_counter()
    n = 0
    writer = ix.writer()
    for article in index.index_queryset().order_by("pk").iterator(chunk_size=500):
        text = index.prepare_text(article)
        writer.add_document(id=str(article.pk), park=article.park.name if article.park else "",
                            text=text, words=text)
        n += 1
        if n % 2000 == 0:  # bounded writer memory at 10k/50k
            # No merge: Whoosh's MERGE_SMALL can rewrite most of the index at a commit,
            # which would make this floor's indexing time grow with the square of N.
            writer.commit(merge=False)
            writer = ix.writer()
    writer.commit(merge=False)
    seconds = time.perf_counter() - started
    searcher = ix.searcher()

    def run(query: Query) -> Any:
        match = wq.And([needle_query(n) for n in query.needles]
                       + ([wq.Term("park", query.park)] if query.park else []))
        rank = wq.Or([wq.Term("words", w.text) for n in query.needles for w in analysis.words(n)]
                     + [needle_query(n) for n in query.needles])
        docs = set(searcher.docs_for_query(match))
        hits = searcher.search(rank, filter=docs, limit=20)
        if query.facets:
            searcher.search(match, groupedby=sorting.FieldFacet("park"), limit=None).groups()
        return len(docs), [h["id"] for h in hits]

    def cold() -> None:
        nonlocal searcher
        searcher.close()
        searcher = windex.open_dir(str(path)).searcher()

    return {"index_seconds": round(seconds, 2), "docs_per_s": round(n / seconds, 1),
            "index_mb": round(dir_mb(path), 2),
            "counts": {label(q): run(q)[0] for q in mix},
            "warm": measure(mix, run, None, ROUNDS_WARM),
            "cold": measure(mix, run, cold, ROUNDS_COLD)}


def fts5_match(query: Query) -> str:
    return " AND ".join("grams:" + '"' + " ".join(enc(p) for p in needle_pairs(n)) + '"'
                        for n in query.needles)


def fts5_rank(query: Query) -> str:
    from archive.search import analysis

    return " OR ".join("words:" + enc(w.text) for n in query.needles for w in analysis.words(n))


def floor_fts5(work: Path, mix: list[Query], tokens: Tokens) -> dict[str, Any]:
    """SQLite FTS5 over the same tokens (hex-encoded, ascii tokenizer), bm25 on words."""
    path = work / "fts5.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(grams, words, park UNINDEXED, "
               "tokenize='ascii', detail=full)")
    started = time.perf_counter()
    n = 0
    batch = []
    for pk, park, pairs, word_list in tokens:
        batch.append((pk, " ".join(map(enc, pairs)), " ".join(map(enc, word_list)), park))
        n += 1
        if len(batch) == 500:
            db.executemany("INSERT INTO docs(rowid, grams, words, park) VALUES (?,?,?,?)", batch)
            batch = []
    db.executemany("INSERT INTO docs(rowid, grams, words, park) VALUES (?,?,?,?)", batch)
    db.commit()
    seconds = time.perf_counter() - started + tokens.seconds

    def run(query: Query) -> Any:
        where = "docs MATCH ?" + (" AND park = ?" if query.park else "")
        args: tuple[str, ...] = (fts5_match(query),) + ((query.park,) if query.park else ())
        count = db.execute(f"SELECT count(*) FROM docs WHERE {where}", args).fetchone()[0]
        # Ranked page: match ∧ (words ∨ match) ordered by bm25.
        ranked = db.execute(
            f"SELECT rowid FROM docs WHERE docs MATCH ? {'AND park = ?' if query.park else ''} "
            "ORDER BY bm25(docs) LIMIT 20",
            (f"({fts5_match(query)}) AND ({fts5_rank(query)} OR {fts5_match(query)})",
             *((query.park,) if query.park else ())),
        ).fetchall()
        if query.facets:
            db.execute(f"SELECT park, count(*) FROM docs WHERE {where} GROUP BY park",
                       args).fetchall()
        return count, ranked

    def cold() -> None:
        nonlocal db
        db.close()
        db = sqlite3.connect(path)

    return {"index_seconds": round(seconds, 2), "docs_per_s": round(n / seconds, 1),
            "index_mb": round(path.stat().st_size / 2**20, 2),
            "counts": {label(q): run(q)[0] for q in mix},
            "warm": measure(mix, run, None, ROUNDS_WARM),
            "cold": measure(mix, run, cold, ROUNDS_COLD)}


def floor_tantivy(work: Path, mix: list[Query], tokens: Tokens) -> dict[str, Any]:
    """tantivy over the same tokens (hex-encoded, whitespace tokenizer), BM25 on words."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True)
    builder.add_text_field("grams", tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("words", tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("park", tokenizer_name="raw", stored=True, fast=True)
    schema = builder.build()
    path = work / "tantivy"
    path.mkdir()
    ix = tantivy.Index(schema, path=str(path))
    started = time.perf_counter()
    n = 0
    writer = ix.writer(heap_size=128 * 2**20, num_threads=1)
    for pk, park, pairs, word_list in tokens:
        writer.add_document(tantivy.Document(id=pk, grams=" ".join(map(enc, pairs)),
                                             words=" ".join(map(enc, word_list)), park=park))
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started + tokens.seconds
    ix.reload()

    def to_query(query: Query) -> Any:
        from archive.search import analysis

        occur = tantivy.Occur
        must = []
        for needle in query.needles:
            pairs = [enc(p) for p in needle_pairs(needle)]
            needle_q = (tantivy.Query.phrase_query(schema, "grams", pairs) if len(pairs) > 1
                        else tantivy.Query.term_query(schema, "grams", pairs[0]))
            must.append((occur.Must, needle_q))
        if query.park:
            must.append((occur.Must, tantivy.Query.term_query(schema, "park", query.park)))
        should = [(occur.Should, tantivy.Query.term_query(schema, "words", enc(w.text)))
                  for n in query.needles for w in analysis.words(n)]
        return tantivy.Query.boolean_query(must), tantivy.Query.boolean_query(must + should)

    searcher = ix.searcher()

    def run(query: Query) -> Any:
        match, ranked = to_query(query)
        count = searcher.search(match, limit=1, count=True).count
        hits = searcher.search(ranked, limit=20).hits
        if query.facets:
            searcher.aggregate(match, {"parks": {"terms": {"field": "park", "size": 20}}})
        return count, hits

    def cold() -> None:
        nonlocal searcher
        searcher = tantivy.Index.open(str(path)).searcher()

    return {"index_seconds": round(seconds, 2), "docs_per_s": round(n / seconds, 1),
            "index_mb": round(dir_mb(path), 2),
            "counts": {label(q): run(q)[0] for q in mix},
            "warm": measure(mix, run, None, ROUNDS_WARM),
            "cold": measure(mix, run, cold, ROUNDS_COLD)}


# Report.


def table(result: dict[str, Any]) -> str:
    ours_ = result["ours"]
    floors = result["floors"]
    names = list(floors)
    lines = [f"parknews bench, corpus {result['corpus']}: {ours_['articles']} articles "
             f"({ours_['corpus']['planned_articles']} laid out) on "
             f"{ours_['corpus']['pages']} pages (seed {result['seed']}), "
             f"total {result['seconds']:.0f} s, "
             f"peak RSS {ours_['peak_rss_mb']:.0f} MB"]
    ing, rb = ours_["ingest"], ours_["rebuild"]
    lines.append(f"ingest (command, index writes off) {ing['articles_per_s']:.1f} articles/s "
                 f"in {ing['seconds']:.1f} s; full rebuild {rb['seconds']:.1f} s "
                 f"({rb['docs_per_s']:.1f} docs/s), index {rb['index_mb']:.1f} MB; "
                 f"both: {ours_['end_to_end_articles_per_s']:.1f} articles/s")
    lines.append(f"new page searchable after {ours_['fresh_seconds']:.2f} s; "
                 f"open index files after the queries: {ours_.get('open_index_files', 'n/a')}")
    head = f"{'':31}{'ours':>9}" + "".join(f"{n:>11}{'ratio':>7}" for n in names)
    lines += ["", head]

    def row(label: str, mine: float, theirs: list[float | None], fmt: str = "{:9.2f}") -> None:
        cells = fmt.format(mine)
        for value in theirs:
            if value is None:
                cells += f"{'n/a':>11}{'':>7}"
            else:
                cells += f"{fmt.format(value):>11}{mine / value if value else 0:7.1f}"
        lines.append(f"{label:31}{cells}")

    row("index docs/s", rb["docs_per_s"], [floors[n]["docs_per_s"] for n in names], "{:9.1f}")
    row("index MB", rb["index_mb"], [floors[n]["index_mb"] for n in names])
    for temp in ("warm", "cold"):
        for kind, values in ours_[temp].items():
            for stat in ("p50_ms", "p95_ms"):
                theirs = [None if kind == "with highlighting" else
                          floors[n][temp].get(kind, {}).get(stat) for n in names]
                row(f"{temp} {kind} {stat[:3]} ms", values[stat], theirs)
    lines.append("ratio = ours / floor (for docs/s, below 1 means ours is slower)")
    for name in names:
        differ = {q: (n, floors[name]["counts"].get(q)) for q, n in ours_["counts"].items()
                  if floors[name]["counts"].get(q) != n}
        lines.append(f"{name}: result counts " + (f"differ {differ}" if differ else "agree"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", "-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="where to write results "
                        "(default: var/bench/bench-N.json, outside version control)")
    parser.add_argument("--floors", default="fts5,tantivy,whoosh",
                        help="comma-separated floors to run (empty: none)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--no-served", dest="served", action="store_false",
                        help="skip serving the archive with gunicorn (bench/workers.py: "
                        "zero-hit searches at once, per-worker memory and open files)")
    parser.add_argument("--corpus", type=Path, metavar="PATH",
                        help="real stories instead of the synthetic corpus: the first N of "
                        "this gz JSONL file, e.g. ../shared/bench/xwlb_stories.jsonl.gz "
                        "(see its README)")
    args = parser.parse_args(argv)
    corpus_name = SYNTHETIC
    if args.corpus is not None:
        try:
            check_corpus(args.corpus)
        except CorpusError as error:
            stop_on_corpus(args.corpus, error)
        corpus_name = args.corpus.name
    work = Path(tempfile.mkdtemp(prefix="parknews-bench-"))
    started = time.perf_counter()
    if not args.json:
        stem = "" if args.corpus is None else corpus_name.split(".")[0] + "-"
        args.json = str(ROOT / "var" / "bench" / f"bench-{stem}{args.articles}.json")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"corpus": corpus_name, "articles_requested": args.articles,
                              "seed": args.seed, "complete": False, "floors": {}}

    def save(stage: str) -> None:
        """Write what is measured so far (a long run keeps its results if stopped)."""
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(f"bench: {stage} done at {result['seconds']:.0f} s", file=sys.stderr, flush=True)

    try:
        try:
            result["ours"] = ours(args, work / "data", work / "pages")
        except CorpusError as error:  # a file that goes bad after its first story
            stop_on_corpus(args.corpus, error)
        save("ours")
        mix = [Query(**{**q, "needles": tuple(q["needles"])}) for q in result["ours"]["queries"]]
        runners = {"whoosh": floor_whoosh, "fts5": floor_fts5, "tantivy": floor_tantivy}
        floors = [name for name in args.floors.split(",") if name]
        tokens = Tokens(work / "tokens.jsonl")
        if {"fts5", "tantivy"} & set(floors):
            tokens.build()
            result["tokenise_seconds"] = round(tokens.seconds, 2)
        for name in floors:
            try:
                result["floors"][name] = runners[name](work, mix, tokens)
            except ImportError as error:
                print(f"floor {name} skipped: {error}", file=sys.stderr)
            save(f"floor {name}")
        if args.served:
            import workers  # bench/, beside this script

            result["served"] = workers.measure(
                work / "data", workers.mix_params(result["ours"]["queries"]), rounds=3)
            save("served")
        result["complete"] = True
        save("all")
        print(table(result))
        if "served" in result:
            print(workers.report(result["served"]))
        print(f"JSON: {args.json}" + (f"; scratch kept in {work}" if args.keep else ""))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
