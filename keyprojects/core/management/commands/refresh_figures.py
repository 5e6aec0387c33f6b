"""``manage.py refresh_figures [--period YYYY-MM]``: rebuild facts, warnings and summaries.

Run it after an upgrade (see docs/guide/部署与运维.md) or whenever the derived figures are in
doubt. Without ``--period`` every reporting period is rebuilt, in one transaction, through the one
refresh action (``keyprojects.analytics.refresh.refresh_periods``). Closed months keep their
frozen rows.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.core.upgrade import refresh_periods


class Command(BaseCommand):
    help = "重建项目月度事实、预警和各级汇总（升级后或数据存疑时运行；已关账月份的冻结数据不变）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", help="只重建这个月（YYYY-MM）；默认全部月份")

    def handle(self, *args: Any, **opts: Any) -> None:
        from keyprojects.audit.services import audit_record
        from keyprojects.dispatch.models import ReportingPeriod

        periods = ReportingPeriod.objects.order_by("year", "month")
        if opts["period"]:
            match = re.fullmatch(r"(\d{4})-(\d{1,2})", opts["period"].strip())
            if not match or not 1 <= int(match[2]) <= 12:
                raise CommandError(f"月份格式应为 YYYY-MM，例如 2026-03：{opts['period']}")
            periods = periods.filter(year=int(match[1]), month=int(match[2]))
            if not periods.exists():
                raise CommandError(f"没有 {opts['period']} 这个调度月份")
        chosen = list(periods)
        totals = refresh_periods(chosen) if chosen else {"facts": 0, "warnings": 0, "summaries": 0}
        if opts["verbosity"] >= 1 and chosen:
            self.stdout.write("periods: " + ", ".join(f"{p.year}-{p.month:02d}" for p in chosen))
        audit_record(
            action="summaries_refresh",
            username="manage.py",
            object_type="refresh_figures",
            changes={"period": opts["period"] or "all", **totals},
        )
        self.stdout.write(
            f"OK: {len(chosen)} periods, facts={totals['facts']} warnings={totals['warnings']} summaries={totals['summaries']}"
        )
