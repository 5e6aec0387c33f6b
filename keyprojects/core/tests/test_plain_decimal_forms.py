"""Every form with an amount shows it in its input as a person types it (12000, 10.5), not with
the four stored places (12000.0000): each such form — one with a decimal field, or a ModelForm
over a model with one (its fields may be added in ``__init__``) — uses ``core.forms.PlainDecimals``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from decimal import Decimal

from django import forms
from django.db import models

import keyprojects
from keyprojects.core.forms import PlainDecimals


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for info in pkgutil.walk_packages(keyprojects.__path__, "keyprojects."):
        if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(".admin"):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def _has_amounts(cls: type[forms.BaseForm]) -> bool:
    if any(isinstance(f, forms.DecimalField) for f in getattr(cls, "base_fields", {}).values()):
        return True
    meta = getattr(cls, "_meta", None)
    model = getattr(meta, "model", None)
    return model is not None and any(isinstance(f, models.DecimalField) for f in model._meta.get_fields())


def test_every_form_with_an_amount_shows_it_plainly():
    with_amounts = [cls for cls in _form_classes() if _has_amounts(cls)]
    assert len(with_amounts) >= 15  # the walk finds the forms (attraction, partnership, brands, projects …)
    missing = [f"{cls.__module__}.{cls.__qualname__}" for cls in with_amounts if not issubclass(cls, PlainDecimals)]
    assert missing == []


def test_a_mixed_in_form_draws_its_amounts_plainly_also_those_added_in_init():
    class Form(PlainDecimals, forms.Form):
        amount = forms.DecimalField(max_digits=18, decimal_places=4)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["late"] = forms.DecimalField(max_digits=18, decimal_places=4)

    html = str(Form(initial={"amount": Decimal("12000.0000"), "late": Decimal("10.5000")}))
    assert 'value="12000"' in html and 'value="10.5"' in html and "0000" not in html


def test_the_project_edit_page_shows_amounts_as_typed(client, world):
    p = world.projects.own_county
    type(p).objects.filter(pk=p.pk).update(total_investment=Decimal("12000.5000"))
    client.force_login(world.users.city)
    html = client.get(f"/projects/{p.pk}/edit/").content.decode()
    assert 'name="total_investment"' in html and 'value="12000.5"' in html and "12000.5000" not in html
