"""Users, their role and home region/unit/enterprise; login attempts for lockout."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.core.validators import validate_phone

from . import policy
from .choices import Role

# Han characters, kana and hangul: a name written in them puts the family name first.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.COUNTY, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("所属企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(_("电话"), max_length=32, blank=True, validators=[validate_phone])
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # A scoped business user must have the anchor their role needs.
            models.CheckConstraint(
                condition=policy.scope_anchor_q(),
                name="user_role_has_scope_anchor",
            )
        ]

    def get_full_name(self) -> str:
        """The name as written in its language: a Chinese name family name first, no space
        (张三); any other "First Last"."""
        first, last = (self.first_name or "").strip(), (self.last_name or "").strip()
        if _CJK.search(first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def shown_name(self) -> str:
        """The name the top bar shows beside the role: the full name, or "" when it is only the
        role's own words (the demo names its logins 市级工作人员 and so on), in Chinese or in
        the active language, so that the role is not said twice."""
        from django.utils import translation

        name = self.get_full_name() or self.username
        with translation.override("zh-hans"):
            role_zh = str(self.get_role_display())
        return "" if name in (role_zh, str(self.get_role_display())) else name

    @property
    def is_read_only(self) -> bool:
        return policy.is_read_only(self)

    @property
    def scope_label(self) -> str:
        if self.is_superuser:
            return str(_("全部"))
        target = self.unit or self.enterprise or self.region
        return str(target) if target else "—"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


class LoginAttempt(models.Model):
    """Failed-login counters for lockout (reliability.md 17, issue 11): one row per account
    (``ip`` empty: failures from any address, locks back off) and one per client address
    (``username`` empty: failures on any account)."""

    username = models.CharField(max_length=150, db_index=True, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    failures = models.PositiveIntegerField(default=0)
    locks = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="login_attempt_unique")]

    def __str__(self) -> str:
        return f"{self.username or '*'}@{self.ip or '*'}: {self.failures}"


class ApiToken(models.Model):
    """An API token (``Authorization: Token <key>``), issue 11. Only the SHA-256 of the key is
    stored; the key is shown once. Tokens expire (``KEYPROJECTS_API_TOKEN_DAYS``) and are revoked
    when the owner's password, role or scope changes or the account is disabled."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or '-'})"
