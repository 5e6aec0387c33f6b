"""``/api/v1/leads/``: 招商线索 with their stage operations (advance, sign, land — which creates
or links the registry project —, drop, reopen), 到资, events and the funnel. Same conventions as
:mod:`keyprojects.api.views` (ADR 0012): strict JSON bodies, 404 outside scope, every write
through :mod:`keyprojects.attraction.services`, 409 on a version conflict or a step the stage
does not allow."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from keyprojects.accounts import policy
from keyprojects.api.filters import ID_MAX, IdFilter, YearFilter, invalid_query
from keyprojects.api.permissions import ReadOnlyRolesCannotWrite
from keyprojects.api.serializers import VERSION_REQUIRED, ErrorSerializer, StrictInput, VersionRequiredMixin, _user
from keyprojects.api.views import ERR, LIST_ERRORS, READ_ERRORS, _op
from keyprojects.core.errors import NotFound, PermissionDenied, ValidationFailed
from keyprojects.core.scope import get_for_user
from keyprojects.partnership.choices import CommitmentKind, Party

from . import selectors, services
from .choices import LeadStage
from .filters import LeadFilter
from .models import Activity, FundArrival, FundEvent, IndustryChain, Lead, LeadEvent

VERSION_MAX = 2**31 - 1
AMOUNT = {"max_digits": 16, "decimal_places": 4, "min_value": Decimal(0)}
ENTRY_PARAMETER = OpenApiParameter("entry", int, OpenApiParameter.PATH, description="到资记录 ID")
STEP_ERRORS = {
    400: ERR,
    403: ERR,
    404: ERR,
    409: OpenApiResponse(ErrorSerializer, description="已被他人修改（conflict）或当前阶段不允许（transition_not_allowed）"),
}


@extend_schema_field({"type": "boolean"})
class _BooleanFilter(django_filters.BooleanFilter):
    """A boolean filter with a method (the schema cannot infer its type from a model field)."""


class ApiLeadFilter(LeadFilter):
    """The lead page's FilterSet with related objects by id (an id naming nothing: empty list)."""

    chain = IdFilter(field_name="chain_id", label="产业链 ID")
    leader = IdFilter(field_name="leader_id", label="责任领导 ID")
    year = YearFilter(field_name="obtained_on__year", label="获取年度")
    stalled = _BooleanFilter(method="filter_stalled", label="停滞预警（true：只看停滞线索）")
    funds = django_filters.ChoiceFilter(
        method="filter_funds",
        choices=[("to_confirm", "待我确认"), ("waiting", "有待确认")],
        label="到资确认（to_confirm：有待本人确认的到资记录的线索；waiting：有待确认的到资记录的线索）",
    )


# ---- serializers -----------------------------------------------------------------------------


class LeadSerializer(serializers.ModelSerializer):
    """A lead as the API returns it; stage, agreement, project and version change only through
    the stage operations."""

    region_name = serializers.CharField(source="region.name", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True, allow_null=True)
    chain_name_en = serializers.CharField(
        source="chain.name_en", read_only=True, allow_null=True, help_text="产业链英文名称（未填为空字符串；无产业链为 null）"
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    leader_name = serializers.CharField(source="leader.name", read_only=True, allow_null=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    days_in_stage = serializers.IntegerField(read_only=True, help_text="在本阶段停留天数")
    stalled = serializers.SerializerMethodField(help_text="停滞预警（超过本阶段标准天数）")
    enterprise = serializers.SerializerMethodField(help_text="签约企业 ID（协议的企业），未签约为 null")
    signed_on = serializers.DateField(read_only=True, allow_null=True, help_text="签约日期（协议的），未签约为 null")
    signed_amount = serializers.DecimalField(
        max_digits=18, decimal_places=4, read_only=True, allow_null=True, help_text="签约额（万元，协议的）"
    )
    arrived_amount = serializers.SerializerMethodField(help_text="累计到资（万元）：只计已确认的到资记录（他人确认、未冲销）")
    industry_section = serializers.CharField(read_only=True, help_text="行业门类，未填为空")
    industry_division = serializers.CharField(read_only=True, help_text="行业大类，未填为空")

    class Meta:
        model = Lead
        fields = [
            "id", *services.LEAD_FIELDS, "region_name", "chain_name", "chain_name_en", "unit_name", "leader_name", "stage", "stage_label",
            "stage_entered_on", "days_in_stage", "stalled", "drop_reason", "agreement", "enterprise", "signed_on", "signed_amount",
            "arrived_amount", "project", "landed_on", "feedback", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_stalled(self, obj: Lead) -> bool:
        return selectors.is_stalled(obj)

    def get_enterprise(self, obj: Lead) -> int | None:
        return obj.agreement.enterprise_id if obj.agreement_id else None  # type: ignore[union-attr]

    @extend_schema_field({"type": "string", "format": "decimal", "pattern": "^-?\\d{0,14}(?:\\.\\d{0,4})?$"})
    def get_arrived_amount(self, obj: Lead) -> str:
        _rows, total = selectors.funds_of(obj)
        return f"{total:.4f}"


class LeadWriteSerializer(StrictInput, serializers.ModelSerializer):
    """Input of a new lead; fields the policy places for the user (a county's region, a
    department's unit) are not accepted."""

    intended_amount = serializers.DecimalField(**AMOUNT, help_text="意向投资额（万元）")
    investor_uscc = serializers.RegexField(
        "^([0-9ANYany][0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y][0-9]{6}[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{10})?$",
        max_length=18, required=False, allow_blank=True, trim_whitespace=False,
        help_text="投资方统一社会信用代码（省外、境外投资方可为空）",
    )  # fmt: skip

    class Meta:
        model = Lead
        fields = list(services.LEAD_FIELDS)
        extra_kwargs = {
            "region": {"required": False, "help_text": "区划代码；县级用户忽略，使用本人所属区划"},
            "obtained_on": {"required": False},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        from keyprojects.projects.selectors import leaders_assignable, units_assignable

        allowed = set(services.lead_writable_fields(user))
        for name in services.LEAD_FIELDS:
            if name not in allowed:
                self.fields.pop(name, None)
        for name, qs in (
            ("region", policy.regions_below(user)),
            ("unit", units_assignable(user)),
            ("leader", leaders_assignable(user)),
            ("source_activity", Activity.objects.visible_to(user)),
            ("chain", IndustryChain.objects.filter(is_active=True)),
        ):
            if name in self.fields:
                self.fields[name].queryset = qs  # type: ignore[attr-defined]

    def message_for(self, name: str) -> str:
        return f"您无权填写该字段（{name}）" if name in services.LEAD_FIELDS else self.not_writable_message


class LeadUpdateSerializer(VersionRequiredMixin, LeadWriteSerializer):
    class Meta(LeadWriteSerializer.Meta):
        fields = [*services.LEAD_FIELDS, "version"]
        extra_kwargs = {**LeadWriteSerializer.Meta.extra_kwargs, "intended_amount": {"required": False}}


class LeadStepSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    on_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="日期，默认今天")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default="", help_text="说明；进入反馈阶段时为反馈意见（必填）"
    )


class LeadDropSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    reason = serializers.CharField(max_length=500, help_text="终止原因")
    on_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="日期，默认今天")


class LeadReopenSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="", help_text="说明")


class CommitmentInputSerializer(StrictInput):
    party = serializers.ChoiceField(choices=Party.choices, help_text="承诺方")
    kind = serializers.ChoiceField(choices=CommitmentKind.choices, help_text="承诺类别")
    description = serializers.CharField(max_length=500, help_text="承诺内容")
    target_value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, allow_null=True, help_text="目标值")
    measure = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="计量单位")
    due_on = serializers.DateField(help_text="履约期限")


class LeadSignSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    enterprise = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="签约企业 ID（须在本人范围内的已登记企业）")
    signed_on = serializers.DateField(help_text="签约日期")
    signed_amount = serializers.DecimalField(**AMOUNT, help_text="签约额（万元）")
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="协议名称，默认“项目名称投资合作协议”"
    )
    signatory_name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default="", help_text="政府签约单位（无责任单位时）"
    )
    commitments = CommitmentInputSerializer(many=True, required=False, help_text="双方承诺")


class LeadLandSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    landed_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="落地日期，默认今天")
    project = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, default=None, help_text="关联已有项目 ID；null 表示在项目库新建"
    )
    annual_plan = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=Decimal(0), required=False, allow_null=True,
                                           default=None, help_text="新建项目的当年计划投资（万元）")  # fmt: skip


class LeadFundsSerializer(StrictInput):
    arrived_on = serializers.DateField(help_text="到资日期")
    arrived_amount = serializers.DecimalField(max_digits=16, decimal_places=4, min_value=Decimal("0.0001"), help_text="到资额（万元）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="", help_text="说明")
    replaces = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, default=None,
        help_text="更正：被更正的已确认到资记录 ID（确认后原记录冲销）；登记新到资时为空",
    )  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="", help_text="更正原因（更正时必填）")


class FundDecideSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="到资记录读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    accept = serializers.BooleanField(help_text="true：确认到资（或确认冲销）；false：退回（或不同意冲销），须填写理由")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="", help_text="确认意见；退回时必填理由")


class FundVoidSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="到资记录读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    reason = serializers.CharField(max_length=500, help_text="冲销原因")


class FundWithdrawSerializer(StrictInput):
    version = serializers.IntegerField(
        min_value=1, max_value=VERSION_MAX, help_text="到资记录读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED}
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="", help_text="撤回说明（选填）")


def _name(user: Any) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


class FundEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = FundEvent
        fields = ["kind", "note", "actor_name", "at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor_name(self, obj: FundEvent) -> str | None:
        return _name(obj.actor)


class FundEntrySerializer(serializers.ModelSerializer):
    """A 到资 entry: only ``counts`` entries (已确认, 冲销待确认) are in the lead's ``arrived_amount``."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    counts = serializers.BooleanField(read_only=True, help_text="是否计入累计到资（已确认且未冲销）")
    recorded_by_name = serializers.SerializerMethodField()
    confirmed_by_name = serializers.SerializerMethodField()
    void_requested_by_name = serializers.SerializerMethodField()
    voided_by_name = serializers.SerializerMethodField()
    history = FundEventSerializer(many=True, read_only=True, source="events")

    class Meta:
        model = FundArrival
        fields = [
            "id", "arrived_on", "arrived_amount", "note", "status", "status_label", "counts", "replaces", "reason", "recorded_by_name",
            "confirmed_by_name", "confirmed_at", "return_note", "void_requested_by_name", "void_reason", "voided_by_name", "voided_at",
            "version", "created_at", "history",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recorded_by_name(self, obj: FundArrival) -> str | None:
        return _name(obj.recorded_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_confirmed_by_name(self, obj: FundArrival) -> str | None:
        return _name(obj.confirmed_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_void_requested_by_name(self, obj: FundArrival) -> str | None:
        return _name(obj.void_requested_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_voided_by_name(self, obj: FundArrival) -> str | None:
        return _name(obj.voided_by)


STAGE_HELP = "阶段代码：" + "、".join(f"{v}={label}" for v, label in LeadStage.choices)


class LeadEventSerializer(serializers.ModelSerializer):
    # Plain strings: the stage enum is documented once, on ``Lead.stage``.
    from_stage = serializers.CharField(read_only=True, help_text=STAGE_HELP + "；登记事件为空")
    to_stage = serializers.CharField(read_only=True, help_text=STAGE_HELP)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = LeadEvent
        fields = ["id", "kind", "from_stage", "to_stage", "on_date", "reason", "actor_name", "at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor_name(self, obj: LeadEvent) -> str | None:
        return None if obj.actor is None else (obj.actor.get_full_name() or obj.actor.get_username())


class FunnelRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    leads = serializers.IntegerField()
    negotiated = serializers.IntegerField()
    signed = serializers.IntegerField()
    landed = serializers.IntegerField()
    started = serializers.IntegerField()
    funded = serializers.IntegerField()
    producing = serializers.IntegerField()
    signed_amount = serializers.DecimalField(max_digits=20, decimal_places=4)
    arrived_amount = serializers.DecimalField(max_digits=20, decimal_places=4)
    conversion_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, help_text="线索转化率（签约/线索）")
    landing_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, help_text="签约落地率")
    start_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, help_text="签约项目开工率")
    funded_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, help_text="签约项目到资率")
    production_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, help_text="签约项目投产率")
    funds_rate = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True, help_text="资金到位率（到资/签约额）")

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        data["key"] = None if instance.key is None else str(instance.key)
        return data


class FunnelSerializer(serializers.Serializer):
    by = serializers.CharField()
    total = FunnelRowSerializer()
    rows = FunnelRowSerializer(many=True)


# ---- the viewset ----------------------------------------------------------------------------------


@extend_schema_view(
    list=_op(
        "leads_list",
        "招商线索列表（本人范围内）/ List investment leads in scope",
        responses={200: LeadSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=_op("leads_retrieve", "招商线索详情 / Get a lead", responses={200: LeadSerializer, **READ_ERRORS}),
    create=_op(
        "leads_create",
        "登记招商线索（信息获取）/ Record a lead",
        request=LeadWriteSerializer,
        responses={201: LeadSerializer, 400: ERR, 403: ERR, 404: ERR},
    ),
    partial_update=_op(
        "leads_partial_update", "修改招商线索 / Update a lead", request=LeadUpdateSerializer, responses={200: LeadSerializer, **STEP_ERRORS}
    ),
)
class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LeadSerializer
    queryset = Lead.objects.none()
    filterset_class = ApiLeadFilter
    permission_classes = [IsAuthenticated, ReadOnlyRolesCannotWrite]

    def get_queryset(self) -> QuerySet[Lead]:
        if getattr(self, "swagger_fake_view", False) or not policy.can_see_leads(self.request.user):
            return Lead.objects.none()
        return selectors.leads_visible(self.request.user).order_by("-obtained_on", "-id")

    def get_object(self) -> Lead:
        return get_for_user(Lead, user=self.request.user, pk=self.kwargs["pk"], request=self.request)

    def _editable(self, request: Request, pk: Any) -> Lead:
        if not policy.can_record_leads(request.user):
            raise PermissionDenied()
        return get_for_user(Lead, user=request.user, pk=pk, for_edit=True, request=request)

    def _step(self, request: Request, pk: Any, serializer_class: type[serializers.Serializer]) -> tuple[Lead, dict[str, Any]]:
        """The editable lead and the validated body of a stage operation."""
        lead = self._editable(request, pk)
        ser = serializer_class(data=request.data)
        ser.is_valid(raise_exception=True)
        return lead, ser.validated_data

    def _read(self, lead: Lead, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.leads_visible(self.request.user).get(pk=lead.pk)
        return Response(LeadSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not policy.can_record_leads(request.user):
            raise PermissionDenied()
        ser = LeadWriteSerializer(data=request.data, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        lead = services.lead_create(user=request.user, data=dict(ser.validated_data), request=request)
        return self._read(lead, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lead = self._editable(request, kwargs["pk"])
        ser = LeadUpdateSerializer(lead, data=request.data, partial=True, context=self.get_serializer_context())
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version")
        lead = services.lead_update(user=request.user, lead=lead, expected_version=version, data=data, request=request)
        return self._read(lead)

    @_op("leads_advance", "推进到下一阶段（信息获取→考察洽谈、落地→反馈）/ Advance a lead", request=LeadStepSerializer,
         responses={200: LeadSerializer, **STEP_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"], serializer_class=LeadStepSerializer, filterset_class=None)
    def advance(self, request: Request, pk: str | None = None) -> Response:
        lead, d = self._step(request, pk, LeadStepSerializer)
        lead = services.lead_advance(
            user=request.user, lead=lead, expected_version=d["version"], on_date=d["on_date"], note=d["note"], request=request
        )
        return self._read(lead)

    @_op("leads_sign", "签约：登记政企合作协议（考察洽谈→签约）/ Sign: record the agreement", request=LeadSignSerializer,
         responses={200: LeadSerializer, **STEP_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"], serializer_class=LeadSignSerializer, filterset_class=None)
    def sign(self, request: Request, pk: str | None = None) -> Response:
        from keyprojects.projects.selectors import owners_assignable

        lead, d = self._step(request, pk, LeadSignSerializer)
        enterprise = owners_assignable(request.user).filter(pk=d["enterprise"]).first()
        if enterprise is None:
            raise ValidationFailed(extra={"fields": {"enterprise": ["签约企业不存在或不在您的管辖范围内"]}})
        lead = services.lead_sign(
            user=request.user, lead=lead, expected_version=d["version"], enterprise=enterprise, signed_on=d["signed_on"],
            amount=d["signed_amount"], title=d["title"], signatory_name=d["signatory_name"],
            commitments=[dict(c) for c in d.get("commitments", [])], request=request,
        )  # fmt: skip
        return self._read(lead)

    @_op("leads_land", "落地：新建或关联项目库项目（签约→落地）/ Land: create or link the registry project", request=LeadLandSerializer,
         responses={200: LeadSerializer, **STEP_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"], serializer_class=LeadLandSerializer, filterset_class=None)
    def land(self, request: Request, pk: str | None = None) -> Response:
        from keyprojects.projects.models import Project

        lead, d = self._step(request, pk, LeadLandSerializer)
        project = None
        if d["project"] is not None:
            project = Project.objects.editable_by(request.user).filter(pk=d["project"]).first()
            if project is None:
                raise ValidationFailed(extra={"fields": {"project": ["项目不存在或不在您的管辖范围内"]}})
        lead = services.lead_land(
            user=request.user, lead=lead, expected_version=d["version"], landed_on=d["landed_on"], project=project,
            annual_plan=d["annual_plan"], request=request,
        )  # fmt: skip
        return self._read(lead)

    @_op("leads_drop", "终止线索（须填原因）/ Give a lead up", request=LeadDropSerializer, responses={200: LeadSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], serializer_class=LeadDropSerializer, filterset_class=None)
    def drop(self, request: Request, pk: str | None = None) -> Response:
        lead, d = self._step(request, pk, LeadDropSerializer)
        lead = services.lead_drop(
            user=request.user, lead=lead, expected_version=d["version"], reason=d["reason"], on_date=d["on_date"], request=request
        )
        return self._read(lead)

    @_op(
        "leads_reopen", "重新启动已终止的线索 / Reopen a lead", request=LeadReopenSerializer, responses={200: LeadSerializer, **STEP_ERRORS}
    )
    @action(detail=True, methods=["post"], serializer_class=LeadReopenSerializer, filterset_class=None)
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        lead, d = self._step(request, pk, LeadReopenSerializer)
        lead = services.lead_reopen(user=request.user, lead=lead, expected_version=d["version"], reason=d["reason"], request=request)
        return self._read(lead)

    @_op(
        "leads_funds",
        "登记到资或更正（待他人确认后计入）/ Record funds arrived or a correction (counted once confirmed)",
        request=LeadFundsSerializer,
        responses={200: LeadSerializer, **STEP_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=LeadFundsSerializer, filterset_class=None)
    def funds(self, request: Request, pk: str | None = None) -> Response:
        lead, d = self._step(request, pk, LeadFundsSerializer)
        services.fund_arrival_add(
            user=request.user, lead=lead, arrived_on=d["arrived_on"], arrived_amount=d["arrived_amount"], note=d["note"],
            replaces=d["replaces"], reason=d["reason"], request=request,
        )  # fmt: skip
        return self._read(lead)

    @_op("leads_fund_entries", "线索的到资记录（含待确认、已退回、已冲销）及其经过 / 到资 entries of a lead with their history",
         responses={200: FundEntrySerializer(many=True), **READ_ERRORS})  # fmt: skip
    @action(detail=True, methods=["get"], url_path="fund-entries", serializer_class=FundEntrySerializer, filterset_class=None,
            pagination_class=None)  # fmt: skip
    def fund_entries(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        rows = (
            FundArrival.objects.filter(lead=lead)
            .select_related("recorded_by", "confirmed_by", "void_requested_by", "voided_by")
            .prefetch_related("events__actor")
        )
        return Response(FundEntrySerializer(rows.order_by("arrived_on", "id"), many=True).data)

    def _fund(self, request: Request, pk: Any, entry: Any) -> FundArrival:
        if not policy.can_record_leads(request.user):
            raise PermissionDenied()
        lead = get_for_user(Lead, user=request.user, pk=pk, request=request)
        fund = get_for_user(FundArrival, user=request.user, pk=entry, request=request)
        if fund.lead_id != lead.pk:
            raise NotFound()
        return fund

    def _entry_out(self, fund: FundArrival) -> Response:
        fresh = FundArrival.objects.select_related("recorded_by", "confirmed_by", "void_requested_by", "voided_by").get(pk=fund.pk)
        return Response(FundEntrySerializer(fresh).data)

    @_op("leads_fund_decide", "确认或退回到资记录（或确认、退回冲销申请），登记人本人不能确认 / Confirm or return a 到资 entry (four eyes)",
         request=FundDecideSerializer, parameters=[ENTRY_PARAMETER], responses={200: FundEntrySerializer, **STEP_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"], url_path=r"fund-entries/(?P<entry>[0-9]+)/decide", serializer_class=FundDecideSerializer,
            filterset_class=None)  # fmt: skip
    def fund_decide(self, request: Request, pk: str | None = None, entry: str | None = None) -> Response:
        fund = self._fund(request, pk, entry)
        ser = FundDecideSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        fund = services.fund_decide(
            user=request.user, entry=fund, expected_version=d["version"], accept=d["accept"], note=d["note"], request=request
        )
        return self._entry_out(fund)

    @_op("leads_fund_void", "申请冲销已确认的到资记录（须填原因，由他人确认）/ Ask for a 到资 entry to be voided",
         request=FundVoidSerializer, parameters=[ENTRY_PARAMETER], responses={200: FundEntrySerializer, **STEP_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"], url_path=r"fund-entries/(?P<entry>[0-9]+)/void", serializer_class=FundVoidSerializer,
            filterset_class=None)  # fmt: skip
    def fund_void(self, request: Request, pk: str | None = None, entry: str | None = None) -> Response:
        fund = self._fund(request, pk, entry)
        ser = FundVoidSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        fund = services.fund_void_request(user=request.user, entry=fund, expected_version=d["version"], reason=d["reason"], request=request)
        return self._entry_out(fund)

    @_op("leads_fund_withdraw", "登记人撤回本人待确认的到资登记（撤回后不计入）/ The enterer withdraws her own pending 到资 entry",
         request=FundWithdrawSerializer, parameters=[ENTRY_PARAMETER], responses={200: FundEntrySerializer, **STEP_ERRORS})  # fmt: skip
    @action(detail=True, methods=["post"], url_path=r"fund-entries/(?P<entry>[0-9]+)/withdraw", serializer_class=FundWithdrawSerializer,
            filterset_class=None)  # fmt: skip
    def fund_withdraw(self, request: Request, pk: str | None = None, entry: str | None = None) -> Response:
        fund = self._fund(request, pk, entry)
        ser = FundWithdrawSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        fund = services.fund_withdraw(user=request.user, entry=fund, expected_version=d["version"], note=d["note"], request=request)
        return self._entry_out(fund)

    @_op("leads_events", "线索的阶段事件 / Events of a lead", responses={200: LeadEventSerializer(many=True), **LIST_ERRORS})
    @action(detail=True, methods=["get"], serializer_class=LeadEventSerializer, filterset_class=None)
    def events(self, request: Request, pk: str | None = None) -> Response:
        lead = self.get_object()
        page = self.paginate_queryset(LeadEvent.objects.filter(lead=lead).select_related("actor").order_by("on_date", "id"))
        return self.get_paginated_response(LeadEventSerializer(page, many=True).data)

    @_op(
        "leads_funnel",
        "转化漏斗与履约（按区域、领导、产业链、来源或月份）/ Funnel and fulfilment figures",
        parameters=[OpenApiParameter("by", str, enum=list(selectors.GROUPS), description="分组，默认 region")],
        responses={200: FunnelSerializer, **LIST_ERRORS},
    )
    @action(detail=False, methods=["get"], serializer_class=FunnelSerializer, pagination_class=None)
    def funnel(self, request: Request) -> Response:
        by = request.query_params.get("by", "region")
        if by not in selectors.GROUPS:
            raise invalid_query({"by": [f"应为 {'、'.join(selectors.GROUPS)} 之一"]})
        qs = self.filter_queryset(self.get_queryset())
        total, rows = selectors.funnel(qs, by=by)
        return Response(FunnelSerializer({"by": by, "total": total, "rows": rows}).data)
