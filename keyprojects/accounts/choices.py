from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE = "province", _("省级工作人员")  # 省发改委重点项目办: whole province
    CITY = "city", _("市级工作人员")  # 市发改委/投促局: own city and its counties
    COUNTY = "county", _("县级工作人员")  # 县（市、区）: own county only
    DEPARTMENT = "department", _("部门工作人员")  # 责任单位 or 功能区 staff: projects of their unit
    ENTERPRISE = "enterprise", _("企业联系人")  # project owner contact: own enterprise's projects
    LEADER = "leader", _("领导（只读）")  # read-only leader: region scope, no edits
    SYSADMIN = "sysadmin", _("系统管理员")  # 三权分立: creates, disables, unlocks accounts; one-time passwords
    SECADMIN = "secadmin", _("安全管理员")  # 三权分立: assigns roles, regions and units; sees lockouts
    AUDITOR = "auditor", _("审计管理员")  # 三权分立: reads the audit log, edits nothing
    PENDING = "pending", _("待分配角色")  # created by the system admin; no rights until the security admin assigns a role


# Role groups and what each role may do: keyprojects/accounts/policy/ (the one permission policy).
