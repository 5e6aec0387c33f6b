"""``manage.py open311_key --enterprise ID|USCC [--name 用途]``: issue an Open311 API key for an
enterprise and print it (it is shown only this once; only its hash is stored)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.core.errors import ValidationFailed
from keyprojects.engagement.services_keys import find_enterprise, open311_key_issue


class Command(BaseCommand):
    help = "为企业签发 Open311 API 密钥并打印（仅显示一次）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enterprise", required=True, help="企业 ID 或统一社会信用代码")
        parser.add_argument("--name", default="", help="用途说明")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            enterprise = find_enterprise(options["enterprise"])
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        _key, raw = open311_key_issue(user=None, enterprise=enterprise, name=options["name"])
        self.stderr.write(f"已为 {enterprise.name}（{enterprise.uscc}）签发 Open311 密钥：")
        self.stdout.write(raw)
