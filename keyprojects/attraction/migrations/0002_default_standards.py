"""The default service standard of each stage, as it was when this migration was written (the
catalogue module has grown English names since: 0008 adds them)."""

from django.db import migrations

DEFAULT_STANDARDS = [
    ("info", 60, "线索登记后及时研判、明确责任领导和责任单位", ["线索登记建档", "研判投资方实力与项目可行性", "明确责任领导和责任单位"]),
    ("negotiation", 90, "制定对接方案，组织考察，提出要素保障方案", ["制定对接方案", "组织实地考察", "提供要素保障方案", "商定合作条件"]),
    ("signed", 180, "签约前合法性审查，签约后建立服务专班推动落地", ["协议合法性审查", "签约并明确双方承诺", "建立项目服务专班"]),
    ("landed", 180, "代办审批手续、协调要素，推动开工投产", ["项目公司注册", "代办审批手续", "协调要素保障", "推动开工建设"]),
    ("feedback", 365, "定期回访，收集意见，评价履约", ["回访企业", "收集意见并改进服务", "评价双方履约情况"]),
]


def forwards(apps, schema_editor):
    StageStandard = apps.get_model("attraction", "StageStandard")
    ServiceItem = apps.get_model("attraction", "ServiceItem")
    for stage, days, description, items in DEFAULT_STANDARDS:
        StageStandard.objects.get_or_create(stage=stage, defaults={"stall_days": days, "description": description})
        for order, name in enumerate(items, start=1):
            ServiceItem.objects.get_or_create(stage=stage, name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("attraction", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
