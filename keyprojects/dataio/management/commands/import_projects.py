"""``manage.py import_projects FILE [--dry-run] [--json] [--region CODE] [--period YYYY-MM] [--sheet NAME]``

Imports a project list or a monthly dispatch table (.xlsx/.xls/.ods/.csv) through
``dataio.services.import_file``: everything or nothing, in one transaction. ``--region`` is
the region of rows that name none; ``--period`` the reporting month of the figures when the
file does not say. Exit status 1 when the file has errors (nothing is written then).

``--json`` prints one object on stdout::

    {"rows": n, "created": n, "updated": n, "errors": [{"sheet", "row", "column", "value", "message"}],
     "warnings": [...], "totals": {"total_investment": "万元", "annual_plan": "万元", "invested_ytd": "万元" | null}}

Progress goes to stderr (``-v 0`` hides it): a bar per phase on a terminal, otherwise (a log, a
pipe) one line per phase when it ends (``core.progress``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyprojects.core.errors import ApplicationError
from keyprojects.core.progress import Progress
from keyprojects.dataio.services import ImportOutcome, import_file

MAX_LISTED = 200  # issues listed in the human-readable report; --json lists them all


class Command(BaseCommand):
    help = "导入项目清单或月调度表（全部成功才写入；--dry-run 只校验不写入）"
    # No system checks per run: they check the code and settings (models, URL configuration,
    # templates, admin), not the file, and run in `manage.py check`, `migrate`, the server and CI;
    # an import run by a script every month need not repeat them (the URL and template checks alone
    # import every view: about 0.5 s; the model checks about 25 ms).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="表格文件（.xlsx/.xls/.ods/.csv）")
        parser.add_argument("--dry-run", action="store_true", help="只解析和校验，不写入数据库")
        parser.add_argument("--json", action="store_true", help="在标准输出打印一个 JSON 对象（行数、新增、更新、错误、警告、合计）")
        parser.add_argument("--region", metavar="CODE", help="未注明所属区域的行使用的区划代码（如 370102）")
        parser.add_argument("--period", metavar="YYYY-MM", help="文件未注明调度期时使用的调度期（如 2024-06）")
        parser.add_argument("--sheet", metavar="NAME", help="只导入这个工作表")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
        progress = Progress(self.stderr._out, enabled=options["verbosity"] > 0)  # type: ignore[attr-defined]
        try:
            outcome = import_file(
                user=None,
                data=data,
                filename=path.name,
                region=options["region"],
                period=options["period"],
                sheet=options["sheet"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        finally:
            progress.close()
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            self.report(outcome)
        if outcome.errors:
            raise CommandError(f"导入未通过：{len(outcome.errors)} 个错误，数据库未做任何修改", returncode=1)

    def report(self, o: ImportOutcome) -> None:
        w = self.stdout.write
        t = o.totals
        period = f"，调度期 {o.period_label}" if o.period else ""
        w(f"{o.filename}：识别项目行 {o.rows} 行{period}")
        w(
            f"合计：总投资 {t['total_investment']} 万元，年度计划投资 {t['annual_plan']} 万元"
            + (f"，1-N月累计完成投资 {t['invested_ytd']} 万元" if t.get("invested_ytd") is not None else "")
        )
        for label, issues, style in (("错误", o.errors, self.style.ERROR), ("警告", o.warnings, self.style.WARNING)):
            if not issues:
                continue
            w(style(f"{label} {len(issues)} 条："))
            for i in issues[:MAX_LISTED]:
                where = "，".join(x for x in (i.sheet, f"第{i.row}行" if i.row else "", i.column) if x)
                value = f"“{i.value}”" if i.value and i.row else ""
                w(f"  [{where}] {value}{i.message}" if where else f"  {value}{i.message}")
            if len(issues) > MAX_LISTED:
                w(f"  ……另有 {len(issues) - MAX_LISTED} 条（--json 列出全部）")
        if o.errors:
            return
        verb = "将" if o.dry_run else ""
        w(
            self.style.SUCCESS(
                f"{'试运行（未写入）：' if o.dry_run else '已导入：'}{verb}新增项目 {o.created} 个，{verb}更新 {o.updated} 个，"
                f"无变化 {o.unchanged} 个；{verb}新增月报 {o.reports_created} 份，{verb}更新 {o.reports_updated} 份"
                + (f"；{verb}登记企业 {o.enterprises_created} 家" if o.enterprises_created else "")
                + (f"（批次 #{o.batch.pk}）" if o.batch is not None and not o.dry_run else "")
            )
        )
