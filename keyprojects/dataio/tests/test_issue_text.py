"""The importer's issues read in English in the English UI and exactly as written in Chinese
(dataio.issue_text): each is a Sentence, stored in Chinese whatever the request's language and
said again from the stored text on the preview page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from keyprojects.core.sentences import DATE, MONTH, NUMBER, WORD, Sentence
from keyprojects.core.tests.test_i18n import _switch_to_english, compiled  # noqa: F401  (the module fixture)
from keyprojects.dataio import issue_text as T
from keyprojects.dataio.models import ImportBatch

from .test_import_files import MESSY, workbook
from .test_import_views import upload

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"“[^”]*”")  # a quoted Chinese word of a spreadsheet (“项目名称”) may stay


def _sample(sentence: Sentence) -> dict[str, str]:
    """A value for each of the sentence's slots, as the importer writes it."""
    out = {}
    for name, slot in sentence.slots.items():
        if slot is NUMBER:
            out[name] = "12"
        elif slot is MONTH:
            out[name] = "2026年3月"
        elif slot is DATE:
            out[name] = "2026-04-01"
        elif slot is WORD:
            out[name] = "待审核"  # a choice's label
        elif slot is T.WHEN:
            out[name] = "2026-03-01 10:00"
        elif slot is T.LIST:
            out[name] = "2024-05、2024-06"
        elif slot is T.CLUE:
            out[name] = "工作表名“历下区”"
        else:
            out[name] = "甲"  # a name: stays as written
    return out


@pytest.mark.parametrize("sentence", T.SENTENCES, ids=[f"sentence{n}" for n in range(len(T.SENTENCES))])
def test_each_issue_reads_in_english_and_as_stored_in_chinese(compiled, sentence):  # noqa: F811
    written = sentence.zh(**_sample(sentence))
    with translation.override("zh-hans"):
        assert T.shown(written) == written
    with translation.override("en"):
        english = T.shown(written)
        assert english != written and sentence.say(written) == english
        left = QUOTED.sub("", english).replace("甲", "").replace("历下区", "")
        assert not CJK.search(left), english
        if sentence.slots.get("period") is MONTH:
            assert "Mar 2026" in english


def test_values_are_said_again():
    with translation.override("en"):
        assert T.shown(T.PERIODS_DIFFER.zh(periods="2024-05、2024-06")) == (
            "The sheets name different dispatch periods: 2024-05, 2024-06; each sheet's figures are imported for its own"
        )
        stage = T.STAGE_DIFFERS.zh(stage="在建")
        assert T.shown(stage) == (
            "The stage in the file differs from the system's (system: Under construction); change the stage on the project page."
            " Not imported"
        )
        clues = T.CLUES_DISAGREE.zh(clue="工作表名“市中区”", other="市中区", taken_clue="“所属区域”", region="历下区", taken="历下区")
        said = "sheet name “市中区” points to 市中区, unlike “所属区域”, which gives 历下区; imported into 历下区, please check"
        assert T.shown(clues) == said
        assert T.shown("某个从未声明的说法") == "某个从未声明的说法"  # stays as stored


def test_the_importer_writes_the_same_chinese_as_before_even_from_an_english_request(compiled, client, world):  # noqa: F811
    client.force_login(world.users.county)
    _switch_to_english(client)
    upload(client, workbook(MESSY))
    batch = ImportBatch.objects.get()
    messages = {(i["row"], i["column"]): i["message"] for i in batch.errors + batch.warnings}
    assert messages[(8, "所属区域")] == "无法识别的地名，按默认区域导入"
    assert messages[(7, "总投资（万元）")] == "总投资不能为空"
    assert messages[(5, "所属区域")] == "第 5 行：所属区域超出您的管辖范围（“市中区”不在历下区内）"
    assert all(not re.search(r"[A-Za-z]{4,}", m) for m in messages.values()), messages  # no English stored


def test_the_preview_page_says_the_issues_in_english(compiled, client, world):  # noqa: F811
    client.force_login(world.users.county)
    resp = upload(client, workbook(MESSY))
    batch = ImportBatch.objects.get()
    zh = client.get(resp["Location"]).content.decode()
    assert "第 5 行：所属区域超出您的管辖范围（“市中区”不在历下区内）" in zh
    assert "总投资不能为空" in zh and "无法识别的地名，按默认区域导入" in zh
    assert "Unrecognised place name" not in zh
    _switch_to_english(client)
    en = client.get(reverse("dataio:import_batch", args=[batch.pk])).content.decode().replace("&#x27;", "'")
    assert "Row 5: the region is outside your jurisdiction (“市中区” is not in 历下区)" in en
    assert "The total investment must not be empty" in en
    assert "Unrecognised place name; imported into the default region" in en
    assert "所属区域超出您的管辖范围" not in en and "总投资不能为空" not in en and "无法识别的地名" not in en
    rows = re.findall(r'data-testid="error-row".*?</tr>', en, re.S)
    assert len(rows) == batch.error_count
    for row in rows:  # every error message reads in English (sheet, column and value are the file's)
        message = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1]
        assert not CJK.search(QUOTED.sub("", message).replace("历下区", "")), message  # a region's name is data


def test_the_parsers_issues_read_in_english_too(compiled, client, world):  # noqa: F811
    """A column nobody maps and a cell that is no amount: the parser's issues, stored in Chinese as
    before, read in English on the preview page."""
    from .test_import_files import GOOD, HEADERS

    rows = [[*r, "备注甲"] for r in GOOD]
    rows[1][8] = "两万"  # 1-6月累计: not an amount
    client.force_login(world.users.county)
    _switch_to_english(client)
    resp = upload(client, workbook(rows, headers=[*HEADERS, "随便一列"]))
    batch = ImportBatch.objects.get()
    stored = [i["message"] for i in batch.errors + batch.warnings]
    assert "列“随便一列”未能对应到任何字段，该列未导入" in stored
    assert any(m.startswith("不是有效的金额") for m in stored), stored
    en = client.get(resp["Location"]).content.decode().replace("&#x27;", "'")
    assert "The column “随便一列” matches no field and was not imported" in en
    assert "Not a valid amount" in en and "不是有效的金额" not in en and "未能对应到任何字段" not in en


def test_the_issue_list_download_in_english_and_as_before_in_chinese(compiled, client, world):  # noqa: F811
    import io

    from openpyxl import load_workbook

    client.force_login(world.users.county)
    upload(client, workbook(MESSY))
    batch = ImportBatch.objects.get()
    url = reverse("dataio:import_issues", args=[batch.pk])

    def sheet():
        ws = load_workbook(io.BytesIO(client.get(url).content)).active
        return ws.title, [c.value for c in ws[2]], list(ws.iter_rows(min_row=3, values_only=True))

    title, header, rows = sheet()
    assert title == "问题清单" and header == ["类型", "工作表", "行号", "列", "值", "问题"]
    assert ("错误", "1-6月", "7", "总投资（万元）", None, "总投资不能为空") in rows
    _switch_to_english(client)
    title, header, rows = sheet()
    assert title == "Issues" and header == ["Type", "Worksheet", "Row", "Column", "Value", "Problem"]
    assert ("Error", "1-6月", "7", "总投资（万元）", None, "The total investment must not be empty") in rows
    assert ("Warning", "1-6月", "8", "所属区域", "火星区", "Unrecognised place name; imported into the default region") in rows


def test_the_previews_row_actions_read_in_english(compiled, client, world):  # noqa: F811
    """The sample's 处理 column (stored 新增 / 更新 / 无变化) in the English UI."""
    from .test_import_files import GOOD

    client.force_login(world.users.county)
    resp = upload(client, workbook(GOOD))
    batch = ImportBatch.objects.get()
    stored = {r["action"] for r in batch.sample}
    assert stored and stored <= {"新增", "更新", "无变化"}
    zh = client.get(resp["Location"]).content.decode()
    _switch_to_english(client)
    en = client.get(reverse("dataio:import_batch", args=[batch.pk])).content.decode()
    table = re.search(r'data-testid="sample".*?</table>', en, re.S).group(0)
    cells = {re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[4] for row in re.findall(r"<tr>.*?</tr>", table, re.S)[1:]}
    english = {"新增": "New", "更新": "Update", "无变化": "No change"}
    assert cells == {english[a] for a in stored}, cells
    assert all(f"<td>{a}</td>" in zh for a in stored)
