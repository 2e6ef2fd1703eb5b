"""What kind of figure a number is, for the "figure kind" facet.

The kind is read from the figure's base unit and label (`总投资 71.69亿元` is an
investment, `新增市场主体 4165户` a count of firms). The order of the rules matters: the
first that fits wins.
"""

from __future__ import annotations

from collections.abc import Iterable

INVESTMENT = "投资额"
OUTPUT = "产值/营收"
OTHER_MONEY = "其他金额"
SHARE = "比例/增长"
AREA = "面积"
PROJECTS = "项目数"
FIRMS = "企业/机构数"
PEOPLE = "人数"
MEASURE = "产能/计量"
DURATION = "年限"
OTHER_COUNT = "其他数量"

# Display order of the facet when counts tie.
KINDS = (
    INVESTMENT,
    OUTPUT,
    OTHER_MONEY,
    SHARE,
    AREA,
    PROJECTS,
    FIRMS,
    PEOPLE,
    MEASURE,
    DURATION,
    OTHER_COUNT,
)

_MONEY = frozenset(
    ["元", "美元", "欧元", "日元", "英镑", "港元", "港币", "澳元", "韩元", "卢布", "人民币"]
)
_PERCENT = frozenset(["%", "个百分点", "百分点"])
_AREA = frozenset(["平方公里", "平方米", "公顷", "亩", "平米", "平方千米"])
_MEASURE = frozenset(
    [
        *("立方米", "方", "吨", "公里", "米", "公斤", "千米", "千克"),
        *("GWh", "MWh", "kWh", "GW", "MW", "kW", "千瓦时", "千瓦", "兆瓦", "吉瓦"),
    ]
)
_FIRM_UNITS = frozenset(["家", "户"])
_PEOPLE_UNITS = frozenset(["人", "名", "人次"])
_OUTPUT_WORDS = ("产值", "收入", "营收", "销售", "增加值", "营业额", "税收")


def figure_kind(base_unit: str, label: str) -> str:
    """The kind of one figure."""
    unit = base_unit.strip()
    if unit in _MONEY:
        if "投资" in label:
            return INVESTMENT
        if any(word in label for word in _OUTPUT_WORDS):
            return OUTPUT
        return OTHER_MONEY
    if unit in _PERCENT:
        return SHARE
    if unit in _AREA:
        return AREA
    if unit == "项" or "项目" in label:
        return PROJECTS
    if unit in _FIRM_UNITS:
        return FIRMS
    if unit in _PEOPLE_UNITS:
        return PEOPLE
    if unit in _MEASURE:
        return MEASURE
    if unit == "年":
        return DURATION
    return OTHER_COUNT


def kinds_of(figures: Iterable[tuple[str, str]]) -> list[str]:
    """The kinds among (base_unit, label) pairs, each once, in display order."""
    found = {figure_kind(unit, label) for unit, label in figures}
    return [kind for kind in KINDS if kind in found]
