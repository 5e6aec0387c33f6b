"""The importer's issues (``Issue.message``: errors and warnings of a preview), once.

The importer writes them in Chinese — what a batch stores, what the issue list (xlsx) and the
commands' ``--json`` give, what the Chinese UI shows. Each is declared here once as a
:class:`~keyprojects.core.sentences.Sentence` whose template is the catalogue's source string;
:func:`shown` says a stored message again in the active language from the message itself (its
figures, months and words; names, headers and values as written), so a preview says every row
without a query. A message that reads as none of them (a model's validator, a service's rule)
is translated when it is itself a source string of the catalogue, else stays as stored.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext, gettext_noop, pgettext

from keyprojects.core.sentences import DATE, MONTH, NUMBER, WORD, Sentence, Slot, say_again
from keyprojects.projects.services import FROZEN_DATE_MESSAGES

LIST_SEPARATOR = "、"


def _listed(text: str) -> str:
    # Translators: between the items of a list inside a sentence (2024-05、2024-06)
    return pgettext("list separator", "、").join(text.split(LIST_SEPARATOR))


def _clue(text: str) -> str:
    """A region clue as resolve._clue_label writes it: 工作表名“X” or “header”."""
    if text.startswith(SHEET_NAME_PREFIX):
        return gettext(SHEET_NAME) % {"sheet": text[len(SHEET_NAME_PREFIX) + 1 : -1]}
    if text.startswith(TITLE_PLACE_PREFIX):
        return gettext(TITLE_PLACE) % {"place": text[len(TITLE_PLACE_PREFIX) + 1 : -1]}
    return text


LIST = Slot(r".+", _listed)
WHEN = Slot(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # a time as people read it: the same in every language
CLUE = Slot(r"(?:工作表名|标题)?“.*?”", _clue)
SHEET_NAME = gettext_noop("工作表名“%(sheet)s”")
SHEET_NAME_PREFIX = "工作表名"
TITLE_PLACE = gettext_noop("标题“%(place)s”")
TITLE_PLACE_PREFIX = "标题"

# --- the file ------------------------------------------------------------------------------
PERIODS_DIFFER = Sentence(gettext_noop("各工作表的调度期不同：%(periods)s，各表的数据按各自的调度期导入"), periods=LIST)
NO_ROWS = Sentence(gettext_noop("文件中没有识别到项目行（请检查表头是否包含“项目名称”）"))
NO_PERIOD = Sentence(gettext_noop("文件含有完成投资数据，但无法确定调度期：请在标题或表头注明月份，或指定调度期（如 2024-06）"))
COLUMN_NOT_ALLOWED = Sentence(gettext_noop("您无权通过导入设置该列，已忽略"))
NO_CATEGORY = Sentence(gettext_noop("%(n)s个新项目未填写项目类别，按“产业项目”导入，请核对"), n=NUMBER)
NO_NATURE = Sentence(gettext_noop("%(n)s个新项目未填写建设性质，按有无往年投资推定（新开工或续建），请核对"), n=NUMBER)
LUMPED = Sentence(gettext_noop("系统中没有此前月份的月报：%(n)s个项目的本月完成投资按1-N月累计导入（此前月份合并计入本月）"), n=NUMBER)
PLAN_YEAR_SPAN = Sentence(
    gettext_noop("表中未注明年度计划的年份：%(n)s个项目的建设起止年限都覆盖%(low)s年，按%(year)s年导入，请核对（或在标题中注明年份）"),
    n=NUMBER,
    low=NUMBER,
    year=NUMBER,
)
PLAN_YEAR_RANGE = Sentence(
    gettext_noop(
        "表中未注明年度计划的年份：%(n)s个项目的建设起止年限都覆盖%(low)s–%(high)s年，按%(year)s年导入，请核对（或在标题中注明年份）"
    ),
    n=NUMBER,
    low=NUMBER,
    high=NUMBER,
    year=NUMBER,
)
PLAN_YEAR_NEW_STARTS = Sentence(
    gettext_noop(
        "表中未注明年度计划的年份：%(n)s个项目的建设起止年限都覆盖%(low)s–%(high)s年，其中%(new)s个新开工项目都在%(start)s年开工，"
        "按%(year)s年导入，请核对（或在标题中注明年份）"
    ),
    n=NUMBER,
    low=NUMBER,
    high=NUMBER,
    new=NUMBER,
    start=NUMBER,
    year=NUMBER,
)
PLAN_YEAR_GUESSED = Sentence(
    gettext_noop("未能确定年度计划所属年度（标题、表头、工作表名、建设起止年限都未注明），按%(year)s年导入，请核对（或在标题中注明年份）"),
    year=NUMBER,
)
CHANGED_WHILE_IMPORTING = Sentence(gettext_noop("导入期间有项目被他人修改，请重新导入"))
REPORT_CHANGED_WHILE_IMPORTING = Sentence(gettext_noop("导入期间有月报被他人修改，请重新导入"))
OUT_OF_SCOPE_UNDONE = Sentence(gettext_noop("该项目超出您的管辖范围，导入已撤销"))
ALREADY_IMPORTED = Sentence(
    gettext_noop("该文件已于%(when)s导入（批次#%(batch)s，%(who)s），不能重复导入"),
    when=WHEN,
    batch=NUMBER,
    who=WORD,  # a user name, or 命令行
)
COMMAND_LINE = gettext_noop("命令行")
PREVIEW_GONE = Sentence(gettext_noop("该预览已处理或已失效，请重新上传文件"))
INVALID_PERIOD = Sentence(gettext_noop("调度期“%(value)s”无效，应为 YYYY-MM（如 2024-06）"))
REGION_CODE_UNKNOWN = Sentence(gettext_noop("区划代码“%(code)s”不存在"))
UNREADABLE = Sentence(gettext_noop("文件无法读取：%(why)s"))

# --- the file refused as it is read (reader.py; a constant refusal there is itself a source string)
TOO_LARGE = Sentence(gettext_noop("文件大小 %(size)s 超过上限 %(cap)s"))  # sizes as "12 MB": the same in every language
TOO_LARGE_CAP = Sentence(gettext_noop("文件大小超过上限 %(cap)s"))
MACRO_EXTENSION = Sentence(gettext_noop("启用宏的文件（%(ext)s）不予导入，请另存为不含宏的 .xlsx 后再导入"))
UNSUPPORTED_TYPE = Sentence(gettext_noop("不支持的文件类型“%(ext)s”，请上传 .xlsx、.xls、.ods 或 .csv 文件"))
ZIPPED_BUT_NAMED = Sentence(gettext_noop("文件扩展名为 %(ext)s，但内容是压缩的表格文件，请改用正确的扩展名"))
XLS_BUT_NAMED = Sentence(gettext_noop("文件扩展名为 %(ext)s，但内容是 Excel 工作簿，请改用 .xls 扩展名"))
NOT_A_TABLE = Sentence(gettext_noop("文件扩展名为 %(ext)s，但内容不是有效的表格文件"))
WEB_PAGE_BUT_NAMED = Sentence(
    gettext_noop("文件扩展名为 %(ext)s，但内容是网页或 XML 格式（常见于系统导出的“伪 Excel”），请用 Excel/WPS 打开后另存为 .xlsx 再导入")
)
SHEET_TOO_MANY_ROWS = Sentence(gettext_noop("工作表“%(sheet)s”共 %(n)s 行，超过上限 %(cap)s 行，请拆分后导入"), n=NUMBER, cap=NUMBER)
SHEETS_TOO_MANY_ROWS = Sentence(gettext_noop("工作表共 %(n)s 行，超过上限 %(cap)s 行，请拆分后导入"), n=NUMBER, cap=NUMBER)
SHEET_TOO_MANY_COLUMNS = Sentence(gettext_noop("工作表“%(sheet)s”共 %(n)s 列，超过上限 %(cap)s 列"), n=NUMBER, cap=NUMBER)
SHEETS_TOO_MANY_COLUMNS = Sentence(gettext_noop("工作表共 %(n)s 列，超过上限 %(cap)s 列"), n=NUMBER, cap=NUMBER)
ZIP_ENTRIES = Sentence(gettext_noop("文件内部包含 %(n)s 个条目，超过上限 %(cap)s"), n=NUMBER, cap=NUMBER)
ZIP_BOMB = Sentence(gettext_noop("文件解压后达 %(size)s，超过上限 %(cap)s（疑似压缩炸弹）"))
ZIP_BOMB_CAP = Sentence(gettext_noop("文件解压后超过上限 %(cap)s（疑似压缩炸弹）"))
CELLS_ABOUT = Sentence(gettext_noop("文件单元格总数约 %(n)s，超过上限 %(cap)s"), n=NUMBER, cap=NUMBER)
CELLS_CAP = Sentence(gettext_noop("文件单元格总数超过上限 %(cap)s"), cap=NUMBER)
TOO_MANY_SHEETS = Sentence(gettext_noop("文件包含 %(n)s 个工作表，超过上限 %(cap)s"), n=NUMBER, cap=NUMBER)
NO_SUCH_SHEET = Sentence(gettext_noop("文件中没有名为“%(sheet)s”的工作表（现有：%(names)s）"), names=LIST)
SHEET_INVALID_PERIOD = Sentence(gettext_noop("调度期“%(value)s”无效，应为 YYYY-MM（如 2024-06）"))
REGION_CODE_UNKNOWN = Sentence(gettext_noop("区划代码“%(code)s”不存在"))
UNREADABLE = Sentence(gettext_noop("工作表“%(sheet)s”无法读取（文件可能已损坏）"))
SHEET_NO_HEADER = Sentence(gettext_noop("工作表“%(sheet)s”中未找到表头（应包含“项目名称”等列）"))
CSV_TOO_MANY_ROWS = Sentence(gettext_noop("CSV 文件超过 %(cap)s 行，请拆分后导入"), cap=NUMBER)
CSV_TOO_MANY_COLUMNS = Sentence(gettext_noop("CSV 第 %(row)s 行有 %(n)s 列，超过上限 %(cap)s 列"), row=NUMBER, n=NUMBER, cap=NUMBER)
CSV_MALFORMED = Sentence(gettext_noop("CSV 第 %(row)s 行格式错误：%(why)s"), row=NUMBER)  # why: the csv module's words

# --- a row: the project it names -----------------------------------------------------------
NAME_EMPTY = Sentence(gettext_noop("项目名称不能为空"))
CODE_REGION_UNKNOWN = Sentence(gettext_noop("项目代码中的行政区划代码 %(code)s 不存在"))
ID_UNKNOWN = Sentence(gettext_noop("项目ID在系统中不存在（请使用本系统导出的填报模板，勿修改隐藏列）"))
ID_CODE_DIFFERS = Sentence(gettext_noop("项目代码与项目ID对应项目的代码（%(code)s）不一致"))
ID_NAME_DIFFERS = Sentence(gettext_noop("项目名称与系统不一致（系统：%(name)s），按项目ID匹配，名称未修改"))
SAME_NAME_CODE_DIFFERS = Sentence(gettext_noop("与系统中同名项目的项目代码（%(code)s）不一致，请核对项目代码或项目名称"))
NAME_WRITTEN_OTHERWISE = Sentence(gettext_noop("项目名称的写法与系统不同（系统：%(name)s），按系统中的项目导入，名称未修改"))
SAME_NAMES_IN_AREA = Sentence(gettext_noop("%(region)s有多个同名项目（在不同区县），请填写所属区域或项目代码以区分"))
SAME_NAMES = Sentence(gettext_noop("系统中该区域有多个同名项目，请填写项目代码以区分"))
DUPLICATE_ROW = Sentence(gettext_noop("与第%(row)s行是同一项目，重复"), row=NUMBER)
NOT_EDITABLE = Sentence(gettext_noop("该项目已存在，但不在您的管辖范围内，不能通过导入修改"))
NOT_FOUND_BY_CODE = Sentence(gettext_noop("未找到项目：按项目代码“%(code)s”在系统中未找到对应项目（月报只能报送已登记的项目）"))
NOT_FOUND_BY_NAME = Sentence(
    gettext_noop("未找到项目：按项目名称“%(name)s”和所属区域“%(region)s”在系统中未找到对应项目（月报只能报送已登记的项目）"),
    region=WORD,  # a region's name, or （未定）
)
REGION_UNDECIDED = gettext_noop("（未定）")

# --- a row: its region ---------------------------------------------------------------------
OUTSIDE_ASKED_SCOPE = Sentence(gettext_noop("第 %(row)s 行的所属区域“%(region)s”不在本次导入的范围“%(scope)s”内"), row=NUMBER)
OUTSIDE_SCOPE_AT = Sentence(gettext_noop("第 %(row)s 行：所属区域超出您的管辖范围（“%(region)s”不在%(scope)s内）"), row=NUMBER)
SHEET_PLACE_AMBIGUOUS = Sentence(
    gettext_noop("第 %(row)s 行：工作表名“%(sheet)s”对应多个区县，该行也未写明所属区域，请写明所属市（如“济南市市中区”）或所属区域"),
    row=NUMBER,
)
PLACE_AMBIGUOUS = Sentence(gettext_noop("该地名对应多个区县，请写明所属市（如“济南市市中区”）"))
PLACE_UNKNOWN = Sentence(gettext_noop("无法识别的地名，按默认区域导入"))
PLACE_TOO_WIDE = Sentence(gettext_noop("所属区域应为市或县（区），按默认区域导入"))
CLUE_OUTSIDE_SCOPE = Sentence(
    gettext_noop("第 %(row)s 行：%(clue)s指向%(other)s，不在本次导入的范围“%(scope)s”内（%(taken_clue)s所示为%(region)s），请核对"),
    row=NUMBER,
    clue=CLUE,
    taken_clue=CLUE,
)
CLUES_DISAGREE = Sentence(
    gettext_noop("%(clue)s指向%(other)s，与%(taken_clue)s所示%(region)s不一致，按%(taken)s导入，请核对"),
    clue=CLUE,
    taken_clue=CLUE,
)
REGION_UNKNOWN_PROVINCE = Sentence(
    gettext_noop(
        "未能确定所属区域：该行的所属区域、项目代码、建设地点、责任单位、建设单位和工作表名都未指明所在市或区县，"
        "指定的“%(scope)s”是省级范围，请在该行填写所属区域"
    )
)
REGION_UNKNOWN = Sentence(gettext_noop("未能确定所属区域：请填写所属区域（区县），或指定默认区域"))
OUTSIDE_SCOPE = Sentence(gettext_noop("所属区域超出您的管辖范围"))

# --- a row: owner, unit, leader ------------------------------------------------------------
OWNER_NAME_DIFFERS = Sentence(gettext_noop("建设单位名称与企业库登记的“%(name)s”不一致，按统一社会信用代码关联"))
OWNER_NAME_NEEDED = Sentence(gettext_noop("统一社会信用代码未在企业库登记，请同时填写建设单位名称"))
OWNER_NOT_REGISTERED = Sentence(gettext_noop("建设单位未在企业库登记，您无权登记新企业，项目未关联建设单位"))
OWNER_SAME_NAMES = Sentence(gettext_noop("企业库中有多个同名企业，请填写统一社会信用代码；项目未关联建设单位"))
OWNER_UNKNOWN = Sentence(gettext_noop("建设单位未在企业库登记（无统一社会信用代码），项目未关联建设单位"))
OWNER_OUT_OF_REACH = Sentence(gettext_noop("建设单位不在您的管辖范围内"))  # projects.services.LINK_MESSAGES["owner"]
UNIT_SAME_NAMES = Sentence(gettext_noop("有多个同名单位，未关联责任单位"))
UNIT_UNKNOWN = Sentence(gettext_noop("无法识别的责任单位（不在单位库或不在您可选的范围内），未关联"))
LEADER_SAME_NAMES = Sentence(gettext_noop("有多位同名领导，未关联包保领导"))
LEADER_UNKNOWN = Sentence(gettext_noop("无法识别的包保领导（不在领导库或不在您可选的范围内），未关联"))
USCC_LENGTH = Sentence(gettext_noop("统一社会信用代码应为18位（当前%(n)s位）"), n=NUMBER)  # core.validators
USCC_CHARSET = Sentence(gettext_noop("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）"))
USCC_CHECK = Sentence(gettext_noop("统一社会信用代码校验位错误，请核对"))

# --- a row: its values ---------------------------------------------------------------------
TOTAL_EMPTY = Sentence(gettext_noop("总投资不能为空"))
STAGE_DIFFERS = Sentence(gettext_noop("文件中的阶段与系统不一致（系统：%(stage)s），阶段变更请在项目页办理，未导入"), stage=WORD)
STAGE_NEEDS_REASON = Sentence(gettext_noop("停缓建、退库须在项目页办理并填写原因，按其他列推定阶段导入"))
CATEGORY_INVALID = Sentence(gettext_noop("项目类别应为：产业项目、城建项目、基础设施项目或社会民生项目"))
NATURE_INVALID = Sentence(gettext_noop("建设性质应为：新开工、续建、竣工投产或预备(前期)"))
INDUSTRY_UNKNOWN = Sentence(gettext_noop("所属行业不是国民经济行业分类（GB/T 4754）的门类或大类名称，未导入"))
STAGE_UNKNOWN = Sentence(gettext_noop("项目阶段无法识别，未导入"))
IN_STATISTICS_INVALID = Sentence(gettext_noop("是否纳统应为“是”或“否”，未导入"))
LEVEL_INVALID = Sentence(gettext_noop("项目级别应为省级、市级或县级，未导入"))
CARRIED_CUMULATIVE = Sentence(
    gettext_noop("填报状态为“%(status)s”：累计数是此前正式数字的结转，不是本行的月报，未导入；本行按本月完成投资导入"), status=WORD
)
CARRIED_NOTHING = Sentence(
    gettext_noop("填报状态为“%(status)s”：累计数是此前正式数字的结转，不是本行的月报，本行没有本月完成投资，未导入月报"), status=WORD
)
REASON_WITHOUT_NO_ACTIVITY = Sentence(gettext_noop("“本月无进展”未选“是”，无进展原因未导入"))
LATITUDE_INVALID = Sentence(gettext_noop("纬度应为 -90 到 90 之间的数字（十进制度，如 36.6512）"))
LONGITUDE_INVALID = Sentence(gettext_noop("经度应为 -180 到 180 之间的数字（十进制度，如 117.1201）"))
PLAN_NEGATIVE = Sentence(gettext_noop("年度计划投资不能为负数"))
PLAN_ABOVE_TOTAL = Sentence(gettext_noop("年度计划投资超过总投资（%(total)s万元）"), total=NUMBER)

# --- a row: its month's figures ------------------------------------------------------------
YTD_NOT_MONTHS = Sentence(gettext_noop("累计完成投资与各月之和（%(total)s）不一致，按各月数导入"), total=NUMBER)
TO_DATE_BELOW_YTD = Sentence(
    gettext_noop("开工至今累计完成投资（%(to_date)s）小于1-%(month)s月累计（%(ytd)s）"), to_date=NUMBER, month=NUMBER, ytd=NUMBER
)
YTD_BELOW_BEFORE = Sentence(
    gettext_noop("1-%(month)s月累计（%(ytd)s）低于系统中此前各月完成投资之和（%(before)s）"), month=NUMBER, ytd=NUMBER, before=NUMBER
)
MONTH_NOT_YTD = Sentence(
    gettext_noop("本月完成投资与“1-%(month)s月累计减去此前各月”（%(amount)s）不一致，按累计数导入"), month=NUMBER, amount=NUMBER
)
MONTH_NEGATIVE = Sentence(gettext_noop("金额不能为负数"))
NO_ACTIVITY_NOT_ZERO = Sentence(gettext_noop("选择“本月无进展”时本月完成投资应为0"))
NO_ACTIVITY_REASON = Sentence(gettext_noop("请说明本月无进展的原因"))
NO_ACTIVITY_REASON_LONG = Sentence(gettext_noop("无进展原因不能超过200字"))
TO_DATE_DIFFERS = Sentence(gettext_noop("开工至今累计与系统推算（%(amount)s）不一致，按系统推算"), amount=NUMBER)
PCT_RANGE = Sentence(gettext_noop("形象进度百分比应在0到100之间"))
WORKERS_NEGATIVE = Sentence(gettext_noop("在岗工人数不能为负数"))
REPORT_LOCKED = Sentence(gettext_noop("该项目%(period)s月报%(status)s，不能通过导入修改（需退回或申请更正）"), period=MONTH, status=WORD)
PERIOD_CLOSED = Sentence(gettext_noop("%(period)s已关账，数据不能再修改"), period=MONTH)
# projects.services.frozen_date_refusal: a 实际开工/竣工日期 of a registered project moved across a closed month's end
FROZEN_DATE = {
    t: Sentence(t, month=MONTH, **({"first": DATE} if "%(first)s" in t else {"day": DATE}))
    for pair in FROZEN_DATE_MESSAGES.values()
    for t in pair
}
# dispatch.selectors.period_range_message
PERIOD_OUT_OF_RANGE = Sentence(gettext_noop("调度期超出范围：只能是%(first)s年1月至%(last)s"), first=NUMBER, last=MONTH)

# --- the parser: the table and its cells (parsing, cells, normalize) ---------------------------
NO_KEY_COLUMN = Sentence(gettext_noop("表中没有“项目名称”或“项目代码”列，导入时无法把各行对应到项目"))
UNMAPPED_AMOUNT_COLUMN = Sentence(
    gettext_noop("【请注意】金额列“%(column)s”未能对应到任何字段，该列数据没有导入，请核对表头（或由管理员添加表头同义词）")
)
REMARK_NATURE = Sentence(
    gettext_noop("表中没有“建设性质”列，%(n)s行按“%(column)s”列的文字（新开工、续建、竣工投产、前期等）确定建设性质，请核对"), n=NUMBER
)
REMARK_STAGE = Sentence(
    gettext_noop("表中没有“项目阶段”列，%(n)s行按“%(column)s”列的文字（已开工、已竣工、已投产等）确定项目阶段，请核对"), n=NUMBER
)
HIDDEN_ROWS = Sentence(
    gettext_noop("%(n)s个隐藏（或被筛选隐藏）的行未导入：第 %(rows)s 行；如需导入，请取消隐藏后重新上传"), n=NUMBER, rows=LIST
)
CONTINUATION_AMOUNT = Sentence(
    gettext_noop("第 %(row)s 行是上一行项目的续行（项目名称合并单元格），其“%(column)s”%(value)s未计入，请核对"), row=NUMBER, value=NUMBER
)
REGION_FILLED_DOWN = Sentence(
    gettext_noop("“%(column)s”列有%(n)s个空白单元格，按其上方最近填写的区域读取（第一个在第 %(row)s 行），请核对"), n=NUMBER, row=NUMBER
)
REGION_HELD_UNDER_GROUP = Sentence(
    gettext_noop("分组行“%(label)s”下%(n)s行的“%(column)s”为空，按分组行之上最近填写的“%(region)s”读取（第一个在第 %(row)s 行），请核对"),
    n=NUMBER,
    row=NUMBER,
)
REGION_NOT_HELD_UNDER_GROUP = Sentence(
    gettext_noop(
        "分组行“%(label)s”开始新的一部分：其下%(n)s行的“%(column)s”为空，未沿用上一部分的“%(region)s”（第一个在第 %(row)s 行），"
        "请核对所属区域"
    ),
    n=NUMBER,
    row=NUMBER,
)
GROUP_COUNT_DIFFERS = Sentence(
    gettext_noop("分组行“%(label)s”写明%(said)s个项目，其下列出%(n)s个，请核对是否漏行或多行"), said=NUMBER, n=NUMBER
)
UNMAPPED_COLUMN = Sentence(gettext_noop("列“%(column)s”未能对应到任何字段，该列未导入"))
MONTH_NOT_YTD_HEADER = Sentence(gettext_noop("表头月份（%(month)s月）与累计列（1-%(ytd)s月）不一致"), month=NUMBER, ytd=NUMBER)
PERIOD_DIFFERS = Sentence(
    gettext_noop("文件表头或标题显示的期间为 %(said)s，与指定的 %(period)s 不一致，按指定期间导入"), said=MONTH, period=MONTH
)
PERIOD_MONTH_DIFFERS = Sentence(
    gettext_noop("文件表头或标题显示的期间为 %(month)s月，与指定的 %(period)s 不一致，按指定期间导入"), month=NUMBER, period=MONTH
)
TITLE_MONTH_DIFFERS = Sentence(
    gettext_noop("标题写的是%(title_month)s月，表头写的是%(month)s月，按表头所写的月份导入，请核对（或指定导入期间）"),
    title_month=NUMBER,
    month=NUMBER,
)
MONTH_WITHOUT_YEAR = Sentence(
    gettext_noop("表中只写了 %(month)s 月、未注明年份，按最近的 %(period)s 导入，请核对（或指定导入期间）"), month=NUMBER, period=MONTH
)
MONTHS_WITHOUT_YEAR = Sentence(
    gettext_noop("各月完成投资列只写了月份、未注明年份，按最近的 %(year)s年（1-%(last)s月）导入，请核对（或指定导入期间）"),
    year=NUMBER,
    last=NUMBER,
)
UNKNOWN_WORD = Sentence(gettext_noop("无法识别的%(field)s“%(text)s”，按原文保留"), field=WORD)
UNKNOWN_WORDS = Sentence(gettext_noop("无法识别的%(field)s“%(text)s”，按原文保留（共 %(n)s 行）"), field=WORD, n=NUMBER)
DUPLICATE_IN_SHEET = Sentence(gettext_noop("与第 %(row)s 行重复（同一项目在文件中出现两次）"), row=NUMBER)
DUPLICATE_IN_FILE = Sentence(gettext_noop("与工作表“%(sheet)s”第 %(row)s 行重复（同一项目在文件中出现两次）"), row=NUMBER)
NAME_MISSING = Sentence(gettext_noop("项目名称为空"))
MONTH_RANGE = Sentence(gettext_noop("月份应为 1–12"))
YEAR_RANGE = Sentence(gettext_noop("年份超出合理范围"))
WORKERS_NEGATIVE_CELL = Sentence(gettext_noop("人数不能为负数"))
ID_NOT_POSITIVE = Sentence(gettext_noop("项目ID应为正整数（请勿修改模板中的隐藏列）"))
PLAN_ABOVE_TOTAL_UNIT = Sentence(gettext_noop("年度计划投资大于总投资，疑似单位填错（万元/亿元/元）"))
MONTH_ABOVE_YTD = Sentence(gettext_noop("本月完成投资大于本年累计，请核对"))
COMPLETION_BEFORE_START = Sentence(gettext_noop("计划竣工早于计划开工"))
YTD_ABOVE_TOTAL = Sentence(gettext_noop("本年累计完成投资大于总投资（%(total)s 万元）"), total=NUMBER)
TO_DATE_ABOVE_TOTAL = Sentence(gettext_noop("开工至今累计完成投资大于总投资（%(total)s 万元），请核对"), total=NUMBER)
NOT_AMOUNT = Sentence(gettext_noop("不是有效的金额"))
NOT_AMOUNT_UNIT = Sentence(gettext_noop("不是有效的金额（应为数字，单位万元）"))
AMOUNT_IS_DATE = Sentence(gettext_noop("应为金额，实为日期"))
FORMULA_ERROR = Sentence(gettext_noop("单元格为公式错误值 %(value)s"))
NOT_PERCENT = Sentence(gettext_noop("不是有效的百分比"))
NOT_DATE = Sentence(gettext_noop("不是有效的日期"))
NOT_DATE_HINT = Sentence(gettext_noop("不是有效的日期（可写作 2024.03、2024年3月 或 2024-03-15）"))
NOT_SPAN = Sentence(gettext_noop("不是有效的建设年限（可写作 2024.03-2026.12 或 2024-2026）"))
SPAN_REVERSED = Sentence(gettext_noop("建设年限的结束早于开始"))
NOT_INTEGER = Sentence(gettext_noop("应为整数"))
YEAR_OUT_OF_RANGE = Sentence(gettext_noop("年份 %(year)s 超出合理范围（%(low)s–%(high)s）"), year=NUMBER, low=NUMBER, high=NUMBER)
NO_SUCH_MONTH = Sentence(gettext_noop("日期不存在：没有 %(month)s 月"), month=NUMBER)
NO_SUCH_DAY = Sentence(gettext_noop("日期不存在：%(month)s没有 %(day)s 日"), month=MONTH, day=NUMBER)

SENTENCES: tuple[Sentence, ...] = (*(v for v in list(globals().values()) if isinstance(v, Sentence)), *FROZEN_DATE.values())

# One message per cell (issue 13): of the messages a cell draws, the importer keeps the most
# specific (``Importer.plan``). These say less than any other message of the same cell, the least
# first: a word not read "kept as written" (the importer's own message says what became of it:
# 未导入), a comparison without its figures, a comparison with them. Any other message — a cause
# (an amount in 元, a date Excel stored as 2024.1), what the import did with the value (按累计数导入,
# 按系统推算), the row's region and the clues that disagree — is more specific.
LESS_SPECIFIC: tuple[Sentence, ...] = (
    UNKNOWN_WORDS,
    UNKNOWN_WORD,
    MONTH_ABOVE_YTD,
    PLAN_ABOVE_TOTAL_UNIT,
    COMPLETION_BEFORE_START,
    TO_DATE_ABOVE_TOTAL,
    PLAN_ABOVE_TOTAL,
)


def specificity(message: str) -> int:
    """How specific an issue's message is among those of its cell: higher says more. (Asked only
    of a cell's second message: a handful of patterns, not per row.)"""
    for n, sentence in enumerate(LESS_SPECIFIC):
        if sentence.read(message) is not None:
            return n
    return len(LESS_SPECIFIC)


def shown(message: str) -> str:
    """An issue's message as users read it: as stored in the Chinese UI; in another language said
    again by its sentence — or by the report checks' (the submission rules the importer applies),
    or translated when it is a source string of the catalogue — else as stored."""
    if not message or (get_language() or "").startswith("zh"):
        return message
    from keyprojects.dispatch import rules

    said = say_again(message, (*SENTENCES, *rules.CHECK_SENTENCES))
    return said if said != message else gettext(message)


def issues_shown(issues: list[dict]) -> list[dict]:
    """Stored issues (``Issue.as_dict``) with their message as users read it (copies)."""
    if (get_language() or "").startswith("zh"):
        return issues
    return [{**i, "message": shown(i.get("message") or "")} for i in issues]


def action_shown(action: str) -> str:
    """A preview row's 处理 (``importer.plan.PlannedRow.action``, stored in Chinese in the batch's
    sample) in the active language."""
    words = {
        "新增": pgettext("import row action", "新增"),
        "更新": pgettext("import row action", "更新"),
        "无变化": pgettext("import row action", "无变化"),
    }
    return words.get(action, action)


def sample_shown(rows: list[dict]) -> list[dict]:
    """The batch's sample rows with their 处理 as users read it (copies)."""
    return [{**r, "action": action_shown(r.get("action") or "")} for r in rows]
