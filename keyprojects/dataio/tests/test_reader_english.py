"""A file the reader refuses (a type it does not take, an empty file, a sheet the file lacks):
stored in Chinese as before and said in English on the English pages (dataio.issue_text)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dataio import issue_text as T
from keyprojects.dataio.models import ImportBatch
from keyprojects.dataio.reader import UnreadableFile, UnsafeFile, read_sheets

from .test_import_files import GOOD, workbook
from .test_import_views import upload

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"“[^”]*”")  # a sheet's name, a file's header: as written


def _page(client, resp) -> str:
    return client.get(resp["Location"]).content.decode() if resp.status_code == 302 else resp.content.decode()


@pytest.mark.parametrize(
    "data, name, fields, zh, en",
    [
        (b"%PDF-1.4", "历下区.pdf", {}, "不支持的文件类型“.pdf”，请上传 .xlsx、.xls、.ods 或 .csv 文件",
         "Unsupported file type “.pdf”; upload an .xlsx, .xls, .ods or .csv file"),
        (None, "历下区1-6月.xlsx", {"sheet": "三月"}, "文件中没有名为“三月”的工作表（现有：1-6月）",
         "The file has no sheet named “三月” (it has: 1-6月)"),
    ],
)  # fmt: skip
def test_a_refused_file_reads_in_english(compiled, client, world, data, name, fields, zh, en):  # noqa: F811
    client.force_login(world.users.county)
    _switch_to_english(client)
    page = _page(client, upload(client, data or workbook(GOOD), name=name, **fields)).replace("&#x27;", "'")
    assert en in page and zh not in page, page[:3000]
    batch = ImportBatch.objects.first()
    if batch is not None:  # the stored issue stays Chinese
        assert [i["message"] for i in batch.errors] == [zh]


def test_the_reader_writes_chinese_and_each_refusal_is_said_again(compiled):  # noqa: F811
    with translation.override("en"), pytest.raises(UnreadableFile) as caught:
        read_sheets(b"", filename="a.xlsx")
    assert caught.value.message == "文件为空"
    with translation.override("en"):
        assert T.shown(caught.value.message) == "The file is empty"
    with pytest.raises(UnsafeFile) as caught:
        read_sheets(b"PK\x03\x04", filename="a.xlsm")
    with translation.override("en"):
        said = T.shown(caught.value.message)
    assert caught.value.message == "启用宏的文件（.xlsm）不予导入，请另存为不含宏的 .xlsx 后再导入"
    assert said == "Macro-enabled files (.xlsm) are not imported; save the file as an .xlsx without macros and import it again"
    assert not CJK.search(QUOTED.sub("", said))
