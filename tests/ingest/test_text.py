"""Sentence ends, datelines and bylines as the ingest steps read them."""

from __future__ import annotations

import pytest

from archive.ingest.classify import Kind, byline_names, classify
from archive.ingest.datelines import split_dateline
from archive.ingest.text import ends_sentence


@pytest.mark.parametrize("text", [
    "园区全年实现营业收入2000亿元。",
    "“我们会继续努力。”",
    "新闻发布会在北京举行。（记者 李明）",
    "新闻发布会在北京举行。(完)",
    "各项工作有序推进。（据新华社电） ",
    "并关闭了黄河沿岸风景区。（视频编辑：张贝龙 文字编辑：刘禛）",
    "“项目已经投产。”（本报记者 王芳 通讯员 赵刚）",
])
def test_a_sentence_end_or_a_note_after_one_ends_the_text(text: str) -> None:
    assert ends_sentence(text)


@pytest.mark.parametrize("text", [
    "今年上半年园区新增企业",
    "总投资达5亿元（人民币）",  # a bracket inside the sentence, not a note after it
    "（记者 李明）",  # a note alone ends nothing
    "据介绍，该项目（一期",
    "",
])
def test_text_cut_before_its_end_does_not_end_a_sentence(text: str) -> None:
    assert not ends_sentence(text)


@pytest.mark.parametrize(("text", "dateline"), [
    ("本报讯 园区全年实现营业收入2000亿元。", "本报讯"),
    ("新华社北京9月2日电（记者 王伟）园区全年实现营业收入。", "新华社北京9月2日电（记者 王伟）"),
    ("科技日报西安5月3日电 园区全年实现营业收入2000亿元。", "科技日报西安5月3日电"),
    ("新华社快讯：园区全年实现营业收入2000亿元。", "新华社快讯："),
    # 通讯 is the genre of a feature story, named in its headline, not a dateline's 讯.
    ("新华社长篇通讯：铭记历史 砥砺奋进——写在抗战胜利75周年之际", None),
    ("本报通讯：一座园区的十年", None),
])
def test_a_dateline_opens_a_report(text: str, dateline: str | None) -> None:
    found, _ = split_dateline(text)
    assert (found.text if found else None) == dateline


@pytest.mark.parametrize(("line", "names"), [
    ("本报记者 王伟 李娜", ["王伟", "李娜"]),
    ("本报通讯员 赵磊 本报记者 黄芳", ["赵磊", "黄芳"]),
    ("本报驻京记者 张敏", ["张敏"]),
    ("首席记者 刘洋", ["刘洋"]),
    ("记者 陈静 实习生 周杰", ["陈静", "周杰"]),
])
def test_a_byline_credits_its_people_whatever_their_role(line: str, names: list[str]) -> None:
    assert classify(line) is Kind.BYLINE
    assert byline_names(line) == names


def test_only_the_last_few_notes_are_read_past() -> None:
    assert ends_sentence("新闻发布会在北京举行。（记者 李明）（完）")
    assert ends_sentence("新闻发布会在北京举行。（记者 李明）（通讯员 王刚）（完）")
    # A hostile run of notes is read no further than a few (nor recursed into, nor
    # scanned whole): the answer comes from the text's own end.
    assert not ends_sentence("新闻发布会在北京举行。" + "（记者 李明）" * 5000)
