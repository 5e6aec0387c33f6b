"""Deterministic demo data for Shandong (``manage.py seed_demo``).

Everything except the throwaway passwords comes from ``random.Random(seed)`` and the demo
year/month, so the same arguments give the same rows on SQLite and PostgreSQL, whatever the
batch size (compare :func:`demo_digest`). Rows are valid by construction (no per-row
``full_clean``) and written in batches inside one transaction by :class:`_Table`
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), so 200,000 projects take under a minute.

What is built (domain.md §1, §4, §6):

- the real 16 cities / 136 counties of 370000 from the Region table (never invented);
- departments of the province, every city and every county, and a handful of function zones;
- 包保领导 per city and county (generated names, realistic titles);
- enterprises with valid USCCs whose positions 3-8 are their region's code, plus public owners
  (城投、交通、水务、医院、教体局 ...) per region;
- projects on the province/city/county lists with consistent industry, dates, stages, plans,
  project codes, coordinates and a life-cycle event history;
- the real projects of domain.md §6 (their figures are from the 2024-02-22 seed; their schedule
  is anchored to the demo year, so with ``--year 2024 --month 2`` it is the article's);
- one login per role with a random password (see :func:`create_demo_users`).

Timestamps (``created_at``, event ``at``) come from the generated history rather than "now"
(:class:`_Table` writes them as given; :func:`explicit_timestamps` switches ``auto_now`` off for
the few rows written with ``bulk_create``).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
import itertools
import math
import random
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from keyprojects.core.validators import make_uscc

PROVINCE = "370000"
DEFAULT_SEED = 20240222  # the seed newspaper's date
DEFAULT_PROJECTS = 3000
DEFAULT_BATCH = 5000
MIN_TOTAL = 500  # 万元: the 纳统 threshold
MAX_TOTAL = 1_000_000  # 万元 = 100亿元

# --------------------------------------------------------------------------------------------
# Reference tables
# --------------------------------------------------------------------------------------------

# Relative weight of each city in the lists (roughly its share of investment).
CITY_WEIGHTS: dict[str, float] = {
    "370100": 14, "370200": 16, "370300": 6, "370400": 3.5, "370500": 5, "370600": 10, "370700": 9, "370800": 6.5,
    "370900": 4, "371000": 4, "371100": 3, "371300": 7, "371400": 4, "371500": 3.5, "371600": 3.5, "371700": 5,
}  # fmt: skip

# (latitude, longitude, spread in degrees) of an inland point of each city: jittered points stay
# inside Shandong (lat 34.4-38.4, lon 114.8-122.7).
CITY_CENTRES: dict[str, tuple[float, float, float]] = {
    "370100": (36.66, 117.05, 0.25), "370200": (36.35, 120.15, 0.15), "370300": (36.70, 118.05, 0.2),
    "370400": (34.88, 117.45, 0.15), "370500": (37.40, 118.55, 0.2), "370600": (37.30, 120.90, 0.2),
    "370700": (36.65, 119.10, 0.25), "370800": (35.40, 116.60, 0.25), "370900": (36.05, 117.10, 0.2),
    "371000": (37.20, 121.95, 0.08), "371100": (35.45, 119.30, 0.12), "371300": (35.15, 118.35, 0.25),
    "371400": (37.40, 116.40, 0.25), "371500": (36.45, 115.95, 0.2), "371600": (37.35, 117.90, 0.2),
    "371700": (35.25, 115.50, 0.25),
}  # fmt: skip

# Cities with sea ports or the Grand Canal (where 港区/航道 projects make sense).
PORT_CITIES = ("370200", "370500", "370600", "370700", "370800", "371000", "371100", "371600")

# key: (city suffix, short name)
CITY_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "fgw": ("发展和改革委员会", "发改委"),
    "gxj": ("工业和信息化局", "工信局"),
    "tcj": ("投资促进局", "投促局"),
    "zjj": ("住房和城乡建设局", "住建局"),
    "jtj": ("交通运输局", "交通局"),
    "zgj": ("自然资源和规划局", "自然资源和规划局"),
    "swj": ("商务局", "商务局"),
    "slj": ("水利局", "水利局"),  # 济南、青岛: 水务局 (see _city_dept_name)
    "nyj": ("农业农村局", "农业农村局"),
    "wjw": ("卫生健康委员会", "卫健委"),
    "jyj": ("教育局", "教育局"),
    "cgj": ("城市管理局", "城管局"),
    "wlj": ("文化和旅游局", "文旅局"),
    "mzj": ("民政局", "民政局"),
}
PROVINCE_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "fgw": ("山东省发展和改革委员会", "省发改委"),
    "gxj": ("山东省工业和信息化厅", "省工信厅"),
    "swj": ("山东省商务厅", "省商务厅"),
    "zjj": ("山东省住房和城乡建设厅", "省住建厅"),
    "jtj": ("山东省交通运输厅", "省交通运输厅"),
    "zgj": ("山东省自然资源厅", "省自然资源厅"),
    "slj": ("山东省水利厅", "省水利厅"),
    "nyj": ("山东省能源局", "省能源局"),
    "wjw": ("山东省卫生健康委员会", "省卫健委"),
    "jyj": ("山东省教育厅", "省教育厅"),
}
COUNTY_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "fgj": ("发展和改革局", "发改局"),
    "gxj": ("工业和信息化局", "工信局"),
    "zjj": ("住房和城乡建设局", "住建局"),
}

# Function zones (not in GB/T 2260): (city, name, short name, host counties).
ZONES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("370100", "济南新旧动能转换起步区", "起步区", ("370105", "370115")),
    ("370100", "济南高新技术产业开发区", "济南高新区", ("370102", "370112", "370114")),
    ("370100", "济南中央商务区", "济南CBD", ("370102", "370103")),
    ("370200", "青岛西海岸新区", "西海岸新区", ("370211",)),
    ("370200", "青岛高新技术产业开发区", "青岛高新区", ("370214",)),
    ("370300", "淄博高新技术产业开发区", "淄博高新区", ("370303",)),
    ("370400", "枣庄高新技术产业开发区", "枣庄高新区", ("370403",)),
    ("370500", "东营经济技术开发区", "东营开发区", ("370502",)),
    ("370600", "烟台经济技术开发区", "烟台开发区", ("370611",)),
    ("370600", "烟台高新技术产业开发区", "烟台高新区", ("370613",)),
    ("370700", "潍坊高新技术产业开发区", "潍坊高新区", ("370705",)),
    ("370700", "潍坊滨海经济技术开发区", "潍坊滨海区", ("370703",)),
    ("370800", "济宁高新技术产业开发区", "济宁高新区", ("370811",)),
    ("370900", "泰安高新技术产业开发区", "泰安高新区", ("370911",)),
    ("371000", "威海火炬高技术产业开发区", "威海火炬高新区", ("371002",)),
    ("371100", "日照经济技术开发区", "日照开发区", ("371102",)),
    ("371300", "临沂高新技术产业开发区", "临沂高新区", ("371311",)),
    ("371300", "临沂经济技术开发区", "临沂开发区", ("371312",)),
    ("371400", "德州经济技术开发区", "德州开发区", ("371402",)),
    ("371500", "聊城高新技术产业开发区", "聊城高新区", ("371502",)),
    ("371600", "滨州高新技术产业开发区", "滨州高新区", ("371602",)),
    ("371700", "菏泽高新技术产业开发区", "菏泽高新区", ("371702",)),
]

SURNAMES: dict[str, float] = {
    "王": 9, "张": 8, "李": 8, "刘": 7, "孙": 4, "杨": 3.5, "赵": 3.5, "徐": 3, "陈": 3, "高": 2.5, "于": 2.5, "马": 2,
    "韩": 1.5, "郭": 1.5, "宋": 1.3, "姜": 1.3, "田": 1, "曹": 1, "魏": 1, "崔": 1, "许": 1, "周": 1, "吴": 1, "朱": 1,
    "吕": 1, "董": 1, "丁": 0.8, "袁": 0.8, "梁": 0.8, "冯": 0.8, "孟": 0.8, "胡": 0.8, "石": 0.7, "程": 0.7, "范": 0.7,
    "任": 0.7, "秦": 0.6, "薛": 0.6, "闫": 0.6, "贾": 0.6, "侯": 0.6, "卢": 0.6, "谢": 0.6, "苏": 0.6, "肖": 0.6,
    "杜": 0.6, "房": 0.5, "孔": 0.5, "邢": 0.5, "邵": 0.5, "尹": 0.5, "毕": 0.4, "庞": 0.4, "路": 0.4, "葛": 0.4,
    "鲁": 0.4, "岳": 0.4, "颜": 0.3, "臧": 0.3, "隋": 0.3, "牟": 0.3, "鞠": 0.3, "商": 0.3, "解": 0.3, "綦": 0.2,
}  # fmt: skip
GIVEN_CHARS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳亮成峰建国东文志海玉红丽敏静燕艳娟霞芳娜萍婷雪琳"
    "晶洁慧颖莉倩蕾瑞博昊晨思雨欣佳璐怡梦晓春秀兰英庆利新永祥德胜福民光振兴彬忠宏泽正锋坤毅立延学庆爱云卫"
)
BRAND_CHARS = (
    "华鲁泰恒盛鑫海瑞宏达通信德润丰源创科联金东明远昌博正天中晟祥安康和佳凯隆嘉宇航汇兴荣诚永益裕辰睿泽晨光"
    "峰森弘岳齐舜泉蓝力能威奥美豪元捷万方亿圣福众合智云星辉阳骏驰锦鸿铭宝腾烨"
)
ROADS = (
    "经十路", "工业北路", "世纪大道", "滨河路", "黄河路", "长江路", "泰山路", "新华路", "人民路", "胜利路", "和平路",
    "建设路", "解放路", "开发区大道", "科技路", "创新大道", "纬二路", "经一路", "港城大道", "齐鲁大道", "东方路",
    "学府路", "金山路", "银河路", "文化路", "振兴路", "工业大道", "府前街", "站前路", "北海路",
)  # fmt: skip
DIRECTIONS = ("东", "西", "南", "北")
CONTACT_TITLES = ("项目经理", "办公室主任", "投资部经理", "总经理助理")
PHASES = ("（一期）", "（二期）", "（三期）")
CN_NUMBERS = "一二三四五六七八九十"

# Divisions (GB/T 4754-2017) per category, with weights.
CATEGORY_DIVISIONS: dict[str, dict[str, float]] = {
    "industry": {
        "13": 3, "14": 3, "15": 1, "17": 1.5, "18": 1, "22": 1, "26": 8, "27": 5, "28": 1, "29": 2, "30": 3, "31": 2,
        "32": 2, "33": 3, "34": 6, "35": 5, "36": 7, "37": 2, "38": 8, "39": 6, "40": 1.5, "42": 2,
        "01": 1.5, "03": 1, "05": 0.5, "51": 1, "59": 2.5, "61": 0.8, "64": 1, "65": 3, "72": 2, "73": 2, "75": 1,
        "88": 1, "90": 1,
    },
    "infrastructure": {
        "53": 5, "54": 25, "55": 8, "57": 3, "59": 5, "44": 20, "45": 7, "46": 6, "76": 10, "77": 6, "63": 5,
    },
    "urban": {"70": 35, "48": 25, "47": 8, "78": 22, "77": 10},
    "social": {"83": 35, "84": 30, "85": 15, "89": 10, "88": 10},
}  # fmt: skip
INDUSTRY_DIVISIONS = CATEGORY_DIVISIONS["industry"]

# Project name templates per division. {e} owner's short name, {p} place, {r} road, {n} an
# amount, {g} GWh, {mw} MW, {cn} a Chinese numeral, {gd} a national road number.
NAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "13": ("{e}年产{n}万吨粮油精深加工", "{e}肉制品精深加工", "{e}年产{n}万吨饲料"),
    "14": ("{e}预制菜生产基地", "{e}年产{n}万吨休闲食品", "{e}功能性食品产业园"),
    "15": ("{e}精酿啤酒扩产", "{e}年产{n}万吨饮料生产线"),
    "17": ("{e}高档纺织面料", "{e}智能纺纱"),
    "18": ("{e}高端服装智能制造",),
    "22": ("{e}年产{n}万吨高档包装纸", "{e}生活用纸扩产"),
    "26": ("{e}年产{n}万吨高性能树脂", "{e}年产{n}万吨电子化学品", "{e}高端精细化学品", "{e}年产{n}万吨可降解材料", "{e}氟硅新材料"),
    "27": ("{e}创新药研发及产业化", "{e}生物医药产业园", "{e}医疗器械生产基地", "{e}原料药绿色生产"),
    "28": ("{e}年产{n}万吨差别化纤维",),
    "29": ("{e}高性能轮胎智能制造", "{e}年产{n}万吨改性塑料"),
    "30": ("{e}新型绿色建材", "{e}光伏玻璃", "{e}高端陶瓷新材料"),
    "31": ("{e}精品钢生产线升级改造", "{e}特钢新材料"),
    "32": ("{e}年产{n}万吨高端铝材", "{e}铜基新材料"),
    "33": ("{e}高端金属结构件", "{e}智能五金制品"),
    "34": ("{e}高端数控机床", "{e}智能装备制造", "{e}高端轴承", "{e}工业机器人"),
    "35": ("{e}高端农机装备", "{e}矿山智能装备", "{e}医疗装备", "{e}工程机械再制造"),
    "36": ("{e}新能源汽车零部件", "{e}汽车轻量化部件", "{e}新能源商用车", "{e}汽车电子"),
    "37": ("{e}轨道交通装备", "{e}船舶配套设备", "{e}航空零部件"),
    "38": ("{e}年产{g}GWh储能电池", "{e}光伏组件", "{e}锂电池正极材料", "{e}高压电气设备", "{e}氢燃料电池"),
    "39": ("{e}半导体封装测试", "{e}集成电路", "{e}智能终端", "{e}新型显示模组", "{e}激光器件"),
    "40": ("{e}智能仪器仪表",),
    "42": ("{e}再生资源综合利用", "{e}废旧动力电池回收利用"),
    "01": ("{p}高标准农田建设", "{e}智慧农业产业园", "{p}设施蔬菜产业园"),
    "03": ("{e}年出栏{n}万头生猪养殖", "{e}智慧牧场"),
    "05": ("{p}现代农业服务中心",),
    "51": ("{e}商贸物流中心",),
    "59": ("{e}冷链物流园", "{p}智慧物流中心", "{e}仓储物流基地"),
    "61": ("{e}酒店",),
    "64": ("{e}数字经济产业园",),
    "65": ("{e}工业互联网平台", "{p}大数据中心", "{e}软件产业园", "{p}算力中心"),
    "72": ("{e}总部基地", "{p}产业园标准厂房"),
    "73": ("{e}研发中心", "{p}科创中心"),
    "75": ("{p}科技企业孵化器",),
    "88": ("{p}文化旅游综合体", "{e}文旅小镇"),
    "90": ("{e}文旅度假区",),
    "53": ("{p}铁路专用线工程", "{p}站前广场及配套工程"),
    "54": ("{p}{r}改扩建工程", "{p}国道{gd}线改建工程", "{p}高速公路连接线工程", "{p}农村公路提质增效工程"),
    "55": ("{p}港区通用泊位工程", "{p}航道整治工程"),
    "57": ("{p}天然气长输管道工程",),
    "44": ("{p}{mw}MW光伏发电", "{p}{mw}MW风电", "{p}热电联产", "{p}储能电站", "{p}220kV输变电工程"),
    "45": ("{p}天然气管网", "{p}LNG储配站"),
    "46": ("{p}供水厂", "{p}城乡供水一体化"),
    "76": ("{p}水库除险加固", "{p}河道综合治理", "{p}灌区现代化改造"),
    "77": ("{p}污水处理厂提标改造", "{p}生活垃圾焚烧发电", "{p}土壤修复"),
    "78": ("{p}城市公园", "{p}公共停车场", "{p}城市更新"),
    "63": ("{p}5G网络", "{p}千兆光网"),
    "70": ("{p}老旧小区改造", "{p}保障性租赁住房", "{p}城中村改造安置房"),
    "48": ("{p}{r}道路提升改造", "{p}地下综合管廊", "{p}雨污分流改造"),
    "47": ("{p}商务中心", "{p}人才公寓"),
    "83": ("{p}第{cn}中学", "{p}实验小学", "{p}职业教育实训基地", "{p}幼儿园"),
    "84": ("{p}人民医院新院区", "{p}中医医院", "{p}妇幼保健院", "{p}疾病预防控制中心"),
    "85": ("{p}养老服务中心", "{p}社会福利中心"),
    "89": ("{p}全民健身中心", "{p}体育公园"),
}

# Words in enterprise names per division.
ENTERPRISE_WORDS: dict[str, tuple[str, ...]] = {
    "13": ("粮油", "食品"), "14": ("食品", "食品科技"), "15": ("啤酒", "饮品"), "17": ("纺织",), "18": ("服饰",),
    "22": ("纸业", "包装"), "26": ("化工", "新材料", "化学"), "27": ("生物医药", "制药", "医疗器械"), "28": ("化纤",),
    "29": ("轮胎", "塑胶"), "30": ("建材", "玻璃", "陶瓷"), "31": ("钢铁", "特钢"), "32": ("铝业", "铜业"),
    "33": ("金属制品", "五金"), "34": ("机械", "智能装备", "重工"), "35": ("装备制造", "机械"),
    "36": ("汽车零部件", "汽车", "新能源汽车"), "37": ("轨道装备", "船舶", "航空科技"),
    "38": ("新能源科技", "电气", "储能科技", "电池"), "39": ("电子科技", "半导体", "光电"), "40": ("仪器仪表",),
    "42": ("再生资源", "环保科技"), "01": ("农业发展", "生态农业"), "03": ("牧业", "畜牧"), "05": ("农业科技",),
    "51": ("商贸", "供应链管理"), "59": ("物流", "供应链"), "61": ("酒店管理",), "64": ("网络科技", "数字科技"),
    "65": ("信息技术", "软件", "数字科技"), "72": ("产业园运营管理", "投资发展"), "73": ("技术研究院",),
    "75": ("科技发展",), "88": ("文化发展", "文化传媒"), "90": ("文旅发展",),
}  # fmt: skip
ENTERPRISE_FORMS = (("有限公司", 60), ("股份有限公司", 15), ("集团有限公司", 12), ("有限责任公司", 8), ("科技有限公司", 5))

# Public owners per region: key -> (company suffix | None, body suffix for city, for county, division, USCC prefix)
PUBLIC_OWNERS: dict[str, tuple[str, str, str, str]] = {
    "ct": ("城市建设投资集团有限公司", "城市建设投资集团有限公司", "48", "91"),
    "jt": ("交通发展集团有限公司", "交通发展集团有限公司", "54", "91"),
    "sw": ("水务集团有限公司", "水务集团有限公司", "46", "91"),
    "ny": ("能源发展有限公司", "能源发展有限公司", "44", "91"),
    "wl": ("文化旅游发展集团有限公司", "文化旅游发展集团有限公司", "88", "91"),
    "yy": ("人民医院", "人民医院", "84", "12"),
    "jy": ("教育局", "教育和体育局", "92", "11"),
    "mz": ("民政局", "民政局", "92", "11"),
}
PUBLIC_FOR_DIVISION: dict[str, str] = {
    "53": "jt", "54": "jt", "55": "jt", "57": "jt", "59": "jt", "44": "ny", "45": "ny", "63": "ny", "46": "sw", "76": "sw",
    "77": "sw", "70": "ct", "47": "ct", "48": "ct", "78": "ct", "89": "ct", "88": "wl", "83": "jy", "84": "yy", "85": "mz",
}  # fmt: skip
DEPARTMENT_FOR_DIVISION: dict[str, tuple[str, ...]] = {
    "53": ("jtj",), "54": ("jtj",), "55": ("jtj",), "57": ("jtj", "fgw"), "59": ("jtj", "swj"),
    "44": ("fgw",), "45": ("fgw",), "63": ("gxj",), "46": ("slj",), "76": ("slj",), "77": ("cgj", "zjj"),
    "78": ("cgj", "zjj"), "70": ("zjj",), "47": ("zjj", "zgj"), "48": ("zjj",), "83": ("jyj",), "84": ("wjw",),
    "85": ("mzj",), "88": ("wlj",), "89": ("wlj", "jyj"), "90": ("wlj",), "01": ("nyj",), "03": ("nyj",), "05": ("nyj",),
}  # fmt: skip
INDUSTRY_DEPARTMENTS = ("gxj", "gxj", "tcj", "fgw", "swj")

SUSPEND_REASONS = (
    "资金未到位，暂缓建设",
    "用地手续调整，暂停施工",
    "规划方案调整，暂缓建设",
    "环保督察整改期间停工",
    "市场变化，企业调整投资计划",
)
CANCEL_REASONS = ("企业投资意向变化，项目退库", "选址调整，重新谋划", "未能按期落实建设条件，予以退库")
TRANSITION_REASONS = {
    "preparation": "完成项目立项（备案），进入前期手续办理",
    "construction": "取得施工许可，项目开工建设",
    "completed": "主体工程完工，通过竣工验收",
    "production": "项目投产运营",
}

# Departments in project codes (2 digits) and project types: 01 审批, 02 核准, 03 备案.
CODE_DEPARTMENTS = ("01", "02", "03", "04", "05", "07", "13", "89")
NATURES = (("new", 40), ("continuing", 33), ("completing", 15), ("preparatory", 12))
MONTH_WEIGHTS = (2, 6, 18, 16, 14, 12, 9, 8, 7, 5, 2, 1)  # planned starts cluster in spring

# The Project columns in the order DemoBuilder.add_project writes them.
PROJECT_COLUMNS = [
    "name", "project_code", "owner_id", "region_id", "zone_id", "province_code", "city_code", "location",
    "industry_section", "industry_division", "category", "nature", "stage", "stage_before_suspension",
    "total_investment", "planned_start", "planned_completion", "actual_start", "actual_completion", "content",
    "responsible_unit_id", "responsible_person", "sponsor_leader_id", "contact_name", "contact_phone", "in_statistics",
    "latitude", "longitude", "created_at", "updated_at",
]  # fmt: skip

DEMO_USERNAMES = ("province", "jinan", "lixia", "jinan_fgw", "byd", "leader", "sysadmin", "secadmin", "auditor", "admin")


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


class DemoError(Exception):
    """A refusal with a Chinese message (the command turns it into CommandError)."""


@dataclass
class DemoLogin:
    username: str
    role: str
    scope: str
    password: str


@dataclass
class DemoResult:
    seed: int
    year: int
    as_of: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def default_year_month(year: int | None, month: int | None) -> tuple[int, int]:
    """The demo year (default: this year) and the month the data runs to (default: the last
    complete month of this year, December of past years, January of future years)."""
    today = timezone.localdate()
    y = year or today.year
    if month is None:
        month = max(1, today.month - 1) if y == today.year else 12 if y < today.year else 1
    return y, month


def short_place(name: str) -> str:
    """历下区 → 历下, 济南市 → 济南; one-character stems keep their suffix (莒县, 费县)."""
    for suffix in ("自治县", "市", "区", "县"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@contextlib.contextmanager
def explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Write the generated ``created_at``/``updated_at``/``at`` values instead of "now"."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def random_password(length: int = 14) -> str:
    """A throwaway password with all four character classes (never derived from the seed)."""
    lower = "abcdefghijkmnpqrstuvwxyz"
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = "23456789"
    symbols = "-_!@#%+=?"
    alphabet = lower + upper + digits + symbols
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in cls for c in pw) for cls in (lower, upper, digits, symbols)):
            return pw


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(display_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c) + " " * (w - display_width(str(c))) for c, w in zip(cells, widths, strict=True)).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


class _Picker:
    """Weighted choice with precomputed cumulative weights (fast for 200k draws)."""

    def __init__(self, rng: random.Random, weights: dict[str, float] | Sequence[tuple[Any, float]]):
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.rng = rng
        self.values = [k for k, _ in items]
        total = 0.0
        self.cum: list[float] = []
        for _, w in items:
            total += w
            self.cum.append(total)

    def __call__(self) -> Any:
        return self.rng.choices(self.values, cum_weights=self.cum)[0]


class _Table:
    """Fast append-only writer for one model: rows are tuples in ``fields`` order, ids are
    assigned here (so children can point to them before anything is written) and rows go to
    the database with one ``executemany`` per batch, skipping model instances and the ORM's
    per-value SQL compilation. Values are adapted the way the ORM would (dates, decimals);
    fields left out get their model default. Call :meth:`finish` to fix the id sequence."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]):
        from django.db import connections, router

        self.model = model
        self.connection = connections[router.db_for_write(model)]
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        pk = meta.pk
        assert pk is not None
        missing = [f for f in meta.concrete_fields if f is not pk and f.attname not in fields]
        for f in missing:
            if f.get_default() is None and not f.null:
                raise ValueError(f"{meta.label}.{f.attname} needs a value")
        self.fields = [by_attname[name] for name in fields]
        self.defaults = tuple(f.get_default() for f in missing)
        columns = [pk.column, *(f.column for f in self.fields), *(f.column for f in missing)]
        qn = self.connection.ops.quote_name
        self.sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(map(qn, columns))}) VALUES ({', '.join(['%s'] * len(columns))})"
        # PostgreSQL: COPY is several times faster than INSERT and psycopg adapts the values itself.
        self.copy_sql = f"COPY {qn(meta.db_table)} ({', '.join(map(qn, columns))}) FROM STDIN"
        self.use_copy = self.connection.vendor == "postgresql"
        self.adapt = [
            (i + 1, f)
            for i, f in enumerate(self.fields)
            if isinstance(f, models.DateField | models.DecimalField)  # DateTimeField is a DateField
        ]
        self.first_id = (model._default_manager.aggregate(m=models.Max(pk.attname))["m"] or 0) + 1
        self.next_id = self.first_id
        self.rows: list[list[Any]] = []
        self.count = 0

    def add(self, *values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append([pk, *values, *self.defaults])
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        conn = self.connection
        with conn.cursor() as cur:
            if self.use_copy:
                with cur.cursor.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                for row in self.rows:
                    for i, f in self.adapt:
                        if row[i] is not None:
                            row[i] = f.get_db_prep_save(row[i], conn)
                cur.executemany(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows = []

    def finish(self) -> None:
        from django.core.management.color import no_style

        self.flush()
        statements = self.connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with self.connection.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)


# --------------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------------


@dataclass
class _Ent:
    pk: int
    name: str
    short: str
    region: str
    division: str


@dataclass
class _Draft:
    """A generated project before it becomes a model instance."""

    name: str
    region: str
    category: str
    nature: str
    division: str
    total: Decimal
    levels: tuple[bool, bool, bool]  # province, city, county
    owner: _Ent | None = None
    zone: int | None = None
    unit: int | None = None
    leader: int | None = None
    stage: str = "reserve"
    before_suspension: str = ""
    planned_start: dt.date | None = None
    planned_completion: dt.date | None = None
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    created: dt.date | None = None
    prepared: dt.date | None = None
    produced: dt.date | None = None
    side_date: dt.date | None = None  # suspension or cancellation
    side_reason: str = ""
    cancelled_from: str = ""
    plan: Decimal = Decimal(0)
    prev_plan: Decimal | None = None
    invested_before: Decimal = Decimal(0)  # 万元 invested up to the end of last year
    prev_year_only: bool = False
    has_code: bool = True
    code_type: str = "03"
    location: str = ""
    content: str = ""
    coords: tuple[float, float] | None = None


class DemoBuilder:
    def __init__(self, *, seed: int, projects: int, year: int, month: int, batch_size: int = DEFAULT_BATCH,
                 progress: bool = False, stream: Any = None):  # fmt: skip
        self.seed = seed
        self.n_projects = projects
        self.year = year
        self.month = month
        self.as_of = last_day(year, month)
        self.floor = dt.date(year - 4, 1, 2)
        self.batch = max(100, batch_size)
        self.progress = progress
        self.stream = stream
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.ref_time = dt.datetime(year - 4, 1, 2, 9, 0, tzinfo=self.tz)
        self.counts: dict[str, int] = {}
        self.used_usccs: set[str] = set()
        self.used_codes: set[str] = set()
        self.used_names: set[str] = set()
        rng = self.rng
        self.pick_surname = _Picker(rng, SURNAMES)
        self.pick_category = {
            "province": _Picker(rng, {"industry": 60, "infrastructure": 25, "urban": 7, "social": 8}),
            "city": _Picker(rng, {"industry": 55, "infrastructure": 18, "urban": 15, "social": 12}),
            "county": _Picker(rng, {"industry": 50, "infrastructure": 15, "urban": 20, "social": 15}),
        }
        self.pick_division = {k: _Picker(rng, v) for k, v in CATEGORY_DIVISIONS.items()}
        self.pick_nature = _Picker(rng, NATURES)
        self.pick_month = _Picker(rng, [(m, w) for m, w in enumerate(MONTH_WEIGHTS, start=1)])

    # -- small generators -------------------------------------------------------------------

    def person(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.6 else "")
        return self.pick_surname() + given

    def mobile(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"

    def date_between(self, a: dt.date, b: dt.date) -> dt.date:
        if b <= a:
            return a
        return a + dt.timedelta(days=self.rng.randint(0, (b - a).days))

    def at(self, d: dt.date) -> dt.datetime:
        rng = self.rng
        return dt.datetime(d.year, d.month, d.day, rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59), tzinfo=self.tz)

    def uscc(self, prefix: str, region: str) -> str:
        rng = self.rng
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            if prefix == "91" and rng.random() < 0.7:
                org = "MA" + rng.choice("3CD7B") + "".join(rng.choice(alphabet) for _ in range(6))
            else:  # an old GB 11714 organisation code with its own check character
                digits = [rng.randint(0, 9) for _ in range(8)]
                c = 11 - sum(d * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
                org = "".join(map(str, digits)) + ("X" if c == 10 else "0" if c == 11 else str(c))
            code = make_uscc(f"{prefix}{region}{org}")
            if code not in self.used_usccs:
                self.used_usccs.add(code)
                return code

    def money(self, wan: float) -> Decimal:
        """万元, rounded the way lists round: 100万元 steps above 1亿, 10万元 above 1000万元."""
        if wan >= 10_000:
            v = round(wan / 100) * 100
        elif wan >= 1000:
            v = round(wan / 10) * 10
        else:
            v = round(wan)
        return Decimal(int(min(max(v, MIN_TOTAL), MAX_TOTAL)))

    def share(self, total: Decimal, lo: float, hi: float) -> Decimal:
        """A share of ``total`` in whole 万元 (never above ``total``)."""
        v = Decimal(int(float(total) * self.rng.uniform(lo, hi)))
        return min(v, total)

    def tick(self, desc: str, total: int) -> Any:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="行", disable=not self.progress, file=self.stream, leave=False,
                    dynamic_ncols=True, mininterval=0.5)  # fmt: skip

    def bulk(self, model: type[models.Model], objs: list[Any], desc: str) -> None:
        with self.tick(desc, len(objs)) as bar:
            for i in range(0, len(objs), self.batch):
                chunk = objs[i : i + self.batch]
                model._default_manager.bulk_create(chunk, batch_size=self.batch)
                bar.update(len(chunk))

    # -- the whole run ----------------------------------------------------------------------

    def run(self) -> DemoResult:
        from keyprojects.projects.models import SponsorLeader
        from keyprojects.regions.models import Unit

        self.load_regions()
        with explicit_timestamps(Unit, SponsorLeader), transaction.atomic():
            self.build_units()
            self.build_leaders()
            self.build_enterprises()
            self.build_projects()
        return DemoResult(seed=self.seed, year=self.year, as_of=self.as_of, counts=self.counts)

    def load_regions(self) -> None:
        from keyprojects.regions.models import Region

        rows = list(Region.objects.filter(province_code=PROVINCE).order_by("code").values_list("code", "name", "level", "city_code"))
        self.region_name = {c: n for c, n, _, _ in rows}
        self.cities = [c for c, _, lvl, _ in rows if lvl == "city"]
        self.counties_of: dict[str, list[str]] = {c: [] for c in self.cities}
        for c, _, lvl, city in rows:
            if lvl == "county" and city in self.counties_of:
                self.counties_of[city].append(c)
        self.city_of = {c: (city or c) for c, _, lvl, city in rows if lvl != "province"}
        if PROVINCE not in self.region_name or len(self.cities) != 16 or sum(map(len, self.counties_of.values())) < 100:
            raise DemoError("行政区划表中没有完整的山东省（370000）数据，请先运行 manage.py migrate 或 manage.py load_regions")
        self.pick_city = _Picker(self.rng, {c: CITY_WEIGHTS.get(c, 3) for c in self.cities})

    def full_place(self, code: str) -> str:
        """济南市历下区 / 济南市."""
        city = self.city_of[code]
        return self.region_name[city] + (self.region_name[code] if code != city else "")

    def place(self, code: str) -> str:
        """The place word in names: 历下 / 济南 (济南市中区 / 枣庄市中区 for the two 市中区)."""
        name = self.region_name[code]
        if name == "市中区":
            return short_place(self.region_name[self.city_of[code]]) + "市中区"
        return short_place(name)

    # -- units ------------------------------------------------------------------------------

    def build_units(self) -> None:
        from keyprojects.regions.models import Unit

        units: list[Unit] = []

        def add(name: str, short: str, kind: str, region: str) -> Unit:
            u = Unit(name=name, short_name=short, kind=kind, region_id=region, created_at=self.ref_time, updated_at=self.ref_time)
            units.append(u)
            return u

        prov = {k: add(n, s, "department", PROVINCE) for k, (n, s) in PROVINCE_DEPARTMENTS.items()}
        city_units: dict[str, dict[str, Unit]] = {}
        for city in self.cities:
            cname = self.region_name[city]
            city_units[city] = {k: add(cname + self._city_dept_name(city, k, n), s, "department", city)
                                for k, (n, s) in CITY_DEPARTMENTS.items()}  # fmt: skip
        county_units: dict[str, dict[str, Unit]] = {}
        for city in self.cities:
            for county in self.counties_of[city]:
                county_units[county] = {
                    k: add(self.full_place(county) + n, s, "department", county) for k, (n, s) in COUNTY_DEPARTMENTS.items()
                }
        zones: list[tuple[Unit, str, tuple[str, ...]]] = []
        for city, name, short, hosts in ZONES:
            if city in self.counties_of:
                zones.append((add(name, short, "zone", city), city, tuple(h for h in hosts if h in self.region_name)))
        self.bulk(Unit, units, "单位")
        self.province_units = {k: u.pk for k, u in prov.items()}
        self.city_units = {c: {k: u.pk for k, u in d.items()} for c, d in city_units.items()}
        self.county_units = {c: {k: u.pk for k, u in d.items()} for c, d in county_units.items()}
        self.zone_ids = {u.name: u.pk for u, _, _ in zones}
        self.zones_of_city: dict[str, list[int]] = {}
        self.zones_of_county: dict[str, list[int]] = {}
        for u, city, hosts in zones:
            self.zones_of_city.setdefault(city, []).append(u.pk)
            for h in hosts:
                self.zones_of_county.setdefault(h, []).append(u.pk)
        self.counts["units"] = len(units)
        self.counts["zones"] = len(zones)

    @staticmethod
    def _city_dept_name(city: str, key: str, name: str) -> str:
        return "水务局" if key == "slj" and city in ("370100", "370200") else name

    # -- sponsor leaders --------------------------------------------------------------------

    def build_leaders(self) -> None:
        from keyprojects.projects.models import SponsorLeader

        leaders: list[SponsorLeader] = []
        by_region: dict[str, list[SponsorLeader]] = {}

        def add(region: str, titles: Sequence[str]) -> None:
            names: set[str] = set()
            for title in titles:
                name = self.person()
                while name in names:
                    name = self.person()
                names.add(name)
                obj = SponsorLeader(name=name, title=title, region_id=region, created_at=self.ref_time, updated_at=self.ref_time)
                leaders.append(obj)
                by_region.setdefault(region, []).append(obj)

        for city in self.cities:
            add(city, ["市长", "常务副市长", "副市长", "副市长", "副市长", "副市长"])
            for county in self.counties_of[city]:
                suffix = self.region_name[county][-1]
                head = {"区": "区长", "县": "县长", "市": "市长"}.get(suffix, "区长")
                add(county, [head, "副" + head, "副" + head])
        self.bulk(SponsorLeader, leaders, "包保领导")
        self.leaders_of = {r: [x.pk for x in objs] for r, objs in by_region.items()}
        self.jinan_leader = by_region["370100"][1]  # 常务副市长: the demo "leader" login
        self.jinan_mayor = by_region["370100"][0]
        self.counts["leaders"] = len(leaders)

    # -- enterprises ------------------------------------------------------------------------

    def build_enterprises(self) -> None:
        from keyprojects.enterprises.models import Enterprise, EnterpriseContact
        from keyprojects.projects.industries import section_of

        rng = self.rng
        drafts: list[tuple[str, str, str, str, str]] = []  # name, short, region, division, uscc prefix
        names: set[str] = set()
        # the owners of the real projects (domain.md §6)
        for name, short, region, division in SPECIAL_OWNERS.values():
            drafts.append((name, short, region, division, "91"))
            names.add(name)
        # public owners per city and county
        public_keys: list[tuple[str, str]] = []
        for city in self.cities:
            for region in [city, *self.counties_of[city]]:
                for key, (city_suffix, county_suffix, division, prefix) in PUBLIC_OWNERS.items():
                    is_city = region == city
                    company = prefix == "91"
                    if company:
                        stem = short_place(self.region_name[city]) + (
                            "" if is_city else self.place(region).removeprefix(short_place(self.region_name[city]))
                        )
                        name = stem + (city_suffix if is_city else county_suffix)
                    else:
                        name = self.full_place(region) + (city_suffix if is_city else county_suffix)
                    drafts.append((name, name[: -len(city_suffix if is_city else county_suffix)], region, division, prefix))
                    names.add(name)
                    public_keys.append((region, key))
        n_special = len(SPECIAL_OWNERS)
        # private enterprises
        n_private = max(30, self.n_projects * 45 // 100)
        pick_div = _Picker(rng, INDUSTRY_DIVISIONS)
        pick_form = _Picker(rng, ENTERPRISE_FORMS)
        with self.tick("生成企业", n_private) as bar:
            for _ in range(n_private):
                city = self.pick_city()
                region = city if rng.random() < 0.12 else rng.choice(self.counties_of[city])
                division = pick_div()
                for _attempt in range(20):
                    brand = "".join(rng.sample(BRAND_CHARS, 2))
                    r = rng.random()
                    prefix = (
                        "山东" if r < 0.4 else short_place(self.region_name[city]) if r < 0.75 else self.place(region) if r < 0.9 else ""
                    )
                    name = f"{prefix}{brand}{rng.choice(ENTERPRISE_WORDS[division])}{pick_form()}"
                    if name not in names:
                        break
                else:
                    name = f"{prefix}{brand}{rng.choice(ENTERPRISE_WORDS[division])}{len(names)}号{pick_form()}"
                names.add(name)
                drafts.append((name, brand if rng.random() < 0.7 else prefix + brand, region, division, "91"))
                bar.update(1)
        table = _Table(Enterprise, ["name", "uscc", "region_id", "industry_section", "industry_division", "address",
                                    "legal_representative", "created_at", "updated_at"])  # fmt: skip
        contacts = _Table(EnterpriseContact, ["enterprise_id", "name", "title", "phone"])
        ents: list[_Ent] = []
        with self.tick("企业", len(drafts)) as bar:
            for name, short, region, division, prefix in drafts:
                address = f"山东省{self.full_place(region)}{rng.choice(ROADS)}{rng.randint(1, 9999)}号"
                pk = table.add(name, self.uscc(prefix, region), region, section_of(division) or "", division, address,
                               self.person(), self.ref_time, self.ref_time)  # fmt: skip
                contacts.add(pk, self.person(), rng.choice(CONTACT_TITLES), self.mobile())
                ents.append(_Ent(pk, name, short, region, division))
                if len(table.rows) >= self.batch:
                    table.flush()
                    contacts.flush()
                    bar.update(self.batch)
            table.finish()
            contacts.finish()
        self.special_owners = {key: ents[i] for i, key in enumerate(SPECIAL_OWNERS)}
        self.public_owner: dict[tuple[str, str], _Ent] = {k: ents[n_special + i] for i, k in enumerate(public_keys)}
        self.private_by_county: dict[str, list[_Ent]] = {}
        self.private_by_city: dict[str, list[_Ent]] = {}
        for e in ents[n_special + len(public_keys) :]:
            self.private_by_county.setdefault(e.region, []).append(e)
            self.private_by_city.setdefault(self.city_of[e.region], []).append(e)
        self.counts["enterprises"] = table.count

    # -- projects ---------------------------------------------------------------------------

    def build_projects(self) -> None:
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        n_generic = max(0, self.n_projects - len(REAL_PROJECTS) - len(PORT_PROJECTS))
        self.counts.update(province_list=0, city_list=0, county_list=0, with_code=0)
        # ``invested_before`` (启用前累计完成投资) is written when the model has it.
        self.with_invested_before = any(f.name == "invested_before" for f in Project._meta.concrete_fields)
        self.t_projects = _Table(Project, PROJECT_COLUMNS + (["invested_before"] if self.with_invested_before else []))
        self.t_years = _Table(ProjectYear, ["project_id", "year", "annual_plan", "on_province_list", "on_city_list",
                                            "on_county_list"])  # fmt: skip
        self.t_events = _Table(ProjectEvent, ["project_id", "kind", "from_stage", "to_stage", "reason", "at", "actor_id"])
        tables = (self.t_projects, self.t_years, self.t_events)
        drafts = itertools.chain(self.real_drafts(), self.port_drafts(), (self.generic_draft() for _ in range(n_generic)))
        with self.tick("项目", len(REAL_PROJECTS) + len(PORT_PROJECTS) + n_generic) as bar:
            # Each draft consumes the random stream completely before the next one starts, so
            # the data do not depend on the batch size.
            for d in drafts:
                pk, created_at = self.add_project(d)
                self.add_years(d, pk)
                self.add_history(d, pk, created_at)
                if len(self.t_projects.rows) >= self.batch:
                    n = len(self.t_projects.rows)
                    for t in tables:  # parents first
                        t.flush()
                    bar.update(n)
            n = len(self.t_projects.rows)
            for t in tables:
                t.finish()
            bar.update(n)
        self.counts.update(projects=self.t_projects.count, project_years=self.t_years.count, events=self.t_events.count)

    def add_project(self, d: _Draft) -> tuple[int, dt.datetime]:
        from keyprojects.projects.industries import section_of

        rng = self.rng
        code = self.project_code(d) if d.has_code else None
        self.counts["with_code"] += code is not None
        lat = lon = None
        if d.coords is not None:
            lat, lon = (Decimal(f"{v:.6f}") for v in d.coords)
        created = self.at(d.created or self.floor)
        in_stats = d.actual_start is not None and d.total >= MIN_TOTAL and rng.random() < 0.93
        pk = self.t_projects.add(
            d.name, code, d.owner.pk if d.owner else None, d.region, d.zone, PROVINCE, self.city_of[d.region], d.location,
            section_of(d.division) or "", d.division, d.category, d.nature, d.stage, d.before_suspension, d.total,
            d.planned_start, d.planned_completion, d.actual_start, d.actual_completion, d.content, d.unit, self.person(),
            d.leader, self.person(), self.mobile(), in_stats, lat, lon, created, created,
            *((d.invested_before,) if self.with_invested_before else ()),
        )  # fmt: skip
        return pk, created

    def add_years(self, d: _Draft, pk: int) -> None:
        prov, city, county = d.levels
        if not d.prev_year_only:
            self.t_years.add(pk, self.year, d.plan, prov, city, county)
            self.counts["province_list"] += prov
            self.counts["city_list"] += city
            self.counts["county_list"] += county
        if d.prev_plan is not None:
            self.t_years.add(pk, self.year - 1, d.prev_plan, prov, city, county)

    def project_code(self, d: _Draft) -> str:
        rng = self.rng
        when = d.prepared or d.created or self.as_of
        while True:
            tail = f"{rng.randint(0, 99999):05d}{rng.choice('0123456789' * 3 + 'X')}"
            code = f"{when:%y%m}-{d.region}-{rng.choice(CODE_DEPARTMENTS)}-{d.code_type}-{tail}"
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def add_history(self, d: _Draft, pk: int, created_at: dt.datetime) -> None:
        """Events from creation to the current stage, dated from the draft's milestones and
        strictly increasing in time."""
        last: list[dt.datetime] = []

        def ev(kind: str, frm: str, to: str, when: dt.date | None, reason: str = "", at: dt.datetime | None = None) -> None:
            at = at or self.at(when or d.created or self.floor)
            if last and at <= last[-1]:
                at = last[-1] + dt.timedelta(minutes=self.rng.randint(5, 90))
            last.append(at)
            self.t_events.add(pk, kind, frm, to, reason, at, None)

        ev("created", "", "reserve", d.created, at=created_at)
        path = ["reserve"]
        milestones = [("preparation", d.prepared), ("construction", d.actual_start), ("completed", d.actual_completion),
                      ("production", d.produced)]  # fmt: skip
        final = d.before_suspension or d.cancelled_from or d.stage
        order = ["reserve", "preparation", "construction", "completed", "production", "effective"]
        target = order.index(final) if final in order else 0
        for stage, when in milestones:
            if order.index(stage) > target:
                break
            ev("transition", path[-1], stage, when, TRANSITION_REASONS[stage])
            path.append(stage)
        if d.stage == "suspended":
            ev("suspended", path[-1], "suspended", d.side_date, d.side_reason)
        elif d.stage == "cancelled":
            ev("cancelled", path[-1], "cancelled", d.side_date, d.side_reason)

    # -- generic projects -------------------------------------------------------------------

    def generic_draft(self) -> _Draft:
        rng = self.rng
        y = self.year
        r = rng.random()
        level = "province" if r < 0.15 else "city" if r < 0.50 else "county"
        city = self.pick_city()
        if level == "county" or rng.random() < 0.8:
            region = rng.choice(self.counties_of[city])
        else:
            region = city
        category = self.pick_category[level]()
        owner: _Ent | None
        if category == "industry":
            pool = self.private_by_county.get(region) if region != city else None
            pool = pool or self.private_by_city.get(city) or self.private_by_city[self.cities[0]]
            owner = rng.choice(pool)
            division = owner.division if rng.random() < 0.85 else self.pick_division[category]()
        else:
            division = self.pick_division[category]()
            if division == "55" and city not in PORT_CITIES:
                division = "54"  # no harbours inland
            owner_region = region if rng.random() < 0.8 else city
            owner = self.public_owner.get((owner_region, PUBLIC_FOR_DIVISION.get(division, "ct")))
        if rng.random() < 0.03:
            owner = None
        # levels: primary plus sometimes the neighbouring ones
        prov = level == "province"
        on_city = level == "city" or (prov and rng.random() < 0.5)
        on_county = region != city and (level == "county" or (level == "city" and rng.random() < 0.25) or (prov and rng.random() < 0.1))
        # investment: log-normal around a level-dependent median
        median = {"province": 120_000, "city": 30_000, "county": 8_000}[level] * (0.6 if category == "social" else 1.0)
        total = self.money(10 ** rng.gauss(math.log10(median), 0.45))
        d = _Draft(name="", region=region, category=category, nature="", division=division, total=total,
                   levels=(prov, on_city, on_county), owner=owner)  # fmt: skip
        d.name = self._name(d)
        # zone, responsible unit, leader
        zones = self.zones_of_county.get(region) if region != city else self.zones_of_city.get(city)
        if zones and rng.random() < (0.35 if region != city else 0.5):
            d.zone = rng.choice(zones)
        d.unit = self._responsible_unit(level, region, city, category, division)
        leaders = self.leaders_of.get(city if level != "county" or region == city else region, [])
        if leaders and rng.random() < 0.85:
            d.leader = rng.choice(leaders)
        d.code_type = rng.choice(("03", "03", "03", "02")) if category == "industry" else rng.choice(("01", "01", "02"))
        self._schedule(d, y)
        d.location = (
            f"{self.full_place(region)}{rng.choice(ROADS)}以{rng.choice(DIRECTIONS)}、{rng.choice(ROADS)}以{rng.choice(DIRECTIONS)}"
        )
        d.content = self._content(d)
        if rng.random() < 0.4:
            lat, lon, spread = CITY_CENTRES.get(city, (36.4, 118.0, 0.3))
            d.coords = (lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread))
        return d

    def _name(self, d: _Draft) -> str:
        """A list-style name, unique where possible: on collisions a phase, then a year, an area
        or a kind of works is added, as real lists do."""
        rng = self.rng
        for attempt in range(8):
            tpl = rng.choice(NAME_TEMPLATES[d.division])
            place = self.place(d.region)
            if "{p}" in tpl and d.region != self.city_of[d.region] and rng.random() < 0.15:
                place = short_place(self.region_name[self.city_of[d.region]]) + place
            ent = d.owner.short if d.owner else place
            name = tpl.format(
                e=ent, p=place, r=rng.choice(ROADS), n=rng.choice((1, 2, 3, 5, 6, 8, 10, 12, 15, 20, 30, 50)),
                g=rng.choice((2, 5, 10, 20)), mw=rng.choice((50, 100, 200, 300, 500)), cn=rng.choice(CN_NUMBERS),
                gd=rng.choice(("104", "105", "205", "206", "220", "308", "309", "327")),
            )  # fmt: skip
            if not name.endswith("工程"):
                name += "项目"
            if attempt >= 4:
                if "{p}" in tpl and rng.random() < 0.5:
                    name = f"{self.year - rng.randint(0, 1)}年{name}"
                elif "{p}" in tpl:
                    name = name.replace(place, f"{place}{rng.choice(ROADS)}片区", 1)
                elif name.endswith("项目"):
                    name = name[:-2] + rng.choice(("扩建项目", "技术改造项目", "智能化改造项目", "提质增效项目"))
            if 2 <= attempt < 6 or rng.random() < 0.12:
                phase = rng.choice(PHASES)
                name = name[:-2] + phase + name[-2:] if name.endswith("项目") else name + phase
            if name not in self.used_names:
                break
        self.used_names.add(name)
        return name

    def _responsible_unit(self, level: str, region: str, city: str, category: str, division: str) -> int | None:
        rng = self.rng
        if level == "county" and region != city:
            units = self.county_units[region]
            if category == "industry":
                return units["gxj"] if rng.random() < 0.6 else units["fgj"]
            if category in ("urban", "social"):
                return units["zjj"] if rng.random() < 0.5 else units["fgj"]
            return units["fgj"]
        keys = INDUSTRY_DEPARTMENTS if category == "industry" else DEPARTMENT_FOR_DIVISION.get(division, ("fgw",))
        key = rng.choice(keys)
        if level == "province" and rng.random() < 0.15:
            return self.province_units.get(key, self.province_units["fgw"])
        return self.city_units[city][key]

    def _schedule(self, d: _Draft, y: int) -> None:
        """Nature, stage and dates as of ``self.as_of``; plans for this year (and last)."""
        rng = self.rng
        as_of = self.as_of
        nature = self.pick_nature()
        d.nature = nature
        months = max(6, min(48, round(8 + 7 * math.log10(float(d.total) / MIN_TOTAL) + rng.uniform(-4, 6))))

        def plus_months(a: dt.date, m: int) -> dt.date:
            yy, mm = divmod(a.month - 1 + m, 12)
            return last_day(a.year + yy, mm + 1)

        def spring_date(year: int) -> dt.date:
            m = self.pick_month()
            return dt.date(year, m, rng.randint(1, 28))

        if nature == "new":
            d.planned_start = spring_date(y)
            d.planned_completion = plus_months(d.planned_start, months)
            if d.planned_start <= as_of:
                if rng.random() < 0.85:
                    d.actual_start = min(as_of, d.planned_start + dt.timedelta(days=rng.randint(-20, 45)))
            elif rng.random() < 0.08:
                d.actual_start = self.date_between(dt.date(y, 1, 5), as_of)
            d.plan = self.share(d.total, 0.15, 0.45)
        elif nature == "preparatory":
            d.planned_start = spring_date(y + 1)
            d.planned_completion = plus_months(d.planned_start, months)
            d.plan = self.share(d.total, 0.0, 0.05) if rng.random() < 0.6 else Decimal(0)
        else:
            d.planned_start = self.date_between(dt.date(y - 3, 3, 1), dt.date(y - 1, 10, 31))
            d.actual_start = min(as_of, d.planned_start + dt.timedelta(days=rng.randint(-15, 60)))
            if nature == "continuing":
                d.planned_completion = max(plus_months(d.planned_start, months), last_day(y + 1, rng.randint(1, 12)))
                done = rng.uniform(0.2, 0.65)
                d.prev_plan = self.share(d.total, 0.12, min(0.4, done))
                d.plan = self.share(d.total, 0.3 * (1 - done), 0.8 * (1 - done))
                d.invested_before = max(d.prev_plan, Decimal(int(float(d.total) * done)))
            else:  # completing this year
                d.planned_completion = max(last_day(y, rng.randint(3, 12)), d.planned_start)
                d.prev_plan = self.share(d.total, 0.2, 0.5)
                d.plan = self.share(d.total, 0.05, 0.35)
                d.invested_before = d.total - d.plan - self.share(d.total, 0.0, 0.05)
                if (d.planned_completion <= as_of and rng.random() < 0.65) or (d.planned_completion > as_of and rng.random() < 0.06):
                    lo = max(d.actual_start, dt.date(y, 1, 1))
                    d.actual_completion = max(lo, min(as_of, d.planned_completion + dt.timedelta(days=rng.randint(-40, 20))))
                    if rng.random() < 0.45:
                        produced = d.actual_completion + dt.timedelta(days=rng.randint(10, 60))
                        d.produced = produced if produced <= as_of else None
            if d.prev_plan + d.plan > d.total:
                d.prev_plan = d.total - d.plan
            d.invested_before = min(max(d.invested_before, d.prev_plan), d.total - d.plan)
        anchor = d.actual_start or d.planned_start
        d.created = max(self.floor, min(anchor - dt.timedelta(days=rng.randint(60, 300)), as_of - dt.timedelta(days=rng.randint(5, 90))))
        # stage from the milestones
        if d.produced:
            d.stage = "production"
        elif d.actual_completion:
            d.stage = "completed"
        elif d.actual_start:
            d.stage = "construction"
        elif (nature == "preparatory" and rng.random() < 0.55) or (nature == "new" and rng.random() < 0.07):
            d.stage = "reserve"
        else:
            d.stage = "preparation"
        if d.stage != "reserve":
            end = d.actual_start or as_of
            d.prepared = self.date_between(d.created, d.created + (end - d.created) * 6 // 10)
        # side states
        if d.stage in ("construction", "preparation") and rng.random() < (0.04 if nature == "continuing" else 0.015):
            d.before_suspension, d.stage = d.stage, "suspended"
            d.side_date = self.date_between(max(d.prepared or d.created, d.actual_start or d.created), as_of)
            d.side_reason = rng.choice(SUSPEND_REASONS)
        elif d.stage in ("reserve", "preparation") and nature in ("new", "preparatory") and rng.random() < 0.015:
            d.cancelled_from, d.stage = d.stage, "cancelled"
            d.side_date = self.date_between(d.prepared or d.created, as_of)
            d.side_reason = rng.choice(CANCEL_REASONS)
        # codes: nearly all started projects, most in preparation, a quarter of the reserve
        p_code = {"reserve": 0.25, "preparation": 0.85, "cancelled": 0.5}.get(d.stage, 0.97)
        d.has_code = rng.random() < p_code

    def _content(self, d: _Draft) -> str:
        rng = self.rng
        total_yi = f"{float(d.total) / 10000:.2f}".rstrip("0").rstrip(".")
        if d.category == "industry":
            body = (f"规划用地约{rng.randint(20, 600)}亩，新建生产车间、研发中心及配套设施{rng.randint(1, 30)}万平方米，"
                    f"购置生产设备{rng.randint(20, 800)}台（套）")  # fmt: skip
        elif d.category == "infrastructure":
            body = "建设主体工程及附属配套设施，同步实施绿化、照明、智能化等工程"
        elif d.category == "urban":
            body = f"总建筑面积约{rng.randint(1, 60)}万平方米，同步建设道路、管网、绿化等配套设施"
        else:
            places = {"83": "学位", "84": "床位", "85": "养老床位"}.get(d.division, "座位")
            body = f"总建筑面积约{rng.randint(1, 20)}万平方米，建成后新增{places}{rng.randint(2, 30) * 100}个"
        return f"项目总投资{total_yi}亿元。{body}。"

    # -- the real projects (domain.md §6) ---------------------------------------------------

    def real_drafts(self) -> Iterator[_Draft]:
        y = self.year
        as_of = self.as_of
        for spec in REAL_PROJECTS:
            region = spec["region"]
            city = self.city_of[region]

            def day(rel: tuple[int, int, int] | None) -> dt.date | None:
                return dt.date(y + rel[0], rel[1], rel[2]) if rel else None

            owner = self.special_owners.get(spec["owner"]) if spec.get("owner") else None
            d = _Draft(name=spec["name"], region=region, category=spec["category"], nature=spec["nature"],
                       division=spec["division"], total=Decimal(spec["total"]), levels=spec["levels"], owner=owner)  # fmt: skip
            d.zone = self.zone_ids.get(spec.get("zone", ""))
            dept = spec["unit"]
            d.unit = self.county_units[region][dept] if region != city and dept in COUNTY_DEPARTMENTS else self.city_units[city][dept]
            d.leader = self.jinan_mayor.pk if city == "370100" else self.leaders_of[city][0]
            d.planned_start, d.planned_completion = day(spec["planned"][0]), day(spec["planned"][1])
            start, done, produced = (day(spec.get(k)) for k in ("start", "done", "produced"))
            d.actual_start = start if start and start <= as_of else None
            d.actual_completion = done if done and d.actual_start and done <= as_of else None
            d.produced = produced if produced and d.actual_completion and produced <= as_of else None
            d.stage = (
                "production" if d.produced else "completed" if d.actual_completion else "construction" if d.actual_start else "preparation"
            )
            d.created = day(spec["created"])
            d.prepared = self.date_between(d.created, min(d.actual_start or as_of, as_of))
            d.plan = Decimal(spec["plan"])
            d.prev_plan = Decimal(spec["prev_plan"]) if spec.get("prev_plan") else None
            d.invested_before = Decimal(spec.get("invested_before", spec.get("prev_plan") or 0))
            d.code_type = "02" if spec["category"] == "infrastructure" else "03"
            d.location = spec["location"]
            d.content = spec["content"]
            yield d

    def port_drafts(self) -> Iterator[_Draft]:
        """山东港口 in Qingdao: 32 projects, 754.85亿元 (domain.md §6); names and the split of
        the totals are illustrative."""
        rng = self.rng
        y = self.year
        as_of = self.as_of
        owner = self.special_owners["port"]
        zone = self.zone_ids.get("青岛西海岸新区")
        groups = {"done": 1_283_500, "continuing": 1_055_000, "new": 5_210_000}
        amounts: dict[str, list[int]] = {}
        for group, total in groups.items():
            names = [n for n, g in PORT_PROJECTS if g == group]
            weights = [rng.uniform(0.6, 1.4) for _ in names]
            parts = [round(total * w / sum(weights) / 100) * 100 for w in weights]
            parts[-1] = total - sum(parts[:-1])
            amounts[group] = parts
        counters = dict.fromkeys(groups, 0)
        for name, group in PORT_PROJECTS:
            total = Decimal(amounts[group][counters[group]])
            counters[group] += 1
            division = _port_division(name)
            region = "370203" if "邮轮母港" in name else "370211"
            category = "urban" if division == "70" else "infrastructure"
            big = total >= 300_000
            d = _Draft(name=name, region=region, category=category, nature="", division=division, total=total,
                       levels=(big, True, False), owner=owner)  # fmt: skip
            d.zone = zone if region == "370211" else None
            d.unit = self.city_units["370200"]["jtj"]
            d.leader = self.leaders_of["370200"][2]
            d.code_type = "02"
            if group == "done":
                d.nature = "completing"
                d.planned_start = self.date_between(dt.date(y - 3, 3, 1), dt.date(y - 2, 9, 30))
                d.actual_start = d.planned_start + dt.timedelta(days=rng.randint(0, 30))
                d.planned_completion = last_day(y - 1, rng.randint(6, 12))
                d.actual_completion = d.planned_completion - dt.timedelta(days=rng.randint(0, 25))
                d.produced = min(as_of, d.actual_completion + dt.timedelta(days=rng.randint(5, 30)))
                d.stage = "production"
                d.prev_plan = self.share(total, 0.25, 0.45)
                d.invested_before = total
                d.prev_year_only = True
            elif group == "continuing":
                d.nature = "continuing"
                d.planned_start = self.date_between(dt.date(y - 2, 3, 1), dt.date(y - 1, 9, 30))
                d.actual_start = min(as_of, d.planned_start + dt.timedelta(days=rng.randint(0, 30)))
                d.planned_completion = last_day(y + rng.randint(1, 2), rng.randint(3, 12))
                d.stage = "construction"
                d.prev_plan = self.share(total, 0.2, 0.35)
                d.plan = self.share(total, 0.2, 0.35)
                d.invested_before = d.prev_plan + self.share(total, 0.0, 0.2)
            else:
                d.nature = "new"
                d.planned_start = dt.date(y, rng.randint(2, 9), rng.randint(1, 28))
                d.planned_completion = last_day(y + rng.randint(2, 4), rng.randint(3, 12))
                if d.planned_start <= as_of:
                    d.actual_start = d.planned_start
                d.stage = "construction" if d.actual_start else "preparation"
                d.plan = self.share(total, 0.08, 0.2)
            d.created = max(self.floor, min((d.actual_start or d.planned_start) - dt.timedelta(days=rng.randint(60, 200)), as_of))
            d.prepared = self.date_between(d.created, min(d.actual_start or as_of, as_of))
            d.location = f"青岛市{self.region_name[region]}" + ("（青岛西海岸新区）" if d.zone else "")
            d.content = (
                "山东港口2024年世界级港口群建设（青岛）项目之一：在青岛共32项、总投资754.85亿元，其中2023年建成投产14项"
                "（128.35亿元）、续建7项（约105.5亿元）、2024年新启动推进11项（521亿元）。本项目名称和金额为演示示意。"
            )
            yield d


def _port_division(name: str) -> str:
    for words, division in (
        (("城市更新",), "70"),
        (("LNG", "氢能"), "45"),
        (("光伏",), "44"),
        (("铁路",), "53"),
        (("道路",), "54"),
        (("储", "罐", "物流", "冷链", "仓", "筒仓", "堆场", "多式联运"), "59"),
    ):
        if any(w in name for w in words):
            return division
    return "55"


# The owners of the real projects: key -> (name, short name, region, division).
SPECIAL_OWNERS: dict[str, tuple[str, str, str, str]] = {
    "byd": ("济南比亚迪汽车有限公司", "比亚迪", "370100", "36"),
    "lng": ("国家管网集团龙口液化天然气有限公司", "国家管网", "370681", "45"),
    "jidian": ("山东极电新能源科技有限公司", "极电", "370400", "38"),
    "lantuo": ("日照蓝拓氢能科技有限公司", "蓝拓氢能", "371103", "35"),
    "damin": ("山东达民化工股份有限公司", "达民化工", "371603", "26"),
    "port": ("山东港口青岛港集团有限公司", "山东港口青岛港", "370211", "55"),
}

# The real projects of domain.md §6. Dates are (years from the demo year, month, day): the
# seed describes 2024, so ``--year 2024`` reproduces the article. Totals not given by the seed
# are illustrative and say so in ``content``.
REAL_PROJECTS: list[dict[str, Any]] = [
    {
        "name": "比亚迪新能源乘用车及零部件产业园项目（二期）", "region": "370100", "zone": "济南新旧动能转换起步区",
        "owner": "byd", "division": "36", "category": "industry", "nature": "continuing", "total": 500000,
        "plan": 150000, "prev_plan": 120000, "levels": (True, True, False), "unit": "gxj",
        "planned": ((-1, 3, 15), (1, 12, 31)), "start": (-1, 4, 1), "created": (-2, 11, 20),
        "location": "济南新旧动能转换起步区",
        "content": "济南起步区投资规模最大、示范引领最强的重大产业项目之一。项目自2022年11月30日首台整车下线以来，"
                   "2023年生产整车24万辆、完成产值276.5亿元，预计2024年生产整车30万辆以上、完成产值330亿元。"
                   "（总投资、计划为演示值）",
    },
    {
        "name": "国家管网龙口南山LNG接收站一期工程", "region": "370681", "owner": "lng", "division": "45",
        "category": "infrastructure", "nature": "completing", "total": 650000, "plan": 54300, "prev_plan": 260000,
        "invested_before": 595700,
        "levels": (True, True, True), "unit": "fgj", "planned": ((-2, 6, 1), (0, 10, 31)), "start": (-2, 6, 18),
        "done": (0, 10, 31), "created": (-3, 12, 1), "location": "烟台市龙口市屺姆岛港LNG专区",
        "content": "国家环渤海地区产供储销体系建设重点项目、山东省重点项目。2023年一期工程已完成91.65%，超年度建设计划；"
                   "110kV输变电、取排水、码头工程进入扫尾验收准备阶段，厂前区工程和接收站工程进入最后冲刺，"
                   "预计2024年10月达到投产条件。（总投资、计划为演示值）",
    },
    {
        "name": "山东极电电动电池总成项目", "region": "370400", "owner": "jidian", "division": "38", "category": "industry",
        "nature": "completing", "total": 300000, "plan": 90000, "prev_plan": 160000, "levels": (True, True, False),
        "unit": "gxj", "planned": ((-1, 5, 1), (0, 6, 30)), "start": (-1, 5, 20), "done": (0, 3, 31),
        "produced": (0, 6, 30), "created": (-2, 12, 10), "location": "枣庄市",
        "content": "厂房、联合站房外墙和室内已基本完成施工，其他楼栋结构全部完成，砌筑整体完成80%；厂房预计3月底竣工，"
                   "计划6月底实现一期产品量产下线，带动电池箱体、电器零件、线束等下游产业发展。（总投资、计划为演示值）",
    },
    {
        "name": "蓝拓氢能绿氢装备智造项目", "region": "371103", "owner": "lantuo", "division": "35", "category": "industry",
        "nature": "continuing", "total": 35000, "plan": 15000, "prev_plan": 12000, "levels": (False, True, True),
        "unit": "gxj", "planned": ((-1, 3, 1), (1, 6, 30)), "start": (-1, 3, 10), "created": (-2, 10, 15),
        "location": "日照市岚山区日照金属表面处理中心生态产业园",
        "content": "日照市首个氢能源项目，总投资3.5亿元，主要开发利用水电解制氢及储能高性能膜材；2023年底首台加氢站实用型"
                   "圆形电解槽下线，正推进首台常压方形电解槽组装测试。全部建成达产后，年可实现产值40亿元、利税5亿元。",
    },
    {
        "name": "日照自动驾驶区域运营基地项目", "region": "371100", "owner": None, "division": "65", "category": "industry",
        "nature": "new", "total": 50000, "plan": 10000, "levels": (False, True, False), "unit": "tcj",
        "planned": ((0, 5, 1), (1, 12, 31)), "start": (0, 5, 20), "created": (0, 2, 5), "location": "日照市",
        "content": "2024年春节前后完成签约落地的重点项目。（总投资、计划为演示值）",
    },
    {
        "name": "日照数字金融与黄河流域发展联合实验室", "region": "371100", "owner": None, "division": "73",
        "category": "industry", "nature": "new", "total": 20000, "plan": 6000, "levels": (False, True, False),
        "unit": "tcj", "planned": ((0, 6, 1), (1, 6, 30)), "created": (0, 2, 5), "location": "日照市",
        "content": "2024年春节前后完成签约落地的重点项目。（总投资、计划为演示值）",
    },
    {
        "name": "山东达民化工1万吨哌嗪和7万吨高胺项目", "region": "371603", "owner": "damin", "division": "26",
        "category": "industry", "nature": "new", "total": 60000, "plan": 25000, "levels": (False, True, True),
        "unit": "fgj", "planned": ((0, 3, 1), (1, 8, 31)), "start": (0, 3, 18), "created": (-1, 12, 20),
        "location": "滨州市沾化区",
        "content": "国家级专精特新“小巨人”企业山东达民化工股份有限公司为拓展市场上马的项目。沾化区放弃新增建设用地指标和"
                   "土地征收转用方式，整合盘活周边闲置土地，用地办理时间从五个月缩短至一个月以内。（总投资、计划为演示值）",
    },
]  # fmt: skip

PORT_PROJECTS: list[tuple[str, str]] = [
    *(
        (f"山东港口青岛港{n}", "done")
        for n in (
            "前湾港区集装箱码头智能化升级改造工程", "董家口港区通用泊位工程", "董家口港区液体散货罐区工程",
            "前湾港区自动化码头岸电改造工程", "董家口港区铁路装车系统工程", "前湾港区冷链仓储设施工程",
            "董家口港区矿石堆场扩容工程", "前湾港区智慧闸口工程", "董家口港区光伏发电工程", "前湾港区危险品堆场改造工程",
            "董家口港区粮食筒仓工程", "前湾港区集疏运道路改造工程", "董家口港区防波堤加固工程", "邮轮母港配套设施提升工程",
        )
    ),
    *(
        (f"山东港口青岛港{n}", "continuing")
        for n in (
            "前湾港区集装箱码头泊位改造工程", "董家口港区原油码头二期工程", "董家口港区LNG储罐扩建工程",
            "董家口港区铁路专用线扩能工程", "前湾港区智慧物流园工程", "董家口港区液化品码头工程", "绿色低碳港口示范工程",
        )
    ),
    *(
        (f"山东港口青岛港{n}", "new")
        for n in (
            "董家口港区大型矿石码头扩建工程", "董家口港区原油商业储备库工程", "前湾港区集装箱码头泊位升级工程",
            "董家口港区LNG接收站三期工程", "董家口港区液体化工品储运基地工程", "董家口港区综合物流园工程",
            "前湾港区冷链物流中心二期工程", "董家口港区氢能综合利用示范工程", "前湾港区多式联运中心工程",
            "邮轮母港城市更新配套工程", "董家口港区通用散货泊位工程",
        )
    ),
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def business_data_exists() -> int:
    from keyprojects.projects.models import Project

    return Project.objects.count()


# Apps whose rows --reset never deletes (reference data, accounts, the audit log).
KEEP_APPS = {"regions", "audit", "accounts", "auth", "contenttypes", "sessions", "admin", "authtoken"}


def business_models() -> list[type[models.Model]]:
    """The demo's models plus every model (outside KEEP_APPS) that refers to them, directly or
    not (monthly reports, problems ...), ordered so that referring models come first."""
    from django.apps import apps

    from keyprojects.enterprises.models import Enterprise, EnterpriseContact
    from keyprojects.projects.models import Project, ProjectEvent, ProjectYear, SponsorLeader
    from keyprojects.regions.models import Unit

    def targets(model: type[models.Model]) -> set[Any]:
        return {f.related_model for f in model._meta.concrete_fields if f.is_relation and f.related_model is not model}

    found: list[type[models.Model]] = [ProjectEvent, ProjectYear, Project, SponsorLeader, EnterpriseContact, Enterprise, Unit]
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model not in found and model._meta.app_label not in KEEP_APPS and targets(model) & set(found):
                found.append(model)
                changed = True
    ordered: list[type[models.Model]] = []
    remaining = list(found)
    while remaining:
        free = [m for m in remaining if not any(m in targets(o) for o in remaining if o is not m)]
        nxt = free[0] if free else remaining[0]  # a cycle: let the database decide
        ordered.append(nxt)
        remaining.remove(nxt)
    return ordered


def reset_business_data() -> dict[str, int]:
    """Delete projects, enterprises, units, leaders and whatever hangs off them (not regions,
    not accounts, not the audit log, which the database refuses to delete anyway). The demo
    logins are kept (their ids stay stable in the audit log) but detached until
    :func:`create_demo_users` anchors them again."""
    from keyprojects.accounts.models import LoginAttempt, User

    deleted: dict[str, int] = {}
    try:
        with transaction.atomic():
            User.objects.filter(username__in=DEMO_USERNAMES).update(
                role="sysadmin", unit=None, enterprise=None, is_superuser=False, is_staff=False, is_active=False
            )
            LoginAttempt.objects.filter(username__in=DEMO_USERNAMES).delete()
            for model in business_models():
                qs = model._default_manager.all()
                deleted[model._meta.label] = qs.only("pk").delete()[0] if qs.exists() else 0
    except ProtectedError as exc:
        blockers = sorted({f"{o._meta.verbose_name}“{o}”" for o in list(exc.protected_objects)[:5]})
        raise DemoError("无法清除演示数据：以下记录仍引用要删除的数据，请先处理：" + "；".join(blockers)) from exc
    return deleted


def create_demo_users(*, enterprise_name: str = SPECIAL_OWNERS["byd"][0]) -> list[DemoLogin]:
    """One login per role with a fresh random password; existing demo logins are updated."""
    from django.contrib.auth.password_validation import validate_password

    from keyprojects.accounts.models import User
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.projects.models import SponsorLeader
    from keyprojects.regions.models import Region, Unit

    jinan_fgw = Unit.objects.filter(region_id="370100", name="济南市发展和改革委员会").first()
    ent = Enterprise.objects.filter(name=enterprise_name).first()
    sponsor = SponsorLeader.objects.filter(region_id="370100", title="常务副市长").order_by("id").first()
    if jinan_fgw is None or ent is None or sponsor is None:
        raise DemoError("缺少演示账号所需的单位、企业或包保领导，请先生成演示数据")
    regions = {r.code: r for r in Region.objects.filter(code__in=["370000", "370100", "370102"])}
    specs: list[tuple[str, str, dict[str, Any], str, str]] = [
        ("province", "province", {"region": regions["370000"]}, "山东省", "省级工作人员"),
        ("jinan", "city", {"region": regions["370100"]}, "济南市", "市级工作人员"),
        ("lixia", "county", {"region": regions["370102"]}, "济南市历下区", "县级工作人员"),
        ("jinan_fgw", "department", {"unit": jinan_fgw}, jinan_fgw.name, "部门工作人员"),
        ("byd", "enterprise", {"enterprise": ent}, ent.name, "企业联系人"),
        ("leader", "leader", {"region": regions["370100"]}, f"济南市（包保领导：{sponsor.name}，{sponsor.title}）", "领导（只读）"),
        ("sysadmin", "sysadmin", {}, "系统管理（三权分立）", "系统管理员"),
        ("secadmin", "secadmin", {}, "安全管理（三权分立）", "安全管理员"),
        ("auditor", "auditor", {}, "审计日志（只读）", "审计管理员"),
        ("admin", "sysadmin", {"is_superuser": True, "is_staff": True}, "全部（超级用户）", "超级用户"),
    ]
    logins: list[DemoLogin] = []
    with transaction.atomic():
        for username, role, extra, scope, label in specs:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.role = role
            user.region = extra.get("region")
            user.unit = extra.get("unit")
            user.enterprise = extra.get("enterprise")
            user.is_superuser = extra.get("is_superuser", False)
            user.is_staff = extra.get("is_staff", False)
            user.is_active = True
            user.must_change_password = False
            user.first_name = label
            password = random_password()
            validate_password(password, user)
            user.set_password(password)
            user.password_changed_at = timezone.now()
            user.save()
            if username == "leader":
                SponsorLeader.objects.filter(user=user).exclude(pk=sponsor.pk).update(user=None)
                sponsor.user = user
                sponsor.save(update_fields=["user"])
            logins.append(DemoLogin(username, label, scope, password))
    return logins


def reset_demo_passwords() -> list[DemoLogin]:
    from keyprojects.accounts.models import User

    if not User.objects.filter(username__in=DEMO_USERNAMES).exists():
        raise DemoError("没有找到演示账号")
    return create_demo_users()


@transaction.atomic
def seed_demo(*, projects: int = DEFAULT_PROJECTS, seed: int = DEFAULT_SEED, year: int | None = None, month: int | None = None,
              reset: bool = False, batch_size: int = DEFAULT_BATCH, progress: bool = False, stream: Any = None) -> DemoResult:  # fmt: skip
    """Build the demo world in one transaction (all or nothing) and return counts and logins."""
    from keyprojects.audit.services import audit_record

    started = timezone.now()
    y, m = default_year_month(year, month)
    if not (2000 <= y <= 2099) or not (1 <= m <= 12):
        raise DemoError("年度或月份超出范围")
    if projects < 0:
        raise DemoError("项目数不能为负数")
    deleted = reset_business_data() if reset else {}
    result = DemoBuilder(seed=seed, projects=projects, year=y, month=m, batch_size=batch_size, progress=progress,
                         stream=stream).run()  # fmt: skip
    result.logins = create_demo_users()
    result.seconds = (timezone.now() - started).total_seconds()
    audit_record(
        action="seed_demo", object_type="demo", username="manage.py",
        changes={"seed": seed, "year": y, "month": m, "projects": result.counts["projects"], "reset": deleted},
        message="生成演示数据",
    )  # fmt: skip
    return result


def demo_digest() -> str:
    """SHA-256 over the generated business data in insertion order (ids excluded), equal for
    equal seeds on any database."""
    from keyprojects.enterprises.models import Enterprise
    from keyprojects.projects.models import Project, ProjectEvent, ProjectYear, SponsorLeader
    from keyprojects.regions.models import Unit

    h = hashlib.sha256()

    def feed(rows: Any) -> None:
        for row in rows:
            h.update(("\x1f".join("" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v) for v in row)).encode())
            h.update(b"\n")

    feed(Unit.objects.order_by("id").values_list("name", "kind", "region_id", "created_at"))
    feed(SponsorLeader.objects.order_by("id").values_list("name", "title", "region_id"))
    feed(Enterprise.objects.order_by("id").values_list("name", "uscc", "region_id", "industry_division", "address", "created_at"))
    project_fields: list[str] = [
        "name", "project_code", "owner__uscc", "region_id", "zone__name", "province_code", "city_code", "location",
        "industry_section", "industry_division", "category", "nature", "stage", "stage_before_suspension",
        "total_investment", "planned_start", "planned_completion", "actual_start", "actual_completion", "content",
        "responsible_unit__name", "responsible_person", "sponsor_leader__name", "contact_name", "contact_phone",
        "in_statistics", "latitude", "longitude", "created_at",
    ]  # fmt: skip
    feed(Project.objects.order_by("id").values_list(*project_fields).iterator(chunk_size=5000))
    feed(
        ProjectYear.objects.order_by("project_id", "year")
        .values_list("project__name", "year", "annual_plan", "on_province_list", "on_city_list", "on_county_list")
        .iterator(chunk_size=5000)
    )
    feed(
        ProjectEvent.objects.order_by("id")
        .values_list("project__name", "kind", "from_stage", "to_stage", "reason", "at")
        .iterator(chunk_size=5000)
    )
    return h.hexdigest()


def summary_lines(result: DemoResult) -> list[str]:
    c = result.counts
    return [
        f"演示数据已生成：种子 {result.seed}，年度 {result.year}，数据截至 {result.as_of:%Y-%m-%d}，用时 {result.seconds:.1f} 秒",
        f"  单位 {c.get('units', 0)}（其中功能区 {c.get('zones', 0)}），包保领导 {c.get('leaders', 0)}，企业 {c.get('enterprises', 0)}",
        f"  项目 {c.get('projects', 0)}（{result.year}年省级清单 {c.get('province_list', 0)}、市级 {c.get('city_list', 0)}、"
        f"县级 {c.get('county_list', 0)}；有项目代码 {c.get('with_code', 0)}），年度计划 {c.get('project_years', 0)} 条，"
        f"项目事件 {c.get('events', 0)} 条",
    ]


def logins_table(logins: Sequence[DemoLogin]) -> str:
    return format_table(("用户名", "角色", "范围", "密码"), [(x.username, x.role, x.scope, x.password) for x in logins])


__all__ = [
    "DEFAULT_PROJECTS",
    "DEFAULT_SEED",
    "DEMO_USERNAMES",
    "DemoError",
    "DemoLogin",
    "DemoResult",
    "business_data_exists",
    "create_demo_users",
    "demo_digest",
    "logins_table",
    "reset_business_data",
    "reset_demo_passwords",
    "seed_demo",
]
