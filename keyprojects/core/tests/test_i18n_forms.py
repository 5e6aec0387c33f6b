"""Form labels in the English UI (UI tour: the import form and the 政企服务 filters stayed Chinese)."""

from __future__ import annotations

from django.utils import translation

from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)


def test_import_form_and_request_filter_speak_english():
    from keyprojects.dataio.views import UploadForm
    from keyprojects.engagement.forms import RequestFilter

    with translation.override("en"):
        upload = UploadForm()
        assert str(upload.fields["file"].label) == "Spreadsheet file"
        assert "Leave blank" in str(upload.fields["sheet"].help_text)
        choices = dict(RequestFilter().fields["source"].choices)
        assert str(choices[""]) == "All sources"
    with translation.override("zh-hans"):
        assert str(UploadForm().fields["file"].label) == "表格文件"


def test_project_list_filters_speak_english(client, world, settings):
    client.force_login(world.users.city)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/projects/").content.decode()
    assert 'placeholder="Project name, code, owner, location"' in html and 'placeholder="Year"' in html


def test_a_services_refusal_on_a_form_reads_in_the_active_language(compiled):  # noqa: F811
    """core.forms puts a service's messages on a form in the active language when they are
    source strings of the catalogue (the service keeps them Chinese); others as written."""
    from django import forms as dj

    from keyprojects.core.errors import ConflictError, ValidationFailed
    from keyprojects.core.forms import apply_errors, submit

    class F(dj.Form):
        reason = dj.CharField(required=False)

    def refuse(exc):
        def call():
            raise exc

        return call

    invalid = ValidationFailed(extra={"fields": {"reason": ["停缓建和退库必须填写原因", "请填写原因（自由文本）"]}})
    for lang, said in (("en", "The total investment must not be negative"), ("zh-hans", "总投资不能为负数")):
        with translation.override(lang):
            form = F({})
            form.is_valid()
            apply_errors(form, ValidationFailed(extra={"fields": {"__all__": ["总投资不能为负数"]}}))
            assert form.non_field_errors() == [said]
            form = F({})
            form.is_valid()
            assert submit(form, refuse(ConflictError())) is False
            conflict = "Someone else saved this in the meantime. Check their changes and save again"
            assert form.non_field_errors() == [conflict if lang == "en" else "已被他人修改，请核对后重新保存"]
            form = F({})
            form.is_valid()
            apply_errors(form, invalid)
            assert form.errors["reason"][1] == "请填写原因（自由文本）"  # not a source string: as written
