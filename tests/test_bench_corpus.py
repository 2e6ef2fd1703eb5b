"""bench/bench_archive.py --corpus: real stories laid out as dated pages, and its errors."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import bench_archive  # noqa: E402

SCRIPT = ROOT / "bench" / "bench_archive.py"

# Seven stories on three dates; one without a dateline, one with a headline that ends in
# punctuation and one with empty lines in its body.
STORIES = [
    {"title": "长江经济带绿色发展取得新进展", "date": "2015-03-01",
     "body": "央视网消息（新闻联播）：长江沿线各省市推进生态保护。\n沿江化工企业完成搬迁改造。"},
    {"title": "西部陆海新通道班列开行破万", "date": "2015-03-01",
     "body": "央视网消息（新闻联播）：今年以来班列开行数量持续增长。\n\n货值同比增长三成。"},
    {"title": "春耕备耕有序展开！", "date": "2015-03-01",
     "body": "各地抢抓农时，农资供应充足。\n农技人员深入田间指导。"},
    {"title": "冰雪旅游持续升温", "date": "2015-03-01",
     "body": "央视网消息（新闻联播）：东北多地冰雪景区游客量创新高。"},
    {"title": "新能源汽车产销两旺", "date": "2015-03-02",
     "body": "央视网消息（新闻联播）：前两个月新能源汽车产销同比大幅增长。"},
    {"title": "高校毕业生就业服务启动", "date": "2015-03-03",
     "body": "央视网消息（新闻联播）：教育部启动百日冲刺行动。\n多地举办专场招聘会。"},
    {"title": "跨境电商综试区扩围", "date": "2015-03-03",
     "body": "央视网消息（新闻联播）：国务院同意在更多城市设立跨境电商综合试验区。"},
]


def write_gz(path: Path, rows: list[dict[str, str]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def pages_of(directory: Path) -> dict[str, tuple[str, str]]:
    return {p.stem: (p.read_text(encoding="utf-8"), p.with_suffix(".date").read_text())
            for p in sorted(directory.glob("*.txt"))}


def test_layout_is_deterministic_and_every_story_appears_once(tmp_path):
    source = write_gz(tmp_path / "stories.jsonl.gz", STORIES)
    first = bench_archive.write_corpus(tmp_path / "a", 7, 3, source)
    bench_archive.write_corpus(tmp_path / "b", 7, 3, source)
    assert (first.name, first.pages, first.planned_articles) == ("stories.jsonl.gz", 3, 7)
    pages = pages_of(tmp_path / "a")
    assert pages == pages_of(tmp_path / "b")
    assert set(pages) == {"news_3_000000", "news_3_000001", "news_3_000002"}

    for story in STORIES:
        title = story["title"].rstrip("！")
        holding = [(text, day) for text, day in pages.values() if f"{title}\n" in text]
        assert len(holding) == 1, title
        text, day = holding[0]
        assert day == story["date"] + "\n"  # the page's sidecar holds the story's date
        for paragraph in filter(None, story["body"].split("\n")):
            assert text.count(paragraph) == 1
    # Same-date stories share a page; blocks are separated by one blank line.
    assert [day for _, day in pages.values()] == ["2015-03-01\n", "2015-03-02\n", "2015-03-03\n"]
    text = pages["news_3_000000"][0]
    assert text.startswith("长江经济带绿色发展取得新进展\n\n央视网消息（新闻联播）：长江沿线")
    assert "\n\n\n" not in text and text.endswith("。\n")
    # A story without a dateline gets one; a headline loses its end punctuation.
    assert "春耕备耕有序展开\n\n本报讯 各地抢抓农时" in text


def test_first_n_stories_only(tmp_path):
    source = write_gz(tmp_path / "stories.jsonl.gz", STORIES)
    corpus = bench_archive.write_corpus(tmp_path / "p", 5, 3, source)
    assert corpus.planned_articles == 5
    text = "".join(t for t, _ in pages_of(tmp_path / "p").values())
    assert "新能源汽车产销两旺" in text and "高校毕业生" not in text


def test_page_sizes_from_seed():
    for count in range(1, 40):
        sizes = bench_archive.page_sizes(count, random.Random(count))
        assert sum(sizes) == count
        assert all(3 <= s <= 6 for s in sizes) or (sizes == [count] and count < 3)
    many = [bench_archive.page_sizes(30, random.Random(seed)) for seed in (1, 1, 2)]
    assert many[0] == many[1] and many[0] != many[2]


def test_pipeline_reads_the_laid_out_headlines(tmp_path):
    from archive.ingest.parks import ParkLinker, load_registry_csv
    from archive.ingest.pipeline import process_page
    from archive.registry import REGISTRY_CSV

    source = write_gz(tmp_path / "stories.jsonl.gz", STORIES)
    bench_archive.write_corpus(tmp_path / "p", 7, 3, source)
    linker = ParkLinker(load_registry_csv(REGISTRY_CSV))
    titles = [draft.title for text, _ in pages_of(tmp_path / "p").values()
              for draft in process_page(text, linker)]
    assert titles == [s["title"].rstrip("！") for s in STORIES]


def write_plain(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


@pytest.mark.parametrize("make, reason", [
    (lambda d: d / "absent.jsonl.gz", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: write_plain(d / "plain.jsonl.gz", "{}\n"), "not a gzip file"),
    (lambda d: write_gz(d / "odd.jsonl.gz", [{"title": "t"}]), "line 1: not an object"),
])
def test_unreadable_corpus_is_one_line_and_status_2(tmp_path, make, reason):
    path = make(tmp_path)
    child = run_script("--corpus", str(path), "--articles", "5", "--json",
                       str(tmp_path / "out.json"))
    assert child.returncode == 2
    assert child.stdout == ""
    assert child.stderr.splitlines() == [child.stderr.strip()]
    assert child.stderr.startswith(f"bench: --corpus {path}: {reason}")
    assert not (tmp_path / "out.json").exists()


@pytest.mark.skipif(not bench_archive.NEWS_CORPUS.exists(),
                    reason=f"{bench_archive.NEWS_CORPUS} is absent (the shared news corpus)")
def test_shared_news_corpus_lays_out(tmp_path):
    corpus = bench_archive.write_corpus(tmp_path / "p", 200, 7, bench_archive.NEWS_CORPUS)
    assert corpus.planned_articles == 200
    pages = pages_of(tmp_path / "p")
    assert len(pages) == corpus.pages
    days = [day for _, day in pages.values()]
    assert days == sorted(days)
    assert all(t.count("\n\n") >= 2 for t, _ in pages.values())


@pytest.mark.parametrize(
    ("args", "names"),
    [([], "--data"), (["--data", "/nonexistent/parknews-data"], "--data /nonexistent")],
)
@pytest.mark.parametrize("script", ["rebuild_loop.py", "workers.py"])
def test_the_served_benches_refuse_a_missing_archive_in_one_line(script, args, names) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 2
    assert names in run.stderr.strip().splitlines()[-1]
    assert "Traceback" not in run.stderr


def test_the_workers_bench_serves_the_seeds_and_reports_its_floors(tmp_path) -> None:
    """bench/workers.py end to end over the ingested seeds: gunicorn's four workers
    answer the zero-hit needles with nothing (else their times would mean nothing), and
    every worker's memory and open index files are reported beside the floors."""
    data = tmp_path / "data"
    env = {**os.environ, "PARKNEWS_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    for command in (["migrate", "--noinput"], ["ingest", str(ROOT / "seeds")]):
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
    out = tmp_path / "workers.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "workers.py"), "--data",
                          str(data), "--rounds", "1", "--json", str(out)],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["articles"] == 32
    assert len(result["zero_hits_cold"]) == len(result["zero_hits_warm"]) == 8
    assert {status for _, _, status in result["zero_hits_cold"]} == {200}
    assert len(result["per_worker"]) == 4
    for worker in result["per_worker"].values():
        assert 0 < worker["private_mb"] < worker["rss_mb"] <= worker["peak_rss_mb"]
        assert 0 < worker["open_index_files"] <= 64  # the mix opened the index
    assert "floors: peak RSS" in run.stdout and "8 zero-hit /search/ at once, cold" in run.stdout
