"""Generate the small spreadsheets under ``files/`` that the reader/parser tests read.

Each file carries traits of real files (domain.md §5): title lines, a "单位：万元" line,
two-level merged headers, 序号, group rows, 合计/小计/其中 rows, blank rows, footers, full-width
digits, thousands separators, "—" and "/", dates in every shape, percentages both ways, 亿元
columns, a GBK CSV, a legacy .xls as WPS saves it and an .ods.

    .venv/bin/python keyprojects/dataio/tests/make_fixtures.py

Needs openpyxl (a runtime dependency) and, for the .xls, xlwt (``pip install xlwt``; only here,
the generated file is committed so the tests do not need it). The .ods is written by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

FILES = Path(__file__).resolve().parent / "files"

# USCC examples that validate (domain.md §4) and two made with keyprojects.core.validators.make_uscc
USCC_OK = "91110000600037341L"
USCC_OK2 = "91350100M000100Y43"
USCC_BAD = "91110000600037341A"  # wrong check character


def _fixed_times(path: Path) -> None:
    """Rewrite a zip with fixed timestamps so regenerating gives the same bytes."""
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-07-01T00:00:00Z", body)
            ni = zipfile.ZipInfo(info.filename, date_time=(2024, 7, 1, 0, 0, 0))
            ni.compress_type = info.compress_type
            ni.external_attr = info.external_attr
            dst.writestr(ni, body)
    path.write_bytes(out.getvalue())


def _core_props(wb) -> None:
    wb.properties.creator = "keyprojects tests"
    wb.properties.created = dt.datetime(2024, 7, 1)
    wb.properties.modified = dt.datetime(2024, 7, 1)


# ---------------------------------------------------------------------------------------------
def messy_list() -> None:
    """A city's project list as it comes: every layout trait, no blocking error."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "重点项目"
    ws["A1"] = "附件1"
    ws["A2"] = "2024年XX市重点项目建设进展情况表（1-6月）"
    ws.merge_cells("A2:P2")
    ws["A3"] = "填报单位：XX市发展和改革委员会"
    ws.merge_cells("A3:F3")
    ws["N3"] = "单位：万元"
    top = ["序号", "项目名称", "项目代码", "建设单位", "统一社会信用代码", "建设地点", "建设性质", "项目类别"]
    for j, text in enumerate(top, start=1):
        ws.cell(4, j, text)
        ws.merge_cells(start_row=4, start_column=j, end_row=5, end_column=j)
    ws["I4"] = "投资情况"
    ws.merge_cells("I4:L4")
    for j, text in enumerate(["总投资", "2024年计划投资", "6月完成投资", "1-6月累计完成投资"], start=9):
        ws.cell(5, j, text)
    ws["M4"] = "建设年限"
    ws.merge_cells("M4:N4")
    ws["M5"], ws["N5"] = "开工", "竣工"
    for j, text in ((15, "形象进度"), (16, "存在问题"), (17, "完成比例")):
        ws.cell(4, j, text)
        ws.merge_cells(start_row=4, start_column=j, end_row=5, end_column=j)

    rows: list[list] = [
        # 6: 合计 right under the header; its 总投资 disagrees with the rows (5000 too much)
        ["合计", None, None, None, None, None, None, None, 222_845.6, 31_234.5, 1_840, 12_040.5],
        ["一、省级重点项目"],  # 7 (merged A7:B7)
        ["（一）", "产业项目"],  # 8: 序号 holds the numeral, 项目名称 the words
        [
            1,
            "比亚迪新能源乘用车及零部件产业园项目（二期）",
            "2403-370102-04-01-123456",
            "比亚迪汽车（济南）有限公司",
            USCC_OK,
            "济南新旧动能转换起步区",
            "续建",
            "产业项目",
            150000,
            20000,
            1500,
            9000,
            dt.date(2023, 3, 1),
            "2025.12",
            "主体完工",
            "/",
            0.45,
        ],
        [
            2,
            "蓝拓氢能绿氢装备智造项目",
            "２４０１－３７１１０３－０４－０１－６５４３２１",  # full-width digits and dash
            "山东蓝拓氢能科技有限公司",
            USCC_OK2,
            "日照市岚山区",
            "新开工",
            "产业",
            "３５,０００",  # full-width digits with a thousands separator
            "8,000.5",
            "—",
            "2,040.5",
            "2024.03",
            "2026年12月",
            "设备安装",
            "—",
            "25.5%",
        ],
        [],  # 11: blank
        ["（二）", "城建项目"],  # 12
        [
            3,
            "XX市老旧小区改造工程",
            None,
            "XX市城市建设投资集团有限公司",
            None,
            "青岛市黄岛区",
            "续建",
            "城建",
            27845.6,
            3234,
            340,
            1000,
            45352,  # an Excel serial date (2024-03-01) in a General cell
            "2024-12-31",
            "完成 60%",
            "征地拆迁进度慢",
            0.309,
        ],
        ["小计", None, None, None, None, None, None, None, 27845.6, 3234, 340, 1000],  # 14: agrees
        ["二、市级重点项目"],  # 15
        [
            4,
            "XX文化旅游综合体",
            None,
            "XX文旅发展有限公司",
            None,
            "XX市历下区",
            None,
            "文旅项目",  # cannot be mapped to a category: kept as written, warning
            "0.5亿元",  # the unit in the cell wins: 5000 万元
            None,
            None,
            None,
            "2024年3月",
            "2027",
            None,
            None,
            None,
        ],
        ["其中：省级", None, None, None, None, None, None, None, 177845.6],  # 17: a breakdown, skipped
        [],
        ["填报人：张三                联系电话：0531-12345678"],  # 19
        ["审核人：李四"],  # 20
    ]
    for i, values in enumerate(rows, start=6):
        for j, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(i, j, v)
    ws.merge_cells("A7:B7")
    ws.merge_cells("A15:B15")
    ws.merge_cells("A19:Q19")
    ws["Q9"].number_format = "0.0%"
    ws["M9"].number_format = "yyyy-mm-dd"
    path = FILES / "messy_list.xlsx"
    wb.save(path)
    _fixed_times(path)


# ---------------------------------------------------------------------------------------------
def errors_list() -> None:
    """One row per blocking error (plus two warnings), single-row header, no title."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(
        [
            "序号",
            "项目名称",
            "项目代码",
            "建设单位",
            "统一社会信用代码",
            "总投资（万元）",
            "1-6月累计完成投资（万元）",
            "计划开工",
            "项目级别",
        ]
    )
    data = [
        [1, "正常项目", "2403-370102-04-01-123456", "甲公司", USCC_OK, 1000, 200, "2024.03", "省级"],  # 2
        [2, "金额不是数字", None, "乙公司", None, "约500", None, None, "市级"],  # 3
        [3, "金额为负", None, "丙公司", None, -100, None, None, "市级"],  # 4
        [4, "日期不存在", None, "丁公司", None, 800, None, "2024.13", "市级"],  # 5
        [5, "信用代码校验位错", None, "戊公司", USCC_BAD, 800, None, None, "市级"],  # 6
        [6, "项目代码形状不对", "2403-370102-04-01-12345", "己公司", None, 800, None, None, "市级"],  # 7
        [7, None, None, "庚公司", None, 800, None, None, "市级"],  # 8: no name
        [8, "正常项目（重复）", "2403-370102-04-01-123456", "甲公司", USCC_OK, 1000, 200, "2024.03", "省级"],  # 9: duplicate code
        [9, "累计大于总投资", None, "辛公司", None, 500, 600, None, "市级"],  # 10
        [10, "疑似亿元", None, "壬公司", None, 3.5, None, None, "市级"],  # 11: warning (unit slip)
        [11, "级别无法识别", None, "癸公司", None, 900, None, None, "国家级"],  # 12: warning (kept)
        [12, "二月三十日", None, "子公司", None, 900, None, "2024-02-30", "市级"],  # 13
    ]
    for row in data:
        ws.append(row)
    path = FILES / "errors.xlsx"
    wb.save(path)
    _fixed_times(path)


# ---------------------------------------------------------------------------------------------
def dispatch_gbk_csv() -> None:
    """A monthly dispatch table saved by Excel as CSV in GBK (domain.md §5, second header)."""
    lines = [
        "2024年6月重点项目调度表,,,,,,,,",
        "单位：万元,,,,,,,,",
        "月份,项目名称,建设单位,年度计划投资,是否开工,当月已完成投资,当月至今已完成,投资完成比例,形象进度",
        '6,比亚迪新能源乘用车及零部件产业园项目（二期）,比亚迪汽车（济南）有限公司,"20,000",是,"1,500","9,000",45%,主体完工',
        "6,山东极电电动电池总成项目,山东极电新能源科技有限公司,12000,是,800,5600,46.67%,厂房完成80%",
        "6,蓝拓氢能绿氢装备智造项目,山东蓝拓氢能科技有限公司,８０００,否,—,0,0%,前期手续办理中",
        ",,,,,,,,",
        "填报人：王五,,联系电话：0633-1234567,,,,,,",
    ]
    (FILES / "dispatch_gbk.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


# ---------------------------------------------------------------------------------------------
def legacy_xls() -> None:
    """A legacy .xls as WPS saves it (BIFF8), third header of domain.md §5, merged title."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("2024年调度")
    ws.write_merge(0, 0, 0, 10, "2024年XX区重点项目推进情况（1-12月）")
    headers = [
        "序号",
        "项目名称",
        "建设性质",
        "总投资(万元)",
        "2024年度计划投资(万元)",
        "6月完成投资(万元)",
        "2024年1-12月累计完成投资(万元)",
        "牵头单位",
        "产业类别",
        "服务队长",
        "完成比例",
    ]
    for j, h in enumerate(headers):
        ws.write(1, j, h)
    ws.write_merge(2, 2, 0, 1, "一、新开工项目")
    ws.write(3, 0, 1)
    for j, v in enumerate(
        ["山东达民化工1万吨哌嗪和7万吨高胺项目", None, 86000, 30000, 2600, 31000, "沾化区发改局", "高端化工", "李四", 1.0333]
    ):
        if v is not None:
            ws.write(3, j + 1, v)
    ws.write_merge(4, 4, 0, 1, "二、续建项目")
    ws.write(5, 0, 2)
    for j, v in enumerate(
        ["国家管网龙口南山LNG接收站一期工程", None, 1_200_000, 200_000, 15000, 150_000, "龙口市发改局", "新能源", "赵六", 0.75]
    ):
        if v is not None:
            ws.write(5, j + 1, v)
    ws.write_merge(6, 6, 0, 1, "合计")
    ws.write(6, 3, 1_286_000)
    ws.write(6, 4, 230_000)
    ws.write(6, 6, 181_000)
    wb.save(str(FILES / "legacy_wps.xls"))


def hostile_xls() -> None:
    """A 5 KB .xls with one value at A1 and one at IV65536: read naively it allocates the whole
    65536 × 256 grid (about 1 GB); the reader must refuse it from the BIFF records."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    ws.write(0, 0, "项目名称")
    ws.write(65535, 255, "x")
    wb.save(str(FILES / "hostile_far_cell.xls"))


# ---------------------------------------------------------------------------------------------
def _ods(sheets: dict[str, list[list]], merges: dict[str, list[tuple[int, int, int, int]]]) -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
    )
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:spreadsheet>']
    for name, rows in sheets.items():
        spans = {(r, c): (r1, c1) for r, c, r1, c1 in merges.get(name, [])}
        covered = {(r, c) for (r0, c0), (r1, c1) in spans.items() for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(spans)
        width = max(len(r) for r in rows)
        parts.append(f'<table:table table:name="{escape(name)}">')
        parts.append(f'<table:table-column table:number-columns-repeated="{width}"/>')
        for i, row in enumerate(rows):
            parts.append("<table:table-row>")
            for j in range(width):
                v = row[j] if j < len(row) else None
                if (i, j) in covered:
                    parts.append("<table:covered-table-cell/>")
                    continue
                attrs = ""
                if (i, j) in spans:
                    r1, c1 = spans[(i, j)]
                    attrs = f' table:number-columns-spanned="{c1 - j + 1}" table:number-rows-spanned="{r1 - i + 1}"'
                if v is None:
                    parts.append(f"<table:table-cell{attrs}/>")
                    continue
                if isinstance(v, (int, float)):
                    open_tag = f'<table:table-cell{attrs} office:value-type="float" office:value="{v}">'
                elif isinstance(v, dt.date):
                    v = v.isoformat()
                    open_tag = f'<table:table-cell{attrs} office:value-type="date" office:date-value="{v}">'
                else:
                    open_tag = f'<table:table-cell{attrs} office:value-type="string">'
                parts.append(f"{open_tag}<text:p>{escape(str(v))}</text:p></table:table-cell>")
            parts.append("</table:table-row>")
        # LibreOffice pads every sheet with repeated empty rows: harmless, must not count
        empty = '<table:table-cell table:number-columns-repeated="1024"/>'
        parts.append(f'<table:table-row table:number-rows-repeated="1048000">{empty}</table:table-row>')
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        stamp = (2024, 7, 1, 0, 0, 0)
        z.writestr(zipfile.ZipInfo("mimetype", stamp), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(zipfile.ZipInfo("META-INF/manifest.xml", stamp), manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("content.xml", stamp), "".join(parts), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def table4_ods() -> None:
    """Fourth header of domain.md §5: 总投资（亿元）, 项目工期 as a range; merged title (ODS spans)."""
    header = [
        "项目名称",
        "项目代码",
        "项目工期",
        "责任单位",
        "建设单位",
        "项目类型",
        "总投资（亿元）",
        "年度计划投资（万元）",
        "年度累计完成投资（万元）",
        "年度投资完成率",
        "建设性质",
    ]
    rows = [
        ["2024年重点项目推进表（1-6月）"],
        header,
        [
            "山东极电电动电池总成项目",
            "2312-370402-04-01-100001",
            "2023.03-2025.12",
            "枣庄市工业和信息化局",
            "山东极电新能源科技有限公司",
            "产业项目",
            3.5,
            12000,
            5600,
            "46.7%",
            "续建",
        ],
        [
            "日照自动驾驶区域运营基地项目",
            "2402-371102-04-01-100002",
            "2024年3月—2026年12月",
            "日照市交通运输局",
            "日照智行科技有限公司",
            "基础设施项目",
            12.25,
            30000,
            9000,
            "30%",
            "新开工",
        ],
    ]
    merges = {"推进表": [(0, 0, 0, 10)]}
    (FILES / "table4_yiyuan.ods").write_bytes(_ods({"推进表": rows}, merges))


# ---------------------------------------------------------------------------------------------
def project_cards() -> None:
    """The project-card fields of domain.md §5 as columns; regions named in 建设地点."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "项目信息"
    ws.append(
        [
            "项目全称",
            "建设地点",
            "建设规模及主要建设内容",
            "项目性质",
            "项目级别",
            "所属行业",
            "所属区域",
            "项目挂点领导",
            "建设年限(起—止)",
            "项目总投资",
            "责任单位",
            "责任人",
            "联络人",
            "电话",
            "项目业主单位",
        ]
    )
    ws.append(
        [
            "比亚迪新能源乘用车及零部件产业园项目（二期）",
            "济南新旧动能转换起步区",
            "年产新能源乘用车24万辆\n及配套零部件",
            "续建",
            "省级",
            "C36 汽车制造业",
            "济南市",
            "张市长",
            "2023-2025",
            1500000,
            "起步区管委会",
            "王某",
            "刘某",
            13800000000,
            "比亚迪汽车（济南）有限公司",
        ]
    )
    ws.append(
        [
            "国家管网龙口南山LNG接收站一期工程",
            "烟台市龙口市",
            "LNG接收站及配套管线",
            "竣工投产",
            "省级",
            "燃气生产和供应业",
            "龙口市",
            "李副市长",
            "2021.06—2024.10",
            1_200_000,
            "龙口市发改局",
            "陈某",
            "周某",
            "0535-8888888",
            "国家管网集团龙口液化天然气有限公司",
        ]
    )
    ws.append(
        [
            "蓝拓氢能绿氢装备智造项目",
            "日照市岚山区",
            "绿氢装备生产线",
            "新开工",
            "市级",
            "新能源装备",
            "岚山区",
            None,
            "2024.03-2025.12",
            35000,
            "岚山区发改局",
            "孙某",
            "吴某",
            "１３９００００００００",
            "山东蓝拓氢能科技有限公司",
        ]
    )
    path = FILES / "project_cards.xlsx"
    wb.save(path)
    _fixed_times(path)


# ---------------------------------------------------------------------------------------------
def multi_sheet() -> None:
    """Several sheets: level from the sheet name, a hidden sheet, a notes sheet, the first
    domain.md header (a project's monthly history: 年份/月份, no name column)."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "省级重点项目"
    ws.append(["序号", "项目名称", "项目代码", "总投资（亿元）", "年度计划投资（万元）"])
    ws.append([1, "山东港口青岛港自动化码头三期", "2401-370211-04-01-200001", 52.1, 80000])
    ws.append([2, "国家管网龙口南山LNG接收站一期工程", "2101-370681-04-01-200002", 120, 200000])
    ws2 = wb.create_sheet("市级重点项目")
    ws2.append(["2024年市级重点项目", None, None])
    ws2.append(["序号", "项目名称", "项目代码", "总投资（万元）", "年度计划投资（万元）"])
    ws2.append([1, "国家管网龙口南山LNG接收站一期工程", "2101-370681-04-01-200002", 1_200_000, 200_000])  # also province: fine
    ws2.append([2, "XX市污水处理厂提标改造", None, 8000, 3000])
    ws3 = wb.create_sheet("字典")
    ws3.append(["项目名称", "项目级别", "建设性质"])
    ws3.append(["示例", "省级", "续建"])
    ws3.sheet_state = "hidden"
    ws4 = wb.create_sheet("说明")
    ws4.append(["本表由各区县发改局填报，每月5日前报送。"])
    ws5 = wb.create_sheet("月度")
    ws5.append(
        [
            "年份",
            "月份",
            "计划完成投资（万元）",
            "完成投资（万元）",
            "年初至报告期累计完成投资（万元）",
            "占年计划（%）",
            "开工至报告期累计完成投资（万元）",
            "占总投资（%）",
        ]
    )
    ws5.append([2024, 1, 1000, 900, 900, 4.5, 50900, 3.4])
    ws5.append([2024, 2, 1000, 1100, 2000, 10, 52000, 3.5])
    path = FILES / "multi_sheet.xlsx"
    wb.save(path)
    _fixed_times(path)


def round2_city_list() -> None:
    """Issue 13: a city's annual list as offices make it — the year only in the title, a 县区
    column merged over each county's projects, a group row naming a county, a 栏次 row and a units
    row under the header, "合计" and a line break in a header, no 建设性质 column but a 备注 that
    names it, a 项目代码 and a 责任单位 naming the county, and an amount column nobody maps."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "计划表"
    headers = [
        "序号",
        "县区",
        "项目名称",
        "项目代码",
        "责任单位",
        "总投资\n（万元）",
        "年度计划投资合计（万元）",
        "其中：省级资金（万元）",
        "备注",
    ]
    ws.append(["2024年济南市重点项目投资计划表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(headers)
    ws.append(["甲", "乙", "丙", "丁", "戊", 1, 2, 3, "己"])
    ws.append(["", "", "", "", "", "（万元）", "（万元）", "（万元）", ""])
    ws.append([1, "历下区", "R2历下甲", "", "", 1000, 400, 10, "新开工"])
    ws.append([2, None, "R2历下乙", "", "", 2000, 500, 20, "续建"])
    ws.append([3, None, "R2历下丙", "", "", 3000, 600, 30, "竣工投产"])
    ws.merge_cells("B5:B7")
    ws.append([4, "", "R2市中代码", "2401-370103-04-01-123456", "", 700, 200, 0, "新开工"])
    ws.append([5, "", "R2长清单位", "", "长清区人民政府", 600, 100, 0, "续建"])
    ws.append([6, "", "R2线索不一", "2401-370112-04-01-654321", "长清区人民政府", 500, 100, 0, "续建"])
    ws.append(["一、平阴县（2个）"])
    ws.append([1, "", "R2平阴甲", "", "", 800, 300, 0, "前期"])
    ws.append([2, "", "R2平阴乙", "", "", 900, 350, 0, "续建"])
    path = FILES / "round2_city_list.xlsx"
    wb.save(path)
    _fixed_times(path)


def round2_monthly() -> None:
    """Issue 13: a monthly table with "1-5月累计" and no year anywhere, one sheet per county."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    first = True
    for sheet, rows in (
        ("历下区", [[1, "R2月报历下", 120, 30]]),
        ("市中区", [[1, "R2月报市中", 240, 60], [2, "R2月报没有", 1, 1]]),
    ):
        ws = wb.active if first else wb.create_sheet(sheet)
        ws.title = sheet
        first = False
        ws.append(["重点项目建设进展情况表（1-5月）"])
        ws.append(["序号", "项目名称", "1-5月累计完成投资（万元）", "5月完成投资（万元）"])
        for r in rows:
            ws.append(r)
    path = FILES / "round2_monthly.xlsx"
    wb.save(path)
    _fixed_times(path)


def round2_month_columns() -> None:
    """Issue 13: amounts one column per month (1月 … 6月) under a merged "2024年完成投资（元）"
    parent, in 元; no year elsewhere; a month left blank between two filled ones."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "月度投资"
    ws["A1"] = "济南市重点项目月度投资完成情况"
    ws.merge_cells("A1:K1")
    for j, text in enumerate(["序号", "县区", "项目名称", "总投资（万元）"], start=1):
        ws.cell(2, j, text)
        ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    ws["E2"] = "2024年完成投资（元）"
    ws.merge_cells("E2:J2")
    for m in range(1, 7):
        ws.cell(3, 4 + m, f"{m}月")
    ws["K2"] = "形象进度"
    ws.merge_cells("K2:K3")
    rows = [
        [1, "历下区", "R2M历下甲", 1000, 1_000_000, 2_000_000, None, 500_000, 0, 1_500_000, "主体施工"],
        [2, "市中区", "R2M市中乙", 800, 300_000, "300,000", 300_000, None, None, None, "基础施工"],
    ]
    for i, values in enumerate(rows, start=4):
        for j, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(i, j, v)
    path = FILES / "round2_month_columns.xlsx"
    wb.save(path)
    _fixed_times(path)


def round2_remarks_years() -> None:
    """Issue 13: a list with no year in title, header or sheet name — only each project's
    建设起止年限 (all covering 2024) — and no 建设性质 column, a 说明 naming nature or stage."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "计划表"
    ws.append(["济南市重点项目投资计划表"])
    ws.append(["序号", "项目名称", "县区", "建设起止年限", "总投资（万元）", "年度计划投资（万元）", "说明"])
    ws.append([1, "R2Y新开工", "历下区", "2024.03-2025.12", 1000, 300, "新开工"])
    ws.append([2, "R2Y续建", "历下区", "2023.01-2024.12", 2000, 400, "续建"])
    ws.append([3, "R2Y竣工", "市中区", "2022-2024", 3000, 500, "竣工"])
    ws.append([4, "R2Y竣工投产", "市中区", "2023.6-2024.10", 900, 200, "竣工投产"])
    ws.append([5, "R2Y前期", "历下区", "2024-2026", 800, 100, "前期"])
    ws.append([6, "R2Y无说明", "历下区", "2023-2025", 700, 50, ""])
    path = FILES / "round2_remarks_years.xlsx"
    wb.save(path)
    _fixed_times(path)


def round2_city_sheets() -> None:
    """Issue 13: a province list with one sheet per city (济南市, 青岛市 …), the year in each title;
    rows naming no place take the sheet's city, a 建设地点 naming a county is more specific."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    first = True
    for sheet, rows in (
        ("济南市", [[1, "R2S济南本级", "经十路100号", 5000, 1000, "续建"], [2, "R2S历下", "历下区泉城路", 3000, 600, "新开工"]]),
        ("青岛市", [[1, "R2S青岛本级", "", 4000, 800, "续建"], [2, "R2S黄岛", "青岛市黄岛区", 2000, 500, "新开工"]]),
    ):
        ws = wb.active if first else wb.create_sheet(sheet)
        ws.title = sheet
        first = False
        ws.append([f"2024年{sheet}省重点项目清单"])
        ws.append(["序号", "项目名称", "建设地点", "总投资（万元）", "年度计划投资（万元）", "建设性质"])
        for r in rows:
            ws.append(r)
    path = FILES / "round2_city_sheets.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_zibo_list() -> None:
    """Issue 13, third trial: 淄博's city list as printed — the 区县 cell merged over its projects
    across a page break where the header repeats, a hidden "2023年计划投资" column before the
    "2024年计划投资" a person sees, "合计" right under the header, 亿元 only on the 总投资 header's
    second line, 项目代码 with full-width hyphens or spaces, 建设起止年限 as "2023-2025" or
    "2023年3月至2025年12月", remarks "续建项目" and "已竣工投产"."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "Sheet1"
    header = ["序号", "区县", "项目名称", "项目代码", "建设单位", "建设起止年限", "总投资\n（亿元）", "2023年计划投资\n（万元）",
              "2024年计划投资\n（万元）", "备注"]  # fmt: skip
    ws["A1"] = "淄博市2024年市级重点项目名单"
    ws.merge_cells("A1:J1")
    ws["J2"] = "单位：万元"
    rows = [
        header,  # 3
        ["合计", None, None, None, None, None, 26.7, 30000, 51000, None],  # 4
        [
            1,
            "张店区",
            "R3齐鲁化工新材料项目",
            "2401－370303－04－01－123456",
            "山东齐鲁新材料有限公司",
            "2023-2025",
            12.5,
            20000,
            30000,
            "续建项目",
        ],
        [2, None, "R3张店智慧城市项目", "2402 370303 04 01 234567", "淄博城投集团", "2024年3月-2025年12月", 3.2, None, 8000, "新开工"],
        header,  # 7: the page break
        [3, None, "R3张店医院项目", None, "张店区卫健局", "2022-2024", 5, 10000, 6000, "已竣工投产"],
        [4, "淄川区", "R3淄川陶瓷项目", None, "淄川陶瓷公司", "2024-2026", 4, None, 5000, "新开工项目"],
        [5, None, "R3淄川物流项目", None, "淄川物流公司", "2023年3月至2025年12月", 2, None, 2000, "续建"],
    ]
    for i, values in enumerate(rows, start=3):
        for j, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(i, j, v)
    ws.merge_cells("B5:B8")
    ws.merge_cells("B9:B10")
    ws.column_dimensions["H"].hidden = True
    path = FILES / "round3_zibo_list.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_zibo_groups() -> None:
    """Issue 13, third trial: group rows "一、张店区（３个）" (full-width count), a 小计 after each
    group and a 合计 on top, no year in the title (建设起止年限 as "2024年3月-2025年12月",
    "2022—2024年"), remarks, and one 责任单位 of a county of another city (济南's 历城区)."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "项目表"
    ws["A1"] = "淄博市重点项目建设计划表"
    ws.merge_cells("A1:H1")
    rows = [
        ["序号", "项目名称", "责任单位", "建设起止年限", "总投资\n(亿元)", "年度计划投资\n(万元)", "建设内容", "备注"],
        ["合计", None, None, None, 21.5, 43000],
        ["一、张店区（３个）"],
        [1, "R3张店甲", "张店区发改局", "2024年3月-2025年12月", 10, 20000, "厂房", "新开工"],
        [2, "R3张店乙", "张店区住建局", "2023年1月-2024年12月", 5, 10000, "道路", "续建项目"],
        [3, "R3张店丙", "张店区工信局", "2022—2024年", 1.5, 3000, "设备", "已竣工投产"],
        ["小计", None, None, None, 16.5, 33000],
        ["二、淄川区（２个）"],
        [1, "R3淄川甲", "淄川区政府", "2024-2025", 3, 6000, "园区", "新开工项目"],
        [2, "R3越界", "历城区发改局", "2024-2026", 2, 4000, "学校", "前期"],  # 11
        ["小计", None, None, None, 5, 10000],
    ]
    for i, values in enumerate(rows, start=2):
        for j, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(i, j, v)
    path = FILES / "round3_zibo_groups.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_far_clues() -> None:
    """Issue 13, third trial: a 淄博 list whose only region clue of each row is its 项目代码,
    建设地点 or 责任单位 — some naming a county of 济南 (outside the import's scope)."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "清单"
    ws.append(["淄博市2024年重点项目清单"])
    ws.append(["序号", "项目名称", "项目代码", "建设地点", "责任单位", "总投资（万元）", "年度计划投资（万元）", "建设性质"])
    ws.append([1, "R3地点张店", None, "淄博市张店区中心路", None, 1000, 100, "新开工"])
    ws.append([2, "R3单位淄川", None, None, "淄川区人民政府", 1000, 100, "续建"])
    ws.append([3, "R3代码历下", "2401-370102-04-01-123456", None, None, 1000, 100, "续建"])
    ws.append([4, "R3地点历城", None, "济南市历城区港沟街道", None, 1000, 100, "续建"])
    ws.append([5, "R3单位历城", None, None, "历城区发改局", 1000, 100, "续建"])
    ws.append([6, "R3无线索", None, "中心路18号", None, 1000, 100, "续建"])
    path = FILES / "round3_far_clues.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_county_sheets() -> None:
    """Issue 13, third trial: 济南's list with one sheet per county (历下区, 市中区 — a name four
    counties share, two of them in 山东): the city only in the title."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    first = True
    for sheet, rows in (
        ("历下区", [[1, "R3C历下甲", 5000, 1000, "续建"]]),
        ("市中区", [[1, "R3C市中甲", 3000, 800, "新开工"], [2, "R3C市中乙", 2000, 300, "续建"]]),
    ):
        ws = wb.active if first else wb.create_sheet(sheet)
        ws.title = sheet
        first = False
        ws.append(["济南市2024年重点项目清单"])
        ws.append(["序号", "项目名称", "总投资（万元）", "年度计划投资（万元）", "建设性质"])
        for r in rows:
            ws.append(r)
    path = FILES / "round3_county_sheets.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_monthly_names() -> None:
    """Issue 13, third trial: a monthly table (1-10月, no year) of registered projects, found by name and
    县区 — names written with half-width brackets or a space where the registry has none."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["淄博市重点项目建设进展情况表（1-10月）"])
    ws.append(["序号", "县区", "项目名称", "10月完成投资（万元）", "1-10月累计完成投资（万元）", "形象进度"])
    ws.append([1, "张店区", "R3N张店项目(二期)", 100, 500, "主体施工"])
    ws.append([2, "张店区", "R3N张店 大厦", 0, 300, "装修"])
    ws.append([3, "淄川区", "R3N张店大厦", 10, 10, ""])  # registered in 张店区, not 淄川区
    path = FILES / "round3_monthly_names.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_misc() -> None:
    """Issue 13, third trial: 县区 cells as written ("市本级", "张店" without 区), 建设起止年限 as
    "2023年-2025年", "2023~2025", "2023至2025年", "2024.3—2026.6"; no year anywhere but the
    新开工 projects' start; a 备注 "在建"; a group row whose count ("（3个）") its rows do not reach."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["淄博市重点项目名单"])
    ws.append(["序号", "县区", "项目名称", "建设起止年限", "总投资（万元）", "年度计划投资（万元）", "备注"])
    for r in (
        [1, "市本级", "R3H市本级项目", "2023年-2025年", 1000, 100, "续建"],
        [2, "张店", "R3H张店项目", "2023~2025", 1000, 100, "续建"],
        [3, "淄博高新区", "R3H高新区项目", "2023至2025年", 1000, 100, "续建"],
        [4, "桓台县", "R3H桓台项目", "2024.3—2026.6", 1000, 100, "新开工"],
        [5, "高青县", "R3H高青项目", "2024年", 1000, 100, "新开工"],
        [6, "沂源县", "R3H沂源项目", "2022.10-2025.3", 1000, 100, "在建"],
        ["一、临淄区（3个）"],
        [1, None, "R3H临淄甲", "2024-2025", 100, 10, "续建"],
        [2, None, "R3H临淄乙", "2024-2025", 100, 10, "续建"],
    ):
        ws.append(r)
    path = FILES / "round3_misc.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_two_months() -> None:
    """Issue 13, third trial: one sheet per month ("8月", "9月"), each a 1-N月 table of the same
    registered projects (no year: the most recent such months)."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    first = True
    for m, rows in ((8, [[1, "张店区", "R3T张店甲", 400, 400], [2, "张店区", "R3T张店乙", 300, 300]]),
                    (9, [[1, "张店区", "R3T张店甲", 100, 500], [2, "张店区", "R3T张店乙", 60, 360]])):  # fmt: skip
        ws = wb.active if first else wb.create_sheet(f"{m}月")
        ws.title = f"{m}月"
        first = False
        ws.append([f"淄博市重点项目建设进展情况表（1-{m}月）"])
        ws.append(["序号", "县区", "项目名称", f"{m}月完成投资（万元）", f"1-{m}月累计完成投资（万元）"])
        for r in rows:
            ws.append(r)
    path = FILES / "round3_two_months.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_hidden() -> None:
    """Issue 13, third trial: what a person does not see — a hidden old "总投资（万元）" column
    before the "总投资（亿元）" one sees, and a hidden row (a project taken off the list) that
    starts a merged 县区 cell."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "名单"
    ws.append(["淄博市2024年重点项目名单"])
    ws.append(["序号", "县区", "项目名称", "总投资（万元）", "总投资（亿元）", "2024年计划投资（万元）"])
    ws.append([1, "张店区", "R3V退库项目", 9000, 0.9, 900])  # 3: hidden
    ws.append([2, None, "R3V张店甲", 11111, 1.5, 1500])
    ws.append([3, None, "R3V张店乙", 22222, 2.5, 2500])
    ws.append([4, "淄川区", "R3V淄川甲", 33333, 3.5, 3500])
    ws.merge_cells("B3:B5")
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["D"].hidden = True
    path = FILES / "round3_hidden.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_q1_lumped() -> None:
    """Issue 13, third trial: month columns whose first is the first quarter together ("1-3月",
    "4月", "5月", "6月" under "完成投资（万元）", no year) for a registered project."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "逐月"
    ws["A1"] = "淄博市重点项目逐月投资完成情况"
    ws.merge_cells("A1:H1")
    for j, t in enumerate(["序号", "县区", "项目名称"], start=1):
        ws.cell(2, j, t)
        ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    ws["D2"] = "完成投资（万元）"
    ws.merge_cells("D2:G2")
    for j, t in enumerate(["1-3月", "4月", "5月", "6月"], start=4):
        ws.cell(3, j, t)
    ws["H2"] = "形象进度"
    ws.merge_cells("H2:H3")
    ws.append([1, "张店区", "R3Q张店甲", 300, 100, None, 100, "主体"])
    path = FILES / "round3_q1_lumped.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_two_lines() -> None:
    """Issue 13, third trial: a project written over two lines, its 序号, 县区, 项目名称 and amounts
    merged down them, a second 责任单位 and 建设内容 (and a second plan figure) on the second line."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["淄博市2024年重点项目名单"])
    ws.append(["序号", "县区", "项目名称", "总投资（万元）", "2024年计划投资（万元）", "责任单位", "建设内容"])
    ws.append([1, "张店区", "R3L双行项目", 5000, 1000, "张店区发改局", "一期：厂房"])
    ws.append([None, None, None, None, 200, "张店区住建局", "二期：道路"])
    ws.append([2, "张店区", "R3L单行项目", 3000, 800, "张店区发改局", "设备"])
    for rng in ("A3:A4", "B3:B4", "C3:C4", "D3:D4"):
        ws.merge_cells(rng)
    path = FILES / "round3_two_lines.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_county_once_csv() -> None:
    """Issue 13, third trial: a city list saved by Excel as CSV (GBK) from a sheet whose 区县 cell
    was merged over each county's projects: the county on the first of its rows only; a row naming
    its place by its 项目代码."""
    lines = [
        "淄博市2024年重点项目名单,,,,,",
        "序号,区县,项目名称,项目代码,总投资（万元）,2024年计划投资（万元）",
        "1,张店区,R3S张店甲,,5000,1000",
        "2,,R3S张店乙,,3000,800",
        "3,淄川区,R3S淄川甲,,2000,500",
        "4,,R3S淄川乙,,1000,100",
        "5,,R3S代码临淄,2401-370305-04-01-123456,1000,100",
    ]
    (FILES / "round3_county_once.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def round3_one_message() -> None:
    """Issue 13, third trial: cells that drew two messages — an amount typed in 元 that is also
    above the total (计划, 开工至今累计), a 责任单位 naming another county that is not in the unit
    registry, words no list knows (所属行业, 项目阶段, 项目级别), a 县区 unlike the county the title
    names and the blank 县区 under it, 6月 above 1-6月 (a registered project's history says by how
    much), and a refused row (no 总投资) whose 计划竣工 "2024.1" is doubtful and before its start."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["淄博市张店区2024年重点项目建设进展情况表（1-6月）"])
    ws.append(["序号", "县区", "项目名称", "责任单位", "所属行业", "项目阶段", "项目级别", "总投资（万元）", "2024年计划投资（万元）",
               "开工至今累计完成投资（万元）", "6月完成投资（万元）", "1-6月累计完成投资（万元）", "计划开工", "计划竣工"])  # fmt: skip
    for r in (
        [1, "张店区", "R3M计划按元", None, None, None, None, 50000, 300_000_000, None, None, None, 2024.03, 2025.12],  # 3
        [2, "张店区", "R3M累计按元", None, None, None, None, 8000, None, 60_000_000, None, None, 2023.03, 2025.06],  # 4
        [3, "张店区", "R3M单位淄川", "淄川区发改局", None, None, None, 3000, 1000, None, None, None, 2024.03, 2025.12],  # 5
        [4, "张店区", "R3M生词", None, "数字经济", "推进中", "重大", 2000, 500, None, None, None, 2024.03, 2025.12],  # 6
        [5, "淄川区", "R3M淄川甲", None, None, None, None, 1000, 100, None, None, None, 2024.03, 2025.12],  # 7
        [6, None, "R3M淄川乙", None, None, None, None, 1000, 100, None, None, None, 2024.03, 2025.12],  # 8
        [7, "张店区", "R3M月报项目", None, None, None, None, 5000, 1200, None, 300, 200, 2023.03, 2025.12],  # 9
        [8, "张店区", "R3M缺总投资", None, None, None, None, None, 100, None, None, None, 2024.06, 2024.1],  # 10
    ):
        ws.append(r)
    path = FILES / "round3_one_message.xlsx"
    wb.save(path)
    _fixed_times(path)


def round3_sections() -> None:
    """Issue 13, third trial: a 县区 written on the first row of each county's block only, and group
    rows naming a category (no place) between the blocks — three tables as offices make them:
    淄博's list in category sections, each section listing its counties anew, one section's first
    rows without their 县区, and a county group row ("三、桓台县（1个）"); a county's list in
    category sections, its 县区 written once on top; a list whose counties each have the same
    category sections ("（一）产业项目", "（二）城建项目"), the county written once per county."""
    from openpyxl import Workbook

    wb = Workbook()
    _core_props(wb)
    header = ["序号", "县区", "项目名称", "总投资（万元）", "2024年计划投资（万元）"]
    sheets = {
        "市清单": ("淄博市2024年重点项目名单", [
            ["一、产业项目（3个）"],  # 3
            [1, "张店区", "R3G产业甲", 5000, 1000],
            [2, None, "R3G产业乙", 4000, 800],
            [3, "淄川区", "R3G产业丙", 3000, 600],
            ["二、城建项目（4个）"],  # 7
            [1, None, "R3G城建甲", 2000, 400],  # 8: no 县区 written in its section
            [2, None, "R3G城建乙", 1000, 200],
            [3, "临淄区", "R3G城建丙", 900, 100],
            [4, None, "R3G城建丁", 800, 100],
            ["三、桓台县（1个）"],  # 12
            [1, None, "R3G桓台甲", 700, 100],
            ["四、社会民生项目（1个）"],  # 14
            [1, None, "R3G民生甲", 600, 100],
        ]),
        "县清单": ("2024年重点项目名单", [
            ["一、产业项目（2个）"],  # 3
            [1, "张店区", "R3G县产业甲", 5000, 1000],
            [2, None, "R3G县产业乙", 4000, 800],
            ["二、城建项目（2个）"],  # 6
            [1, None, "R3G县城建甲", 3000, 600],
            [2, None, "R3G县城建乙", 2000, 400],
        ]),
        "分县清单": ("淄博市2024年重点项目名单", [
            ["（一）产业项目"],  # 3
            [1, "张店区", "R3G分县张店甲", 5000, 1000],
            [2, None, "R3G分县张店乙", 4000, 800],
            ["（二）城建项目"],  # 6
            [3, None, "R3G分县张店丙", 3000, 600],
            ["（一）产业项目"],  # 8
            [4, "淄川区", "R3G分县淄川甲", 2000, 400],
            ["（二）城建项目"],  # 10
            [5, None, "R3G分县淄川乙", 1000, 200],
            [6, None, "R3G分县淄川丙", 900, 100],
        ]),
    }  # fmt: skip
    first = True
    for name, (title, rows) in sheets.items():
        ws = wb.active if first else wb.create_sheet(name)
        ws.title = name
        first = False
        ws.append([title])
        ws.append(header)
        for r in rows:
            ws.append(r)
    path = FILES / "round3_sections.xlsx"
    wb.save(path)
    _fixed_times(path)


def main() -> None:
    FILES.mkdir(exist_ok=True)
    messy_list()
    errors_list()
    dispatch_gbk_csv()
    table4_ods()
    project_cards()
    multi_sheet()
    round2_city_list()
    round2_monthly()
    round2_month_columns()
    round2_remarks_years()
    round2_city_sheets()
    round3_zibo_list()
    round3_zibo_groups()
    round3_far_clues()
    round3_county_sheets()
    round3_monthly_names()
    round3_misc()
    round3_two_months()
    round3_hidden()
    round3_q1_lumped()
    round3_two_lines()
    round3_county_once_csv()
    round3_one_message()
    round3_sections()
    try:
        legacy_xls()
        hostile_xls()
    except ImportError:
        print("xlwt 未安装：保留已提交的 .xls 文件")
    for p in sorted(FILES.iterdir()):
        print(f"{p.name:24} {p.stat().st_size:>7} bytes")


if __name__ == "__main__":
    main()
