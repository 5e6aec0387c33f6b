"""电话 of an enterprise contact: the one telephone rule (core.validators.validate_phone). Contacts
are written by ``enterprise_create`` only (the admin shows them read-only)."""

from __future__ import annotations

import pytest

from keyprojects.core.errors import ValidationFailed
from keyprojects.core.testing import uscc_for
from keyprojects.core.validators import PHONE_MESSAGE, validate_phone
from keyprojects.enterprises.models import Enterprise, EnterpriseContact
from keyprojects.enterprises.services import enterprise_create

pytestmark = pytest.mark.django_db


def test_the_model_field_carries_the_rule():
    assert validate_phone in EnterpriseContact._meta.get_field("phone").validators


def test_contacts_with_letters_are_refused_and_real_numbers_kept(world):
    def create(n, phone):
        data = {"name": f"济南电话测试{n}有限公司", "uscc": uscc_for("370102", 900 + n), "region": world.ent.region}
        return enterprise_create(user=world.users.county, data=data, contacts=[{"name": "张三", "phone": phone}])

    with pytest.raises(ValidationFailed) as exc:
        create(0, "abc123")
    assert [str(m) for m in exc.value.extra["fields"]["phone"]] == [PHONE_MESSAGE]
    assert not Enterprise.objects.filter(name="济南电话测试0有限公司").exists()
    for n, phone in enumerate(("0531-88888888", "13800000000"), start=1):
        ent = create(n, phone)
        assert list(ent.contacts.values_list("phone", flat=True)) == [phone]
