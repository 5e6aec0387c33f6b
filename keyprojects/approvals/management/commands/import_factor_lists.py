"""``manage.py import_factor_lists FILE [--dry-run]``: import the 四张清单 from a workbook in the
shape ``export_factor_lists`` writes (one sheet per list). Everything or nothing; exit status 1
with the row-level errors when the file has any (nothing is written then)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyprojects.approvals.choices import FactorKind
from keyprojects.approvals.imports import factor_lists_import
from keyprojects.core.errors import ApplicationError

MAX_LISTED = 200


class Command(BaseCommand):
    help = "导入四张清单（export_factor_lists 导出的格式，每张清单一个工作表；全部正确才写入，--dry-run 只校验）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="四张清单工作簿（.xlsx/.xls/.ods）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入数据库")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
        try:
            result = factor_lists_import(user=None, source=data, filename=path.name, dry_run=options["dry_run"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if result.errors:
            self.stdout.write(self.style.ERROR(f"错误 {len(result.errors)} 条："))
            for e in result.errors[:MAX_LISTED]:
                self.stdout.write(f"  {e}")
            raise CommandError(f"导入未通过：{len(result.errors)} 个错误，数据库未做任何修改", returncode=1)
        kinds = "，".join(f"{FactorKind(k).label} {n}" for k, n in result.by_kind.items())
        verb = "试运行（未写入）：将" if result.dry_run else "已导入："
        self.stdout.write(
            self.style.SUCCESS(f"{verb}新增 {result.created} 项，更新 {result.updated} 项，无变化 {result.unchanged} 项（{kinds}）")
        )
