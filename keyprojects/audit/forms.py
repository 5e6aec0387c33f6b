"""The audit page's filter form (GET); the same filters drive the xlsx export."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .selectors import distinct_values

ACTION_LABELS = {
    "login": _("登录"),
    "login_failed": _("登录失败"),
    "lockout": _("账户锁定"),
    "unlock": _("解除锁定"),
    "logout": _("退出登录"),
    "password_change": _("修改密码"),
    "permission_denied": _("越权访问"),
    "create": _("新增"),
    "update": _("修改"),
    "delete": _("删除"),
    "transition": _("阶段变更"),
    "submit": _("提交"),
    "approve": _("审核通过"),
    "return": _("退回"),
    "import": _("导入"),
    "export": _("导出"),
    "config": _("配置变更"),
    "audit_purge": _("清理审计日志"),
    "audit_key_rotate": _("轮换审计密钥"),
    "password_reset": _("发放一次性密码"),
    "role_assign": _("分配角色和范围"),
    "token_create": _("新建 API 令牌"),
    "token_revoke": _("撤销 API 令牌"),
    "otp_enroll": _("启用两步验证"),
    "otp_verify": _("两步验证通过"),
    "otp_failed": _("两步验证失败"),
    "otp_remove": _("关闭两步验证"),
    # the monthly report's steps (dispatch.choices.StepAction) and the month's work
    "save": _("保存"),
    "forward": _("审核通过并上报"),
    "acknowledge": _("确认校验提示"),
    "revise": _("申请更正"),
    "revision_approve": _("更正审定"),
    "revision_reject": _("更正驳回"),
    "period_close": _("关账"),
    "summaries_refresh": _("刷新汇总"),
    "assessment_compute": _("计算考核结果"),
    "assessment_publish": _("发布考核结果"),
    "view": _("查看"),
    # the command line
    "seed_demo": _("生成演示数据"),
    "regions_load": _("载入行政区划"),
}

#: The first part of a dotted action ("lead.signed"): what the action was done to.
ACTION_OBJECTS = {
    "activity": _("招商活动"),
    "agreement": _("合作协议"),
    "approval": _("审批事项"),
    "assistance": _("帮扶事项"),
    "attraction": _("招商引资"),
    "brand_application": _("品牌申报"),
    "brand_round": _("品牌遴选"),
    "calendar": _("工作日历"),
    "commitment": _("承诺事项"),
    "consultation": _("会商会办"),
    "cultivation_entry": _("培育企业"),
    "cultivation_list": _("培育名单"),
    "factor_lists": _("四张清单"),
    "factor_need": _("要素需求"),
    "lead": _("招商线索"),
    "liaison": _("联络员"),
    "meeting": _("政企沟通交流会"),
    "open311": _("Open311 密钥"),
    "policy_grant": _("政策兑现"),
    "request": _("企业诉求"),
    "request_category": _("诉求类别"),
    "routing_rule": _("分办规则"),
}
#: The second part of a dotted action: what was done (the plain verbs of ACTION_LABELS too).
ACTION_VERBS = {
    "acknowledge": _("受理"),
    "admit": _("纳入"),
    "advance": _("推进"),
    "advanced": _("阶段推进"),
    "carry_over": _("结转"),
    "catalogue_save": _("保存目录"),
    "check": _("核验"),
    "claim": _("认领"),
    "confirm": _("确认"),
    "created": _("登记"),
    "decline": _("转交负责单位"),
    "dropped": _("终止"),
    "extension_ask": _("申请延期"),
    "extension_decide": _("审批延期"),
    "funds": _("登记到位资金"),
    "funds_confirm": _("确认到位资金"),
    "funds_return": _("退回到位资金"),
    "funds_void": _("冲销到位资金"),
    "funds_void_request": _("申请冲销到位资金"),
    "funds_void_return": _("驳回冲销申请"),
    "funds_withdraw": _("撤回到位资金登记"),
    "hold": _("召开"),
    "industrychain_save": _("保存产业链"),  # the admin's attraction.<model>_save
    "items_set": _("设置事项"),
    "keep": _("保留"),
    "key_issue": _("签发"),
    "key_revoke": _("吊销"),
    "landed": _("落地"),
    "link_agreement": _("关联协议"),
    "link_project": _("关联项目"),
    "nominate": _("提名"),
    "override_delete": _("删除调整"),
    "override_set": _("设置调整"),
    "pass": _("通过"),
    "propose_removal": _("提议移出"),
    "rate": _("评价"),
    "remove": _("移出"),
    "reopened": _("重新启动"),
    "reply": _("答复"),
    "reject": _("未入选"),
    "reroute": _("改派"),
    "route": _("分办"),
    "score": _("评分"),
    "select": _("入选"),
    "serviceitem_save": _("保存阶段服务事项"),
    "signed": _("签约"),
    "stagestandard_save": _("保存阶段服务标准"),
    "topic_done": _("议题办结"),
    "uncheck": _("取消核验"),
}

RESULT_LABELS = {"success": _("成功"), "failure": _("失败"), "denied": _("拒绝")}


def _humanised(code: str) -> str:
    return code.replace("_", " ").strip()


def action_label(action: str) -> str:
    """An action as users read it: its label (``login`` → 登录); a dotted one from its object and
    its verb (``lead.signed`` → 招商线索·签约); a part without a label humanised (``foo_bar`` →
    "foo bar"), never dropped."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    obj, dot, verb = action.partition(".")
    if not dot:
        return _humanised(action)
    obj_text = str(ACTION_OBJECTS.get(obj, "")) or _humanised(obj)
    verb_text = str(ACTION_VERBS.get(verb, "") or ACTION_LABELS.get(verb, "")) or _humanised(verb)
    # Translators: an audit action done to an object: 招商线索·签约 (Lead: signed)
    return pgettext("audit action", "%(object)s·%(verb)s") % {"object": obj_text, "verb": verb_text}


#: Object types recorded that name no model (a login address, the command line's work).
OTHER_OBJECT_TYPES = {
    "address": _("IP 地址"),
    "demo": _("演示数据"),
    "refresh_figures": _("汇总数据"),
}


def object_type_label(object_type: str) -> str:
    """An object type (``app_label.model``) as users read it: the model's verbose name
    (``accounts.user`` → 用户); one that names no model stays as stored."""
    from django.apps import apps

    app_label, dot, model = object_type.partition(".")
    if dot:
        try:
            return str(apps.get_model(app_label, model)._meta.verbose_name)
        except (LookupError, ValueError):
            pass
    return str(OTHER_OBJECT_TYPES.get(object_type, object_type))


#: A technical ``__str__`` (other records' ids: a result's ``2@22``, a report's ``5@22``, a
#: transition's ``5: a→b``, a warning's ``5 lag``): nothing a reader can use, so not shown.
_TECHNICAL_REPR = re.compile(r"[\d\W_]*|\d+\s*[@/:·].*|\d+ [a-z_]+(?:\s.*)?", re.S)


def object_label(object_type: str, object_id: str, object_repr: str) -> str:
    """An event's object as users read it, from what the event recorded only (三权分立: the log
    is read without looking up business records): the type's verbose name, ``#id`` when the
    event names one record (项目#123), then the recorded ``str()`` unless it is technical
    (考核结果#4, not 考核结果#4 2@22). An event about no single record (an export, a denial)
    names the type alone (项目); an event about no object at all (a login) is ``""``."""
    if not object_type and not object_id:
        return ""
    label = object_type_label(object_type) if object_type else ""
    if object_id:
        label = f"{label}#{object_id}" if label else f"#{object_id}"
    text = object_repr.strip()
    if text and text != object_id and not _TECHNICAL_REPR.fullmatch(text):
        label = f"{label} {text}"
    return label


def role_label(role: str) -> str:
    """The role an event was recorded with, as users read it (``county`` → 县级工作人员)."""
    from keyprojects.accounts.choices import Role

    return str(dict(Role.choices).get(role, role))


def _distinct_labels(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``choices`` by label; two codes of one label (two models named alike) keep their code."""
    seen: dict[str, int] = {}
    for _code, label in choices:
        seen[label] = seen.get(label, 0) + 1
    shown = [(code, f"{label} ({code})" if seen[label] > 1 else label) for code, label in choices]
    return sorted(shown, key=lambda c: (c[1], c[0]))


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("操作"), required=False)
    username = forms.CharField(label=_("用户名"), required=False, max_length=150)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    q = forms.CharField(label=_("关键字"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        actions = set(distinct_values("action")) | set(ACTION_LABELS)
        labelled = sorted(((a, action_label(a)) for a in actions), key=lambda c: (c[1], c[0]))
        self.fields["action"].choices = [("", _("全部操作")), *labelled]
        types = _distinct_labels([(t, object_type_label(t)) for t in distinct_values("object_type") if t])
        self.fields["object_type"].choices = [("", _("全部对象")), *types]
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        d1, d2 = data.get("date_from"), data.get("date_to")
        if d1 and d2 and d1 > d2:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def selector_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`selectors.search_events`; an invalid field is ignored
        (and shown with its message), the valid ones still filter."""
        self.is_valid()
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        d1, d2 = data.get("date_from"), data.get("date_to")
        return {
            "action": data.get("action") or "",
            "username": (data.get("username") or "").strip(),
            "object_type": data.get("object_type") or "",
            "start": dt.datetime.combine(d1, dt.time.min, tzinfo=tz) if d1 else None,
            "end": dt.datetime.combine(d2 + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if d2 else None,
            "text": (data.get("q") or "").strip(),
        }
