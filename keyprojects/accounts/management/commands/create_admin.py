"""``manage.py create_admin USERNAME --role sysadmin|secadmin|auditor`` (reliability.md 20).

There are no default accounts: the first administrators come from this command. It prints a
random throwaway password once; the user must change it at first login.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.accounts.services import ADMIN_ROLES_CREATABLE, admin_create
from keyprojects.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "创建管理员账户（系统管理员/安全管理员/审计管理员），输出一次性初始密码"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="用户名")
        parser.add_argument("--role", required=True, choices=ADMIN_ROLES_CREATABLE, help="角色")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user, password = admin_create(username=opts["username"], role=opts["role"])
        except ValidationFailed as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in (exc.extra.get("fields") or {}).items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(f"已创建 {user.get_role_display()} {user.username}")
        self.stdout.write(f"初始密码（仅显示一次，首次登录须修改）：{password}")
