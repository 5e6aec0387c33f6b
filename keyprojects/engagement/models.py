"""政企服务 (issue 15): 企业诉求 (requests) with routing, working-day deadlines, extensions,
replies and ratings; 政企沟通交流会 (meetings); Open311 API keys per enterprise.

State changes happen only in :mod:`.services`, each writing a :class:`RequestEvent` and an audit
record. Scope (who sees which rows) is the querysets' ``visible_to``; who may do what is asked of
:mod:`keyprojects.accounts.policy`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keyprojects.accounts import policy
from keyprojects.core.localized import LocalizedName, english_field
from keyprojects.core.models import TimeStampedModel, VersionedModel
from keyprojects.core.scope import NOTHING, ScopedQuerySet, region_rows, scope_q
from keyprojects.core.validators import validate_phone

from .choices import AttachmentStage, ExtensionStatus, MeetingLevel, Rating, RequestStatus, Source


class RequestCategory(LocalizedName, TimeStampedModel):
    """A configurable 诉求类别 (要素保障, 审批服务, 融资 …) with its resolve limit; its code is the
    Open311 ``service_code``. Pages show ``display_name`` (``name_en`` in the English UI)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("类别名称"), max_length=50)
    name_en = english_field(_("英文名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    resolve_limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        constraints = [models.CheckConstraint(condition=Q(resolve_limit_days__gte=1), name="request_category_limit_positive")]

    def __str__(self) -> str:
        return self.name


class RoutingRule(TimeStampedModel):
    """分办规则: requests of ``category`` from enterprises in ``region`` (or below it) go to
    ``unit``. The most specific region with rules wins (county, then city, then province); one
    region may send a category to several units."""

    category = models.ForeignKey(RequestCategory, verbose_name=_("诉求类别"), on_delete=models.CASCADE, related_name="rules")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("regions.Unit", verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="request_rules")

    class Meta:
        ordering = ["category_id", "region_id", "unit_id"]
        verbose_name = _("分办规则")
        verbose_name_plural = _("分办规则")
        constraints = [models.UniqueConstraint(fields=["category", "region", "unit"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category} · {self.region} → {self.unit}"


def _unit_requests(unit_id: int) -> Q:
    routed = RequestAssignment.objects.filter(unit_id=unit_id, active=True).values("request_id")
    return Q(pk__in=routed)


class EnterpriseRequestQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        """Region staff and leaders: requests of enterprises in their region and below; a
        department: what is routed to it; an enterprise contact: its own enterprise's."""
        return scope_q(user, region=region_rows(), unit=_unit_requests, enterprise=lambda pk: Q(enterprise_id=pk))

    def _editable_q(self, user: Any) -> Q:
        if policy.is_read_only(user):
            return NOTHING
        return self._visible_q(user)


class EnterpriseRequest(VersionedModel):
    """One 企业诉求: who raised it and how, its category and routing, its deadlines (working
    days, :mod:`keyprojects.core.workdays`), the reply and the enterprise's rating."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="requests")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("关联项目"), null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    category = models.ForeignKey(RequestCategory, verbose_name=_("诉求类别"), on_delete=models.PROTECT, related_name="requests")
    title = models.CharField(_("诉求标题"), max_length=100)
    description = models.TextField(_("诉求内容"), max_length=4000)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.ENTERPRISE)
    meeting = models.ForeignKey(
        "Meeting", verbose_name=_("交流会"), null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    status = models.CharField(_("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED, db_index=True)
    raised_by = models.ForeignKey(
        "accounts.User", verbose_name=_("提出人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_name = models.CharField(pgettext_lazy("the person to contact about a request", "联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    address_string = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Scope: the enterprise's region, denormalised like projects (region_rows()).
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(_("所属省"), max_length=6, editable=False)
    city_code = models.CharField(_("所属市"), max_length=6, blank=True, db_index=True, editable=False)
    submitted_at = models.DateTimeField(_("提出时间"))
    acknowledge_due = models.DateField(_("受理时限"))
    resolve_due = models.DateField(_("办理时限"))
    acknowledged_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), max_length=4000, blank=True)
    replied_by_unit = models.ForeignKey(
        "regions.Unit", verbose_name=_("答复单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_reason = models.CharField(_("评价说明"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = EnterpriseRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        constraints = [
            models.CheckConstraint(condition=Q(reopen_count__lte=1), name="request_reopens_once"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90), name="request_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180), name="request_longitude_range"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "status"], name="request_enterprise_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The request's number as shown and as the Open311 ``service_request_id``."""
        return f"SQ{self.pk or 0:06d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.project_id and self.enterprise_id and self.project and self.project.owner_id != self.enterprise_id:
            errors["project"] = ["关联项目须为本企业的项目"]
        if not (self.title or "").strip():
            errors["title"] = ["请填写诉求标题"]
        if not (self.description or "").strip():
            errors["description"] = ["请填写诉求内容"]
        if self.status == RequestStatus.CLOSED and not self.closed_at:
            errors["status"] = ["已办结的诉求须有办结时间"]
        if self.rating == Rating.UNSATISFIED and not self.rating_reason.strip():
            errors["rating_reason"] = ["不满意须说明原因"]
        if errors:
            raise ValidationError(errors)


class RequestAssignment(TimeStampedModel):
    """One unit a request is routed to (分办); ``active`` false once re-routed or declined."""

    request = models.ForeignKey(EnterpriseRequest, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("regions.Unit", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="request_assignments")
    active = models.BooleanField(_("有效"), default=True)
    reason = models.CharField(_("分办说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["request_id", "id"]
        verbose_name = _("诉求分办")
        verbose_name_plural = _("诉求分办")
        constraints = [models.UniqueConstraint(fields=["request", "unit"], condition=Q(active=True), name="assignment_one_active_per_unit")]

    def __str__(self) -> str:
        return f"{self.request} → {self.unit}"


class RequestEvent(models.Model):
    """One step in a request's history (shown on its page), written by the services only."""

    request = models.ForeignKey(EnterpriseRequest, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=24)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey("accounts.User", verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人名称"), max_length=150, blank=True)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    # the unit that acted, or where 分办/改派 sent the request (:attr:`unit_is_target`)
    unit = models.ForeignKey("regions.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=1000, blank=True)

    class Meta:
        ordering = ["request_id", "at", "id"]
        verbose_name = _("诉求事件")
        verbose_name_plural = _("诉求事件")

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        from .choices import EventKind

        return str(EventKind(self.kind).label) if self.kind in EventKind.values else self.kind

    @property
    def note_shown(self) -> str:
        """The note in the page's language (stored in Chinese: ``event_text.note_shown``)."""
        from .event_text import note_shown

        return note_shown(self.kind, self.note)

    @property
    def unit_is_target(self) -> bool:
        """Whether ``unit`` is where the step sent the request (分办, 改派: shown as 转至…), not
        the unit that acted (受理, 答复, 非本部门职责, 申请延期)."""
        from .choices import EventKind

        return self.kind in (EventKind.ROUTED, EventKind.REROUTED)

    @property
    def actor_shown(self) -> str:
        """Who acted: a person's name as written, the routing rules in the page's language."""
        from .event_text import actor_shown

        return actor_shown(self.actor_name, by_user=self.actor_id is not None)


def attachment_path(instance: RequestAttachment, filename: str) -> str:
    return f"engagement/{instance.request_id}/{filename}"


class RequestAttachment(models.Model):
    """A document attached to a request by whoever raised it, or by a unit with its reply: a PDF
    or an image checked and stored by :mod:`keyprojects.core.uploads` (size, type read from its
    first bytes, a random stored name); the name it was uploaded with is kept to show. Written by
    the services only; downloaded by those who see the request."""

    request = models.ForeignKey(EnterpriseRequest, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(_("环节"), max_length=12, choices=AttachmentStage.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey("regions.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["request_id", "id"]
        verbose_name = _("诉求附件")
        verbose_name_plural = _("诉求附件")

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(VersionedModel):
    """延期申请: a unit asks for more working days; somebody else approves or rejects it (四眼)."""

    request = models.ForeignKey(EnterpriseRequest, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延期天数（工作日）"))
    reason = models.CharField(_("延期理由"), max_length=500)
    status = models.CharField(_("审批状态"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey("accounts.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["request_id", "id"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=60), name="extension_days_range"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")), name="extension_four_eyes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} +{self.days}"


class MeetingQuerySet(ScopedQuerySet):
    def _visible_q(self, user: Any) -> Q:
        """Region roles: meetings held in their region or below; a department: meetings it
        attended or with a request routed to it; an enterprise: meetings it attended."""

        def unit(unit_id: int) -> Q:
            routed = RequestAssignment.objects.filter(unit_id=unit_id, active=True, request__meeting__isnull=False)
            return Q(units_present=unit_id) | Q(pk__in=routed.values("request__meeting_id"))

        return scope_q(
            user,
            region=lambda home: Q(region__in=policy.regions_under(home)),
            unit=lambda pk: Q(pk__in=Meeting.objects.filter(unit(pk)).values("pk")),
            enterprise=lambda pk: Q(pk__in=Meeting.objects.filter(enterprises=pk).values("pk")),
        )


class Meeting(TimeStampedModel):
    """A 政企沟通交流会: date, place, chair, level, the enterprises and units present; the
    requests raised there are :class:`EnterpriseRequest` rows with ``meeting`` set."""

    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("会议地点"), max_length=200)
    chair = models.CharField(_("主持人"), max_length=100)
    level = models.CharField(_("会议层级"), max_length=10, choices=MeetingLevel.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+")
    enterprises = models.ManyToManyField("enterprises.Enterprise", verbose_name=_("参会企业"), blank=True, related_name="meetings")
    units_present = models.ManyToManyField("regions.Unit", verbose_name=_("参会单位"), blank=True, related_name="+")
    summary = models.TextField(_("会议概要"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("政企沟通交流会")
        verbose_name_plural = _("政企沟通交流会")

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Open311Key(models.Model):
    """An Open311 API key of one enterprise. Only the SHA-256 of the key is stored; the key
    itself is shown once when issued."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="open311_keys")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("密钥前缀"), max_length=8)
    name = models.CharField(_("用途"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("签发人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.prefix}…"
