"""The 四张清单 import's row errors in the English UI: said in English on the upload page (the
file's headers and words as written), unchanged in Chinese for the command and the Chinese page.
(The lists are exported in Chinese from either page, as every export; a file exported from the
English page before that, with English sheet names and words, still imports.)"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from keyprojects.approvals.exports import export_factor_lists
from keyprojects.approvals.models import FactorNeed
from keyprojects.core.tests.test_i18n import compiled  # noqa: F401  (the module fixture)

from .test_import import lists  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
URL = "/approvals/needs/import/"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _errors(page: str) -> list[str]:
    table = re.search(r'data-testid="import-errors">(.*?)</table>', page, re.S).group(1)
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[-1] for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td>" in row]


def _broken(language: str) -> bytes:
    """The lists exported with ``language`` active (Chinese either way), with a 需求量 that is no
    number and a 细类 the 资金 list lacks."""
    with translation.override(language):
        content, _ = export_factor_lists(FactorNeed.objects.all())
    wb = openpyxl.load_workbook(io.BytesIO(content))
    land, funds = wb.worksheets[0], wb.worksheets[1]
    land.cell(row=4, column=[c.value for c in land[3]].index("需求量（亩）") + 1, value="很多")
    funds.cell(row=4, column=[c.value for c in funds[3]].index("细类/来源") + 1, value="VOCs")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_row_errors_read_in_english(compiled, client, lists):  # noqa: F811
    files = {language: _broken(language) for language in ("zh-hans", "en")}
    FactorNeed.objects.all().delete()

    def post(language: str) -> list[str]:
        upload = io.BytesIO(files[language])
        upload.name = "四张清单.xlsx"
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return _errors(client.post(URL, {"file": upload, "dry_run": "on"}).content.decode())

    client.force_login(lists.users.city)
    zh = post("zh-hans")
    assert "应为数字" in zh and any(e.startswith("“VOCs”不是资金清单的细类，可填：") for e in zh), zh
    en = post("en")
    assert "Must be a number" in en, en
    (subtype,) = [e for e in en if e.startswith("“VOCs”")]
    assert subtype.startswith("“VOCs” is not a subtype of the Funds list; choose from: ") and "、" not in subtype, subtype
    assert not any(CJK.search(e) for e in en), en


@pytest.mark.parametrize(("exported", "uploaded"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_a_file_exported_in_one_language_imports_in_the_other(compiled, client, lists, exported, uploaded):  # noqa: F811
    """The lists are exported from either page (in Chinese); a colleague who reads the other
    language uploads the same file and gets the same needs back."""
    from .test_import import snapshot

    before = snapshot()
    with translation.override(exported):
        content, _ = export_factor_lists(FactorNeed.objects.all())
    FactorNeed.objects.all().delete()
    upload = io.BytesIO(content)
    upload.name = "四张清单.xlsx"
    client.force_login(lists.users.city)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = uploaded
    page = client.post(URL, {"file": upload}).content.decode()
    assert 'data-testid="import-errors"' not in page
    assert snapshot() == before
