"""Append-only, hash-chained audit log (reliability.md 21-24).

UPDATE is refused by a database trigger; DELETE is refused for rows younger than the
retention period (``KEYPROJECTS_AUDIT_RETENTION_DAYS``, at least 180). Each row carries the
hash of its predecessor, keyed with an HMAC key kept outside the database (``key_id`` names it,
see ``keys.py``), and the head of the chain is anchored outside the database (``anchors.py``),
so ``manage.py verify_audit`` detects edits, rehashing and deleted newest rows made around the
triggers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("用户ID"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("用户名"), max_length=150, blank=True)
    actor_role = models.CharField(_("角色"), max_length=32, blank=True)
    actor_region = models.CharField(_("用户区划"), max_length=6, blank=True)
    ip = models.CharField(_("IP"), max_length=45, blank=True)
    action = models.CharField(_("操作"), max_length=40, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    result = models.CharField(_("结果"), max_length=16, default="success")
    message = models.CharField(_("说明"), max_length=500, blank=True)
    prev_hash = models.CharField(_("前序哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)
    key_id = models.CharField(_("密钥编号"), max_length=16, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"
