"""``manage.py export_oc4ids [--output FILE] [--region CODE] [--uri URI]``: the project registry
as an OC4IDS 0.9 project package (JSON, UTF-8) on stdout or in a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from keyprojects.audit.services import audit_record
from keyprojects.dataio.oc4ids import export_oc4ids
from keyprojects.projects.models import Project
from keyprojects.regions.models import Region


class Command(BaseCommand):
    help = "导出 OC4IDS 0.9 项目数据包（JSON）/ Export the projects as an OC4IDS 0.9 project package"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="写入的文件（默认输出到标准输出）/ file to write (default: stdout)")
        parser.add_argument("--region", help="只导出该区划（省、市或县）的项目 / only projects in this region (GB/T 2260 code)")
        parser.add_argument("--uri", help="数据包 URI / the package URI")
        parser.add_argument("--indent", type=int, default=2, help="JSON 缩进（0 为紧凑）/ JSON indent (0: compact)")

    def handle(self, *args: Any, **options: Any) -> None:
        projects = Project.objects.all()
        if options.get("region"):
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"区划代码不存在：{options['region']}")
            projects = projects.filter(Q(province_code=region.code) | Q(city_code=region.code) | Q(region_id=region.code))
        package = export_oc4ids(projects=projects, uri=options.get("uri"))
        indent = options["indent"] or None
        text = json.dumps(package, ensure_ascii=False, indent=indent) + "\n"
        output = options.get("output")
        if output and output != "-":
            path = Path(output)
            # write next to the target and rename: a reader never sees half a file
            fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self.stderr.write(f"已导出 {len(package['projects'])} 个项目到 {path}")
        else:
            self.stdout.write(text, ending="")
        audit_record(
            action="export",
            object_type="projects.project",
            changes={"kind": "oc4ids", "projects": len(package["projects"]), "region": options.get("region") or "", "format": "json"},
            message="导出 OC4IDS 项目数据包",
            username="manage.py export_oc4ids",
        )
