"""seed_demo under production settings: refused unless --force, and then no superuser (issue 12 §8)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from keyprojects.accounts.models import User
from keyprojects.projects.models import Project

pytestmark = pytest.mark.django_db


def test_refused_under_production_settings(settings):
    settings.KEYPROJECTS_PRODUCTION = True
    with pytest.raises(CommandError, match="生产配置"):
        call_command("seed_demo", projects=5, verbosity=0, stdout=io.StringIO())
    assert not Project.objects.exists() and not User.objects.exists()


def test_force_seeds_without_a_superuser(settings):
    settings.KEYPROJECTS_PRODUCTION = True
    out = io.StringIO()
    call_command("seed_demo", projects=5, months=0, force=True, verbosity=0, stdout=out)
    assert Project.objects.exists()
    assert User.objects.filter(username="province").exists()
    assert not User.objects.filter(is_superuser=True).exists()
    assert "超级用户" not in out.getvalue().split("演示账号", 1)[1]


def test_the_superuser_is_announced_outside_production():
    out = io.StringIO()
    call_command("seed_demo", projects=5, months=0, verbosity=0, stdout=out)
    assert User.objects.get(username="admin").is_superuser
    assert "admin 是超级用户" in out.getvalue()
