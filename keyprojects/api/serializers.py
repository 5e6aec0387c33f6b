"""Serializers of ``/api/v1``: output shapes, and input whitelists that feed the services.

Input serializers only validate; every write goes through the app's service
(``project_create``, ``project_update``, ``project_transition``, ``enterprise_create``,
``enterprise_update``). Fields a role may not set are removed from the input serializer, so a
posted ``region``/``stage``/``version`` etc. is ignored rather than applied (reliability.md 13).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from keyprojects.accounts import policy
from keyprojects.core.validators import PROJECT_CODE_RE
from keyprojects.enterprises.models import Enterprise, EnterpriseContact
from keyprojects.enterprises.services import ENTERPRISE_FIELDS
from keyprojects.projects.choices import Nature, Stage
from keyprojects.projects.industries import DIVISION_CHOICES, SECTION_CHOICES
from keyprojects.projects.models import Project, ProjectEvent, SponsorLeader
from keyprojects.projects.selectors import leaders_assignable, owners_assignable, units_assignable
from keyprojects.projects.services import PROJECT_FIELDS, writable_fields
from keyprojects.regions.models import Region, Unit

MONEY = {"max_digits": 18, "decimal_places": 4}
# GB 32100: 18 characters of its alphabet (no I, O, S, V, Z); lower case is taken as upper case.
USCC_PATTERN = "^[0-9ANYany][0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y][0-9]{6}[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{10}$"
PROJECT_CODE_PATTERN = PROJECT_CODE_RE.pattern


def _user(serializer: serializers.BaseSerializer) -> Any:
    """The requesting user, or None while drf-spectacular builds the (user-independent) schema."""
    view = serializer.context.get("view")
    if view is not None and getattr(view, "swagger_fake_view", False):
        return None
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


DECIMAL_TEXT = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def _json_type(field: serializers.Field) -> type | tuple[type, ...] | None:
    if isinstance(field, serializers.BooleanField):
        return bool
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        pk = field.get_queryset().model._meta.pk
        return int if pk.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField") else str
    if isinstance(field, serializers.IntegerField):
        return int
    if isinstance(field, (serializers.ListField, serializers.ListSerializer, serializers.MultipleChoiceField)):
        return list
    if isinstance(field, (serializers.Serializer, serializers.DictField)):
        return dict
    if isinstance(field, serializers.ChoiceField):
        return str if all(isinstance(k, str) for k in field.choices) else None
    if isinstance(field, (serializers.CharField, serializers.DecimalField, serializers.DateField, serializers.DateTimeField)):
        return str
    return None


def _json_type_ok(field: serializers.Field, value: Any) -> bool:
    expected = _json_type(field)
    if expected is None:
        return True
    # the members of an object or array are of the child's JSON type too (DRF would coerce 1 to "1")
    if isinstance(field, serializers.DictField) and isinstance(value, dict):
        return all(v is None or _json_type_ok(field.child, v) for v in value.values())
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return all(v is None or _json_type_ok(field.child, v) for v in value)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.DecimalField):
        # plain decimal text (no exponent, no padding), as the schema's pattern says
        return isinstance(value, str) and DECIMAL_TEXT.fullmatch(value) is not None
    return isinstance(value, expected)


def _json_type_name(field: serializers.Field) -> str:
    return (
        {bool: "true 或 false", int: "整数", list: "数组", dict: "对象", str: "字符串"}.get(_json_type(field), "其他类型")
        if not isinstance(field, serializers.DecimalField)
        else '数字文本（如 "120.5"）'
    )  # type: ignore[arg-type]


STRICT_INPUTS: set[str] = set()  # serializer class names whose request schema forbids other keys


class StrictInput(serializers.Serializer):
    """An input that refuses keys it does not take (issue 11 §4, issue 17): a field this user may
    not write, a read-only or an unknown field answers 400 naming it instead of being ignored.
    Its request schema says ``additionalProperties: false`` (keyprojects.api.schema)."""

    not_writable_message = "不能通过此接口填写该字段"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        STRICT_INPUTS.add(cls.__name__)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name: f for name, f in self.fields.items() if not f.read_only}
            errors = {k: [self.message_for(k)] for k in data if k not in writable}
            # JSON types as the schema states them: DRF would take 0 for a text, "5" for a whole
            # number or 1 for a boolean.
            for name, value in data.items():
                field = writable.get(name)
                if field is not None and value is not None and not _json_type_ok(field, value):
                    errors[name] = [f"类型错误：应为{_json_type_name(field)}"]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def message_for(self, name: str) -> str:
        return self.not_writable_message


class ErrorSerializer(serializers.Serializer):
    """Every error: a stable code, a Chinese message, and details (``extra.fields`` for input)."""

    code = serializers.CharField(help_text="稳定的错误代码，如 invalid、not_found、conflict、permission_denied")
    message = serializers.CharField(help_text="给用户看的中文说明")
    extra = serializers.DictField(help_text="附加信息；输入错误时 fields 为 字段 → 错误列表")


#: A write without ``version`` (optimistic locking, ADR 0006): 400 naming the field with this message.
VERSION_REQUIRED = "缺少 version：请先读取该对象，并提交读取时的版本号（乐观锁）"


class VersionRequiredMixin(StrictInput):
    """``version`` (the version the client last read) is required, also for PATCH, where DRF
    would otherwise make every field optional."""

    version = serializers.IntegerField(min_value=1, help_text="读取时的版本号（乐观锁）", error_messages={"required": VERSION_REQUIRED})

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [VERSION_REQUIRED]})
        return super().validate(attrs)  # type: ignore[no-any-return]


# ---- reference data -------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "province_code", "city_code"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "kind", "region", "region_name", "is_active"]
        read_only_fields = fields


class LeaderSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = SponsorLeader
        fields = ["id", "name", "title", "region", "region_name"]
        read_only_fields = fields


# ---- enterprises ----------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "email", "nullable": True, "description": "邮箱；未填为 null"})
class OptionalEmailField(serializers.CharField):
    """An optional e-mail address: null when none is on file (never ``""``, which is no address)."""

    def to_representation(self, value: Any) -> str | None:
        return value or None


class EnterpriseContactSerializer(serializers.ModelSerializer):
    email = OptionalEmailField(read_only=True)

    class Meta:
        model = EnterpriseContact
        fields = ["id", "name", "title", "phone", "email"]
        read_only_fields = fields


class EnterpriseSerializer(serializers.ModelSerializer):
    """An enterprise as the API returns it."""

    region_name = serializers.CharField(source="region.name", read_only=True)
    industry_section = serializers.ChoiceField(choices=SECTION_CHOICES, allow_blank=True, read_only=True, help_text="行业门类，未填为空")
    contacts = EnterpriseContactSerializer(many=True, read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "region",
            "region_name",
            "industry_section",
            "industry_division",
            "address",
            "legal_representative",
            "contacts",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EnterpriseWriteSerializer(StrictInput, serializers.ModelSerializer):
    """Input of enterprise create; the service decides which fields the role may set. The USCC
    is 18 characters of the GB 32100 alphabet (its check character is verified by the model)."""

    uscc = serializers.RegexField(
        USCC_PATTERN,
        min_length=18,
        max_length=18,
        trim_whitespace=False,
        error_messages={
            "invalid": "统一社会信用代码含有不允许的字符（数字和字母，不使用 I、O、Z、S、V）",
            "min_length": "统一社会信用代码应为18位",
            "max_length": "统一社会信用代码应为18位",
        },
        help_text="统一社会信用代码（18位，GB 32100 字符集，末位为校验位；小写字母按大写处理）",
    )

    class Meta:
        model = Enterprise
        fields = list(ENTERPRISE_FIELDS)
        extra_kwargs = {"region": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        allowed = set(policy.enterprise_writable_fields(user, ENTERPRISE_FIELDS, creating=self.instance is None))
        for name in ENTERPRISE_FIELDS:
            if name not in allowed:
                self.fields.pop(name, None)

    def message_for(self, name: str) -> str:
        return f"您无权填写该字段（{name}）" if name in ENTERPRISE_FIELDS else self.not_writable_message


class EnterpriseUpdateSerializer(VersionRequiredMixin, EnterpriseWriteSerializer):
    """Input of enterprise update: ``version`` is the version the client last read."""

    class Meta(EnterpriseWriteSerializer.Meta):
        fields = [*ENTERPRISE_FIELDS, "version"]


# ---- projects -------------------------------------------------------------------------------


class ProjectYearSerializer(StrictInput):
    """One year's plan of a project (年度计划投资) and the key-project lists it is on."""

    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    annual_plan = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False, help_text="年度计划投资（万元）")
    on_province_list = serializers.BooleanField(required=False, help_text="省级重点")
    on_city_list = serializers.BooleanField(required=False, help_text="市级重点")
    on_county_list = serializers.BooleanField(required=False, help_text="县级重点")
    nature = serializers.ChoiceField(
        choices=Nature.choices,
        allow_blank=True,
        required=False,
        help_text="该年度清单上的建设性质；空为未注明（按项目的建设性质）。当年的即项目的建设性质",
    )


class ProjectSerializer(serializers.ModelSerializer):
    """A project as the API returns it; ``stage``, ``province_code``, ``city_code`` and
    ``version`` only ever change through the services."""

    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    zone_name = serializers.CharField(source="zone.name", read_only=True, allow_null=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True, allow_null=True)
    sponsor_leader_name = serializers.CharField(source="sponsor_leader.name", read_only=True, allow_null=True)
    stage_label = serializers.CharField(read_only=True)
    industry_section = serializers.ChoiceField(choices=SECTION_CHOICES, allow_blank=True, read_only=True, help_text="行业门类，未填为空")
    industry_division = serializers.ChoiceField(choices=DIVISION_CHOICES, allow_blank=True, read_only=True, help_text="行业大类，未填为空")
    years = ProjectYearSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        # Every writable field (the services' whitelist) plus what only the services set.
        fields = [
            "id",
            *PROJECT_FIELDS,
            "owner_name",
            "region_name",
            "province_code",
            "city_code",
            "zone_name",
            "responsible_unit_name",
            "sponsor_leader_name",
            "stage",
            "stage_label",
            "years",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectWriteSerializer(StrictInput, serializers.ModelSerializer):
    """Input of project create. Only the fields the requesting role may set are accepted
    (``projects.services.writable_fields``); ``years`` upserts annual plans by year."""

    years = ProjectYearSerializer(many=True, required=False, help_text="按年度新增或更新年度计划")
    project_code = serializers.RegexField(
        PROJECT_CODE_PATTERN,
        max_length=24,
        required=False,
        allow_null=True,
        trim_whitespace=False,
        error_messages={"invalid": "项目代码格式应为 YYMM-行政区划6位-部门2位-类型2位-6位流水及校验（如 2403-370102-04-01-123456）"},
        help_text="投资项目代码（GB/T 40058），如 2403-370102-04-01-123456；null 表示没有",
    )

    class Meta:
        model = Project
        fields = [*PROJECT_FIELDS, "years"]
        extra_kwargs = {
            "region": {"required": False, "help_text": "区划代码；县级、部门用户忽略此字段，使用本人所属区划"},
            "total_investment": {"min_value": Decimal("0")},
            "invested_before": {"min_value": Decimal("0")},
            "latitude": {"min_value": Decimal("-90"), "max_value": Decimal("90")},
            "longitude": {"min_value": Decimal("-180"), "max_value": Decimal("180")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        allowed = set(writable_fields(user))
        for name in PROJECT_FIELDS:
            if name not in allowed:
                self.fields.pop(name, None)
        if not policy.can_write_years(user):
            self.fields.pop("years", None)
        # Related objects must be within reach: no linking to (or probing for) others' data.
        # An update may keep the value already set even if it lies outside (cf. with_current).
        current = self.instance if isinstance(self.instance, Project) else None
        for name, qs, cur in (
            ("owner", owners_assignable(user), current and current.owner_id),
            ("sponsor_leader", leaders_assignable(user), current and current.sponsor_leader_id),
            ("responsible_unit", units_assignable(user), current and current.responsible_unit_id),
            ("zone", units_assignable(user).filter(kind="zone"), current and current.zone_id),
        ):
            if name in self.fields:
                self.fields[name].queryset = qs.model._default_manager.filter(Q(pk__in=qs.values("pk")) | Q(pk=cur)) if cur else qs

    def message_for(self, name: str) -> str:
        if name in PROJECT_FIELDS or name == "years":
            return f"您无权填写该字段（{name}）"
        return self.not_writable_message

    def validate_years(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[int] = set()
        for item in value:
            if "year" not in item:  # a partial update does not make the year of a plan optional
                raise serializers.ValidationError("每个年度计划须填写年度（year）")
            if item["year"] in seen:
                raise serializers.ValidationError(f"年度 {item['year']} 重复")
            seen.add(item["year"])
        return value


class ProjectUpdateSerializer(VersionRequiredMixin, ProjectWriteSerializer):
    """Input of project update: ``version`` is the version the client last read; if somebody
    saved in between the API answers 409 ``conflict`` and writes nothing."""

    total_investment_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="总投资调整原因：总投资变化达到10倍及以上时必填（防止把元当作万元）",
    )

    class Meta(ProjectWriteSerializer.Meta):
        fields = [*PROJECT_FIELDS, "years", "version", "total_investment_reason"]


TRANSITION_TARGETS = [*Stage.choices, ("resume", "恢复建设")]


class TransitionSerializer(StrictInput):
    """Input of a life-cycle transition."""

    to_stage = serializers.ChoiceField(choices=TRANSITION_TARGETS, help_text="目标阶段；resume 表示从停缓建恢复")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="", help_text="原因（停缓建、退库必填）")
    version = serializers.IntegerField(min_value=1, help_text="读取时的版本号（乐观锁）")
    on_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="阶段变更发生的日期（实际开工、竣工、投产、停缓建等），不晚于今天，默认今天；项目已有实际开工/竣工日期时以其为准",
    )


STAGE_HELP = "阶段代码：" + "、".join(f"{v}={label}" for v, label in Stage.choices)


class ProjectEventSerializer(serializers.ModelSerializer):
    # Plain strings here: the stage enum is documented once, on ``Project.stage``.
    from_stage = serializers.CharField(read_only=True, help_text=STAGE_HELP + "；创建事件为空")
    to_stage = serializers.CharField(read_only=True, help_text=STAGE_HELP)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ProjectEvent
        fields = ["id", "kind", "from_stage", "to_stage", "reason", "actor_name", "at", "on_date"]
        read_only_fields = fields
        extra_kwargs = {"on_date": {"help_text": "变更发生的日期（可早于登记时间 at）；早期记录为登记日"}}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor_name(self, obj: ProjectEvent) -> str | None:
        if obj.actor is None:
            return None
        return obj.actor.get_full_name() or obj.actor.get_username()


# ---- auth -----------------------------------------------------------------------------------


class TokenRequestSerializer(StrictInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="令牌名称（便于在“我的 API 令牌”中识别）")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="在请求头中使用：Authorization: Token <token>；只显示这一次")
    expires_at = serializers.DateTimeField(help_text="到期时间；修改密码、停用账户或变更角色/范围时提前失效")


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(read_only=True, help_text="令牌的前8位")
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)


# ---- 分月计划 (a project's 12-month plan curve of a year) ---------------------------------------


class MonthlyPlanMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(read_only=True, help_text="月份 1–12")
    planned = serializers.DecimalField(
        **MONEY, read_only=True, help_text="计划完成投资（万元）；已关账月份为关账时计入统计的值（年度计划调整后不随之改变）"
    )
    planned_to_date = serializers.DecimalField(
        **MONEY, read_only=True, help_text="累计序时计划（万元）：已关账月份为关账时计入的值，其余月份按现行分月计划累计"
    )
    frozen = serializers.BooleanField(read_only=True, help_text="该月已关账：其计划已计入统计，修改时须保持原值")


class MonthlyPlanSerializer(serializers.Serializer):
    """A project's 分月计划 of one year as it counts now: its own twelve months, or the default
    spread of the annual plan (``own`` false)."""

    project = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    annual_plan = serializers.DecimalField(**MONEY, read_only=True, allow_null=True, help_text="年度计划投资（万元）；null 表示尚无")
    own = serializers.BooleanField(read_only=True, help_text="true：项目自定的分月计划；false：按调度设置的默认权重分布年度计划")
    total = serializers.DecimalField(**MONEY, read_only=True, help_text="12个月合计（万元）")
    months = MonthlyPlanMonthSerializer(many=True, read_only=True)
    expected = serializers.ListField(
        child=serializers.DecimalField(**MONEY),
        read_only=True,
        help_text="12个月的现值：修改时原样放入请求的 expected（乐观锁）",
    )
    unchanged = serializers.BooleanField(
        read_only=True, help_text="PUT 的回应：true 表示提交的值与现值相同，未作修改（未写入、无审计记录）；GET 时为 false"
    )


def twelve_amounts(help_text: str, *, required: bool = True) -> serializers.ListField:
    """A year's twelve monthly amounts (万元, as number texts): a plan's ``months`` or ``expected``."""
    return serializers.ListField(
        child=serializers.DecimalField(**MONEY), min_length=12, max_length=12, required=required, help_text=help_text
    )


class MonthlyPlanWriteSerializer(StrictInput):
    """Input of ``PUT /projects/{id}/monthly-plans/{year}/``: twelve amounts, or ``default``."""

    months = twelve_amounts(
        "1–12月的计划完成投资（万元，数字文本，最多四位小数，即精确到元），合计须等于年度计划投资（精确到元）；已关账月份须保持原值；与现值相同时不作修改",
        required=False,
    )
    expected = twelve_amounts("读取时的12个月数值（GET 返回的 expected）；其间被他人修改时返回 409 conflict")
    default = serializers.BooleanField(required=False, default=False, help_text="true：恢复默认分布（此时不传 months）")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("default") and "months" in attrs:
            raise serializers.ValidationError({"months": ["恢复默认分布时不传 months"]})
        if not attrs.get("default") and "months" not in attrs:
            raise serializers.ValidationError({"months": ["请提供12个月的数值"]})
        return attrs


def monthly_plan_data(project: Project, state: Any, *, unchanged: bool = False) -> dict[str, Any]:
    """``MonthlyPlanSerializer``'s input from ``dispatch.selectors_plans.PlanMonths``."""
    months = [
        {"month": m, "planned": v, "planned_to_date": cum, "frozen": m in state.frozen}
        for m, (v, cum) in enumerate(zip(state.curve, state.cumulative, strict=True), start=1)
    ]
    return {
        "project": project.pk,
        "year": state.year,
        "annual_plan": state.annual_plan,
        "own": state.own,
        "total": state.total,
        "months": months,
        "expected": list(state.curve),
        "unchanged": unchanged,
    }
