"""Figures: the numeric facts an article states.

A figure is a number with its unit, what it counts (the label) and the clause it was
read from: `总投资71.69亿元` → label `总投资`, 71.69 `亿元`, 7.169e9 `元`. Dates, ordinals,
document names, slogans and class names (`百亿元级`) are not figures.

The reading is by rules over characters, not by a segmenter, so it is fast, deterministic
and total: any string gives a list, never an exception. Offsets are positions in the
text as given; the rules run on a half-width copy of the same length.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from .figure_kinds import StatusReader
from .numerals import CJK_NUMERAL_CHARS, multiplier_value, parse_number, to_halfwidth
from .types import FigureDraft
from .wordlist import load_word_list

_TOKEN = re.compile(
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
    rf"|[{CJK_NUMERAL_CHARS}]+"
)
_RANGE_JOIN = re.compile(r" ?[-~—–至到] ?")
_YEAR = re.compile(r"(?<![0-9])(?:19[4-9][0-9]|20[0-9]{2}|2100)(?=年)")
# What sticks to a number before a label: 2017年园区…, 5G基站….
_STUCK_TO_NUMBER = re.compile(r"[A-Za-z]+|(?:年|月份|月|日|号)(?:底|初|末|中旬|上旬|下旬|度|份)?")

_MAX_TOKEN = 24
_WINDOW = 24
_MAX_LEFT_LABEL = 12
_MAX_RIGHT_LABEL = 14
_MAX_LEAD_IN = 12
_MAX_QUOTE = 160


def _words(text: str) -> tuple[str, ...]:
    """Space-separated words, longest first so the longest match wins."""
    return tuple(sorted(set(text.split()), key=lambda word: (-len(word), word)))


class _WordIndex:
    """Stop words and the longer words that contain them (`签约` holds `约`, a stop)."""

    def __init__(self, stops: str, protected: str) -> None:
        self._stops = self._by_first_char(_words(stops))
        self._protected = self._by_first_char(_words(protected))

    @staticmethod
    def _by_first_char(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for word in words:
            index.setdefault(word[0], []).append(word)
        return {char: tuple(group) for char, group in index.items()}

    def stop_at(self, scan: str, i: int, end: int) -> int:
        return self._match(self._stops, scan, i, end)

    def protected_at(self, scan: str, i: int, end: int) -> int:
        return self._match(self._protected, scan, i, end)

    def protects_ending(self, text: str, length: int) -> bool:
        """Whether the last `length` characters of `text` end a longer protected word."""
        for start in range(max(0, len(text) - 6), len(text) - length):
            words = self._protected.get(text[start], ())
            if any(len(w) > length and text.endswith(w, start) for w in words):
                return True
        return False

    @staticmethod
    def _match(index: dict[str, tuple[str, ...]], scan: str, i: int, end: int) -> int:
        for word in index.get(scan[i], ()):
            if i + len(word) <= end and scan.startswith(word, i):
                return len(word)
        return 0


def _rows(names: str, kind: str, base: str = "") -> list[tuple[str, str, str]]:
    return [(name, base or name, kind) for name in _words(names)]


# (unit as printed, base unit, kind); kind decides where the label is looked for first.
_UNITS: tuple[tuple[str, str, str], ...] = tuple(
    sorted(
        _rows("元 人民币", "money", "元")
        + _rows("美元 欧元 日元 英镑 港元 港币 澳元 韩元 卢布", "money")
        + _rows("% 个百分点", "percent")
        + _rows("百分点", "percent", "个百分点")
        + _rows("平方公里 平方米 公顷 亩", "area")
        + _rows("平米", "area", "平方米")
        + _rows("平方千米", "area", "平方公里")
        + _rows("立方米 方 吨 公里 米 公斤", "measure")
        + _rows("千米", "measure", "公里")
        + _rows("千克", "measure", "公斤")
        + _rows("GWh MWh kWh GW MW kW 千瓦时 千瓦 兆瓦 吉瓦", "measure")
        + _rows(
            "架次 人次 家 个 户 项 名 人 台 套 件 辆 次 条 所 座 只 根 份 栋 幢 艘 款 处", "count"
        )
        + _rows("倍", "count")
        + _rows("年", "duration"),
        key=lambda unit: len(unit[0]),
        reverse=True,
    )
)
_MULTIPLIER_PREFIXES = _words("万亿 千亿 百亿 十亿 千万 百万 十万 亿 万 千")
_UNIT_BLOCKERS: dict[str, tuple[str, ...]] = {
    "个": _words("月 季度 工作日 小时 星期 交易日 半月 多月"),
    "家": _words("居 电 庭 具 属 乡 族"),
    "方": _words("面 案 式 向 法 位 针 能 便 舱 阵 正 言 圆"),
    "项": ("目",),
    "元": _words("素 旦 宵 器件"),
    "名": _words("单 称 牌 片"),
    "条": _words("例 款 件"),
    "户": _words("口 籍 外"),
    "只": _words("要 是 有"),
    "根": _words("据 本"),
    "份": _words("额"),
    "处": _words("理 于 置"),
    "次": _words("日 序 要"),
    "座": _words("谈"),
}
_SCHOOL_WORDS = _words(
    "高校 学校 院校 大学 中学 小学 幼儿园 医院 科研院所 研究所 院所 职业 技工 高职 本科 学院"
    " 中职 卫生院 高等 公办 民办 重点 知名"
)
# Chinese numerals that are parts of names (五方合作, 六方面) with these units.
_ARABIC_ONLY_UNITS = frozenset(_words("方 米"))

_SENTENCE_BREAKS = frozenset("。!?;\n\r…")
_CLAUSE_BREAKS = frozenset(",:")
# Besides letters and CJK characters, a label may hold these (R&D经费, 玉溪·顺义产业园).
_LABEL_EXTRA_CHARS = frozenset("&+·")
_SLOGAN_BREAKS = frozenset(",。!?;:\n“")
# (opener, closer, longest content, characters that show it is prose, not a name)
_MASKING_QUOTES: tuple[tuple[str, str, int, frozenset[str]], ...] = (
    ("《", "》", 80, frozenset("\n")),
    ("“", "”", 16, _SLOGAN_BREAKS),
    ("‘", "’", 16, _SLOGAN_BREAKS),
    ("「", "」", 16, _SLOGAN_BREAKS),
)
_ORDINAL_OR_VAGUE_PREFIXES = frozenset("第数几若")
_ROUND_NUMBER_QUALIFIERS = frozenset("近上逾超约过")

_QUALIFIER_MEANING: dict[str, str] = {
    "余": "余",
    "多": "多",
    "约": "约",
    "大约": "约",
    "左右": "约",
    "上下": "约",
    "近": "近",
    "将近": "近",
    "接近": "近",
    "超": "超过",
    "超过": "超过",
    "逾": "超过",
    "突破": "突破",
    "以上": "以上",
    "不少于": "以上",
    "不低于": "以上",
    "至少": "以上",
    "之多": "多",
    "及以上": "以上",
    "以下": "以下",
    "以内": "以内",
    "不足": "不足",
    "不到": "不足",
}
_TRAILING_QUALIFIERS = _words("及以上 以上 左右 上下 以下 以内 之多")
# Qualifiers printed right before the number (超2亿元, 近百家); the rest follow it.
_LEADING_QUALIFIERS = _words(
    " ".join(
        k for k in _QUALIFIER_MEANING if k not in ("余", "多", "之多", *_TRAILING_QUALIFIERS)
    )
)
# Words that name money (data file): a figure that is not money never has them in its label.
_MONEY_LABEL_WORDS = tuple(
    sorted((w for (w,) in load_word_list("figure_money_labels.txt", 1)), key=len, reverse=True)
)
# Words between a label and its number that are not part of the label.
_BEFORE_NUMBER_WORDS = _words(
    " ".join(k for k in _QUALIFIER_MEANING if k not in ("余", "多", "之多", "左右", "上下"))
    + " 达到 多达 高达 可达 将达 已达 达 为 有 是 在 了 已 共 累计 合计 共计 总共 总计 实现 完成"
    " 投入 发布 提供 吸纳 控制在 增至 升至 仅 就 又 再 均 将 可 拥有 现有 已有 共有 具有 正在"
    " 现在 约为 分别为 分别 仍 还 也 都"
    # Modal and plan words that stand between a label and its number (销售收入预计能达到).
    " 能 能够 可以 将会 预计 预期 力争 计划 有望 争取 确保 保持"
)
_COMMON_PROTECTED = (
    "有限 有效 有机 有关 有序 有力 有色 国有 所有 在建 在谈 在线 在孵 在校 在职 在岗 在读 存在"
    " 所在 在于 为主 行为 认为 为民 因为 未来 来源 后续 后劲 后台 后勤 后备 前后 最后 内容 内部"
    " 内资 内涵 内蒙古 比重 比例 比率 比亚迪 比赛 占比 对比 比较 到位 到期 到岗 到账 报到 达产"
    " 达标 发达 雷达 马达 至今 近年 近期 附近 最近 就近 超级 超市 超算 超高 超大 超导 超薄 约束"
    " 节约 合约 预约 约定 共享 共同 公共 共性 共赢 共识 共青 中共 共产 共和 和平 和谐"
    " 和利时 总和 参与 及时 普及 等级 平等 等离子 高等 中等 同等 过程 过去 过半 了解"
    " 由于 于是 自由 理由 对外 对接 对象 一对一 把握 使用 使命 大使 从业 从事 方向 意向 导向"
    " 定向 被动 将来 都市 首都 成都 平均 人均 均衡 还原 偿还 再生 再造 就业 成就 仅仅 可以"
    " 所以 难以 予以 加以 足以 各类 各项 各种 各级 各地 合并 兼并 并购 并联 进而 着力 着手"
    " 着眼 显著 着重 增加值 党组织 建成区 增长点 规模以上 限额以上 资质以上 规上 占地 占比"
)
_LEFT_PROTECTED = (
    _COMMON_PROTECTED
    + " 签约 可再生 可持续 可视 可控 认可 许可 可喜 模拟 虚拟"
    # Nouns ending in 能 (a modal before a number): 年产能30万吨 keeps its 能.
    + " 产能 储能 性能 功能 动能 效能 节能 智能 赋能 技能 职能 可能 热能 电能 核能 光能"
)
_LEFT_STOPS = _WordIndex(
    "的 了 着 过 等 和 与 及 以及 或 并 而 在 于 对 从 向 把 被 由 将 已 已经 正在 也 都 均 还"
    " 又 再 就 仅 共 有 是 为 达 到 至 同比 环比 较 比 约 近 超 逾 让 使 以 后 来 以来 以上"
    " 以下 左右 其中 其 该 此 这 那 各 每 从而 通过 按照 根据 今年 去年 明年 全年 当年 年内"
    " 上半年 下半年 目前 当前 现在 截至 截止 同时 此外 另外 期间 年底 年初 年末 月底 计划 预计"
    " 估算 拟 力争 确保 争取 预期 累计 合计 共计 总共 总计 先后 分别 拥有 集聚 聚集 完成 实现"
    " 投入 发布 提供 吸纳 设立 获得 引进 开展 形成 建成 建设 组织 吸引 带动 推出 举办"
    " 发放 启动 新建 达成 贡献 引育 培育 覆盖 涉及 申报 容纳 收集 开发 打造 包括 包含 涵盖"
    " 占到 占据 达到 突破 超过 减少 扩大 进行 成立 帮助 支持 共建 载回 安排 开通 升级 认定"
    " 搭建 促进 推动 带来 创造 集中 聚焦 培养 提升 落实 组建 实施 承担 出台 实行 助力 产生"
    " 取得 拉动 签订 具有 现有 已有 共有 有望 成为 作为 位于 关于 针对 面向 围绕 除了 为了 原先"
    " 原来 此前 完善 占 可",
    _LEFT_PROTECTED,
)
_RIGHT_STOPS = _WordIndex(
    "的 了 着 过 等 与 以及 或 并 而 在 于 对 从 向 把 被 由 将 已 已经 正在 也 都 均 还 又"
    " 再 就 仅 共 有 是 为 达 到 至 比 较 约 近 超 逾 让 使 以 后 来 内 中 里 之间 之中 以来"
    " 以上 以下 左右 其中 前来 参加 参与 就业 入驻 入场 洽谈 落户 开工 竣工 投产 集中 签约"
    " 获得 实现 完成 增加 减少 扩大 进行 开展 成立 通过 入选 加快 推进 尽快 如期 建设 进入"
    " 累计 提供 需要 能 会 要 需 应 正在 既 如 包括 涉及 覆盖 形成 带动 吸引 共同 分别 同比"
    " 增长 下降 提高 占 合计 总计 全部 目前 现已 今年 全年 每年 已经 受到 得到 用于 来自 等等"
    " 投入 落地 开业 运营 组成 构成 完工 封顶 迁入 认定 被 预计 拟 力争 有望 陆续 即将"
    " 正式 顺利 成功 全面 相继 先后 纷纷 率先 首次 积极 快速 一举 同时 一起 正 和 召开 举行"
    " 举办 围绕 推动 支撑 支持 助力 实施 发布 提出 出台 带来 成为 位于 拥有 承担 参赛 涵盖 包含"
    " 给 纷至沓来",
    _COMMON_PROTECTED
    + " 中心 中国 中小 中药 中试 中央 中科 中层 中高端 中端 中职 中学 中医 中介 中铁 中煤 中电"
    " 中和 里程 间距 能力 能源 能耗 智能 产能 性能 功能 节能 储能 动能 效能 职能 技能 赋能 能效"
    " 可能 新能源 正常 真正 公正 纠正 正品 正能量 正当 会议 会展 协会 商会 社会 学会 委员会"
    " 博览会 交易会 招聘会 机会 会员 要素 重要"
    " 主要 要求 需求 应用 应急 供应 响应 适应 相应 对应 效应 占地 运营中心 区内 园内 省内"
    " 市内 国内 境内 校内 供给 给予 补给 自给 给水",
)
# What a figure is of, ending the part of a label that says whose figure it is.
_SUBJECT_WORDS = _words(
    "项目 公司 集团 高新区 农高区 开发区 园区 产业园 软件园 科技园 工业园 基地 工程 片区 分园"
    " 企业 小镇 示范区 新区 大学 学院"
)
# Prefixes that make a label too long to read when it follows the number.
_SCALE_PREFIXES = _words("规模以上 限额以上 资质以上 规上 限上")
# A verb before these is part of a noun (办结率, 投资额, 增加值), not the end of a label.
_VERB_NOUN_SUFFIXES = frozenset("率量额值")
# Labels that need their subject: 企业总数, not 总数.
_SUBJECT_ATTRIBUTES = frozenset(_words("数量 总数 个数 家数 户数 数目 规模 总量 名单 数"))


@dataclass(frozen=True)
class _Reading:
    """A number and its unit as found in the scan text."""

    start: int
    end: int
    value: float
    value_text: str
    value_max: float | None
    unit: str
    base: str
    kind: str
    factor: float
    qualifier: str


@dataclass(frozen=True)
class _Label:
    text: str
    start: int
    end: int


_STATUS = StatusReader()


def extract_figures(text: str) -> list[FigureDraft]:
    """Every figure stated in `text` (one article body), in reading order.

    A fact stated twice (the same label, value, unit and year) is kept once, where it is
    first stated: `10个项目` in a lead and again in the next paragraph is one fact.
    """
    if not isinstance(text, str) or not text:
        return []
    page = _Page(text)
    readings = list(_readings(page))
    page.reading_starts = [reading.start for reading in readings]
    figures: list[FigureDraft] = []
    for index, reading in enumerate(readings):
        left_stop = readings[index - 1].end if index else 0
        right_stop = readings[index + 1].start if index + 1 < len(readings) else len(text)
        figure = _figure(page, reading, left_stop, right_stop)
        if not figure.label and figures:
            _label_from_clause(page, figure, figures[-1])
        figures.append(figure)
    return distinct_figures(figures)


def _label_from_clause(page: _Page, figure: FigureDraft, previous: FigureDraft) -> None:
    """`实现产值5000万元,2023年预计突破3亿元`: an unlabelled amount that continues the
    clause before it, in the same sentence and base unit, counts what that one counts."""
    if not previous.label or previous.base_unit != figure.base_unit:
        return
    if page.sentence(previous.start) != page.sentence(figure.start):
        return
    figure.label = previous.label
    # The quote reaches back over the clause that names what is counted.
    start = page.text.rfind(previous.quote, 0, previous.start + len(previous.quote))
    own = page.text.rfind(figure.quote, 0, figure.start + len(figure.quote))
    if 0 <= start < own and own + len(figure.quote) - start <= _MAX_QUOTE:
        figure.quote = page.text[start : own + len(figure.quote)]


def distinct_figures(figures: list[FigureDraft]) -> list[FigureDraft]:
    """The figures with each labelled fact once, the first time it is stated."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for figure in figures:
        key = (figure.label, figure.value, figure.value_max, figure.unit, figure.year)
        if figure.label and key in seen:
            continue
        seen.add(key)
        kept.append(figure)
    return kept


class _Page:
    """The text, its half-width twin, and where quotes and clauses begin and end."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.scan = to_halfwidth(text)
        self.masked = _masked_spans(self.scan)
        self.reading_starts: list[int] = []
        self.sentence_breaks = [i for i, c in enumerate(self.scan) if c in _SENTENCE_BREAKS]
        self.clause_breaks = [
            i for i, c in enumerate(self.scan) if c in _SENTENCE_BREAKS or self._clause_comma(i)
        ]

    def _clause_comma(self, i: int) -> bool:
        if self.scan[i] not in _CLAUSE_BREAKS:
            return False
        # `1,500` and `7:20` are numbers, not clauses.
        return not (_is_digit(self.scan, i - 1) and _is_digit(self.scan, i + 1))

    def is_masked(self, position: int) -> bool:
        index = bisect_right(self.masked, (position, len(self.scan))) - 1
        return index >= 0 and self.masked[index][0] <= position < self.masked[index][1]

    def masked_end(self, position: int) -> int:
        index = bisect_right(self.masked, (position, len(self.scan))) - 1
        return self.masked[index][1] if index >= 0 else position + 1

    def clause(self, position: int) -> tuple[int, int]:
        return _span_around(self.clause_breaks, position, len(self.scan))

    def sentence(self, position: int) -> tuple[int, int]:
        return _span_around(self.sentence_breaks, position, len(self.scan))


def _span_around(breaks: list[int], position: int, length: int) -> tuple[int, int]:
    index = bisect_left(breaks, position)
    start = breaks[index - 1] + 1 if index else 0
    end = breaks[index] if index < len(breaks) else length
    return start, end


def _breaks_label(char: str) -> bool:
    return not (char.isalpha() or char in _LABEL_EXTRA_CHARS)


def _is_digit(scan: str, i: int) -> bool:
    return 0 <= i < len(scan) and scan[i].isascii() and scan[i].isdigit()


def _masked_spans(scan: str) -> list[tuple[int, int]]:
    """Spans whose numbers name things: `《…》` titles and short `“…”` slogans."""
    spans = []
    for opener, closer, limit, prose in _MASKING_QUOTES:
        position = scan.find(opener)
        while position != -1:
            close = scan.find(closer, position + 1, position + limit + 2)
            inner = scan[position + 1 : close] if close != -1 else ""
            if close != -1 and not any(c in prose for c in inner):
                spans.append((position, close + 1))
            position = scan.find(opener, position + 1)
    return _merged(sorted(spans))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# Finding numbers and units.


def _readings(page: _Page) -> Iterable[_Reading]:
    consumed = 0
    for match in _TOKEN.finditer(page.scan):
        if match.start() < consumed or page.is_masked(match.start()):
            continue
        reading = _read_at(page.scan, match)
        if reading is not None:
            consumed = reading.end
            if reading.kind:
                yield reading


def _read_at(scan: str, match: re.Match[str]) -> _Reading | None:
    """The figure starting at a number token; a reading with kind "" consumes a non-figure
    (like `百亿元级`); None when the token is no figure at all."""
    token, start = match.group(), match.start()
    if len(token) > _MAX_TOKEN or not _plausible_start(scan, start, token):
        return None
    number_end = start + _numeral_length(token)
    low = parse_number(scan[start:number_end])
    if low is None:
        return None
    high, position = _range_high(scan, number_end, token)
    value_end = position if high is not None else number_end
    return _read_unit(scan, start, value_end, low, high, is_cjk=not token[0].isdigit())


def _plausible_start(scan: str, start: int, token: str) -> bool:
    before = scan[start - 1] if start else ""
    if before and (before.isascii() and (before.isalpha() or before in "._:/#")):
        return False  # K12, v4.0, 7:20, No.5
    if before in _ORDINAL_OR_VAGUE_PREFIXES:
        return False  # 第18批, 数百万条, 几十家
    if token[0].isdigit():
        digits = token.split(".")[0].replace(",", "")
        return not (len(digits) > 1 and digits.startswith("0"))  # 0235 is a code
    return _plausible_cjk(scan, start, token)


def _plausible_cjk(scan: str, start: int, token: str) -> bool:
    core = token.rstrip("万亿")
    if core in ("", "一", "二"):
        return False  # 一批, 一家企业, 二期: counts say 两, and 一 is in too many words
    if scan.startswith(("几", "多几"), start + len(token)):
        return False  # 十几家 is vague
    if core in ("百", "千"):
        # 近百家 is a count, 百家争鸣 and 千家万户 are not.
        return start > 0 and scan[start - 1] in _ROUND_NUMBER_QUALIFIERS
    return True


def _numeral_length(token: str) -> int:
    """The length of the number proper; a trailing 万/亿 belongs to the unit (`十二万人`)."""
    if token[0].isdigit():
        return len(token)
    core = token.rstrip("万亿")
    return len(core) if core else len(token)


def _range_high(scan: str, position: int, token: str) -> tuple[float | None, int]:
    join = _RANGE_JOIN.match(scan, position)
    if not join:
        return None, position
    second = _TOKEN.match(scan, join.end())
    if not second or second.group()[0].isdigit() != token[0].isdigit():
        return None, position
    end = join.end() + _numeral_length(second.group())
    return parse_number(scan[join.end() : end]), end


def _read_unit(
    scan: str, start: int, value_end: int, low: float, high: float | None, *, is_cjk: bool
) -> _Reading | None:
    position = value_end
    inner = _inner_qualifier(scan, position)
    position += len(inner)
    factor, multiplier = _multiplier(scan, position)
    position += len(multiplier)
    inner_after = _inner_qualifier(scan, position)
    position += len(inner_after)
    qualifier = inner or inner_after  # as printed: 350余家, 10万多吨
    unit = _unit_at(scan, position, is_cjk)
    if unit is None:
        return None
    name, base, kind = unit
    if is_cjk and kind == "money" and not multiplier:
        return None  # 三元 is a name far more often than three yuan
    end = position + len(name)
    if kind == "money" and base == "元" and scan.startswith("人民币", end):
        end += len("人民币")  # 1亿元人民币: the currency said twice
    if scan.startswith("级", end):
        return _not_a_figure(start, end)  # 百亿元级产业集群 names a class
    if not _unit_fits(kind, low, high, multiplier):
        return None
    return _Reading(
        start=start,
        end=end,
        value=low,
        value_text=scan[start:value_end],
        value_max=high,
        unit=multiplier + name,
        base=base,
        kind=kind,
        factor=factor,
        qualifier=qualifier,
    )


def _not_a_figure(start: int, end: int) -> _Reading:
    return _Reading(start, end, 0.0, "", None, "", "", "", 1.0, "")


def _inner_qualifier(scan: str, position: int) -> str:
    char = scan[position : position + 1]
    return char if char in ("余", "多") else ""


def _multiplier(scan: str, position: int) -> tuple[float, str]:
    if _unit_at(scan, position, is_cjk=False) is not None:
        return 1.0, ""  # 千瓦 is a unit, not 千 × 瓦
    for prefix in _MULTIPLIER_PREFIXES:
        if scan.startswith(prefix, position):
            return multiplier_value(prefix) or 1.0, prefix
    return 1.0, ""


def _unit_at(scan: str, position: int, is_cjk: bool) -> tuple[str, str, str] | None:
    for name, base, kind in _UNITS:
        if not scan.startswith(name, position):
            continue
        after = scan[position + len(name) : position + len(name) + 3]
        if _unit_blocked(name, after, is_cjk):
            return None
        return name, base, kind
    return None


def _unit_blocked(name: str, after: str, is_cjk: bool) -> bool:
    if name.isascii() and after[:1].isascii() and after[:1].isalpha():
        return True  # 5GWhx is no unit
    if any(after.startswith(word) for word in _UNIT_BLOCKERS.get(name, ())):
        return True  # 3个月, 3方面, 一家电
    if name == "所":
        return not after.startswith(_SCHOOL_WORDS)  # 4所高校, not 中电科三十九所
    return is_cjk and name in _ARABIC_ONLY_UNITS


def _unit_fits(kind: str, low: float, high: float | None, multiplier: str) -> bool:
    if high is not None and not high > low:
        return False
    if kind == "duration":
        # 3-5年 is a span of years; 2018年 or 2016-2019年 is a date.
        return high is not None and high <= 100 and not multiplier
    return not (kind == "percent" and multiplier)


# Labels, quotes and years.


def _figure(page: _Page, reading: _Reading, left_stop: int, right_stop: int) -> FigureDraft:
    _, left = _left_label(page, reading, left_stop)
    _, right, via_de = _right_label(page, reading, right_stop)
    label = _choose_label(reading.kind, left, right, via_de)
    quote_start, quote_end = _quote_span(page, reading, label)
    before = _leading_qualifier(page.scan, reading, left_stop)
    after = _leading_match(page.scan[reading.end : right_stop], _TRAILING_QUALIFIERS)
    if not after and reading.unit == "倍" and page.scan.startswith("多", reading.end):
        after = 1  # 三倍多: after 倍, 多 is the qualifier (elsewhere it starts a word: 多功能)
    printed_start, printed_end = reading.start - len(before), reading.end + after
    quote_start, quote_end = min(quote_start, printed_start), max(quote_end, printed_end)
    trailing = page.scan[reading.end : printed_end]
    sentence_start, _ = page.sentence(reading.start)
    return FigureDraft(
        label=label.text if label else "",
        value=reading.value,
        value_text=page.text[reading.start : reading.start + len(reading.value_text)],
        unit=reading.unit,
        normalized_value=reading.value * reading.factor,
        base_unit=reading.base,
        quote=page.text[quote_start:quote_end],
        start=reading.start,
        end=reading.end,
        value_max=reading.value_max,
        # As printed, whichever of the three places it stands in (超2亿元, 350余家, 5亿元以上).
        qualifier=page.text[printed_start : reading.start]
        or reading.qualifier
        or page.text[reading.end : printed_end],
        year=_year(page.scan, quote_start, quote_end, reading.start)
        or _year_before(page.scan, sentence_start, quote_start),
        printed=page.text[printed_start:printed_end],
        status=_STATUS.status(
            page.scan,
            sentence_start,
            printed_start,
            printed_end,
            (before, trailing),
            page.is_masked,
        ),
    )


def _leading_qualifier(scan: str, reading: _Reading, left_stop: int) -> str:
    """The qualifier printed right before the number (超, 近, 约 …), or ""."""
    if reading.value_text in ("百", "千") and scan[reading.start - 1 : reading.start] == "上":
        return "上"  # 上百家
    text = scan[max(left_stop, reading.start - 4) : reading.start]
    word = next((w for w in _LEADING_QUALIFIERS if text.endswith(w)), "")
    if word and _LEFT_STOPS.protects_ending(text, len(word)):
        return ""  # 最近5年: 近 belongs to 最近
    return word


def _choose_label(
    kind: str, left: _Label | None, right: _Label | None, via_de: bool
) -> _Label | None:
    if kind in ("money", "percent", "duration"):
        order = (left, right)
    else:
        # 30万台服务器, 1500名务工人员: what follows a measure word is what it counts.
        order = (None if via_de else right, left, right)
    return next((label for label in order if label), None)


def _left_label(page: _Page, reading: _Reading, left_stop: int) -> tuple[str, _Label | None]:
    scan = page.scan
    clause_start, _ = page.clause(reading.start)
    window_start = max(left_stop, clause_start, reading.start - _WINDOW)
    window_start = _after_boundaries(scan, window_start, reading.start)
    if left_stop and window_start == left_stop:
        window_start += _leading_match(scan[window_start : reading.start], _TRAILING_QUALIFIERS)
    if _is_digit(scan, window_start - 1):
        date = _STUCK_TO_NUMBER.match(scan, window_start)
        window_start = date.end() if date else window_start
    end, qualifier = reading.start, ""
    if reading.value_text in ("百", "千") and scan[end - 1 : end] == "上":
        end, qualifier = end - 1, "多"  # 上百家
    end, stripped = _strip_trailing(scan, window_start, end, reading.kind)
    qualifier = qualifier or stripped
    start = _after_last_stop(scan, window_start, end, _LEFT_STOPS)
    start = _after_subject(scan, start, end)
    if end - start > _MAX_LEFT_LABEL:
        start = end - _MAX_LEFT_LABEL
    return qualifier, _label(page, start, end)


def _after_boundaries(scan: str, start: int, end: int) -> int:
    """Move `start` past the last label-breaking character before `end`."""
    for i in range(end - 1, start - 1, -1):
        if _breaks_label(scan[i]):
            return i + 1
    return start


def _strip_trailing(scan: str, start: int, end: int, kind: str) -> tuple[int, str]:
    """Drop verbs and qualifiers between the label and the number (`总投资超过` → 总投资)."""
    qualifier = ""
    while end > start:
        text = scan[start:end]
        word = next((w for w in _BEFORE_NUMBER_WORDS if text.endswith(w)), "")
        if word and _LEFT_STOPS.protects_ending(text, len(word)):
            break  # 月薪平均在: 均 belongs to 平均
        if not word and kind == "percent" and text.endswith("的"):
            word = "的"  # 总产能的30%: the share of what precedes 的
        if not word:
            break
        qualifier = qualifier or _QUALIFIER_MEANING.get(word, "")
        end -= len(word)
    return end, qualifier


def _leading_match(text: str, words: tuple[str, ...]) -> int:
    return next((len(w) for w in words if text.startswith(w)), 0)


def _after_last_stop(scan: str, start: int, end: int, stops: _WordIndex) -> int:
    """The position after the last stop word in scan[start:end], skipping protected words."""
    cut = start
    i = start
    while i < end:
        protected = stops.protected_at(scan, i, end)
        if protected:
            i += protected
            continue
        stop = stops.stop_at(scan, i, end)
        if stop and i + stop < end and scan[i + stop] in _VERB_NOUN_SUFFIXES:
            stop = 0
        if stop:
            i += stop
            cut = i
        else:
            i += 1
    return cut


def _after_subject(scan: str, start: int, end: int) -> int:
    """`X项目总投资` → 总投资: a label starts after the thing it is a figure of."""
    text = scan[start:end]
    best = start
    for word in _SUBJECT_WORDS:
        at = text.rfind(word, 0, len(text) - 2)
        while at != -1:
            rest = text[at + len(word) :]
            if len(rest) >= 2 and rest not in _SUBJECT_ATTRIBUTES:
                best = max(best, start + at + len(word))
                break
            at = text.rfind(word, 0, at)
    return best


def _right_label(
    page: _Page, reading: _Reading, right_stop: int
) -> tuple[str, _Label | None, bool]:
    scan = page.scan
    _, clause_end = page.clause(reading.end)
    limit = min(right_stop, clause_end, reading.end + _WINDOW)
    position = reading.end
    tail = _leading_match(scan[position:limit], _TRAILING_QUALIFIERS)
    qualifier = _QUALIFIER_MEANING.get(scan[position : position + tail], "")
    position += tail
    if not tail and reading.unit == "倍" and scan.startswith("多", position):
        position += 1  # 三倍多
    via_de = scan.startswith("的", position)
    position += via_de
    end = _first_stop(page, position, limit)
    if tail and not via_de:
        return qualifier, None, False  # 5亿元以上项目: the label is before the number
    if end - position > _MAX_RIGHT_LABEL - 2:
        position = _after_subject(scan, position, end)
    if end - position > _MAX_RIGHT_LABEL:
        position += _leading_match(scan[position:end], _SCALE_PREFIXES)
    # What follows a measure word ends in its head noun: keep the end.
    position = max(position, end - _MAX_RIGHT_LABEL)
    if reading.kind != "money":
        end = _before_money_word(scan, position, end)
    return qualifier, _label(page, position, end), via_de


def _before_money_word(scan: str, start: int, end: int) -> int:
    """`10GWh动力电池生产项目投资42亿元`: the label of a capacity ends before 投资."""
    for i in range(start + 1, end):
        if any(scan.startswith(word, i) for word in _MONEY_LABEL_WORDS):
            return i
    return end


def _first_stop(page: _Page, start: int, limit: int) -> int:
    scan = page.scan
    i = start
    while i < limit:
        if i == start and scan[i] in "“‘「" and page.is_masked(i):
            i = page.masked_end(i)  # 77条“硬核”新政: a quoted name is part of the label
            continue
        if _breaks_label(scan[i]):
            return i
        protected = _RIGHT_STOPS.protected_at(scan, i, limit)
        if protected:
            i += protected
            continue
        if _RIGHT_STOPS.stop_at(scan, i, limit):
            return i
        i += 1
    return limit


def _label(page: _Page, start: int, end: int) -> _Label | None:
    text = page.text[start:end].strip()
    if not text or all(c in CJK_NUMERAL_CHARS for c in text):
        return None
    offset = page.text.index(text, start)
    return _Label(text, offset, offset + len(text))


def _quote_span(page: _Page, reading: _Reading, label: _Label | None) -> tuple[int, int]:
    first = min(reading.start, label.start) if label else reading.start
    last = max(reading.end, label.end) if label else reading.end
    start, _ = page.clause(first)
    _, end = page.clause(max(last - 1, first))
    start = _with_lead_in(page, start)
    if end - start > _MAX_QUOTE:
        start = max(start, first - _MAX_QUOTE // 2)
        end = min(end, max(last, start + _MAX_QUOTE))
    while start < first and page.text[start].isspace():
        start += 1
    while end > last and page.text[end - 1].isspace():
        end -= 1
    return start, end


def _with_lead_in(page: _Page, start: int) -> int:
    """Extend a quote back over short openers of its sentence (`目前,`, `2017年,`)."""
    sentence_start, _ = page.sentence(start)
    lead = page.scan[sentence_start:start]
    if not lead or len(lead) > 2 * _MAX_LEAD_IN:
        return start
    parts = re.split(r"[,:]", lead.rstrip(",: "))
    if any(len(part) > _MAX_LEAD_IN for part in parts):
        return start
    starts = page.reading_starts
    if bisect_left(starts, sentence_start) != bisect_left(starts, start):
        return start  # the opener has a figure of its own
    return sentence_start


def _year(scan: str, start: int, end: int, number: int) -> int | None:
    """The year the quote states for the figure: the nearest one before it, else after."""
    years = [(m.start(), int(m.group())) for m in _YEAR.finditer(scan, start, end)]
    before = [year for position, year in years if position < number]
    if before:
        return before[-1]
    return years[0][1] if years else None


def _year_before(scan: str, start: int, end: int) -> int | None:
    """The last year named earlier in the sentence (`力争到2025年营收…,企业达400家`: the
    second clause is for 2025 too)."""
    years = [int(m.group()) for m in _YEAR.finditer(scan, start, end)]
    return years[-1] if years else None


def normalise_unit(value: float, unit: str) -> tuple[float, str]:
    """The value in its base unit: (71.69, "亿元") → (7169000000.0, "元").

    For figures people add or edit by hand; an unknown unit is its own base.
    """
    for prefix in ("", *_MULTIPLIER_PREFIXES):
        if not unit.startswith(prefix):
            continue
        rest = unit[len(prefix) :]
        for name, base, _kind in _UNITS:
            if rest == name:
                factor = (multiplier_value(prefix) or 1.0) if prefix else 1.0
                return value * factor, base
    return value, unit
