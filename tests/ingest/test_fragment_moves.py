"""The fragment finder's fast search (`fragments._best_move`, vectors kept current as the
tail grows) chooses the move the plain definition does: every tail from the longest
allowed up, compared afresh with its head and with each earlier article.

Pages here are random articles of seed sentences (real text, names and zones included),
some cut mid-sentence, some opened by a subhead, so every rule of the module is met.
"""

from __future__ import annotations

import random
import re

from archive.ingest import fragments
from archive.ingest.assemble import Para, RawArticle
from archive.ingest.pipeline import RememberedZones
from archive.ingest.text import ends_sentence
from archive.ingest.topic import PageTopics


def _reference_best_move(articles, index, zones, topics):
    """The definition, written as plainly as it reads in the module's docstring."""
    host = articles[index]
    best = None
    first = max(1, len(host.paras) - fragments.MAX_TAIL_PARAS)
    targets = [t for t in range(max(0, index - fragments.MAX_TARGETS_BACK), index)
               if articles[t].paras]
    for start in range(first, len(host.paras)):
        tail = [p.text for p in host.paras[start:]]
        head = fragments._parts(host, host.paras[:start])
        tail_zones = set(zones.parks_in("\n".join(tail)))
        head_zones = set(zones.parks_in("\n".join(head)))
        to_head = topics.similarity(tail, head)
        before = host.paras[start - 1]
        leaves_cut = not before.is_subhead and not ends_sentence(before.text)
        for t in targets:
            target = articles[t]
            parts = fragments._parts(target, target.paras)
            cut = not ends_sentence(target.paras[-1].text) and not host.paras[start].is_subhead
            if start <= len(host.paras) // 2 and not (cut or leaves_cut):
                continue
            shared_zone = bool((tail_zones - head_zones) & set(zones.parks_in("\n".join(parts))))
            margin = topics.similarity(tail, parts) - to_head
            if cut or (shared_zone and leaves_cut):
                needed = fragments.MIN_MARGIN_AT_CUT
            elif shared_zone:
                needed = fragments.MIN_MARGIN
            else:
                needed = fragments.MIN_MARGIN_TOPIC_ONLY
            if margin >= needed and (best is None or margin > best[2]):
                best = (start, t, margin)
    return best


def _sentences(seed_texts: dict[str, str]) -> list[str]:
    sentence = re.compile(r"[^。！？\n]{4,80}[。！？]")
    return [s for text in seed_texts.values() for s in sentence.findall(text)]


def test_the_fast_search_moves_what_the_definition_moves(linker, seed_texts) -> None:
    sentences = _sentences(seed_texts)
    assert len(sentences) > 200
    rng = random.Random(3)
    zones = RememberedZones(linker)
    compared = moved = 0
    for _ in range(150):
        articles = []
        for _ in range(rng.randint(2, 6)):
            paras = []
            for _ in range(rng.randint(1, 9)):
                text = "".join(rng.sample(sentences, rng.randint(1, 2)))
                if rng.random() < 0.25:
                    text = text[: rng.randint(3, len(text) - 1)]  # a column cut mid-sentence
                paras.append(Para(text, [], is_subhead=rng.random() < 0.1))
            articles.append(RawArticle(title=rng.choice(sentences)[:12], paras=paras))
        topics = PageTopics(p.text for a in articles for p in a.paras)
        for index in range(len(articles)):
            fast = fragments._best_move(articles, index, zones, topics)
            plain = _reference_best_move(articles, index, zones, topics)
            assert (fast and (fast.start, fast.target)) == (plain and plain[:2])
            compared += 1
            moved += fast is not None
    assert compared > 400 and moved > 20  # the moves were really tried


def test_a_tail_of_words_on_every_paragraph_has_no_topic(linker) -> None:
    """Bigrams found in every paragraph of a page weigh nothing; a tail made only of them
    has no length, and compares with nothing (once a division by zero)."""
    from archive.ingest.pipeline import process_page

    page = (
        "园区发展新动能\n\n本报讯 高新区发展势头很好，企业数量不断增加。\n\n高新区。\n\n\n"
        "园区建设提速\n\n本报讯 高新区建设加快推进，项目陆续开工。\n\n高新区。\n"
    )
    titles = [d.title for d in process_page(page, linker)]
    assert titles == ["园区发展新动能", "园区建设提速"]
