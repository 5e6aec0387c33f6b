"""``manage.py export_factor_lists --region CODE [--output F.xlsx]``: the 四张清单 of a region
(a province, a city with its counties, or a county) as one workbook, one sheet per list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.accounts import policy
from keyprojects.approvals.exports import export_factor_lists
from keyprojects.approvals.models import FactorNeed
from keyprojects.regions.models import Region


class Command(BaseCommand):
    help = "导出某行政区划的四张清单（土地、资金、环境、能耗要素需求），每张清单一个工作表"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", required=True, help="行政区划代码（省、市或县）")
        parser.add_argument("--output", default="", help="输出文件（默认 四张清单-<代码>.xlsx）")

    def handle(self, *args: Any, **opts: Any) -> None:
        region = Region.objects.filter(code=opts["region"]).first()
        if region is None:
            raise CommandError(f"行政区划代码不存在：{opts['region']}")
        needs = FactorNeed.objects.filter(policy.region_rows_q(region, "project__"))
        content, counts = export_factor_lists(needs, region_name=region.name)
        out = Path(opts["output"] or f"四张清单-{region.code}.xlsx")
        out.write_bytes(content)
        summary = "，".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(f"已导出 {out}（{summary}）")
