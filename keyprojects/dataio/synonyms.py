"""Column names as people write them → canonical fields (types.py), seeded from domain.md §5.

A header is first reduced to a *key*: half-width, no whitespace, the amount unit and "(%)"
taken out, a year written as ``Y年`` and a month range as ``1-N月`` (so "2024年1-6月累计完成投资
（万元）" and "1-12月累计完成投资" share the key of "Y年1-N月累计完成投资"). The key is looked up
in the built-in table, after an administrator's additions (``extra_synonyms``), which win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .normalize import to_halfwidth, unit_multiplier
from .types import CANONICAL_FIELDS, MONEY_FIELDS

# field → headers seen in real files (domain.md §5 and common variants)
SEED: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序", "排序", "NO", "NO.", "序列号", "顺序号"),
    "name": ("项目名称", "项目全称", "名称", "项目", "建设项目", "建设项目名称", "项目名", "项目简称"),
    "project_code": (
        "项目代码",
        "投资项目代码",
        "项目统一代码",
        "项目编码",
        "项目赋码",
        "项目编号",
        "赋码",
        "国家代码",
        "审批代码",
        "备案代码",
        "项目代码（审批监管平台）",
        "全国投资项目在线审批监管平台项目代码",
    ),
    "owner_name": (
        "建设单位",
        "项目单位",
        "业主",
        "业主单位",
        "项目业主",
        "项目业主单位",
        "建设主体",
        "实施主体",
        "项目法人",
        "项目法人单位",
        "企业名称",
        "投资主体",
        "建设单位名称",
        "项目建设单位",
        "实施单位",
    ),
    "owner_uscc": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "建设单位统一社会信用代码",
        "项目单位统一社会信用代码",
        "业主单位统一社会信用代码",
        "企业统一社会信用代码",
    ),
    "location": (
        "建设地点",
        "项目地点",
        "项目地址",
        "建设地址",
        "项目所在地",
        "所在地",
        "地点",
        "选址",
        "项目选址",
        "建设地点（具体到区县）",
    ),
    "region_text": (
        "所属区域",
        "所属区县",
        "区县",
        "县市区",
        "县（市、区）",
        "县（市区）",
        "市（县、区）",
        "所在区县",
        "属地",
        "区域",
        "行政区划",
        "所属地区",
        "地区",
        "所在地区",
        "区（县）",
        "所属县区",
        "县区",
        "所属功能区",
        "区市",
        "所属区市",
        "所属县（市、区）",
        "所在县区",
        "县区名称",
        "区县名称",
    ),
    "level": ("项目级别", "级别", "项目层级", "层级", "重点项目级别", "清单级别", "项目等级"),
    "category": ("项目类别", "项目类型", "类别", "类型", "项目分类", "分类", "项目大类", "重点项目类别"),
    "nature": ("建设性质", "项目性质", "性质", "项目建设性质"),
    "industry": (
        "所属行业",
        "行业",
        "行业类别",
        "国民经济行业",
        "国民经济行业分类",
        "行业分类",
        "产业类别",
        "产业领域",
        "所属产业",
        "产业",
        "行业门类",
        "所属领域",
        "领域",
        "产业分类",
    ),
    "responsible_unit": (
        "责任单位",
        "牵头单位",
        "主管部门",
        "行业主管部门",
        "责任部门",
        "牵头部门",
        "主责单位",
        "推进责任单位",
        "市直责任单位",
        "责任主体",
        "牵头责任单位",
        "项目责任单位",
    ),
    "responsible_person": ("责任人", "项目责任人", "单位责任人", "负责人", "项目负责人", "责任单位负责人"),
    "sponsor_leader": (
        "包保领导",
        "挂点领导",
        "项目挂点领导",
        "市级领导",
        "联系领导",
        "包联领导",
        "分包领导",
        "服务队长",
        "市级包保领导",
        "帮包领导",
        "牵头领导",
        "责任领导",
        "市级联系领导",
        "包保市级领导",
    ),
    "contact_name": ("联络人", "联系人", "项目联系人", "联络员", "项目联络员"),
    "contact_phone": ("联系电话", "电话", "联系方式", "手机", "联系人电话", "联络人电话", "手机号码", "联系人手机", "联系手机"),
    "physical_progress": (
        "形象进度",
        "工程形象进度",
        "项目形象进度",
        "项目进展",
        "进展情况",
        "项目进展情况",
        "建设进展",
        "工程进度",
        "目前进展",
        "当前进展",
        "形象进度描述",
        "进度情况",
        "当月形象进度",
        "本月形象进度",
        "进展",
        "建设进展情况",
        "截至目前形象进度",
    ),
    "content": (
        "建设规模及主要建设内容",
        "建设内容",
        "主要建设内容",
        "建设规模及内容",
        "建设内容及规模",
        "建设规模",
        "项目概况",
        "项目简介",
        "建设规模和主要内容",
        "建设规模及建设内容",
        "主要建设内容及规模",
    ),
    "problems": (
        "存在问题",
        "存在的问题",
        "问题",
        "存在困难",
        "存在问题及建议",
        "需协调解决的问题",
        "需要协调解决的问题",
        "困难问题",
        "存在问题和困难",
        "制约因素",
        "需解决的问题",
        "存在的困难和问题",
        "存在问题及解决措施",
        "存在的问题和困难",
        "存在问题及困难",
    ),
    "stage_text": ("项目阶段", "阶段", "建设阶段", "项目状态", "目前阶段", "所处阶段", "推进阶段", "项目所处阶段"),
    "started": ("是否开工", "开工情况", "开工状态", "是否已开工", "开工与否", "是否新开工"),
    "in_statistics": ("是否纳统", "纳统", "已纳统", "纳统情况", "是否纳入统计", "是否入统", "入统情况", "是否纳入统计库"),
    "latitude": ("纬度", "项目纬度", "坐标纬度", "中心点纬度", "纬度坐标"),
    "longitude": ("经度", "项目经度", "坐标经度", "中心点经度", "经度坐标"),
    # the fill-in template (dataio.exports.TEMPLATE_COLUMNS) and hand-made monthly sheets
    "no_activity": ("本月无进展", "无进展", "当月无进展", "本月是否无进展", "是否无进展", "本月无投资", "当月无投资"),
    "no_activity_reason": ("无进展原因", "本月无进展原因", "当月无进展原因", "无进展说明", "无投资原因", "未完成投资原因"),
    # the app's own exports (月调度, the fill-in template): a row's report status as the pages label it
    "report_status": ("填报状态", "报送状态", "月报状态", "填报情况"),
    "project_id": ("项目ID", "系统项目ID", "系统ID", "平台项目ID"),
    "total_investment": ("总投资", "项目总投资", "计划总投资", "总投资额", "投资总额", "估算总投资", "概算总投资", "投资规模"),
    "annual_plan": (
        "年度计划投资",
        "年计划投资",
        "本年计划投资",
        "年度投资计划",
        "2024年度计划投资",
        "2024年计划投资",
        "2024年投资计划",
        "2024年计划完成投资",
        "年度计划",
        "2024年计划",
        "年度计划完成投资",
        "当年计划投资",
        "本年度计划投资",
        "年度计划投资额",
        "年度计划完成",
        "今年计划投资",
        "本年度投资计划",
    ),
    "invested_month": (
        "本月完成投资",
        "当月完成投资",
        "当月已完成投资",
        "本月完成",
        "当月完成",
        "月完成投资",
        "6月完成投资",
        "6月份完成投资",
        "6月完成",
        "完成投资",
        "本月投资",
        "当月投资",
        "本期完成投资",
        "本月实际完成投资",
        "当月实际完成投资",
    ),
    "invested_ytd": (
        "1-6月累计完成投资",
        "1-6月完成投资",
        "2024年1-12月累计完成投资",
        "2024年1-6月完成投资",
        "1-6月累计完成",
        "1-6月累计",
        "1-6月完成",
        "年度累计完成投资",
        "本年累计完成投资",
        "年初至报告期累计完成投资",
        "当月至今已完成",
        "今年以来累计完成投资",
        "本年完成投资",
        "年度完成投资",
        "当年累计完成投资",
        "年内累计完成投资",
        "年度累计完成",
        "本年累计完成",
        "年初至今累计完成投资",
        "年初至今完成投资",
        "2024年累计完成投资",
        "2024年完成投资",
        "截至6月底累计完成投资",
        "截至6月底完成投资",
    ),
    "invested_to_date": (
        "开工至今累计完成投资",
        "开工至报告期累计完成投资",
        "累计完成投资",
        "自开工累计完成投资",
        "开工以来累计完成投资",
        "项目累计完成投资",
        "开工累计完成投资",
        "累计完成",
        "开工至今累计完成",
        "自开工以来累计完成投资",
        "总累计完成投资",
        "开工至今完成投资",
    ),
    "invested_before": (
        "启用前累计完成投资",
        "截至上年底累计完成投资",
        "以前年度累计完成投资",
        "至上年底累计完成投资",
        "上年底累计完成投资",
        "往年累计完成投资",
        "截至上年末累计完成投资",
        "以前年度完成投资",
        "截至2023年底累计完成投资",
        "截至2023年底完成投资",
    ),
    "planned_start": (
        "计划开工时间",
        "计划开工",
        "开工时间",
        "计划开工日期",
        "开工日期",
        "预计开工时间",
        "拟开工时间",
        "建设年限开工",
        "建设年限起",
        "建设起止年限开工",
        "建设起止年限起",
        "开竣工时间开工",
        "起止年限起",
        "建设年限开工年",
    ),
    "planned_completion": (
        "计划竣工时间",
        "计划竣工",
        "竣工时间",
        "计划竣工日期",
        "竣工日期",
        "预计竣工时间",
        "计划完工时间",
        "完工时间",
        "预计完工时间",
        "建设年限竣工",
        "建设年限止",
        "建设起止年限竣工",
        "建设起止年限止",
        "开竣工时间竣工",
        "起止年限止",
        "建设年限竣工年",
    ),
    "actual_start": ("实际开工时间", "实际开工", "实际开工日期"),
    "actual_completion": ("实际竣工时间", "实际竣工", "实际竣工日期", "实际完工时间"),
    "completion_rate": (
        "完成比例",
        "投资完成比例",
        "年度投资完成率",
        "完成率",
        "投资完成率",
        "占年计划",
        "占年度计划",
        "年度计划完成率",
        "占年度计划比例",
        "完成年度计划",
        "年度投资完成比例",
        "完成年计划比例",
        "完成计划比例",
        "计划完成率",
        "年度计划完成比例",
        "占年计划比例",
    ),
    "physical_progress_pct": ("形象进度百分比", "工程进度百分比", "形象进度比例", "工程完成比例"),
    "year": ("年份", "年度", "年", "报告年份", "所属年度", "填报年份"),
    "month": ("月份", "月", "报告月份", "填报月份", "调度月份"),
    "workers": ("在岗工人数", "用工人数", "工人数", "施工人数", "在岗人数", "务工人数", "现场施工人数", "用工数量", "在岗工人"),
    "period_range": (
        "建设年限",
        "建设起止年限",
        "建设周期",
        "项目工期",
        "工期",
        "开竣工时间",
        "建设期限",
        "起止年限",
        "建设年限（起—止）",
        "起止时间",
        "建设起止时间",
        "开工竣工时间",
        "建设起止年份",
        "计划开竣工时间",
        "建设起止日期",
    ),
}

# Fallback when no key matches: the header *contains* one of these (checked in order). Only
# unambiguous text fields; amounts must match a key (so "占总投资(%)" never reads as 总投资).
CONTAINS: tuple[tuple[str, str], ...] = (
    ("统一社会信用代码", "owner_uscc"),
    ("信用代码", "owner_uscc"),
    ("项目代码", "project_code"),
    ("项目名称", "name"),
    ("建设地点", "location"),
    ("建设单位", "owner_name"),
    ("业主单位", "owner_name"),
    ("责任单位", "responsible_unit"),
    ("牵头单位", "responsible_unit"),
    ("包保领导", "sponsor_leader"),
    ("挂点领导", "sponsor_leader"),
    ("形象进度", "physical_progress"),
    ("存在问题", "problems"),
    ("建设内容", "content"),
    ("联系电话", "contact_phone"),
    ("计划开工", "planned_start"),
    ("计划竣工", "planned_completion"),
    ("实际开工", "actual_start"),
    ("实际竣工", "actual_completion"),
)


@dataclass(frozen=True)
class HeaderInfo:
    """What a header says beyond its field: unit, percent, and the period it names."""

    key: str
    multiplier: Decimal | None  # None: the sheet's unit applies
    percent: bool
    year: int | None
    month: int | None  # "6月完成投资" → 6; "1-6月累计" → 6
    month_from: int | None  # "1-6月" → 1 (a range that does not start in January is not YTD)


_JUNK = str.maketrans(
    {
        " ": None,
        "\t": None,
        "\n": None,
        "\r": None,
        "\u3000": None,
        "\u00a0": None,
        "*": None,
        "★": None,
        "【": "(",
        "】": ")",
        "[": "(",
        "]": ")",
        "—": "-",
        "–": "-",
        "－": "-",
        "~": "-",
        "～": "-",
        ":": "",
        "：": "",
    }
)
_UNIT_GROUP_RE = re.compile(r"\(([^()]*)\)")
_UNIT_WORDS = ("万元", "亿元", "元", "%", "％", "人", "个", "亩", "平方米", "单位", "起-止", "起止", "年月", "年.月")
_YEAR_RE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})年度?")
_RANGE_RE = re.compile(r"(?<!\d)(\d{1,2})(?:-|至|到)(\d{1,2})月份?")
_MONTH_RE = re.compile(r"(?<![\d-])(\d{1,2})月份?(?!\d)")
_SUM_WORDS_RE = re.compile(r"^其中|合计|小计|总计")
_TRAILING_UNIT_RE = re.compile(r"(万元|亿元)$")


def header_info(text: str) -> HeaderInfo:
    """Reduce a header to its lookup key and the unit/period facts it carries."""
    t = to_halfwidth(text).translate(_JUNK)
    multiplier = unit_multiplier(t) if "元" in t else None
    percent = "%" in t or "百分比" in t

    def _drop_units(m: re.Match[str]) -> str:
        inner = m.group(1)
        return "" if any(w in inner for w in _UNIT_WORDS) else m.group(0)

    t = _UNIT_GROUP_RE.sub(_drop_units, t)
    t = _TRAILING_UNIT_RE.sub("", t) if len(t) > 4 else t
    year = month = month_from = None
    m = _YEAR_RE.search(t)
    if m:
        year = int(m.group(1))
        t = t[: m.start()] + "Y年" + t[m.end() :]
    m = _RANGE_RE.search(t)
    if m:
        month_from, month = int(m.group(1)), int(m.group(2))
        t = t[: m.start()] + ("1-N月" if month_from == 1 else "M-N月") + t[m.end() :]
    else:
        m = _MONTH_RE.search(t)
        if m:
            month = int(m.group(1))
            t = t[: m.start()] + "N月" + t[m.end() :]
    if month is not None and not 1 <= month <= 12:
        month = month_from = None
    return HeaderInfo(t.upper(), multiplier, percent, year, month, month_from)


def _build(seed: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for field_name, headers in seed.items():
        for h in headers:
            table.setdefault(header_info(h).key, field_name)
    return table


BUILTIN: dict[str, str] = _build(SEED)


def build_table(extra_synonyms: dict[str, str] | None = None) -> dict[str, str]:
    """The lookup table: built-in keys, overridden by the administrator's ``header → field``."""
    if not extra_synonyms:
        return BUILTIN
    table = dict(BUILTIN)
    for header, field_name in extra_synonyms.items():
        if field_name in CANONICAL_FIELDS and header and header.strip():
            table[header_info(header).key] = field_name
    return table


def lookup(info: HeaderInfo, table: dict[str, str]) -> str | None:
    """The canonical field for a header, or None. Amounts never come from a percent header."""
    key = info.key
    field_name = table.get(key)
    if field_name is None and key.startswith("Y年"):
        field_name = table.get(key[2:])
    if field_name is None and "(" in key:
        bare = _UNIT_GROUP_RE.sub("", key)
        field_name = table.get(bare) or (table.get(bare[2:]) if bare.startswith("Y年") else None)
        if field_name is None:  # "【总投资】": the brackets are decoration
            field_name = table.get(key.replace("(", "").replace(")", ""))
    if field_name is None:
        for needle, f in CONTAINS:
            if needle in key:
                field_name = f
                break
    if field_name is None:
        # "年度计划投资合计", "其中：中央预算内投资": the words a total or a part adds
        bare = _SUM_WORDS_RE.sub("", key)
        if bare != key and bare:
            return lookup(HeaderInfo(bare, info.multiplier, info.percent, info.year, info.month, info.month_from), table)
        return None
    if info.percent:
        if field_name in MONEY_FIELDS:
            return None
        if field_name == "physical_progress":
            return "physical_progress_pct"
    if field_name == "invested_ytd" and info.month_from not in (None, 1):
        return None  # "4-6月完成投资" is a quarter, not the year to date
    return field_name


def map_header(text: str, table: dict[str, str] | None = None) -> tuple[str | None, HeaderInfo]:
    info = header_info(text)
    return lookup(info, table if table is not None else BUILTIN), info


def load_extra_synonyms() -> dict[str, str]:
    """The administrator's synonyms (the ``HeaderSynonym`` table) as ``extra_synonyms`` for
    :func:`~keyprojects.dataio.parsing.parse_file`."""
    from .models import HeaderSynonym

    return dict(HeaderSynonym.objects.values_list("header", "field"))
