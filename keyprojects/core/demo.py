"""Deterministic demo data for Shandong (``manage.py seed_demo``).

Everything except the throwaway passwords comes from ``random.Random(seed)`` and the demo
year/month, so the same arguments give the same rows on SQLite and PostgreSQL, whatever the
batch size (compare :func:`demo_digest`). Rows are valid by construction (no per-row
``full_clean``) and written in batches inside one transaction by :class:`_Table`
(``executemany`` on SQLite, ``COPY`` on PostgreSQL) into tables whose secondary indexes are
rebuilt afterwards (:class:`_BulkLoad`), so 200,000 projects with 12 months of reports (2M
reports, 2.2M fact rows) take about three minutes on two cores.

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
- one login per role with a random password (see :func:`create_demo_users`);
- with ``months`` (default: last year and this year up to the data month), monthly dispatch
  (:class:`_Dispatch`): reporting periods (all but the last closed for the province), a report
  per due project and month following a seasonal curve (Spring Festival dip, June push,
  year-end rush) with lagging projects, unit slips and other flagged months, "no activity"
  months, review states and history by the review chain, problems, plan curves, and the
  summary tables (facts, warnings, region summaries) exactly as the analytics services
  compute them.

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
import json
import math
import random
import secrets
import time
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
    periods: list[str] = field(default_factory=list)  # "2026-10", oldest first
    timings: dict[str, float] = field(default_factory=dict)
    open_states: dict[str, int] = field(default_factory=dict)  # the open (last) period's report states


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

    def __init__(self, model: type[models.Model], fields: Sequence[str], *, raw: bool = False):
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
        # ``raw``: the caller passes database-ready values (see :class:`_Formats`), which saves the
        # per-value adaptation on millions of rows.
        self.adapt = [
            (i + 1, f)
            for i, f in enumerate(self.fields)
            if not raw and isinstance(f, models.DateField | models.DecimalField)  # DateTimeField is a DateField
        ]
        self.first_id = (model._default_manager.aggregate(m=models.Max(pk.attname))["m"] or 0) + 1
        self.next_id = self.first_id
        self.rows: list[list[Any]] = []
        self.count = 0

    def add(self, *values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        if self.adapt or self.defaults:
            self.rows.append([pk, *values, *self.defaults])
        else:  # raw values, nothing to adapt in place
            self.rows.append((pk, *values))
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


class _BulkLoad:
    """Load big tables without their secondary indexes and (PostgreSQL) foreign keys and unique
    constraints, then recreate them from their saved definitions, in the same transaction:
    building an index once and validating a constraint with one query is several times faster
    than maintaining them row by row (and than PostgreSQL's deferred per-row checks at COMMIT).
    Primary keys stay (and SQLite's unique constraints, which cannot be dropped). If anything
    fails, the rollback restores the schema too."""

    def __init__(self, models_: Sequence[type[models.Model]]):
        from django.db import connections, router

        self.models = list(models_)
        self.connection = connections[router.db_for_write(self.models[0])]
        self.restore_sql: list[str] = []
        self.cache_size: int | None = None

    def drop(self) -> None:
        conn = self.connection
        qn = conn.ops.quote_name
        indexes: list[str] = []
        foreign_keys: list[str] = []
        with conn.cursor() as cur:
            if conn.vendor == "sqlite":
                cur.execute("PRAGMA cache_size")
                self.cache_size = int(cur.fetchone()[0])
                cur.execute("PRAGMA cache_size = -262144")  # 256 MB for the unique indexes that stay
                for model in self.models:
                    cur.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                        [model._meta.db_table],
                    )
                    for name, sql in cur.fetchall():
                        indexes.append(sql)
                        cur.execute(f"DROP INDEX {qn(name)}")
            elif conn.vendor == "postgresql":
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run pending checks: a table with some cannot be altered
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
                for model in self.models:
                    table = model._meta.db_table
                    cur.execute(
                        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                        [table],
                    )
                    for name, kind, definition in cur.fetchall():
                        (foreign_keys if kind == "f" else indexes).append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                        cur.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                    cur.execute(
                        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                        [table],
                    )
                    for name, definition in cur.fetchall():
                        indexes.append(definition)
                        cur.execute(f"DROP INDEX {qn(name)}")
        self.restore_sql = indexes + foreign_keys

    def restore(self) -> None:
        with self.connection.cursor() as cur:
            if self.connection.vendor == "postgresql":
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in self.restore_sql:
                cur.execute(sql)
            if self.connection.vendor == "postgresql":  # fresh statistics for the pages that read them next
                for model in self.models:
                    cur.execute(f"ANALYZE {self.connection.ops.quote_name(model._meta.db_table)}")
            if self.cache_size is not None:
                cur.execute(f"PRAGMA cache_size = {self.cache_size}")
        self.restore_sql = []


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
    def __init__(self, *, seed: int, projects: int, year: int, month: int, months: int = 0, batch_size: int = DEFAULT_BATCH,
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
        self.dispatch = _Dispatch(self, months) if months else None
        self.timings: dict[str, float] = {}  # phase → seconds (printed with -v 2)
        self._lap = time.perf_counter()

    def big_models(self) -> list[type[models.Model]]:
        """The tables with a row per project (or more): loaded without indexes (:class:`_BulkLoad`)."""
        from keyprojects.projects.models import Project, ProjectEvent, ProjectYear

        return [Project, ProjectYear, ProjectEvent, *(t.model for t in (self.dispatch.tables if self.dispatch else ()))]

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._lap
        self._lap = now

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
            if self.dispatch is not None:
                self.dispatch.setup()
            load = _BulkLoad(self.big_models())
            load.drop()
            self.lap("单位、企业")
            self.build_projects()
            self.lap("项目及月报（生成、写入）")
            load.restore()
            self.lap("重建索引和外键")
            if self.dispatch is not None:
                self.dispatch.finish()
                self.counts.update(self.dispatch.counts)
        result = DemoResult(seed=self.seed, year=self.year, as_of=self.as_of, counts=self.counts, timings=self.timings)
        if self.dispatch is not None:
            result.periods = [f"{p.year}-{p.month:02d}" for p in self.dispatch.periods]
            result.open_states = dict(self.dispatch.open_states)
        return result

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
        dispatch = self.dispatch
        tables = [self.t_projects, self.t_years, self.t_events, *(dispatch.tables if dispatch else ())]
        drafts = itertools.chain(self.real_drafts(), self.port_drafts(), (self.generic_draft() for _ in range(n_generic)))
        desc = "项目及月报" if dispatch else "项目"
        with self.tick(desc, len(REAL_PROJECTS) + len(PORT_PROJECTS) + n_generic) as bar:
            # Each draft consumes the random streams completely before the next one starts, so
            # the data do not depend on the batch size.
            for d in drafts:
                sim = dispatch.simulate(d) if dispatch else None  # sets invested_before, maybe created
                pk, created_at = self.add_project(d)
                self.add_years(d, pk)
                self.add_history(d, pk, created_at)
                if dispatch:
                    dispatch.emit(d, pk, sim)
                if len(self.t_projects.rows) >= self.batch or (dispatch and dispatch.pending_rows() >= 8 * self.batch):
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
# Monthly dispatch: periods, reports and their review, problems, summary tables
# --------------------------------------------------------------------------------------------

# Share (%) of a year's investment done in each month: low in January and February (the Spring
# Festival), a push before the half-year (双过半), a year-end rush. The demo also makes it the
# default plan spread (DispatchConfig.plan_spread) when that is still the even default.
SEASON = (6, 4, 9, 9, 9, 11, 8, 8, 9, 8, 8, 11)
STEP_MONTHS = 2  # the review history (ReportStep) is written for the last months only: volume
LAGGING_SHARE = 0.10  # projects well behind 序时进度
ANOMALY_SHARE = 0.03  # months with a figure the unit-slip check flags
COUNTED = ("submitted", "approved")  # = analytics.services.COUNTED
REPORTED_STATES = ("submitted", "approved", "late", "no_activity")  # = summaries_refresh's "reports_in"
# "No activity" months while under construction: probability and reasons by month.
NO_ACTIVITY_P = (0.04, 0.08, 0.01, 0.008, 0.008, 0.008, 0.02, 0.02, 0.008, 0.008, 0.015, 0.015)
NO_ACTIVITY_REASONS: dict[int, tuple[str, ...]] = {
    1: ("春节假期停工", "受低温天气影响暂停室外作业"),
    2: ("春节假期停工，节后正组织复工", "受春节假期及低温天气影响暂停施工"),
    7: ("受汛期强降雨影响暂停施工", "高温天气调整作业，本月未形成实物工作量"),
    8: ("受汛期强降雨影响暂停施工",),
    11: ("重污染天气应急管控期间停工",),
    12: ("冬季施工管控，暂停室外作业", "重污染天气应急管控期间停工"),
    0: ("资金未到位，本月未形成实物工作量", "设计方案调整，暂停施工", "等待主要设备到货，本月无新增投资"),
}
DONE_REASON = "项目已竣工，本月无新增投资"
PRODUCING_REASON = "项目已投产运营，本月无新增投资"
PREP_TEXTS = (
    "正在办理用地预审与选址意见书", "正在办理建设用地规划许可", "正在开展初步设计及概算审查", "正在办理环评、能评手续",
    "正在办理施工许可，施工单位招标中", "正在进行场地平整和施工准备",
)  # fmt: skip
# Physical progress by category: (up to this %, what is going on).
PHASE_TEXTS: dict[str, tuple[tuple[float, str], ...]] = {
    "industry": ((10, "场地平整、桩基施工"), (30, "主体结构施工"), (55, "主体结构封顶，二次结构及设备基础施工"), (80, "设备采购安装"),
                 (101, "设备调试，试生产准备")),
    "infrastructure": ((10, "征地拆迁及施工准备"), (35, "基础工程施工"), (60, "主体工程施工"), (85, "附属工程施工"),
                       (101, "收尾工程及交工验收准备")),
    "urban": ((15, "基础施工"), (45, "主体结构施工"), (75, "二次结构及装饰装修"), (95, "室外配套及绿化"), (101, "竣工验收准备")),
    "social": ((15, "基础施工"), (45, "主体结构施工"), (75, "内外装修"), (95, "设备安装及室外工程"), (101, "竣工验收准备")),
}  # fmt: skip
# 存在问题: (city department, county department, description, resolution).
PROBLEMS: tuple[tuple[str, str, str, str], ...] = (
    ("zgj", "fgj", "项目用地指标未落实，土地组卷报批进度滞后", "自然资源和规划部门调剂用地指标，已完成土地组卷报批"),
    ("zgj", "fgj", "部分地块征收拆迁未完成，影响施工作业面", "属地政府完成征收拆迁，施工作业面已移交"),
    ("fgw", "fgj", "项目资金到位不足，银行贷款审批进度较慢", "协调金融机构完成授信，首笔贷款已发放"),
    ("fgw", "fgj", "能耗指标尚未落实", "通过能耗指标收储调剂落实能耗替代"),
    ("zjj", "zjj", "施工许可手续尚未办结", "施工许可证已核发"),
    ("fgw", "fgj", "配套电力接入工程滞后", "供电公司完成外线接入，具备送电条件"),
    ("zjj", "zjj", "建材价格上涨，施工单位资金压力较大，施工进度放缓", "建设单位调整付款节点，施工进度恢复正常"),
    ("gxj", "gxj", "关键设备采购周期长，到货延迟", "关键设备已到货并开始安装"),
)
RETURN_OPINIONS = (
    "本月完成投资与形象进度不匹配，请核实后重新报送",
    "形象进度描述过于简单，请补充主要工程量完成情况",
    "在岗工人数与上月差异较大，请核实",
)
PROBLEM_OPINION = "存在问题描述不具体，请补充责任单位和解决时限后重新报送"  # for a report with 存在问题
SLIP_OPINION = "本月完成投资明显异常，疑似按“元”填报，请核实计量单位（万元）后重新报送"
WORKER_SEASON = (0.7, 0.4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05)  # workers on site by month
PHASE_TABLES = {k: [next(what for up, what in v if pct < up) for pct in range(101)] for k, v in PHASE_TEXTS.items()}
Q4 = Decimal("0.0001")


@dataclass
class _Period:
    pk: int
    year: int
    month: int
    last_day: dt.date
    fill_start: dt.date
    fill_end: dt.date
    closed: bool  # closed at the end of the run (facts are written before, as period_close does)
    steps: bool  # write the review history
    past_window: bool  # today > fill_end: a report not in is "missing" (not "not_due")
    label: str  # str(ReportingPeriod): "2026年10月"
    t0: int  # minute stamp of fill_start 00:00
    t_end: int  # minute stamp of fill_end 00:00
    days: int  # days in the fill window
    progress: float  # 序时进度 × 100 (the quick "behind schedule" test)
    missing_msg: str = ""
    late_msg: str = ""


class _Row:
    """One project's report for one period while it is generated (amounts in 0.01 万元)."""

    __slots__ = ("closed", "kind", "late", "no_act", "opinion", "phase", "reason", "ret", "status", "step", "value")

    def __init__(self, status: str, value: int, phase: str, no_act: bool = False, reason: str = "") -> None:
        self.status = status
        self.value = value  # the reported invested_month
        self.phase = phase  # pre (not started) / active / done / halt (suspended)
        self.no_act = no_act
        self.reason = reason
        self.kind = ""  # anomaly: slip (×10000, returned) / fixed (a slip returned and corrected) / low / spike
        self.late = False
        self.step = 0  # submitted: the pending step of the chain
        self.ret = 0  # returned: the step that returned it
        self.opinion = ""
        self.closed = False


@dataclass
class _ReportContext:
    """What one project's reports share while they are written."""

    pk: int
    total: int  # 0.01 万元
    chain: list[str]
    chain_json: str
    filler: str  # the role that submits (the level of the "submit" steps)
    problems: dict[int, tuple[str, ...]]  # period index → problem episode
    jitter: float  # physical progress ≈ investment share × jitter
    crew: float  # workers on site in a normal month
    phases: list[str]  # physical progress text by whole per cent
    prep: str  # what a project not started is doing
    completed: dt.date | None
    checked: Any  # what report_checks_from reads of the project
    pct: float = 0.0  # physical progress reached (never decreases)
    prev_ytd: int | None = None  # 1-N月累计 of the latest earlier report this year
    history: list[int] = field(default_factory=list)  # reported figures > 0, oldest first (unit-slip check)
    report_pk: dict[int, int] = field(default_factory=dict)  # period index → report id


@dataclass
class _Sim:
    rows: list[_Row | None]  # per period
    before: int  # Project.invested_before (0.01 万元): invested before the first generated month
    lag: bool


class _Formats:
    """Database-ready values for raw :class:`_Table` writes: amounts in 0.01 万元 (ints) → 1234.56;
    times as minute stamps (day ordinal × 1440 + minute, local time) → UTC text the way Django
    writes it ("+00:00" added for PostgreSQL)."""

    def __init__(self, vendor: str, tz: ZoneInfo):
        self.suffix = ":00+00:00" if vendor == "postgresql" else ":00"
        self.tz = tz
        self.offsets: dict[int, int] = {}  # local day → UTC offset in minutes (at noon)
        self.days: dict[int, str] = {}  # UTC day → "YYYY-MM-DD "
        self.cache: dict[int, str] = {}

    @staticmethod
    def money(v: int) -> float:
        """A float reads back as the same Decimal as the text "1234.56" would (SQLite stores both
        as the nearest REAL and Django quantizes to 4 places; PostgreSQL parses float's exact
        shortest repr), and costs far less to make."""
        return v / 100

    @staticmethod
    def stamp(day: dt.date, minute: int = 0) -> int:
        return day.toordinal() * 1440 + minute

    def at(self, t: int) -> str:
        s = self.cache.get(t)
        if s is not None:
            return s
        if len(self.cache) > 500_000:
            self.cache.clear()
        day = t // 1440
        offset = self.offsets.get(day)
        if offset is None:
            d = dt.date.fromordinal(day)
            noon = dt.datetime(d.year, d.month, d.day, 12, tzinfo=self.tz).utcoffset()
            offset = self.offsets[day] = int(noon.total_seconds()) // 60 if noon else 0
        u_day, u_min = divmod(t - offset, 1440)
        prefix = self.days.get(u_day)
        if prefix is None:
            prefix = self.days[u_day] = dt.date.fromordinal(u_day).isoformat() + " "
        s = self.cache[t] = f"{prefix}{u_min // 60:02d}:{u_min % 60:02d}{self.suffix}"
        return s


class _Dispatch:
    """Monthly dispatch for the demo: reporting periods, one report per due project and month
    with a seasonal investment curve, the review state and history, flags, problems, monthly
    plans, and the summary tables (facts and warnings written directly, equal to what
    ``facts_refresh``/``warnings_compute`` produce; region summaries by ``summaries_refresh``).

    Everything a project's reports need is generated with the project (:meth:`simulate` before
    its row is written, since ``invested_before`` depends on the months reported, :meth:`emit`
    after), from a random stream of its own, so the projects do not depend on ``--months``
    except for ``invested_before`` and an earlier ``created_at`` where a report needs one."""

    def __init__(self, builder: DemoBuilder, months: int):
        self.b = builder
        self.n_months = months
        self.year = builder.year
        self.rng = random.Random(builder.seed * 7919 + 104729)
        self.periods: list[_Period] = []
        self.counts: dict[str, int] = dict.fromkeys(
            ("periods", "closed", "reports", "flags", "steps", "problems", "open_problems", "plans", "facts", "warnings",
             "summaries", "lagging"), 0)  # fmt: skip
        self.open_states: dict[str, int] = {}

    # -- setup ------------------------------------------------------------------------------

    def setup(self) -> None:
        from django.db import connections, router

        from keyprojects.analytics.models import ProjectPeriodFact
        from keyprojects.dispatch.models import (
            DEFAULT_CHAIN,
            EVEN_SPREAD,
            DispatchConfig,
            MonthlyPlan,
            MonthlyReport,
            PeriodClosure,
            ProblemItem,
            ProjectWarning,
            ReportFlag,
            ReportingPeriod,
            ReportStep,
        )
        from keyprojects.dispatch.selectors import DUE_STAGES, fill_window

        config = DispatchConfig.get()
        if list(config.plan_spread) == EVEN_SPREAD:
            config.plan_spread = list(SEASON)
            config.save(update_fields=["plan_spread", "updated_at"])
            self.counts["spread_set"] = 1
        self.config = config
        self.chains = {k: list(v) for k, v in (config.review_chain or DEFAULT_CHAIN).items()}
        self.due_stages = {str(s) for s in DUE_STAGES}
        self.behind = Decimal(config.behind_points)
        self.floor = Decimal(config.progress_index_floor)
        self.slip = int(config.slip_factor)
        self.zero_months = int(config.zero_months)
        weights = [Decimal(w) for w in config.plan_spread]
        total_w = sum(weights) or Decimal(1)
        self.fmt = _Formats(connections[router.db_for_write(MonthlyReport)].vendor, self.b.tz)

        # the months, oldest first, ending at the data month
        y, m = self.year, self.b.month
        months: list[tuple[int, int]] = []
        for _ in range(self.n_months):
            months.append((y, m))
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        months.reverse()
        # leftovers of an empty database (--reset deletes them with the business data)
        stale = ReportingPeriod.objects.filter(year__in={yy for yy, _ in months})
        PeriodClosure.objects.filter(period__in=stale).delete()
        from keyprojects.analytics.models import RegionPeriodSummary

        RegionPeriodSummary.objects.filter(period__in=stale).delete()
        stale.filter(reports__isnull=True).delete()
        if ReportingPeriod.objects.filter(year__in={yy for yy, _ in months}).exists():
            raise DemoError("数据库中已有这些月份的月报，请加 --reset 后重新生成")
        today = timezone.localdate()
        objs = []
        for yy, mm in months:
            start, end = fill_window(yy, mm, config)
            created = dt.datetime(yy, mm, 20, 9, 0, tzinfo=self.b.tz)
            objs.append(ReportingPeriod(year=yy, month=mm, fill_start=start, fill_end=end, created_at=created, updated_at=created))
        with explicit_timestamps(ReportingPeriod):
            ReportingPeriod.objects.bulk_create(objs)
        by_month = {(p.year, p.month): p.pk for p in ReportingPeriod.objects.filter(year__in={yy for yy, _ in months})}
        n = len(months)
        for i, (yy, mm) in enumerate(months):
            o = objs[i]
            self.periods.append(
                _Period(
                    pk=by_month[(yy, mm)], year=yy, month=mm, last_day=last_day(yy, mm), fill_start=o.fill_start,
                    fill_end=o.fill_end, closed=i < n - 1, steps=i >= n - STEP_MONTHS, past_window=today > o.fill_end,
                    label=f"{yy}年{mm}月", t0=_Formats.stamp(o.fill_start), t_end=_Formats.stamp(o.fill_end),
                    days=(o.fill_end - o.fill_start).days + 1, progress=mm / 12 * 100,
                    missing_msg=f"{yy}年{mm}月月报未报送", late_msg=f"{yy}年{mm}月月报迟报",
                )
            )  # fmt: skip
        self.counts["periods"] = n
        self.years = {p.year for p in self.periods}
        # period index → region code → the summary figures of its facts (see write_summaries)
        self.sums: list[dict[str, list[Any]]] = [{} for _ in self.periods]
        # facts' planned_ytd without a plan curve: the plan × the spread's share up to the month
        self.shares = [sum(weights[:mm], Decimal(0)) / total_w for mm in range(1, 13)]
        self.t_plans = _Table(MonthlyPlan, ["project_id", "year", "month", "planned"], raw=True)
        self.t_reports = _Table(
            MonthlyReport,
            ["project_id", "period_id", "status", "review_levels", "review_step", "pending_level", "invested_month", "invested_ytd",
             "invested_to_date", "no_activity", "no_activity_reason", "physical_progress", "physical_progress_pct", "workers",
             "problems", "next_month_plan", "return_opinion", "submitted_at", "submitted_by_id", "is_late", "approved_at",
             "approved_by_id", "created_at", "updated_at", "version"],
            raw=True,
        )  # fmt: skip
        self.t_flags = _Table(ReportFlag, ["report_id", "code", "severity", "message", "acknowledged_by_id", "acknowledged_at"], raw=True)
        self.t_steps = _Table(ReportStep, ["report_id", "action", "level", "opinion", "actor_id", "at"], raw=True)
        self.t_problems = _Table(
            ProblemItem,
            ["project_id", "report_id", "description", "responsible_unit_id", "due_date", "status", "resolution", "solved_at",
             "created_by_id", "created_at", "updated_at", "version"],
            raw=True,
        )  # fmt: skip
        self.t_facts = _Table(
            ProjectPeriodFact,
            ["period_id", "project_id", "region_code", "city_code", "province_code", "on_province_list", "on_city_list",
             "on_county_list", "category", "industry_section", "nature", "stage", "responsible_unit_ref", "sponsor_leader_ref",
             "annual_plan", "planned_ytd", "invested_month", "invested_ytd", "invested_to_date", "report_state", "report_due",
             "report_on_time", "planned_new", "started", "planned_completion", "completed"],
            raw=True,
        )  # fmt: skip
        self.t_warnings = _Table(ProjectWarning, ["project_id", "period_id", "kind", "message", "value", "created_at"], raw=True)
        # warnings are "computed" the night after the fill window ends
        self.warned_at = [self.fmt.at(_Formats.stamp(p.fill_end + dt.timedelta(days=1), 120)) for p in self.periods]

    @property
    def tables(self) -> list[_Table]:
        """Parents first (after the project tables)."""
        return [self.t_plans, self.t_reports, self.t_flags, self.t_steps, self.t_problems, self.t_facts, self.t_warnings]

    def pending_rows(self) -> int:
        return len(self.t_reports.rows) + len(self.t_facts.rows)

    def plans_of(self, d: _Draft) -> dict[int, int]:
        """The years the project is on a list (ProjectYear) → annual plan in 万元."""
        plans: dict[int, int] = {}
        if d.prev_plan is not None:
            plans[self.year - 1] = int(d.prev_plan)
        if not d.prev_year_only:
            plans[self.year] = int(d.plan)
        return plans

    def chain_of(self, d: _Draft) -> list[str]:
        """= dispatch.services.review_chain_for (the lists are the same both years)."""
        prov, city, _county = d.levels
        top = "province" if prov else "city" if city else "county"
        levels = self.chains.get(top) or ["county"]
        if self.b.city_of[d.region] == d.region:
            levels = [lvl for lvl in levels if lvl != "county"] or ["city"]
        return list(levels)

    # -- phase 1: the months of one project --------------------------------------------------

    def simulate(self, d: _Draft) -> _Sim | None:
        """The reported figures and review states of a due project; moves ``d.created`` before
        its first report and sets ``d.invested_before`` to what was invested before the first
        generated month (so that 开工至今累计 at the end of last year stays as generated)."""
        periods = self.periods
        if not periods or d.stage not in self.due_stages:
            return None
        plans = self.plans_of(d)
        due = [i for i, p in enumerate(periods) if p.year in plans]
        if not due:
            return None
        r = self.rng.random
        exp = math.exp
        y = self.year
        first = periods[due[0]]
        first_day = dt.date(first.year, first.month, 1)
        if d.created is None or d.created >= first_day:
            d.created = max(self.b.floor, first_day - dt.timedelta(days=15 + int(r() * 76)))
        lag = r() < LAGGING_SHARE
        self.counts["lagging"] += lag
        before = int(d.invested_before) * 100
        budget = {y - 1: before, y: int(d.total) * 100 - before}
        start, done = d.actual_start, d.actual_completion
        halt = d.side_date if d.stage == "suspended" else None
        # the year's curve: the seasonal weights over the months under construction
        curve: dict[tuple[int, int], float] = {}
        for yy in sorted(plans):
            a = 13 if start is None or start.year > yy else 1 if start.year < yy else start.month
            b = 12
            if done is not None:
                b = 0 if done.year < yy else done.month if done.year == yy else 12
            if halt is not None and halt.year <= yy:
                b = min(b, halt.month if halt.year == yy else 0)
            if a > b:
                continue
            f = 0.3 + 0.35 * r() if lag else max(0.9, 1.1 + 0.16 * (r() + r() + r() - 1.5))  # most projects beat their plan
            target = min(plans[yy] * 100 * f, budget[yy] * 0.97)  # room left for rounding and the odd big month
            # starting this year: land and equipment deposits make the first month a big one
            lump = target * (0.15 + 0.15 * r()) if start is not None and start.year == yy and a < b else 0.0
            noisy = {mm: SEASON[mm - 1] * exp(0.4 * (r() + r() + r() - 1.5)) for mm in range(a, b + 1)}  # σ ≈ 0.2 in logs
            scale = (target - lump) / sum(noisy.values())
            for mm, w in noisy.items():
                curve[(yy, mm)] = scale * w
            if lump:
                curve[(yy, a)] += lump
        spent = dict.fromkeys(budget, 0)
        rows: list[_Row | None] = [None] * len(periods)
        carry = 0
        positive = 0  # earlier reports with a figure (the unit-slip check needs three)
        year_seen = 0
        miss_p = 0.03 if lag else 0.012
        late_p = 0.08 if lag else 0.03
        cut = (0.25, 0.31, 0.35, 0.55) if lag else (0.14, 0.20, 0.24, 0.46)  # the open month: missing, draft, returned, submitted
        for i in due:
            p = periods[i]
            yy, mm = p.year, p.month
            if yy != year_seen:
                year_seen, carry = yy, 0
            x = curve.get((yy, mm))
            no_act, reason = False, ""
            if x is not None:
                phase = "active"
                if r() < NO_ACTIVITY_P[mm - 1]:
                    value, no_act, carry = 0, True, 0
                    reasons = NO_ACTIVITY_REASONS.get(mm, NO_ACTIVITY_REASONS[0])
                    reason = reasons[int(r() * len(reasons))]
                else:
                    v = round(x) + carry
                    value = max(0, min(v if v < 10_000 else round(v, -2), budget[yy] - spent[yy]))
            else:
                value = 0
                if halt is not None and halt <= p.last_day:
                    phase, no_act, reason = "halt", True, d.side_reason
                elif start is None or start > p.last_day:
                    phase = "pre"
                    if start is None and r() < 0.5:  # 前期费用 (land, design) of a project not started yet
                        value = min(round(plans[yy] * (0.5 + 2.5 * r())), budget[yy] - spent[yy])
                else:
                    phase, no_act = "done", True
                    reason = PRODUCING_REASON if d.produced and d.produced <= p.last_day else DONE_REASON
            # review state
            u = r()
            if p.closed:
                if u < miss_p:
                    if phase == "active" and not no_act:
                        carry = value  # reported with next month's figure
                    continue
                status = "draft" if u < miss_p + 0.003 else "approved"
            else:
                if u < cut[0]:
                    continue
                status = "draft" if u < cut[1] else "returned" if u < cut[2] else "submitted" if u < cut[3] else "approved"
            if phase == "active":
                carry = 0
            row = _Row(status, value, phase, no_act, reason)
            row.closed = p.closed
            if status != "draft":  # late: submitted after the window (not before the window has ended)
                row.late = r() < late_p and (p.closed or p.past_window)
                if value > 0 and positive >= 3 and r() < ANOMALY_SHARE:
                    if p.closed:
                        row.kind = ("fixed", "fixed", "low", "spike")[int(r() * 4)]
                    else:
                        row.kind = "slip" if r() < 0.6 else ("low", "spike")[int(r() * 2)]
                    if row.kind == "spike":  # a big payment (equipment, land) taken from the later months
                        later = [key for key in ((yy, k) for k in range(mm + 1, 13)) if key in curve]
                        left = sum(curve[key] for key in later)
                        extra = min(value * (10 + 5 * r()), 0.8 * left, budget[yy] - spent[yy] - value)
                        if extra >= 10 * value:
                            row.value = value + int(extra)
                            for key in later:
                                curve[key] *= 1 - extra / left
                        else:
                            row.kind = "low"
                    if row.kind == "low":  # a month with hardly anything done
                        row.value = max(1, round(value * (0.02 + 0.06 * r())))
                    elif row.kind == "slip":
                        row.value = value * 10000
                        row.status = "returned"
                        row.opinion = SLIP_OPINION
            if row.kind != "slip":
                spent[yy] += row.value
            positive += row.value > 0
            rows[i] = row
        before_new = before - spent.get(y - 1, 0) if y - 1 in plans else before
        d.invested_before = Decimal(before_new).scaleb(-2)
        return _Sim(rows=rows, before=before_new, lag=lag)

    # -- phase 2: rows ------------------------------------------------------------------------

    def emit(self, d: _Draft, pk: int, sim: _Sim | None) -> None:
        from types import SimpleNamespace

        from keyprojects.analytics import metrics
        from keyprojects.projects.industries import section_of

        periods = self.periods
        if not periods:
            return
        b = self.b
        r = self.rng.random
        money = _Formats.money
        y = self.year
        plans = self.plans_of(d)
        city = b.city_of[d.region]
        prov = d.levels[0]
        total = int(d.total) * 100
        before = sim.before if sim is not None else int(d.invested_before * 100)
        # planned_ytd per year and month: own plan curves (MonthlyPlan) from the planned start for
        # projects starting that year and this year's of province-list projects, else the spread
        planned_of: dict[int, list[Decimal]] = {}
        for yy, plan in plans.items():
            if yy not in self.years:
                continue
            starts = d.planned_start is not None and d.planned_start.year == yy and d.planned_start.month > 1
            if plan and (starts or (prov and yy == y)):
                a = d.planned_start.month if starts else 1
                curve = metrics.spread_plan(Decimal(plan), [0] * (a - 1) + list(SEASON[a - 1 :]))
                for mm, v in enumerate(curve, start=1):
                    self.t_plans.add(pk, yy, mm, str(v))
                planned_of[yy] = list(itertools.accumulate(curve))
            else:
                dplan = Decimal(plan)
                planned_of[yy] = [(dplan * share).quantize(Q4) for share in self.shares]
        # the project's part of every fact row, and its region's running totals per period
        sums = self.sums
        static = (d.region, city, PROVINCE, *d.levels, d.category, section_of(d.division) or "", d.nature, d.stage, d.unit, d.leader)
        due = d.stage in self.due_stages
        planned_new = d.nature == "new"
        completing = d.nature == "completing"
        start, done, pc = d.actual_start, d.actual_completion, d.planned_completion
        overdue = start is None and d.stage in ("reserve", "preparation") and d.planned_start is not None
        # reports
        rows = sim.rows if sim is not None else None
        if rows is not None:
            chain = self.chain_of(d)
            ctx = _ReportContext(
                pk=pk, total=total, chain=chain, chain_json=json.dumps(chain),
                filler="enterprise" if d.owner is not None and r() < 0.5 else "county" if city != d.region else "city",
                problems=self.problem_episodes(d, rows, sim.lag), jitter=0.85 + 0.3 * r(),
                crew=10 + math.sqrt(float(d.total)) * (0.6 + 1.2 * r()), phases=PHASE_TABLES[d.category],
                prep=PREP_TEXTS[int(r() * len(PREP_TEXTS))], completed=done,
                checked=SimpleNamespace(total_investment=Decimal(int(d.total)).quantize(Q4), stage=d.stage, actual_start=start,
                                        actual_completion=done),
            )  # fmt: skip
        t_facts, t_warn = self.t_facts.add, self.t_warnings.add
        behind_f = -float(self.behind) + 0.05
        floor_f = float(self.floor) + 0.001
        n_zero = self.zero_months
        last = periods[-1]
        cur_year = 0
        ytd_all = sum_all = ytd_c = sum_c = 0
        counted_months: dict[int, int] = {}
        for i, p in enumerate(periods):
            if p.year != cur_year:
                cur_year, ytd_all, ytd_c = p.year, 0, 0
                counted_months = {}
                if rows is not None:
                    ctx.prev_ytd = None
            row = rows[i] if rows is not None else None
            flag_msg = ""
            counted = False
            if row is not None:
                v = row.value
                ytd_all += v
                sum_all += v
                flag_msg = self.write_report(ctx, i, p, row, v, ytd_all, before + sum_all)
                ctx.prev_ytd = ytd_all
                if v > 0:
                    ctx.history.append(v)
                if row.status in COUNTED:
                    counted = True
                    ytd_c += v
                    sum_c += v
                    counted_months[p.month] = v
            wat = self.warned_at[i]
            plan = plans.get(p.year)
            if plan is not None:
                planned = planned_of[p.year][p.month - 1]
                if row is None or row.status == "draft":
                    state = ("missing" if p.past_window else "not_due") if due else ""
                elif row.status == "returned":
                    state = "returned"
                elif row.no_act and row.status == "approved":
                    state = "no_activity"
                else:
                    state = "late" if row.late else row.status
                month_c = row.value if counted else 0
                on_time = counted and not row.late
                started = start is not None and start <= p.last_day
                to_complete = completing or (pc is not None and pc.year == p.year)
                completed = done is not None and done <= p.last_day
                t_facts(
                    p.pk, pk, *static, plan, planned, money(month_c), money(ytd_c), money(before + sum_c), state, due, on_time,
                    planned_new, started, to_complete, completed,
                )  # fmt: skip
                acc = sums[i].get(d.region)
                if acc is None:
                    acc = sums[i][d.region] = [0, 0, Decimal(0), 0, 0, 0, 0, 0, 0, 0, 0, 0]
                acc[0] += 1
                acc[1] += plan
                acc[2] += planned
                acc[3] += month_c
                acc[4] += ytd_c
                if planned_new:
                    acc[5] += 1
                    acc[6] += started
                if to_complete:
                    acc[7] += 1
                    acc[8] += completed
                if due:
                    acc[9] += 1
                    acc[10] += state in REPORTED_STATES
                    acc[11] += on_time
                # warnings (= analytics.services.warnings_compute), exactly where the quick test is close
                if plan > 0 and (ytd_c / plan - p.progress) < behind_f:
                    points = metrics.ahead_points(metrics.completion_rate(Decimal(ytd_c).scaleb(-2), Decimal(plan)), p.month)
                    if points is not None and points < -self.behind:
                        t_warn(pk, p.pk, "behind_schedule", metrics.schedule_phrase(points), points, wat)
                if planned > 0 and ytd_c / 100 / float(planned) < floor_f:
                    spi = metrics.progress_index(Decimal(ytd_c).scaleb(-2), planned)
                    if spi is not None and spi < self.floor:
                        t_warn(pk, p.pk, "low_progress_index", f"进度指数{spi}，低于{self.config.progress_index_floor}", spi, wat)
                if state == "missing":
                    t_warn(pk, p.pk, "missing_report", p.missing_msg, None, wat)
                elif state == "late":
                    t_warn(pk, p.pk, "late_report", p.late_msg, None, wat)
                if p is last:
                    key = "draft" if row is not None and row.status == "draft" else state
                    key = f"pending_{chain[row.step]}" if row is not None and row.status == "submitted" else key
                    self.open_states[key] = self.open_states.get(key, 0) + 1
            if overdue and d.planned_start <= p.last_day:
                t_warn(pk, p.pk, "start_overdue", f"计划{d.planned_start:%Y年%m月}开工，至今未开工", None, wat)
            if (
                n_zero
                and p.month >= n_zero
                and counted_months.get(p.month) == 0
                and all(counted_months.get(mm) == 0 for mm in range(p.month - n_zero + 1, p.month))
            ):
                t_warn(pk, p.pk, "zero_investment", f"连续{n_zero}个月完成投资为零", None, wat)
            if flag_msg:
                t_warn(pk, p.pk, "flagged_figures", flag_msg, None, wat)
        if rows is not None:
            self.write_problems(d, pk, ctx.problems, ctx.report_pk)

    def checks(self, ctx: _ReportContext, p: _Period, v: int, ytd: int, to_date: int) -> list[tuple[str, str]]:
        """(code, message) of the warnings ``report_checks`` gives for this report."""
        from types import SimpleNamespace

        from keyprojects.dispatch.services import report_checks_from

        def wan(x: int) -> Decimal:  # as read from the database: 4 places
            return Decimal(x).scaleb(-2).quantize(Q4)

        figures = SimpleNamespace(invested_month=wan(v), invested_ytd=wan(ytd), invested_to_date=wan(to_date), physical_progress_pct=None)
        checks = report_checks_from(
            report=figures, period=p, project=ctx.checked, prev_ytd=None if ctx.prev_ytd is None else wan(ctx.prev_ytd),
            history=[wan(h) for h in reversed(ctx.history[-6:])], config=self.config,
        )  # fmt: skip
        return [(code, message) for code, severity, message in checks if severity == "warning"]

    def opinion(self, ctx: _ReportContext, i: int) -> str:
        """A reviewer's reason to return a report (one about 存在问题 only if it has some)."""
        u = self.rng.random()
        if i in ctx.problems and u < 0.5:
            return PROBLEM_OPINION
        return RETURN_OPINIONS[int(u * len(RETURN_OPINIONS)) % len(RETURN_OPINIONS)]

    def write_report(self, ctx: _ReportContext, i: int, p: _Period, row: _Row, v: int, ytd: int, to_date: int) -> str:
        """Write one report with its flags and (recent months) its review history; returns the
        first flag's message."""
        r = self.rng.random
        at = self.fmt.at
        money = _Formats.money
        status = row.status
        total = ctx.total
        # the warnings of dispatch.services.report_checks_from on the figures as submitted; a
        # quick exact test (in 0.01 万元) of the two that can fire saves calling it 2M times
        flags: list[tuple[str, str]] = []
        if status != "draft":
            history = ctx.history
            maybe = bool(total) and to_date > total
            if not maybe and v > 0 and len(history) >= 3:
                recent = sorted(history[-6:])
                k = len(recent)
                twice = 2 * recent[k // 2] if k % 2 else recent[k // 2 - 1] + recent[k // 2]  # 2 × the median
                maybe = twice > 0 and (2 * v >= twice * self.slip or 2 * v * self.slip <= twice)
            if maybe:
                flags = self.checks(ctx, p, v, ytd, to_date)
        # times (minute stamps): saved, submitted (maybe returned and submitted again), reviewed
        if row.late:
            t = p.t_end + (1 + int(r() * 8)) * 1440 + 510 + int(r() * 571)
        else:
            t = p.t0 + int(r() * p.days) * 1440 + 510 + int(r() * 571)
        created = t - 30 - int(r() * 2851)
        write_steps = p.steps
        steps: list[tuple[str, str, str, int]] = []  # action, level, opinion, minute stamp
        chain = ctx.chain
        version = 1
        submitted_at = approved_at = ack_at = None
        pending = ""
        step = 0
        levels_json = "[]"
        if status == "draft":
            steps.append(("save", "", "", created))
            updated = created
        else:
            levels_json = ctx.chain_json
            if row.kind == "fixed" or (write_steps and row.closed and r() < 0.02):  # returned once, corrected
                steps.append(("submit", ctx.filler, "", t))
                t += 60 + int(r() * 2821)
                opinion = SLIP_OPINION if row.kind == "fixed" else self.opinion(ctx, i)
                steps.append(("return", chain[0], opinion, t))
                t += 60 + int(r() * 1381)
                version += 3  # submitted, returned, saved
            steps.append(("submit", ctx.filler, "", t))
            submitted_at = t
            row.late = t // 1440 > p.fill_end.toordinal()  # as report_submit sets it (a correction may come late)
            version += 1
            if status == "approved":
                reviews = len(chain)
                step = len(chain) - 1  # the approving level's step (report_review does not move past it)
            elif status == "submitted":
                row.step = step = int(r() * len(chain))
                pending = chain[step]
                reviews = step
            else:  # returned, to be corrected
                row.ret = int(r() * len(chain)) if row.kind != "slip" and r() < 0.3 else 0
                reviews = row.ret
                row.opinion = row.opinion or self.opinion(ctx, i)
            for k in range(reviews):
                t += 60 + int(r() * 2821)
                if k == 0 and flags:
                    ack_at = t - 2 - int(r() * 29)
                steps.append(("approve" if status == "approved" and k == len(chain) - 1 else "forward", chain[k], "", t))
            version += reviews
            if status == "approved":
                approved_at = t
            elif status == "returned":
                t += 60 + int(r() * 2821)
                steps.append(("return", chain[row.ret], row.opinion, t))
                version += 1
            updated = t
        # what was done
        phase = row.phase
        workers: int | None = None
        pct: str | None = None
        floor = ctx.pct
        if phase == "active" and not row.no_act:
            if ctx.completed is not None and ctx.completed <= p.last_day:
                value = 100.0
            elif row.kind == "slip":
                value = max(floor, 1.0)
            else:
                value = min(99.0, max(floor, 1.0, 100 * to_date / total * ctx.jitter if total else 1.0))
            if row.kind != "slip":
                ctx.pct = value
            pct = f"{value:.1f}"
            text = ctx.phases[int(value)]
            workers = max(3, int(ctx.crew * WORKER_SEASON[p.month - 1] * (0.85 + 0.3 * r())))
            plan_text = "加快推进" + text.split("，")[0] + "，确保完成年度投资计划"
        elif phase == "pre":
            text = ctx.prep
            plan_text = "加快办理前期手续，力争早日开工"
        elif phase == "active":  # no activity this month
            pct = f"{max(floor, 1.0):.1f}"
            text = "本月暂停施工"
            workers = 0
            plan_text = "尽快组织复工"
        elif phase == "done":
            pct, ctx.pct = "100.0", 100.0
            text = "已投产运营" if row.reason == PRODUCING_REASON else "已竣工，正在办理竣工验收"
            plan_text = "做好竣工结算和运营管理"
        else:  # suspended
            pct = f"{floor:.1f}" if floor else None
            text = "项目停缓建"
            workers = 0
            plan_text = "积极协调解决停缓建问题"
        problem = ctx.problems.get(i)
        rid = self.t_reports.add(
            ctx.pk, p.pk, status, levels_json, step, pending, money(v), money(ytd), money(to_date), row.no_act, row.reason, text, pct,
            workers, problem[0] if problem else "", plan_text if write_steps else "", row.opinion if status == "returned" else "",
            at(submitted_at) if submitted_at else None, None, row.late, at(approved_at) if approved_at else None, None, at(created),
            at(updated), version,
        )  # fmt: skip
        ctx.report_pk[i] = rid
        if flags:
            ack = at(ack_at) if ack_at else None
            for code, message in flags:
                self.t_flags.add(rid, code, "warning", message, None, ack)
        if write_steps:
            add_step = self.t_steps.add
            for action, level, opinion, when in steps:
                add_step(rid, action, level, opinion, None, at(when))
        return flags[0][1] if flags else ""

    # -- problems -----------------------------------------------------------------------------

    def problem_episodes(self, d: _Draft, rows: list[_Row | None], lag: bool) -> dict[int, tuple[str, ...]]:
        """period index → (description, resolution, unit key pair index, episode start, end)."""
        rng = self.rng
        n = len(self.periods)
        chance = 0.8 if d.stage == "suspended" else 0.5 if lag else 0.07
        out: dict[int, tuple[str, ...]] = {}
        if rng.random() >= chance:
            return out
        filled = [i for i, r in enumerate(rows) if r is not None]
        if not filled:
            return out
        for _ in range(1 if rng.random() < 0.75 else 2):
            i0 = rng.choice(filled)
            i1 = min(n - 1, i0 + rng.randint(0, 5))
            k = rng.randrange(len(PROBLEMS))
            spec = (PROBLEMS[k][2], PROBLEMS[k][3], str(k), str(i0), str(i1))
            for i in range(i0, i1 + 1):
                out.setdefault(i, spec)
        return out

    def write_problems(self, d: _Draft, pk: int, problems: dict[int, tuple[str, ...]], report_pk: dict[int, int]) -> None:
        if not problems:
            return
        rng = self.rng
        at = self.fmt.at
        b = self.b
        n = len(self.periods)
        city = b.city_of[d.region]
        for spec in dict.fromkeys(problems.values()):
            description, resolution, k, i0, i1 = spec[0], spec[1], int(spec[2]), int(spec[3]), int(spec[4])
            city_key, county_key = PROBLEMS[k][0], PROBLEMS[k][1]
            if d.region != city and rng.random() < 0.6:
                unit = b.county_units[d.region][county_key]
            elif d.levels[0] and city_key in b.province_units and rng.random() < 0.2:
                unit = b.province_units[city_key]
            else:
                unit = b.city_units[city][city_key]
            p0 = self.periods[i0]
            created = _Formats.stamp(p0.fill_start, rng.randint(540, 1020)) + rng.randint(0, 3) * 1440
            due_date = p0.last_day + dt.timedelta(days=rng.choice((30, 45, 60, 90)))
            report = next((report_pk[i] for i in range(i0, i1 + 1) if i in report_pk), None)
            if i1 < n - 1:  # solved before the current month
                solved = _Formats.stamp(self.periods[i1 + 1].fill_start, rng.randint(540, 1020))
                status, res, solved_at, updated = "solved", resolution, at(solved), at(solved)
            else:
                status = "in_progress" if rng.random() < 0.5 else "open"
                res, solved_at, updated = "", None, at(created + rng.randint(0, 5) * 1440)
                self.counts["open_problems"] += 1
            self.t_problems.add(pk, report, description, unit, str(due_date), status, res, solved_at, None, at(created), updated,
                                1 if status == "open" else 2)  # fmt: skip
            self.counts["problems"] += 1

    # -- the end ------------------------------------------------------------------------------

    def write_summaries(self) -> None:
        """RegionPeriodSummary rows equal to ``summaries_refresh`` (and frozen for the closed
        periods, as ``period_close`` leaves them): a county's figures are its projects', a
        city's all projects in the city (its county-less ones included), the province's all."""
        from keyprojects.analytics.models import RegionPeriodSummary

        fields = ["projects", "annual_plan", "planned_ytd", "invested_month", "invested_ytd", "planned_new", "started_new",
                  "planned_completions", "completed", "reports_due", "reports_in", "reports_on_time"]  # fmt: skip
        city_of = self.b.city_of
        objs = []
        for p, by_region in zip(self.periods, self.sums, strict=True):
            groups: dict[str, list[Any]] = {}
            for code, acc in by_region.items():
                for key in (code, city_of[code], PROVINCE) if code != city_of[code] else (code, PROVINCE):
                    total = groups.get(key)
                    groups[key] = list(acc) if total is None else [a + b for a, b in zip(total, acc, strict=True)]
            for code in sorted(groups):
                values = dict(zip(fields, groups[code], strict=True))
                for money_field in ("invested_month", "invested_ytd"):
                    values[money_field] = Decimal(values[money_field]).scaleb(-2)
                objs.append(RegionPeriodSummary(period_id=p.pk, region_id=code, frozen=p.closed, **values))
        RegionPeriodSummary.objects.bulk_create(objs, batch_size=1000)
        self.counts["summaries"] = len(objs)

    def finish(self) -> None:
        """Write the region summaries, then close every period but the last one for the
        province, as ``period_close`` does (facts, warnings and summaries first, then frozen)."""
        from keyprojects.dispatch.models import PeriodClosure, ReportingPeriod
        from keyprojects.regions.models import Region

        for key, table in (("plans", self.t_plans), ("reports", self.t_reports), ("flags", self.t_flags), ("steps", self.t_steps),
                           ("facts", self.t_facts), ("warnings", self.t_warnings)):  # fmt: skip
            self.counts[key] = table.count
        self.write_summaries()
        province = Region.objects.get(code=PROVINCE)
        closures = []
        for p in self.periods[:-1]:
            closed_at = dt.datetime.combine(p.fill_end + dt.timedelta(days=5), dt.time(17, 30), tzinfo=self.b.tz)
            ReportingPeriod.objects.filter(pk=p.pk).update(status="closed", closed_at=closed_at, updated_at=closed_at)
            closures.append(PeriodClosure(period_id=p.pk, region=province, closed_at=closed_at))
        with explicit_timestamps(PeriodClosure):
            PeriodClosure.objects.bulk_create(closures)
        self.counts["closed"] = len(closures)
        from keyprojects.analytics.services_dashboard import dimension_summaries_refresh
        from keyprojects.dispatch.models import ReportingPeriod as Period

        for period in Period.objects.filter(pk__in=[p.pk for p in self.periods]):
            dimension_summaries_refresh(period=period)  # the dashboard's roll-ups by level, category, industry, stage, leader
        self.b.lap("区域汇总、分类汇总、关账")


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def business_data_exists() -> int:
    from keyprojects.projects.models import Project

    return Project.objects.count()


# Apps whose rows --reset never deletes (reference data, accounts, the audit log).
KEEP_APPS = {"regions", "audit", "accounts", "auth", "contenttypes", "sessions", "admin", "authtoken"}


def business_models() -> list[type[models.Model]]:
    """The demo's models (with the reporting periods) plus every model (outside KEEP_APPS) that
    refers to them, directly or not (monthly reports, problems, closures, summaries ...),
    ordered so that referring models come first."""
    from django.apps import apps

    from keyprojects.dispatch.models import ReportingPeriod
    from keyprojects.enterprises.models import Enterprise, EnterpriseContact
    from keyprojects.projects.models import Project, ProjectEvent, ProjectYear, SponsorLeader
    from keyprojects.regions.models import Unit

    def targets(model: type[models.Model]) -> set[Any]:
        return {f.related_model for f in model._meta.concrete_fields if f.is_relation and f.related_model is not model}

    found: list[type[models.Model]] = [
        ProjectEvent, ProjectYear, Project, SponsorLeader, EnterpriseContact, Enterprise, Unit, ReportingPeriod,
    ]  # fmt: skip
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


def _referrers(model: type[models.Model]) -> set[type[models.Model]]:
    return {
        rel.related_model
        for rel in model._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one) and rel.related_model is not model
    }


def reset_business_data() -> dict[str, int]:
    """Delete projects, enterprises, units, leaders and whatever hangs off them, and the
    reporting periods (not regions, not accounts, not the audit log, which the database
    refuses to delete anyway). The demo logins are kept (their ids stay stable in the audit
    log) but detached until :func:`create_demo_users` anchors them again.

    A table nothing else refers to any more (its referrers were emptied before it) is emptied
    with one DELETE: the ORM's collector would load millions of reports and facts first."""
    from keyprojects.accounts.models import LoginAttempt, User

    deleted: dict[str, int] = {}
    try:
        with transaction.atomic():
            User.objects.filter(username__in=DEMO_USERNAMES).update(
                role="sysadmin", unit=None, enterprise=None, is_superuser=False, is_staff=False, is_active=False
            )
            LoginAttempt.objects.filter(username__in=DEMO_USERNAMES).delete()
            emptied: set[type[models.Model]] = set()
            for model in business_models():
                qs = model._default_manager.all()
                if not qs.exists():
                    deleted[model._meta.label] = 0
                elif _referrers(model) <= emptied:
                    deleted[model._meta.label] = qs._raw_delete(qs.db)
                else:
                    deleted[model._meta.label] = qs.only("pk").delete()[0]
                emptied.add(model)
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
    if getattr(settings, "KEYPROJECTS_PRODUCTION", False):
        # Production settings (seed_demo --force, e.g. a training server): no all-powerful account.
        specs = [s for s in specs if not s[2].get("is_superuser")]
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


def default_months(month: int) -> int:
    """All of last year and this year up to the data month (22 when the data month is October)."""
    return 12 + month


@transaction.atomic
def seed_demo(*, projects: int = DEFAULT_PROJECTS, seed: int = DEFAULT_SEED, year: int | None = None, month: int | None = None,
              months: int | None = None, reset: bool = False, batch_size: int = DEFAULT_BATCH, progress: bool = False,
              stream: Any = None) -> DemoResult:  # fmt: skip
    """Build the demo world in one transaction (all or nothing) and return counts and logins.
    ``months``: the number of most recent months (ending at the data month) with periods and
    monthly reports; default all of last year and this year so far, 0 for none."""
    from keyprojects.audit.services import audit_record

    started = timezone.now()
    y, m = default_year_month(year, month)
    if not (2000 <= y <= 2099) or not (1 <= m <= 12):
        raise DemoError("年度或月份超出范围")
    if projects < 0:
        raise DemoError("项目数不能为负数")
    months = default_months(m) if months is None else months
    if not 0 <= months <= default_months(m):
        raise DemoError(f"月份数应在 0 到 {default_months(m)} 之间（演示数据只有{y - 1}年和{y}年的年度计划）")
    deleted = reset_business_data() if reset else {}
    result = DemoBuilder(seed=seed, projects=projects, year=y, month=m, months=months, batch_size=batch_size, progress=progress,
                         stream=stream).run()  # fmt: skip
    result.logins = create_demo_users()
    result.seconds = (timezone.now() - started).total_seconds()
    audit_record(
        action="seed_demo", object_type="demo", username="manage.py",
        changes={"seed": seed, "year": y, "month": m, "months": months, "projects": result.counts["projects"],
                 "reports": result.counts.get("reports", 0), "reset": deleted},
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
    feed_dispatch(feed)
    return h.hexdigest()


def feed_dispatch(feed: Any) -> None:
    """The monthly dispatch part of :func:`demo_digest` (projects by name: ids differ after --reset)."""
    from keyprojects.analytics.models import ProjectPeriodFact, RegionPeriodSummary
    from keyprojects.dispatch.models import (
        MonthlyPlan,
        MonthlyReport,
        PeriodClosure,
        ProblemItem,
        ProjectWarning,
        ReportFlag,
        ReportingPeriod,
        ReportStep,
    )

    def rows(qs: Any, *fields: str) -> Any:
        return qs.values_list(*fields).iterator(chunk_size=5000)

    feed(ReportingPeriod.objects.order_by("year", "month").values_list("year", "month", "status", "fill_start", "fill_end", "closed_at"))
    feed(
        PeriodClosure.objects.order_by("period__year", "period__month").values_list(
            "period__year", "period__month", "region_id", "closed_at"
        )
    )
    feed(rows(MonthlyPlan.objects.order_by("id"), "project__name", "year", "month", "planned"))
    report_fields = [
        "project__name", "period__year", "period__month", "status", "review_levels", "review_step", "pending_level",
        "invested_month", "invested_ytd", "invested_to_date", "no_activity", "no_activity_reason", "physical_progress",
        "physical_progress_pct", "workers", "problems", "next_month_plan", "return_opinion", "submitted_at", "is_late",
        "approved_at", "created_at", "updated_at", "version",
    ]  # fmt: skip
    feed(rows(MonthlyReport.objects.order_by("id"), *report_fields))
    feed(
        rows(
            ReportFlag.objects.order_by("id"),
            "report__project__name",
            "report__period__month",
            "code",
            "severity",
            "message",
            "acknowledged_at",
        )
    )
    feed(rows(ReportStep.objects.order_by("id"), "report__project__name", "report__period__month", "action", "level", "opinion", "at"))
    feed(rows(ProblemItem.objects.order_by("id"), "project__name", "description", "responsible_unit__name", "due_date", "status",
              "resolution", "solved_at", "created_at"))  # fmt: skip
    # the summary tables: totals per period (the facts and warnings follow from the reports)
    feed(ProjectPeriodFact.objects.values_list("period__year", "period__month", "report_state").annotate(n=models.Count("id"))
         .order_by("period__year", "period__month", "report_state"))  # fmt: skip
    summary_fields = [
        "period__year", "period__month", "region_id", "projects", "annual_plan", "planned_ytd", "invested_month", "invested_ytd",
        "planned_new", "started_new", "planned_completions", "completed", "reports_due", "reports_in", "reports_on_time", "frozen",
    ]  # fmt: skip
    feed(RegionPeriodSummary.objects.order_by("period__year", "period__month", "region_id").values_list(*summary_fields))
    feed(ProjectWarning.objects.values_list("period__year", "period__month", "kind").annotate(n=models.Count("id"))
         .order_by("period__year", "period__month", "kind"))  # fmt: skip


def summary_lines(result: DemoResult) -> list[str]:
    c = result.counts
    lines = [
        f"演示数据已生成：种子 {result.seed}，年度 {result.year}，数据截至 {result.as_of:%Y-%m-%d}，用时 {result.seconds:.1f} 秒",
        f"  单位 {c.get('units', 0)}（其中功能区 {c.get('zones', 0)}），包保领导 {c.get('leaders', 0)}，企业 {c.get('enterprises', 0)}",
        f"  项目 {c.get('projects', 0)}（{result.year}年省级清单 {c.get('province_list', 0)}、市级 {c.get('city_list', 0)}、"
        f"县级 {c.get('county_list', 0)}；有项目代码 {c.get('with_code', 0)}），年度计划 {c.get('project_years', 0)} 条，"
        f"项目事件 {c.get('events', 0)} 条",
    ]
    if not result.periods:
        return [*lines, "  未生成月报（--months 0）"]
    s = result.open_states
    pending = "、".join(
        f"待{label}审核 {s.get('pending_' + level, 0)}" for level, label in (("county", "县级"), ("city", "市级"), ("province", "省级"))
        if s.get("pending_" + level) or level != "province"
    )  # fmt: skip
    lines += [
        f"  调度期 {c.get('periods', 0)} 个（{result.periods[0]} 至 {result.periods[-1]}，已关账 {c.get('closed', 0)} 个），"
        f"月报 {c.get('reports', 0)} 份，校验提示 {c.get('flags', 0)} 条，审核记录 {c.get('steps', 0)} 条（最近 {STEP_MONTHS} 个月）",
        f"  {result.periods[-1]}（填报中）：已审定 {s.get('approved', 0) + s.get('late', 0) + s.get('no_activity', 0)}、{pending}、"
        f"已退回 {s.get('returned', 0)}、草稿 {s.get('draft', 0)}、未报 {s.get('missing', 0) + s.get('not_due', 0)}",
        f"  问题事项 {c.get('problems', 0)} 个（未解决 {c.get('open_problems', 0)}），分月计划 {c.get('plans', 0)} 条，"
        f"落后序时进度的项目 {c.get('lagging', 0)} 个",
        f"  汇总表：项目月度事实 {c.get('facts', 0)} 行，区域月度汇总 {c.get('summaries', 0)} 行，预警 {c.get('warnings', 0)} 条",
    ]
    if c.get("spread_set"):
        lines.append("  调度设置：年度计划默认分月权重设为演示值 " + "/".join(map(str, SEASON)) + "（1-2月春节前后低，6月、12月高）")
    return lines


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
