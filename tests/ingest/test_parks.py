"""The park linker: which zones a text names, and which one an article is about.

Most cases are sentences copied from the seed pages; the rest are the traps the product's
standard ("a wrong park is worse than none") is about. Plain pytest: no database.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.parks import ParkLinker, load_registry_csv
from archive.ingest.types import ParkEntry, ParkMention
from archive.registry import REGISTRY_CSV

# (text, [(park, surface, known), ...]) in text order.
MENTION_CASES: list[tuple[str, list[tuple[str, str, bool]]]] = [
    # --- sentences from the seed pages ---
    (
        "近日,总投资71.69亿元,包括天承生物项目在内的10个项目集中在西安高新区开工。",
        [("西安高新区", "西安高新区", True)],
    ),
    (
        "2018年2月,国务院批复同意宁波、温州高新区建设国家自主创新示范区。",
        [("宁波高新区", "宁波", True), ("温州高新区", "温州高新区", True)],
    ),
    (
        "北仑大碶高端汽配模具园区是宁波高新区“一区十园”的北仑分园重要部分。",
        [("宁波高新区", "宁波高新区", True)],
    ),
    (
        "“2010年成立时,我们是宁波江北高新技术产业园内的第一家企业,如今已实现反射膜技术的"
        "国产化替代。”",
        [],
    ),
    (
        "黄利琴介绍说,与此同时,宁波工业园区原先“小而散”局面也限制着各产业园创新发展能级的提升。",
        [],
    ),
    ("当下,诸多国家高新区相继走上“一区多园”的道路。", []),
    (
        "全力推动招商引项目落地见效,奋力冲刺时间过半、任务过半“双过半”,实现高新区高质量发展。",
        [],
    ),
    ("这样的比赛,能够让高新区各部门更好地为企业服务。", []),
    (
        "探索建立联动招商、项目跨区转移、分园合作开发等机制,构建高新区创新引领、全市域产业协同的利益共同体。",
        [],
    ),
    (
        "“宁波高新区紧邻宁波市中心城区,随着开发建设规模扩大,土地等资源要素制约了高新区的发展空间。”",
        [("宁波高新区", "宁波高新区", True)],
    ),
    (
        "先进制造园区以浒墅关经济技术开发区为主,与苏州高新区综合保税区、浒墅关镇实行融合发展",
        [("苏州高新区", "苏州高新区", True)],
    ),
    (
        "此次功能整合是为了更好地推动苏州高新区经济结构优化调整和发展方式转变,不断提升高新区"
        "竞争优势和发展后劲",
        [("苏州高新区", "苏州高新区", True)],
    ),
    (
        "本报讯 近日,未来食品科创中心项目在嘉兴秀洲高新区签约,将为嘉兴秀洲高新区正在谋划的"
        "智联大健康产业园插上“腾飞的翅膀”",
        [("嘉兴秀洲高新区", "嘉兴秀洲高新区", True)] * 2,
    ),
    (
        "本报讯 近日从杨凌农业高新技术产业示范区传来消息,“十三五”期间,杨凌农高区瞄准“产业高地”目标",
        [
            ("杨凌农高区", "杨凌农业高新技术产业示范区", True),
            ("杨凌农高区", "杨凌农高区", True),
        ],
    ),
    (
        "生物医药是杨凌农高区的主导产业之一,产业集聚度位居陕西省第二。作为杨凌生物医药产业集群"
        "的领头羊,杨凌步长医药产业园项目建成投产",
        [("杨凌农高区", "杨凌农高区", True)] + [("杨凌农高区", "杨凌", True)] * 2,
    ),
    ("作为杨凌生物医药产业集群的领头羊,杨凌步长医药产业园项目建成投产", []),
    (
        "2020年,为助推企业复工复产,昆\n\n山高新区远赴云南、贵州等劳务合作基地为企业精准对接",
        [("昆山高新区", "昆\n\n山高新区", True)],
    ),
    (
        "据桂林高新区管委会主要负责介绍,2020年桂林高新区规模以上工业总产值突破300亿元,同比增长"
        "12%,在全国169家国家高新区综合评价中上升至71位。",
        [("桂林高新区", "桂林高新区", True)] * 2,
    ),
    ("沈阳高新区：“软服务”提升“硬实力”", [("沈阳高新区", "沈阳高新区", True)]),
    ("围绕重大平台招商,充分发挥自贸区、自创区、高新区的叠加品牌优势", []),
    (
        "5月27日,天津腾讯网络技术有限公司成功摘牌位于天津滨海高新区渤龙湖的290亩土地",
        [("天津滨海高新区", "天津滨海高新区", True)],
    ),
    (
        "天津滨海高新区是天津市和天津滨海新区新动能引育的主力军。",
        [("天津滨海高新区", "天津滨海高新区", True)],
    ),
    (
        "近日,天津市科学技术局、天津滨海新区政府出台《关于促进天津滨海高新技术产业开发区高质量"
        "发展具体落实举措》",
        [("天津滨海高新区", "天津滨海高新技术产业开发区", True)],
    ),
    (
        "石河子高新区于2013年经国务院批准升级为国家高新区,由科技部和兵团农八师石河子市共建。",
        [("石河子高新区", "石河子高新区", True)],
    ),
    ("以获批国家高新区为契机,加快建立与国家高新区相适应的运行管理、投融资、创新驱动新机制", []),
    (
        "近年来,厦门火炬高新区紧跟“数字中国”建设步伐,深耕“数字园区”发展战略",
        [("厦门火炬高新区", "厦门火炬高新区", True)],
    ),
    (
        "本报讯 近日,由无锡高新区管委会、中国科学院科技战略咨询研究院中国高新区研究中心联合编制"
        "的《无锡国家高新技术产业开发区创新发展指数(2020)》发布。",
        [("无锡高新区", "无锡高新区", True), ("无锡高新区", "无锡国家高新技术产业开发区", True)],
    ),
    # --- ambiguous short aliases need evidence ---
    ("火炬传递活动在市中心举行", []),
    ("张江同志表示,要抓好项目建设。", []),
    ("中关村大街上人来人往", []),
    ("光谷", []),
    ("海泰集团发布年报", []),
    (
        "东湖高新区近日发布新政。光谷企业纷纷响应。",
        [("东湖高新区", "东湖高新区", True), ("东湖高新区", "光谷", True)],
    ),
    (
        "天津高新区华苑产业区内,海泰集团",
        [
            ("天津滨海高新区", "天津高新区", True),
            ("天津滨海高新区", "华苑产业区", True),
            ("天津滨海高新区", "海泰", True),
        ],
    ),
    ("中关村科学城建设提速", [("中关村", "中关村", True)]),
    ("张江科学城建设提速", [("张江高新区", "张江科学城", True)]),
    ("中关村科技园区", [("中关村", "中关村科技园区", True)]),
    ("火炬高新区", []),  # shared by the 厦门, 威海 and 中山 zones
    (
        "威海火炬高新区召开大会。火炬高新区企业参加。",
        [("威海火炬高新区", "威海火炬高新区", True), ("威海火炬高新区", "火炬高新区", True)],
    ),
    ("广西高新区、江西高新区", []),  # no 西高新 (西安高新区) inside a province name
    # --- longest match wins, nothing shadowed ---
    ("天津滨海高新区成立专班", [("天津滨海高新区", "天津滨海高新区", True)]),
    ("嘉兴秀洲高新区签约", [("嘉兴秀洲高新区", "嘉兴秀洲高新区", True)]),
    ("湖州莫干山高新区", [("湖州莫干山高新区", "湖州莫干山高新区", True)]),
    (
        "长春净月高新区和长春高新区",
        [("长春净月高新区", "长春净月高新区", True), ("长春高新区", "长春高新区", True)],
    ),
    (
        "苏州工业园区和苏州高新区",
        [("苏州工业园区", "苏州工业园区", True), ("苏州高新区", "苏州高新区", True)],
    ),
    ("秀洲高新区", [("嘉兴秀洲高新区", "秀洲高新区", True)]),
    # --- variants of registry names ---
    ("西安市高新区", [("西安高新区", "西安市高新区", True)]),
    ("长春市净月高新区", [("长春净月高新区", "长春市净月高新区", True)]),
    ("西安国家高新区", [("西安高新区", "西安国家高新区", True)]),
    ("在西安高新区开工", [("西安高新区", "西安高新区", True)]),
    ("浙江宁波高新区", [("宁波高新区", "宁波高新区", True)]),
    ("陕西安康高新区", [("安康高新区", "安康高新区", True)]),
    ("西安 高新区", [("西安高新区", "西安 高新区", True)]),
    ("西安\u3000高新区", [("西安高新区", "西安\u3000高新区", True)]),
    (
        "湖南长沙、株洲、湘潭高新区",
        [
            ("长沙高新区", "长沙", True),
            ("株洲高新区", "株洲", True),
            ("湘潭高新区", "湘潭高新区", True),
        ],
    ),
    ("广州市、深圳高新区", [("广州高新区", "广州市", True), ("深圳高新区", "深圳高新区", True)]),
    # --- zones missing from the registry ---
    ("阿里山高新区举行开工仪式", [("阿里山高新区", "阿里山高新区", False)]),
    ("项目落户阿里山高新区", [("阿里山高新区", "阿里山高新区", False)]),
    (
        "近日,阿里山高新区举行开工仪式。阿里山高新区管委会表示",
        [("阿里山高新区", "阿里山高新区", False)] * 2,
    ),
    ("近日,阿里山高新区举行开工仪式。", []),  # printed once, no cue: not enough
    ("阿里山市高新区揭牌", [("阿里山高新区", "阿里山市高新区", False)]),
    ("阿里山国家高新区揭牌", [("阿里山高新区", "阿里山国家高新区", False)]),
    ("在上海金山高新区", [("上海金山高新区", "上海金山高新区", False)]),
    ("在和田高新区", [("和田高新区", "和田高新区", False)]),
    (
        "去年市阿里山高新区产值增长,市阿里山高新区",
        [("阿里山高新区", "阿里山高新区", False)] * 2,
    ),
    ("国家高新区", []),
    ("该高新区", []),
    ("全国高新区", []),
    ("高新区", []),
    ("各高新区", []),
    ("两高新区", []),
    ("省级高新区", []),
    ("全省各高新区", []),
    ("浙江高新区", []),
    ("打造一流高新区", []),
    ("建设创新型高新区", []),
    ("中国高新区研究中心", []),
    ("宁波、阿里山高新区", []),
    # --- degenerate input ---
    ("", []),
    ("\x00\x01\ud800", []),
]


@pytest.mark.parametrize(("text", "expected"), MENTION_CASES)
def test_find_mentions(linker: ParkLinker, text: str, expected: list) -> None:
    found = [(m.park, m.surface, m.known) for m in linker.find_mentions(text)]
    assert found == expected


def test_offsets_point_into_the_original_text(linker: ParkLinker) -> None:
    text = "ＡＢＣ，西安\n高新区１２３"
    [mention] = linker.find_mentions(text)
    assert mention == ParkMention("西安高新区", "西安\n高新区", 4, 10, True)
    assert text[mention.start : mention.end] == mention.surface


# (title, kicker, subtitle, body, expected main park)
MAIN_PARK_CASES: list[tuple[str, str, str, str, str | None]] = [
    (
        "宁波高新区提升发展能级有高招",
        "产业纽带串起“一区十园”",
        "",
        "当下,诸多国家高新区相继走上“一区多园”的道路。\n2018年2月,国务院批复同意宁波、温州高新区建设"
        "国家自主创新示范区。",
        "宁波高新区",
    ),
    (
        "总投资71.69亿元 西安高新区10个项目集中开工",
        "",
        "",
        "本报讯 近日,总投资71.69亿元,包括天承生物项目在内的10个项目集中在西安高新区开工。",
        "西安高新区",
    ),
    ("全国最大IDC数据机房 落户天津滨海高新区", "", "", "", "天津滨海高新区"),
    ("瞄准“产业高地”目标 杨凌农高区打造百亿元级产业集群", "", "", "", "杨凌农高区"),
    ("西安高新区与宁波高新区签约", "", "", "", "西安高新区"),  # first in title
    ("“软服务”提升“硬实力”", "沈阳高新区", "", "", "沈阳高新区"),  # kicker
    ("“软服务”提升“硬实力”", "", "沈阳高新区招商忙", "", "沈阳高新区"),  # subtitle
    (
        "厦门软件园入驻企业总数超过6600家",
        "",
        "",
        "本报讯 今年,火红的凤凰花依旧在枝头热烈迎着夏末的阳光。\n一张厦门火炬高新区的服务流动图在"
        "各个园区点缀铺开。目前,厦门火炬高新区高度的自主孵化形成了全链条培育体系。",
        "厦门火炬高新区",
    ),
    (
        "招聘会举行",
        "",
        "",
        "近日,宁波高新区举办招聘会。\n来自西安高新区、西安高新区的企业也参加了。",
        "西安高新区",
    ),  # most mentioned
    (
        "招聘会举行",
        "",
        "",
        "近日,宁波高新区和西安高新区举办招聘会。\n宁波高新区、西安高新区企业参加。",
        "宁波高新区",
    ),  # tie: first mentioned
    ("招聘会举行", "", "", "近日,宁波高新区举办招聘会。\n企业踊跃参加。", "宁波高新区"),
    ("招聘会举行", "", "", "企业踊跃参加。\n来自宁波高新区的企业也参加了。", None),
    ("光谷企业发力", "", "", "东湖高新区发布新政。", "东湖高新区"),  # evidence in body
    ("张江同志表示", "", "", "要抓好项目建设。", None),
    ("阿里山高新区举行开工仪式", "", "", "近日,阿里山高新区举行开工仪式。", "阿里山高新区"),
    ("园区动态", "", "", "", None),
    ("", "", "", "", None),
]


@pytest.mark.parametrize(("title", "kicker", "subtitle", "body", "expected"), MAIN_PARK_CASES)
def test_main_park(
    linker: ParkLinker, title: str, kicker: str, subtitle: str, body: str, expected: str | None
) -> None:
    assert linker.main_park(title=title, kicker=kicker, subtitle=subtitle, body=body) == expected


# Read by eye from each seed page: the zones it names, in order of first mention.
SEED_PAGE_PARKS = {
    "000_eec577c9bc695ea4.txt": [
        "宁波高新区",
        "潍坊高新区",
        "温州高新区",  # 宁波、温州高新区
        "西安高新区",
        "株洲高新区",
        "泰安高新区",
        "贵阳高新区",
    ],
    "001_913c97220e047884.txt": [
        "沈阳高新区",
        "桂林高新区",
        "苏州高新区",
        "嘉兴秀洲高新区",
        "昆山高新区",
        "杨凌农高区",
    ],
    "002_559b40d3858c5e08.txt": [
        "德阳高新区",
        "西安高新区",
        "成都高新区",
        "昆山高新区",
        "郴州高新区",
        "天津滨海高新区",
    ],
    "003_3b7b63bd7187fec8.txt": [
        "石河子高新区",
        "楚雄高新区",
        "延吉高新区",
        "襄阳高新区",
        "厦门火炬高新区",
        "玉溪高新区",
    ],
    "004_a47ea2bfe5e6e35c.txt": [
        "济宁高新区",
        "南宁高新区",
        "西安高新区",
        "厦门火炬高新区",
        "无锡高新区",
        "天津滨海高新区",
        "烟台高新区",
        "石嘴山高新区",
    ],
}


def test_seed_pages_name_the_expected_parks(linker: ParkLinker, seed_texts: dict[str, str]) -> None:
    assert set(seed_texts) == set(SEED_PAGE_PARKS)
    for name, text in seed_texts.items():
        assert linker.parks_in(text) == SEED_PAGE_PARKS[name], name
        mentions = linker.find_mentions(text)
        assert all(m.known for m in mentions), name
        assert all(text[m.start : m.end] == m.surface for m in mentions), name


def test_registry_csv_loads() -> None:
    entries = load_registry_csv(REGISTRY_CSV)
    assert len(entries) == 176
    by_name = {e.short_name: e for e in entries}
    assert by_name["杨凌农高区"].full_name == "杨凌农业高新技术产业示范区"
    assert "厦门高新区" in by_name["厦门火炬高新区"].aliases
    assert by_name["天津滨海高新区"].aliases[-1] == "海泰"
    assert by_name["石家庄高新区"].aliases == ()


def test_entries_from_the_database_shape() -> None:
    """The store passes zones it created for review (no city, no aliases) back in."""
    linker = ParkLinker(
        [ParkEntry("阿里山高新区"), ParkEntry(""), ParkEntry("区"), ParkEntry("西安高新区")]
    )
    assert linker.parks_in("近日,阿里山高新区举行开工仪式。西安高新区") == [
        "阿里山高新区",
        "西安高新区",
    ]



_FRAGMENTS = [
    "西安高新区",
    "天津滨海高新区",
    "光谷",
    "张江",
    "东湖高新区",
    "高新区",
    "国家",
    "、",
    "在",
    "阿里山",
    "市",
    "\n",
    " ",
    "，",
    "ＡＢ",
    "㍿",
    "\u200b",
]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=4)), max_size=30))
def test_mentions_are_well_formed(linker: ParkLinker, parts: list[str]) -> None:
    text = "".join(parts)
    mentions = linker.find_mentions(text)
    last_end = 0
    for m in mentions:
        assert last_end <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface
        last_end = m.end
    assert linker.parks_in(text) == list(dict.fromkeys(m.park for m in mentions))
    main = linker.main_park(title=text[:10], kicker=text[10:20], body=text)
    assert main is None or isinstance(main, str)


def test_a_page_s_remembered_answers_are_the_linker_s(linker, seed_texts, monkeypatch) -> None:
    from archive.ingest.pipeline import RememberedZones

    monkeypatch.setattr(RememberedZones, "LIMIT", 16)
    remembered = RememberedZones(linker)
    texts = [line for text in seed_texts.values() for line in text.splitlines() if line]
    assert len(texts) > 2 * RememberedZones.LIMIT
    for text in texts + texts:  # the second time from memory, or after it was cleared
        found = remembered.find_mentions(text)
        assert found == linker.find_mentions(text)
        assert remembered.parks_in(text) == linker.parks_in(text)
        found.clear()  # a caller's change to its answer never reaches the next caller
        assert remembered.find_mentions(text) == linker.find_mentions(text)
        assert len(remembered._mentions) <= RememberedZones.LIMIT
