"""The bulletin rendered as a reader sees it: the .docx through LibreOffice to PDF, the first
page to PNG (poppler's pdftoppm), and the text read back with pdftotext. It must look like a
公文: the issuing office and 文号 on top, the title, page numbers "— n —" in the footer, 亿元
in the text and 万元 with separators in the tables.

Needs Debian's ``libreoffice-writer-nogui`` (or any LibreOffice) and ``poppler-utils``; ``make
test`` installs them (``make system-deps``). Without them the test is skipped, saying why.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest

from keyprojects.analytics.bulletin import bulletin_data, bulletin_docx
from keyprojects.analytics.models import BulletinSetting
from keyprojects.analytics.tests.test_bulletin import feb  # noqa: F401  (the fixture)
from keyprojects.analytics.tests.test_rankings import rw  # noqa: F401  (the fixture)
from keyprojects.dispatch.models import DispatchConfig

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOPPM and PDFTOTEXT),
    reason="LibreOffice (soffice) and poppler-utils (pdftoppm, pdftotext) are not installed: run `make system-deps`",
)


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=240)


def test_word_bulletin_renders_like_an_official_document(feb, tmp_path):  # noqa: F811
    DispatchConfig.objects.update(behind_points=D("-40"))  # some lagging projects to tabulate
    BulletinSetting.objects.create(region=feb.province, issuer="山东省重点项目工作领导小组办公室", doc_number="鲁重点办〔{year}〕{month}号")
    data = bulletin_data(period=feb.p2, root=feb.province)
    (tmp_path / "bulletin.docx").write_bytes(bulletin_docx(data))

    profile = (tmp_path / "lo-profile").as_uri()  # a private LibreOffice profile: parallel runs do not collide
    _run(SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "bulletin.docx", cwd=tmp_path)
    pdf = tmp_path / "bulletin.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000

    _run(PDFTOPPM, "-r", "50", "-png", "-f", "1", "-l", "1", "bulletin.pdf", "page", cwd=tmp_path)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000  # a page with something on it

    _run(PDFTOTEXT, "-layout", "bulletin.pdf", "bulletin.txt", cwd=tmp_path)
    text = (tmp_path / "bulletin.txt").read_text(encoding="utf-8")
    flat = "".join(text.split())  # pdftotext spaces out justified CJK lines
    first_page = "".join(text.split("\f")[0].split())
    assert first_page.startswith("山东省重点项目工作领导小组办公室鲁重点办〔2026〕2号2026年2月全省重点项目建设情况通报")
    assert "各市重点项目主管部门：" in first_page and "一、总体情况" in first_page
    assert "年度计划投资0.44亿元" in flat  # 亿元 in the text
    assert "3,500.00" in flat and "1,200.00" in flat  # 万元 with separators in the tables
    assert "—1—" in first_page  # the page number in the footer
    pages = text.count("\f") + (0 if text.endswith("\f") else 1)
    assert f"—{pages}—" in "".join(text.split("\f")[pages - 1].split())  # and on the last page too
    assert flat.endswith(
        "山东省重点项目工作领导小组办公室" + "".join(data.header.issued_on.strftime("%Y年%-m月%-d日").split()) + f"—{pages}—"
    )
