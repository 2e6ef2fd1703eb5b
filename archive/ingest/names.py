"""Recognising Chinese personal names in bylines and author lines.

Newspaper pages credit people as bare names (`洪恒飞 秦羽 江耘`), so a line is taken as a
list of names only when every token looks like one: two or three Chinese characters
starting with a known surname (or four starting with a compound surname). Requiring the
surname keeps short headlines and section labels (园区动态, 综述) from passing as people.
"""

from __future__ import annotations

import re

# Common single-character surnames (百家姓 and the most frequent modern ones).
SINGLE_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠"
    "荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阎练盖慕茅亢强降初令禹"
    "竺云达鄂晋逯蹇帅索揭綦绪言是丰普花信门泮衣洪危钮濮殳庚暴贲於扈郦隗酆蓬阚邰宓蒯"
    "权容羊弓束幸韶郗豆步水都阴来佐扶璩狄呼光虎蓟訾养荀逄茹宿勾双闫汝贝钭糜訾蔚廉别德"
)
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "令狐",
        "夏侯",
        "轩辕",
        "端木",
        "西门",
        "南宫",
        "独孤",
        "呼延",
        "申屠",
        "澹台",
    ]
)

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
ROLE_WORDS = re.compile(r"(本报记者|特约记者|见习记者|特约通讯员|通讯员|实习生|记者|文/|文:|图/)")
_SPLIT = re.compile(r"[\s\u3000、,，·]+")


def looks_like_name(token: str) -> bool:
    """True when token is plausibly one person's full name."""
    if not _CJK.match(token):
        return False
    if len(token) in (3, 4) and token[:2] in COMPOUND_SURNAMES:
        return True
    return len(token) in (2, 3) and token[0] in SINGLE_SURNAMES


def split_names(text: str) -> list[str]:
    """Split a credit line into its tokens (spaces, 、 or commas between names)."""
    return [t for t in _SPLIT.split(text.strip()) if t]


def parse_name_line(text: str, max_names: int = 8) -> list[str] | None:
    """The names on a line made only of names, else None."""
    tokens = split_names(text)
    if not tokens or len(tokens) > max_names:
        return None
    if all(looks_like_name(t) for t in tokens):
        return tokens
    return None


def split_trailing_names(paragraph: str, terminators: str) -> tuple[str, list[str]]:
    """Cut author names glued after the last sentence of a paragraph.

    `…发展壮大。 耿丽如` → (`…发展壮大。`, [`耿丽如`]). Names are only taken after a
    sentence terminator, so the end of an ordinary sentence is never mistaken for a name.
    """
    stripped = paragraph.rstrip()
    cut = max(stripped.rfind(ch) for ch in terminators)
    if cut < 0 or cut == len(stripped) - 1:
        return paragraph, []
    # A closing quote right after the terminator still belongs to the sentence.
    while cut + 1 < len(stripped) and stripped[cut + 1] in "”’」』)）":
        cut += 1
    tail = stripped[cut + 1 :]
    # `…发展。(本报记者 张三)`: a credit in brackets reads the same as a bare one.
    if tail.strip().startswith(("(", "（")) and tail.strip().endswith((")", "）")):
        tail = ROLE_WORDS.sub(" ", tail.strip()[1:-1])
    names = parse_name_line(tail)
    if not names:
        return paragraph, []
    return stripped[: cut + 1], names
