"""``manage.py close_period YYYY-MM --user USERNAME [--confirm TEXT] [--check]``

关账 from the command line, as ``USERNAME`` (a city user closes the city, a province user the
province) through ``dispatch.services.period_close``: the checklist first (what is open per city
and county, ``selectors_close.close_checklist``), then the close with its progress on stderr, a
bar on a terminal and a line per phase in a log (核对清单 → 重建事实表 → 汇总并冻结 → 保存快照;
``-v 0`` hides it). With anything open the close needs
``--confirm`` (the period, e.g. 2026-11, or 确认关账), as on the page. ``--check`` prints the
checklist and closes nothing. Exit status 1 when the close is refused.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyprojects.accounts import policy
from keyprojects.accounts.models import User
from keyprojects.core.errors import ApplicationError
from keyprojects.core.progress import Progress
from keyprojects.dispatch.forms_review import period_from_label
from keyprojects.dispatch.selectors_close import ITEMS, OPEN_ITEMS, Checklist, close_checklist
from keyprojects.dispatch.services import period_close
from keyprojects.dispatch.services_close import refuse_while_closing


class Command(BaseCommand):
    help = "关账（先列出未完成事项；有未完成事项时须 --confirm 调度期 或 确认关账）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", metavar="YYYY-MM", help="调度期，如 2026-11")
        parser.add_argument("--user", required=True, help="关账人的用户名（市级用户关本市，省级用户关全省）")
        parser.add_argument("--confirm", default="", help="有未完成事项时输入调度期（如 2026-11）或“确认关账”")
        parser.add_argument("--check", action="store_true", help="只列出未完成事项，不关账")

    def handle(self, *args: Any, **options: Any) -> None:
        period = period_from_label(options["period"])
        if period is None:
            raise CommandError(f"调度期不存在：{options['period']}")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None or not policy.can_close(user):
            raise CommandError("该用户不存在或无权关账（市级或省级工作人员）")
        region = policy.work_region(user)
        if region is None:
            raise CommandError("该用户没有所属区域")
        self.report(close_checklist(period=period, region=region))
        if options["check"]:
            return
        progress = Progress(self.stderr._out, enabled=options["verbosity"] > 0, unit="项")  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            refuse_while_closing(period)
            closure = period_close(user=user, period=period, confirm=options["confirm"], progress=progress)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        finally:
            progress.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{closure.region.name}{period}已关账（{time.perf_counter() - started:.1f} 秒；关账时未完成事项 {closure.open_items} 项）"
            )
        )

    def report(self, c: Checklist) -> None:
        w = self.stdout.write
        w(f"{c.region_name}{c.period} 关账检查：应报 {c.total.due:,} 个，未完成事项 {c.open:,} 项")
        head = "  ".join(str(ITEMS[k]) for k in OPEN_ITEMS)
        w(f"  {'区域':<12}{head}")
        for row in c.rows:
            for r, indent in [(row, ""), *((ch, "  ") for ch in row.children)]:
                if r.open:
                    cells = "  ".join(f"{r.counts[k]:>{len(str(ITEMS[k])) * 2}}" for k in OPEN_ITEMS)
                    w(f"  {indent}{r.name:<12}{cells}")
        if c.total.counts["drafts"]:
            w(f"  其中草稿未提交 {c.total.counts['drafts']:,} 个（草稿不计入数据，关账后显示为“未报（草稿未提交）”）")
