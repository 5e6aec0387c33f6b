"""Cell normalisation, the header synonym table and region resolution (pure functions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keyprojects.dataio.normalize import (
    CellError,
    RegionMatch,
    RegionResolver,
    name_key,
    parse_amount,
    parse_date,
    parse_int,
    parse_percent,
    parse_period_range,
    read_date,
    resolve_region,
    to_halfwidth,
)
from keyprojects.dataio.synonyms import build_table, map_header

D = Decimal
YI = D(10000)
YUAN = D("0.0001")


def test_to_halfwidth():
    assert to_halfwidth("１２３，４５６．７８（二期）　ＡＢ") == "123,456.78(二期) AB"


@pytest.mark.parametrize(
    ("value", "multiplier", "expected"),
    [
        (12345.6, D(1), D("12345.6")),
        (0.1 + 0.2, D(1), D("0.3")),
        ("1,234.5", D(1), D("1234.5")),
        ("１２，３４５．６", D(1), D("12345.6")),
        ("12 345", D(1), D("12345")),
        (" 3.5 ", YI, D("35000")),
        ("3.5亿元", D(1), D("35000")),
        ("3.5亿", D(1), D("35000")),
        ("800万元", YI, D("800")),
        ("12345元", D(1), D("1.2345")),
        (1234567, YUAN, D("123.4567")),
        ("¥1,000", D(1), D("1000")),
        ("(100)", D(1), D("-100")),
        ("-100", D(1), D("-100")),
        ("1.2E+4", D(1), D("12000")),
        ("—", D(1), None),
        ("/", D(1), None),
        ("", D(1), None),
        ("无", D(1), None),
        (None, D(1), None),
    ],
)
def test_parse_amount(value, multiplier, expected):
    got = parse_amount(value, multiplier)
    assert got == expected
    if got is not None:
        assert got.as_tuple().exponent == -4  # 万元 to the yuan


@pytest.mark.parametrize("value", ["约500", "500万左右", "#REF!", "1.2.3", dt.date(2024, 1, 1), True])
def test_parse_amount_rejects(value):
    with pytest.raises(CellError):
        parse_amount(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024.03", dt.date(2024, 3, 1)),
        ("2024.3", dt.date(2024, 3, 1)),
        ("2024.03.15", dt.date(2024, 3, 15)),
        ("2024年3月", dt.date(2024, 3, 1)),
        ("2024年03月15日", dt.date(2024, 3, 15)),
        ("2024 年 3 月", dt.date(2024, 3, 1)),
        ("2024年3月底", dt.date(2024, 3, 1)),
        ("2024-03-15", dt.date(2024, 3, 15)),
        ("2024/3/15", dt.date(2024, 3, 15)),
        ("2024-03-15 00:00:00", dt.date(2024, 3, 15)),
        ("２０２４．０３", dt.date(2024, 3, 1)),
        ("202403", dt.date(2024, 3, 1)),
        ("20240315", dt.date(2024, 3, 15)),
        ("2024", dt.date(2024, 1, 1)),
        ("2024年底", dt.date(2024, 12, 1)),
        ("2024年上半年", dt.date(2024, 6, 1)),
        (45352, dt.date(2024, 3, 1)),
        (45352.5, dt.date(2024, 3, 1)),
        (2024.03, dt.date(2024, 3, 1)),
        (2024.12, dt.date(2024, 12, 1)),
        (dt.datetime(2024, 3, 1, 8, 0), dt.date(2024, 3, 1)),
        ("—", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_date_bare_year_as_completion():
    assert parse_date("2026", end=True) == dt.date(2026, 12, 1)
    assert parse_date(2026, end=True) == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024.13", "日期不存在：没有 13 月"),
        ("2024年13月", "日期不存在：没有 13 月"),
        ("2023-02-29", "日期不存在：2023年2月没有 29 日"),
        ("1850.01", "年份 1850 超出合理范围"),
        ("明年三月", "不是有效的日期"),
        (123, "不是有效的日期"),
    ],
)
def test_parse_date_rejects(value, message):
    with pytest.raises(CellError, match=message):
        parse_date(value)


def test_number_2024_1_is_doubtful():
    reading = read_date(2024.1)
    assert reading.value == dt.date(2024, 1, 1)
    assert "2024.10" in reading.doubtful
    assert read_date("2024.1").doubtful == ""  # typed as text: meant January


@pytest.mark.parametrize(
    ("value", "fraction", "expected"),
    [
        ("56.3%", None, D("56.3")),
        ("５６．３％", None, D("56.3")),
        (0.563, None, D("56.3")),
        (0.563, True, D("56.3")),
        (56.3, None, D("56.3")),
        (1.2, True, D("120")),
        (1.2, False, D("1.2")),
        ("0.5", True, D("50")),
        ("#DIV/0!", None, None),
        ("—", None, None),
    ],
)
def test_parse_percent(value, fraction, expected):
    assert parse_percent(value, fraction=fraction) == expected


def test_parse_percent_rejects():
    with pytest.raises(CellError):
        parse_percent("过半")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024.03-2026.12", (dt.date(2024, 3, 1), dt.date(2026, 12, 1))),
        ("2024-2026", (dt.date(2024, 1, 1), dt.date(2026, 12, 1))),
        ("2024年3月—2026年12月", (dt.date(2024, 3, 1), dt.date(2026, 12, 1))),
        ("2024.3～2025.6", (dt.date(2024, 3, 1), dt.date(2025, 6, 1))),
        ("2024年至2026年", (dt.date(2024, 1, 1), dt.date(2026, 12, 1))),
        ("2024-03-2026-12", (dt.date(2024, 3, 1), dt.date(2026, 12, 1))),
        ("2025", (dt.date(2025, 1, 1), None)),
        ("—", (None, None)),
    ],
)
def test_parse_period_range(value, expected):
    assert parse_period_range(value) == expected


def test_parse_period_range_rejects_backwards():
    with pytest.raises(CellError, match="结束早于开始"):
        parse_period_range("2026-2024")


def test_parse_int():
    assert parse_int("１２人") == 12
    assert parse_int(6.0) == 6
    assert parse_int("6月") == 6
    assert parse_int("—") is None
    with pytest.raises(CellError):
        parse_int(6.5)


def test_name_key():
    assert name_key("比亚迪(二期) ") == name_key("比亚迪（二期）")


# ---------------------------------------------------------------------------------------------
# Headers seen verbatim in real systems (domain.md §5)

DOMAIN_HEADERS = {
    "年份": "year",
    "月份": "month",
    "完成投资（万元）": "invested_month",
    "年初至报告期累计完成投资（万元）": "invested_ytd",
    "占年计划（%）": "completion_rate",
    "开工至报告期累计完成投资（万元）": "invested_to_date",
    "项目名称": "name",
    "建设单位": "owner_name",
    "年度计划投资": "annual_plan",
    "是否开工": "started",
    "当月已完成投资": "invested_month",
    "当月至今已完成": "invested_ytd",
    "投资完成比例": "completion_rate",
    "形象进度": "physical_progress",
    "序号": "seq",
    "建设性质": "nature",
    "总投资(万元)": "total_investment",
    "2024年度计划投资(万元)": "annual_plan",
    "6月完成投资(万元)": "invested_month",
    "2024年1-12月累计完成投资(万元)": "invested_ytd",
    "牵头单位": "responsible_unit",
    "产业类别": "industry",
    "服务队长": "sponsor_leader",
    "完成比例": "completion_rate",
    "项目代码": "project_code",
    "项目工期": "period_range",
    "责任单位": "responsible_unit",
    "项目类型": "category",
    "总投资（亿元）": "total_investment",
    "年度计划投资（万元）": "annual_plan",
    "年度累计完成投资（万元）": "invested_ytd",
    "年度投资完成率": "completion_rate",
    "项目全称": "name",
    "建设地点": "location",
    "建设规模及主要建设内容": "content",
    "项目性质": "nature",
    "项目级别": "level",
    "所属行业": "industry",
    "所属区域": "region_text",
    "项目挂点领导": "sponsor_leader",
    "建设年限(起—止)": "period_range",
    "开竣工时间": "period_range",
    "项目总投资": "total_investment",
    "责任人": "responsible_person",
    "联络人": "contact_name",
    "电话": "contact_phone",
    "项目业主单位": "owner_name",
    # variants
    "项目\n名称": "name",
    "１－６月累计完成投资": "invested_ytd",
    "1至6月完成投资": "invested_ytd",
    "形象进度（%）": "physical_progress_pct",
    "建设单位统一社会信用代码": "owner_uscc",
    "【总投资】": "total_investment",
}


@pytest.mark.parametrize(("header", "field"), DOMAIN_HEADERS.items())
def test_domain_headers(header, field):
    assert map_header(header)[0] == field


def test_header_units_and_periods():
    f, info = map_header("2024年1-6月累计完成投资（亿元）")
    assert (f, info.multiplier, info.year, info.month) == ("invested_ytd", YI, 2024, 6)
    f, info = map_header("总投资（元）")
    assert (f, info.multiplier) == ("total_investment", YUAN)
    assert map_header("4-6月完成投资")[0] is None  # a quarter, not the year to date
    assert map_header("占总投资（%）")[0] is None  # never an amount
    assert map_header("计划完成投资（万元）")[0] is None  # a month's plan: no canonical field


def test_extra_synonyms_override_and_ignore_unknown_fields():
    table = build_table({"项目类型": "industry", "奇怪表头": "nope", "": "name"})
    assert map_header("项目类型", table)[0] == "industry"
    assert map_header("奇怪表头", table)[0] is None
    assert map_header("项目类型")[0] == "category"  # the built-in table is untouched


# ---------------------------------------------------------------------------------------------
# Regions named in 建设地点

REGIONS = [
    ("370000", "山东省", "山东省"),
    ("370100", "济南市", "山东省济南市"),
    ("370102", "历下区", "山东省济南市历下区"),
    ("370103", "市中区", "山东省济南市市中区"),
    ("370200", "青岛市", "山东省青岛市"),
    ("370211", "黄岛区", "山东省青岛市黄岛区"),
    ("370400", "枣庄市", "山东省枣庄市"),
    ("370402", "市中区", "山东省枣庄市市中区"),
    ("371100", "日照市", "山东省日照市"),
    ("371103", "岚山区", "山东省日照市岚山区"),
    ("370600", "烟台市", "山东省烟台市"),
    ("370681", "龙口市", "山东省烟台市龙口市"),
]
ZONES = [(7, "济南新旧动能转换起步区", "370100"), (7, "起步区", "370100"), (8, "青岛西海岸新区", "370211")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("青岛市黄岛区", RegionMatch("370211")),
        ("山东省青岛市黄岛区灵山湾路1号", RegionMatch("370211")),
        ("黄岛", RegionMatch("370211")),
        ("日照市岚山区", RegionMatch("371103")),
        ("烟台龙口", RegionMatch("370681")),
        ("龙口市", RegionMatch("370681")),
        ("济南新旧动能转换起步区", RegionMatch("370100", 7)),
        ("济南起步区崔寨街道", RegionMatch("370100", 7)),
        ("青岛西海岸新区", RegionMatch("370211", 8)),
        ("济南市市中区", RegionMatch("370103")),
        ("枣庄市市中区", RegionMatch("370402")),
        ("市中区", None),  # in two cities: ambiguous
        ("济南市城市中心片区", RegionMatch("370100")),  # "市中" inside "城市中心" is not 市中区
        ("济南市历下区、青岛市黄岛区", None),  # two places
        ("某某工业园", None),
        ("", None),
    ],
)
def test_resolve_region(text, expected):
    assert resolve_region(text, REGIONS, ZONES) == expected


def test_region_resolver_caches():
    resolver = RegionResolver(REGIONS, ZONES)
    assert resolver.resolve("青岛市黄岛区") == resolver.resolve("青岛市黄岛区") == RegionMatch("370211")
    assert "青岛市黄岛区" in resolver.cache


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("2024年XX市重点项目建设进展情况表（1-6月）", (2024, 6)),
        ("2024年１－１２月重点项目调度表", (2024, 12)),
        ("2024年6月重点项目调度表", (2024, 6)),
        ("截至6月底重点项目进展", (None, 6)),
        ("2024年上半年重点项目推进情况", (2024, 6)),
        ("2024年前三季度重点项目", (2024, 9)),
        ("2024年第二季度重点项目", (2024, 6)),
        ("2024年重点项目名单", (2024, None)),
    ],
)
def test_period_in_titles(title, expected):
    from keyprojects.dataio.header import _title_period

    assert _title_period(title) == expected


def test_unneutralise_undoes_the_exports_formula_guard():
    from keyprojects.core import xlsx
    from keyprojects.dataio.normalize import FORMULA_PREFIXES, cell_text, unneutralise

    assert FORMULA_PREFIXES == xlsx.FORMULA_PREFIXES  # the parser undoes exactly what exports do
    for text in ["=1+2项目", "+86", "-5", "@me", "\tTAB", "\rCR", "普通", "'引号", ""]:
        assert unneutralise(xlsx.neutralise(text)) == text
    assert unneutralise("''=x") == "''=x"  # only the guard's own apostrophe, right before =+-@ TAB CR
    assert unneutralise("'") == "'"
    assert cell_text("'=1+2项目 ") == "=1+2项目"


def test_every_template_column_reads_back():
    """The fill-in template's headers (dataio.exports) are all read by the parser (填报状态 tells
    the importer when a row's cumulative columns are not its report: test_reimport_own_export)."""
    from keyprojects.dataio.exports import TEMPLATE_COLUMNS

    fields = {c.header: map_header(c.header)[0] for c in TEMPLATE_COLUMNS}
    assert fields == {
        "序号": "seq",
        "项目代码": "project_code",
        "项目名称": "name",
        "年份": "year",
        "月份": "month",
        "填报状态": "report_status",
        "本月完成投资（万元）": "invested_month",
        "本月无进展": "no_activity",
        "无进展原因": "no_activity_reason",
        "形象进度": "physical_progress",
        "形象进度（%）": "physical_progress_pct",
        "存在问题": "problems",
        "项目ID": "project_id",
    }
