"""Where a new article starts: evidence for and against, weighed together.

A run of headline-like lines in the middle of a page is either the headline of the next
article or a subhead of the open one. No single cue decides it on pages nobody here has
read, so each cue below adds or takes away a weight, and the run opens an article when
the sum reaches `OPEN_AT`. The cues are about the shape of the page and of the text, not
about particular words:

* what follows the run: a dateline (`本报讯`, `新华社…电`, `央视网消息：`) or a byline opens a
  report; a previous article signed off by its authors has ended (these three decide alone);
* the run's own shape: a kicker stacked over the headline, a two-part `主题：陈述` head;
* a zone the headline names, with the same evidence rule as park linking (an alias such
  as 光谷 counts only when the text under it names the zone plainly);
* the turn of topic: the text under the run shares little with the open article (page-
  weighted bigram similarity, `topic.py`), or much; or it goes on with an earlier article
  (a column printed out of place, which `fragments` gives back);
* a sentence the layout cut just before the run, which a headline never interrupts.

The weights were set by reasoning about each cue's reliability and then checked on the seed
and development pages; `tests/ingest/test_boundaries.py` shows each cue at work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPEN_AT = 2.0

# Decisive: an article starts here whatever else is true.
DECISIVE = 10.0
STACKED_HEADLINE = 2.5  # a kicker over a headline: subheads are printed alone
NAMES_NEW_ZONE = 2.0  # the headline names a zone the open article is not about
NAMES_OPEN_ZONE = 0.5  # …or the zone it is about (a weaker sign: subheads rarely name it)
TWO_PART_HEAD = 1.0  # `北京：…`, `走基层——居马泰：…`: a headline's topic-colon form
TOPIC_BREAK = 2.0  # the text below shares next to nothing with the open article
TOPIC_TURN = 1.0  # …or little (sections of one article often share this little)
TOPIC_SAME = -2.0  # …or plainly goes on with it
RETURNS_TO_EARLIER = -2.0  # the text below goes on with an earlier article: a displaced column
CUT_SENTENCE = -3.0  # the open article stops mid-sentence and the text below goes on

# Similarity bands (cosine of page-weighted bigram vectors, see topic.py).
TOPIC_BREAK_BELOW = 0.025
TOPIC_TURN_BELOW = 0.06
TOPIC_SAME_ABOVE = 0.16

# A colon or dash between two parts, not at either end: `主题：陈述`. Subheads are single
# phrases; the two-part form is a headline's.
_TWO_PART_HEAD = re.compile(r"^\S.{1,40}?(?:[:：]|——|─)\s*\S")


@dataclass
class Verdict:
    """The cues found for one headline run and their weights."""

    cues: list[tuple[str, float]] = field(default_factory=list)

    def add(self, name: str, weight: float) -> None:
        self.cues.append((name, weight))

    @property
    def score(self) -> float:
        return sum(weight for _, weight in self.cues)

    @property
    def opens(self) -> bool:
        return self.score >= OPEN_AT


@dataclass(frozen=True)
class RunContext:
    """What the assembler knows around a headline run."""

    headline: str  # the run's lines, joined
    stacked: bool  # more than one headline-like block (kicker over title)
    decisive: str | None  # why an article must start here, if something says so
    names_zone: bool  # the headline names a zone (with evidence)
    names_open_zone: bool  # …and it is the zone of the open article
    topic_similarity: float | None  # text below vs the open article; None if nothing below
    earlier_similarity: float  # text below vs the closest earlier article on the page
    below_names_earlier_zone: bool  # the text below names the zone of an earlier article
    cuts_sentence: bool  # the open article's last paragraph stops mid-sentence


def weigh(context: RunContext) -> Verdict:
    """The evidence that the run opens a new article."""
    verdict = Verdict()
    if context.decisive:
        verdict.add(context.decisive, DECISIVE)
        return verdict
    if context.stacked:
        verdict.add("stacked", STACKED_HEADLINE)
    if context.names_zone:
        if context.names_open_zone:
            verdict.add("names-open-zone", NAMES_OPEN_ZONE)
        else:
            verdict.add("names-zone", NAMES_NEW_ZONE)
    if _TWO_PART_HEAD.match(context.headline):
        verdict.add("two-part-head", TWO_PART_HEAD)
    similarity = context.topic_similarity
    if similarity is not None:
        if similarity < TOPIC_BREAK_BELOW:
            verdict.add("topic-break", TOPIC_BREAK)
        elif similarity < TOPIC_TURN_BELOW:
            verdict.add("topic-turn", TOPIC_TURN)
        elif similarity > TOPIC_SAME_ABOVE:
            verdict.add("topic-same", TOPIC_SAME)
        earlier = context.earlier_similarity
        if earlier > similarity and (
            earlier > TOPIC_SAME_ABOVE or context.below_names_earlier_zone
        ):
            verdict.add("returns-to-earlier", RETURNS_TO_EARLIER)
    if context.cuts_sentence:
        verdict.add("cut-sentence", CUT_SENTENCE)
    return verdict
