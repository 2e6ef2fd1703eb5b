"""Sentence ends as the ingest steps judge them (`archive/ingest/text.py`)."""

from __future__ import annotations

import pytest

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
