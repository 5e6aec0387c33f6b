from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")  # 省、自治区、直辖市 (code ends in 0000)
    CITY = "city", _("市级")  # 地级市、地区、自治州、盟 (code ends in 00)
    COUNTY = "county", _("县级")  # 市辖区、县级市、县、旗 ...


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("政府部门")  # 责任单位: 发改委, 工信局, 投资促进局 ...
    ZONE = "zone", _("功能区")  # 起步区、高新区、开发区: not in GB/T 2260
