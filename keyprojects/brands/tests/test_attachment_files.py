"""An application's 申报材料 file lives exactly as long as the row that refers to it (core.uploads):
a refused application leaves no file behind, and a replaced file goes once the change commits."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.brands.services import application_create, application_update
from keyprojects.core.errors import ApplicationError

from .conftest import good

pytestmark = pytest.mark.django_db


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode(), content_type="application/pdf")


def _stored() -> set[str]:
    def walk(path: str) -> set[str]:
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return set()
        return {f"{path}/{f}" for f in files}.union(*(walk(f"{path}/{d}") for d in dirs))

    return walk("brands")


def test_a_refused_application_leaves_no_file(world, rnd):
    before = _stored()
    with pytest.raises(ApplicationError):  # the document is good; the application is not (no brand name)
        application_create(actor=world.users.enterprise, round=rnd, data=good(brand_name=""), attachment=pdf())
    assert _stored() == before


def test_a_replaced_file_goes_when_the_change_commits(world, rnd, django_capture_on_commit_callbacks):
    me, before = world.users.enterprise, _stored()
    with django_capture_on_commit_callbacks(execute=True):
        app = application_create(actor=world.users.enterprise, round=rnd, data=good(), attachment=pdf("第一版.pdf"))
    first = app.attachment.name
    assert _stored() == before | {first}
    with pytest.raises(ApplicationError), django_capture_on_commit_callbacks(execute=True):  # a stale version: nothing changes
        application_update(actor=me, application=app, expected_version=app.version - 1, data={}, attachment=pdf("错.pdf"))
    assert _stored() == before | {first}
    with django_capture_on_commit_callbacks(execute=True):
        app = application_update(actor=me, application=app, expected_version=app.version, data={}, attachment=pdf("第二版.pdf"))
    assert app.attachment.name != first
    assert _stored() == before | {app.attachment.name}  # the first is gone: the application no longer refers to it
