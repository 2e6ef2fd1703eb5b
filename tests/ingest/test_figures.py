"""Figures and numerals, tested as data: a clause in, the figures expected out.

Most clauses are copied from the seed pages; qualifiers are as printed (超, not 超过).
More cases, on text of our own, are data files in tests/data/figures/. Expected figures
list only the fields that matter for the case; a case with no figures lists the things
that must not be read as figures (dates, ordinals, document names, slogans).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.ingest.figures import extract_figures
from archive.ingest.numerals import parse_chinese, parse_number, to_halfwidth
from archive.ingest.types import FigureDraft

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

NUMBERS: list[tuple[str, float | None]] = [
    ("71.69", 71.69),
    ("1,500", 1500),
    ("９６", 96),
    ("两", 2),
    ("十", 10),
    ("二十", 20),
    ("三十九", 39),
    ("三百", 300),
    ("一千五百", 1500),
    ("一千五", 1500),
    ("一百零二", 102),
    ("十二万", 120_000),
    ("十二亿三千万", 1_230_000_000),
    ("两个", 2),
    ("二〇二〇", 2020),
    ("4.6万", 46_000),
    ("1.8万", 18_000),
    ("30万", 300_000),
    ("5亿", 5e8),
    ("4.6万亿", 4.6e12),
    ("5千万", 5e7),
    ("百亿元级", None),
    ("万", None),
    ("十十", None),
    ("1,50", None),
    ("1.2.3", None),
    ("abc", None),
    ("", None),
]

CASES: list[tuple[str, list[dict[str, Any]]]] = [
    # Money, normalised to yuan.
    (
        "总投资71.69亿元",
        [
            {
                "label": "总投资",
                "value": 71.69,
                "value_text": "71.69",
                "unit": "亿元",
                "normalized_value": 7.169e9,
                "base_unit": "元",
            }
        ],
    ),
    (
        "设立1亿元的专项资金,并出台了科技信贷补偿政策等",
        [{"label": "专项资金", "unit": "亿元", "normalized_value": 1e8}],
    ),
    (
        "投入300万元专项资金,共组织包机4架次、专列2次",
        [
            {"label": "专项资金", "normalized_value": 3e6, "base_unit": "元"},
            {"label": "包机", "value": 4, "unit": "架次"},
            {"label": "专列", "value": 2, "unit": "次"},
        ],
    ),
    (
        "用地158亩、总投资1亿美元的项目(一期)计划将原位于德国的全球总部职能转移至嘉兴",
        [
            {"label": "用地", "value": 158, "unit": "亩", "base_unit": "亩"},
            {"label": "总投资", "unit": "亿美元", "normalized_value": 1e8, "base_unit": "美元"},
        ],
    ),
    ("出口额达3000万欧元", [{"label": "出口额", "normalized_value": 3e7, "base_unit": "欧元"}]),
    ("投资1亿元人民币", [{"label": "投资", "unit": "亿元", "normalized_value": 1e8}]),
    (
        "据了解,杨凌步长医药产业园项目占地800亩,计划投资有20亿元。",
        [
            {"label": "占地", "value": 800, "unit": "亩"},
            {"label": "投资", "normalized_value": 2e9},
        ],
    ),
    (
        "今年以来,通过绿色通道已帮助135户企业获得融资5.68亿元",
        [
            {"label": "企业", "value": 135, "unit": "户"},
            {"label": "融资", "normalized_value": 5.68e8},
        ],
    ),
    (
        "其中,投资5亿元以上项目3个,全产业链项目1个,签约资金83.44亿元。",
        [
            {"label": "投资", "normalized_value": 5e8, "qualifier": "以上"},
            {"label": "项目", "value": 3, "unit": "个"},
            {"label": "全产业链项目", "value": 1},
            {"label": "签约资金", "normalized_value": 8.344e9},
        ],
    ),
    (
        "该项目总投资100亿元,容纳30万台服务器,达产后年产值达38亿元。",
        [
            {"label": "总投资", "normalized_value": 1e10},
            {
                "label": "服务器",
                "value": 30,
                "unit": "万台",
                "normalized_value": 300_000,
                "base_unit": "台",
            },
            {"label": "年产值", "normalized_value": 3.8e9},
        ],
    ),
    ("项目全部达产后,将实现产值330亿元。", [{"label": "产值", "normalized_value": 3.3e10}]),
    ("天承杜仲叶资源综合利用开发项目总投资5.6亿元", [{"label": "总投资", "value": 5.6}]),
    ("营业收入900多亿元", [{"label": "营业收入", "normalized_value": 9e10, "qualifier": "多"}]),
    ("一千五百万元专项资金", [{"label": "专项资金", "value": 1500, "normalized_value": 1.5e7}]),
    ("为厦门贡献了近10亿元产值", [{"label": "产值", "normalized_value": 1e9, "qualifier": "近"}]),
    # Qualifiers are stripped from the label and kept apart.
    ("总投资超过200亿元", [{"label": "总投资", "qualifier": "超过", "normalized_value": 2e10}]),
    ("估算总投资约23.65亿元", [{"label": "总投资", "qualifier": "约"}]),
    ("总投资额超2亿元", [{"label": "总投资额", "qualifier": "超", "printed": "超2亿元"}]),
    (
        "2020年桂林高新区规模以上工业总产值突破300亿元,同比增长12%",
        [
            {
                "label": "规模以上工业总产值",
                "qualifier": "突破",
                "year": 2020,
                "normalized_value": 3e10,
            },
            # The year named earlier in the sentence is the growth's year too.
            {"label": "增长", "value": 12, "unit": "%", "year": 2020},
        ],
    ),
    ("优质企业达300余家", [{"label": "优质企业", "value": 300, "qualifier": "余"}]),
    (
        "从业人员41万余人",
        [{"label": "从业人员", "unit": "万人", "normalized_value": 410_000, "qualifier": "余"}],
    ),
    ("聚集了1.8万余名各类人才", [{"label": "各类人才", "normalized_value": 18_000}]),
    (
        "力争新签约项目不少于15个",
        [{"label": "新签约项目", "qualifier": "不少于", "status": "target"}],
    ),
    ("人才需求总量达到1300人以上", [{"label": "人才需求总量", "qualifier": "以上"}]),
    ("招聘现场共有近百家优质企业招贤纳才", [{"value": 100, "unit": "家", "qualifier": "近"}]),
    (
        "吸引了上百家辖区内企业参加",
        [{"label": "辖区内企业", "value": 100, "qualifier": "上", "printed": "上百家"}],
    ),
    # Counts: the thing counted may follow the measure word.
    (
        "目前,宁波高新区“一区十园”已拥有高新技术企业963家",
        [
            {
                "label": "高新技术企业",
                "value": 963,
                "unit": "家",
                "base_unit": "家",
                "quote": "目前,宁波高新区“一区十园”已拥有高新技术企业963家",
            }
        ],
    ),
    ("集聚中科院宁波材料所、北方材料科学与工程研究院等科研院所30家", [{"label": "科研院所"}]),
    ("今年1-2月,园区共完成企业入园审批69家", [{"label": "入园审批", "value": 69}]),
    ("累计新签约项目44个", [{"label": "新签约项目", "value": 44, "unit": "个"}]),
    ("载回1500名务工人员来昆山高新区企业就业", [{"label": "务工人员", "value": 1500}]),
    ("提供就业岗位340余个", [{"label": "就业岗位", "value": 340, "qualifier": "余"}]),
    ("今年计划再引入两个重要产品", [{"label": "重要产品", "value": 2, "value_text": "两"}]),
    ("开垦十个分园", [{"label": "分园", "value": 10}]),
    ("走访全国近20所高校", [{"label": "高校", "value": 20, "unit": "所", "qualifier": "近"}]),
    ("员工１,５００名", [{"value": 1500, "value_text": "１,５００", "unit": "名"}]),
    ("引进十二万人", [{"value": 12, "unit": "万人", "normalized_value": 120_000}]),
    ("提出了77条“硬核”新政", [{"label": "“硬核”新政", "value": 77, "unit": "条"}]),
    # Percentages and points.
    (
        "截至目前,园区已有350余家重点企业、重点项目复工复产,复工率达96%",
        [
            {"label": "重点企业", "value": 350},
            {"label": "复工率", "value": 96, "unit": "%", "base_unit": "%"},
        ],
    ),
    ("办结率97%", [{"label": "办结率", "value": 97, "unit": "%"}]),
    ("复工率达９６％", [{"label": "复工率", "value": 96, "value_text": "９６", "unit": "%"}]),
    ("占到全球光学膜总产能的30%", [{"label": "全球光学膜总产能", "value": 30}]),
    ("规模以上企业的本地培育率达70%以上", [{"label": "本地培育率", "qualifier": "以上"}]),
    (
        "比2016年底的比重18.7%提高了1.5个百分点",
        [
            {"label": "比重", "value": 18.7, "year": 2016},
            {"value": 1.5, "unit": "个百分点", "base_unit": "个百分点"},
        ],
    ),
    # Areas, volumes, capacities.
    (
        "年产能达到5亿平方米",
        [{"label": "年产能", "unit": "亿平方米", "normalized_value": 5e8, "base_unit": "平方米"}],
    ),
    (
        "先后与昆山登云科技职业学院共建近2万平方米联合培养基地",
        [{"label": "联合培养基地", "normalized_value": 20_000, "qualifier": "近"}],
    ),
    (
        "水面面积为2.51平方公里,蓄水量680万方",
        [
            {"label": "水面面积", "unit": "平方公里"},
            {"label": "蓄水量", "unit": "万方", "normalized_value": 6.8e6, "base_unit": "方"},
        ],
    ),
    ("比亚迪年产30GWh动力电池项目", [{"value": 30, "unit": "GWh"}]),
    ("装机容量达到5万千瓦", [{"label": "装机容量", "unit": "万千瓦", "base_unit": "千瓦"}]),
    # Ranges.
    (
        "月薪平均在3000-8000元",
        [{"value": 3000, "value_max": 8000, "unit": "元", "value_text": "3000-8000"}],
    ),
    (
        "每个党支部的人数控制在30-40人左右",
        [{"label": "人数", "value": 30, "value_max": 40, "qualifier": "左右"}],
    ),
    ("完善3-5年战略性新兴产业项目库", [{"value": 3, "value_max": 5, "unit": "年"}]),
    ("完善3—5年战略性新兴产业项目库", [{"value": 3, "value_max": 5, "unit": "年"}]),
    ("力争3至5年时间", [{"value": 3, "value_max": 5, "unit": "年"}]),
    # Years: the clause's own year, never today's.
    ("2017年,园区营业收入达838.7亿元", [{"label": "营业收入", "year": 2017}]),
    (
        "2020年有望实现产值5000万元,2023年预计突破3亿元",
        [
            {"label": "产值", "year": 2020},
            {"year": 2023, "qualifier": "突破"},
        ],
    ),
    ("今年,我们已经开展了20余次线上招商洽谈活动", [{"value": 20, "unit": "次", "year": None}]),
    # Not figures.
    ("2018年2月,国务院批复同意宁波、温州高新区建设国家自主创新示范区", []),
    ("5月11日,泰安高新区举行重点项目建设调度推进会", []),
    ("株洲高新区从今年4月份开始", []),
    ("据了解,今年一季度,株洲高新区招商工作成效显著", []),
    ("2016-2019年,无锡高新区创新发展总指数整体呈持续增长的趋势", []),
    ("新疆生产建设兵团第18批博士服务团一行到石河子高新区考察调研", []),
    ("利用成功举办四川第二届国际航展", []),
    ("也是今年以来烟台高新区举办的第4场大型线下招聘会", []),
    ("如今已是园区内的第一家企业", []),
    ("完善《沈阳高新区产业促进20条》中的“0235”政策", []),
    ("泰安高新区加快推进“双32”重点项目建设", []),
    ("能讯先后牵头承担了国家“863”计划", []),
    ("全力推进“三次创业”", []),
    ("基于工业4.0之上的中药生产线,5G应用成就了园区", []),
    ("高品质打造K12教育小镇", []),
    ("“十三五”期间", []),
    ("聚集了飞腾、麒麟、紫光、曙光、腾讯、360等一批领军企业", []),
    ("在全国高新区综合评价中上升至71位", []),
    ("申请工作许可的年龄放宽至65岁", []),
    ("已形成15分钟交通圈,加快融入成都半小时经济圈", []),
    ("坐上7:20准时发车的白金大道专线公交车", []),
    ("杨凌农高区打造百亿元级产业集群", []),
    ("培育形成农产品加工200亿元级产业集群", []),
    ("培育形成了销售收入百亿级企业", []),
    ("中电科三十九所卫星应用系统天线", []),
    ("由五方合作参与设立", []),
    ("从深化改革、创新发展等六方面着力", []),
    ("对重大招商项目建立“一个项目、一个领导、一个专班、一套机制”的包办工作机制", []),
    ("建立了一月一通报、两月一会办、一季一点评、半年一观摩、一年一述职的推进机制", []),
    ("包括数百万条裁判规则、数百万个法律要素", []),
    ("走进千家万户", []),
    ("连续四个季度在项目拉练中保持第一", []),
    ("联系电话0771-12345678", []),
]


def _check(figure: FigureDraft, expected: dict[str, Any]) -> None:
    for field, want in expected.items():
        got = getattr(figure, field)
        if isinstance(want, float | int) and not isinstance(want, bool) and got is not None:
            assert got == pytest.approx(want, rel=1e-9), (field, figure)
        else:
            assert got == want, (field, figure)


def _assert_well_formed(text: str, figures: list[FigureDraft]) -> None:
    for figure in figures:
        assert 0 <= figure.start < figure.end <= len(text), figure
        assert text.startswith(figure.value_text, figure.start), figure
        assert figure.value_text and figure.value_text in figure.quote, figure
        assert figure.label in figure.quote, figure
        assert figure.unit and figure.base_unit, figure
        assert figure.quote in text, figure
    assert [f.start for f in figures] == sorted(f.start for f in figures)


@pytest.mark.parametrize(("text", "number"), NUMBERS)
def test_it_parses_printed_numbers(text: str, number: float | None) -> None:
    got = parse_number(text)
    assert got == (None if number is None else pytest.approx(number))


def test_it_reads_chinese_numerals_only_when_whole() -> None:
    assert parse_chinese("一千五百") == 1500
    assert parse_chinese("一千五百元") is None
    assert to_halfwidth("９６％") == "96%"


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:24] for c in CASES])
def test_it_extracts_figures(text: str, expected: list[dict[str, Any]]) -> None:
    figures = extract_figures(text)
    assert len(figures) == len(expected), figures
    for figure, want in zip(figures, expected, strict=True):
        _check(figure, want)
    _assert_well_formed(text, figures)


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name[:3] for s in SEEDS])
def test_it_reads_every_seed_page_cleanly(seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    figures = extract_figures(text)
    assert len(figures) >= 30
    _assert_well_formed(text, figures)
    for figure in figures:
        # Dates and ordinals never come out as figures.
        assert not (figure.unit == "年" and figure.value_max is None), figure
        assert text[figure.start - 1 : figure.start] != "第", figure


@pytest.mark.parametrize(
    "text",
    [
        "",
        "。,;!?“”《》",
        "\x00\x01\x02\x1b\u200b\ufeff",
        "1" * 5000,
        "一" * 2000,
        "万" * 2000,
        "亿元" * 2000,
        "3-",
        "-5家",
        ",000家",
        "\ud800孤立代理",
    ],
)
def test_it_never_raises(text: str) -> None:
    _assert_well_formed(text, extract_figures(text))


@pytest.mark.parametrize(
    "unit",
    [
        "园区总投资12亿元" + "新增企业与研发机构" * 10,
        "1" * 100,
        "一二三四五六七八九十" * 10,
        "万" * 100,
    ],
    ids=["prose", "digits", "numerals", "wan"],
)
def test_it_reads_100kb_without_punctuation(unit: str) -> None:
    # Its speed is measured by bench/ingest_steps.py; here, that it ends and stays sane.
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    figures = extract_figures(text)
    assert all(len(f.quote) <= 200 for f in figures)


_ALPHABET = st.sampled_from(
    list("0123456789０９.,-—至余多约近超第年月日元亿万千百十两一三个家名%％亩人“”《》,。;\n ")
    + list("总投资企业项目高新区的达")
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), st.text(_ALPHABET, max_size=80)))
def test_it_is_total_on_any_text(text: str) -> None:
    _assert_well_formed(text, extract_figures(text))
