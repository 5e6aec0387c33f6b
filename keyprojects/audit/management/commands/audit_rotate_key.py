"""``manage.py audit_rotate_key``: make a new HMAC key current for the audit log.

With the key file (default ``var/audit-keys.json``) the new key is added to it and older keys
are kept, so older events stay verifiable. With ``AUDIT_HMAC_KEY`` in the environment the
command prints the new ``id:secret`` entry: put it first in the variable (keep the old entries)
and restart the service."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyprojects.audit import keys
from keyprojects.audit.services import audit_rotate_key


class Command(BaseCommand):
    help = "轮换审计日志 HMAC 密钥（旧密钥保留用于校验）"

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            key_id = audit_rotate_key()
        except RuntimeError as exc:
            raise CommandError(
                f"密钥来自环境变量 {keys.ENV_KEY}，无法在此修改。请把下面这一项加在该变量最前面（保留原有各项，逗号分隔），"
                f"然后重启服务：\n{exc}",
                returncode=2,
            ) from exc
        self.stdout.write(f"已轮换审计密钥，当前密钥编号 {key_id}（{keys.keyring().source}）。请备份该密钥文件。")
