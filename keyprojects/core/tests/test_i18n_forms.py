"""Form labels in the English UI (UI tour: the import form and the 政企服务 filters stayed Chinese)."""

from __future__ import annotations

from django.utils import translation


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
