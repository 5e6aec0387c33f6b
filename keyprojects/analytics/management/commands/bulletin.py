"""``manage.py bulletin --period YYYY-MM --output FILE.docx [--region CODE] [--date YYYY-MM-DD]
[--top N]``: the month's bulletin (通报) of a province or a city as a Word document, or with
``FILE.xlsx`` the same tables as a workbook. ``--date`` is the date printed under the office
(default: today), ``--top`` how many lagging projects per region it names (default: the region's
``BulletinSetting``, else 10). Reads the fact and summary tables only: a few seconds at 50,000
projects."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyprojects.analytics.bulletin import bulletin_data, bulletin_docx, bulletin_xlsx
from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.audit.services import audit_record
from keyprojects.core.money import Period
from keyprojects.dispatch.models import ReportingPeriod
from keyprojects.regions.models import Region


class Command(BaseCommand):
    help = "生成月度重点项目建设情况通报（Word 或 Excel）/ Write the monthly bulletin as .docx or .xlsx"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="调度期 YYYY-MM / the reporting month")
        parser.add_argument("--output", "-o", required=True, help="输出文件 .docx 或 .xlsx / the file to write")
        parser.add_argument("--region", help="省或市的区划代码（默认：该期项目所在的省）/ province or city code (default: the province)")
        parser.add_argument("--date", help="成文日期 YYYY-MM-DD（默认：今天）/ the date under the office (default: today)")
        parser.add_argument("--top", type=int, help="每个地区列出的滞后项目数（默认：通报设置，或10）/ lagging projects named per region")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            label = Period.parse(options["period"])
        except ValueError:
            raise CommandError(f"调度期格式应为 YYYY-MM：{options['period']}") from None
        period = ReportingPeriod.objects.filter(year=label.year, month=label.month).first()
        if period is None:
            raise CommandError(f"调度期不存在：{label}")
        root = self._root(options.get("region"), period)
        path = Path(options["output"])
        ext = path.suffix.lower().lstrip(".")
        if ext not in ("docx", "xlsx"):
            raise CommandError("输出文件应以 .docx 或 .xlsx 结尾")
        issued_on = None
        if options.get("date"):
            try:
                issued_on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        top = options.get("top")
        if top is not None and not 1 <= top <= 100:
            raise CommandError("--top 应为 1 到 100")
        data = bulletin_data(period=period, root=root, issued_on=issued_on, top_n=top)
        content = bulletin_docx(data) if ext == "docx" else bulletin_xlsx(data)
        # write next to the target and rename: a reader never sees half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else Path("."), prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        audit_record(
            action="export",
            object_type="dispatch.reportingperiod",
            object_id=str(period.pk),
            changes={"kind": "bulletin", "period": period.label, "region": root.code, "format": ext},
            message=f"生成通报：{data.title}",
            username="manage.py bulletin",
        )
        self.stderr.write(f"已生成 {data.title}（{root.name}）：{path}")

    def _root(self, code: str | None, period: ReportingPeriod) -> Region:
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise CommandError(f"区划代码不存在：{code}")
            if region.level not in ("province", "city"):
                raise CommandError("通报的范围应为省或市")
            return region
        provinces = Counter(ProjectPeriodFact.objects.filter(period=period).values_list("province_code", flat=True))
        if not provinces:
            raise CommandError(f"{period}没有汇总数据：请先刷新汇总或关账")
        return Region.objects.get(code=provinces.most_common(1)[0][0])
