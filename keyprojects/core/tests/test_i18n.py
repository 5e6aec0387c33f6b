"""The English catalogue: complete, placeholder-safe, and used when the language switch says so.

The source strings are Chinese (zh-hans is the default language); English comes from
locale/en/LC_MESSAGES/django.po. The .mo is git-ignored (``make install`` compiles it), so the
tests compile it themselves when it is missing or older than the .po.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from keyprojects.core.testing import PASSWORD

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# The top-bar labels (templates/base.html) and their English.
NAV = {
    "项目库": "Project registry",
    "月调度": "Monthly dispatch",
    "我的任务": "My tasks",
    "调度看板": "Dispatch board",
    "包保领导": "Sponsor leaders",
    "修改密码": "Change password",
}
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfi]|%%|\{\{[^}]*\}\}|\{[a-z_]*\}")


# --- the .po, parsed simply ----------------------------------------------------------------


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po: msgid, msgid_plural, msgstr (a list: one item, or one per plural form),
    flags. The header (empty msgid) and obsolete (#~) entries are left out."""
    entries: list[dict] = []
    cur: dict | None = None
    field: str | None = None

    def finish() -> None:
        if cur is not None and "msgid" in cur:
            entries.append(
                {
                    "msgid": _unquote(cur["msgid"]),
                    "msgid_plural": _unquote(cur["msgid_plural"]) if "msgid_plural" in cur else None,
                    "msgstr": [_unquote(v) for k, v in sorted(cur.items()) if k.startswith("msgstr")],
                    "flags": cur["flags"],
                    "line": cur["line"],
                }
            )

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if cur is not None and "msgid" in cur:  # a comment starts the next entry
                finish()
                cur = None
            if cur is None:
                cur = {"flags": set(), "line": n}
            if line.startswith("#,"):
                cur["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith('"'):
            assert cur is not None and field is not None, f"{path}:{n}: continuation without a keyword"
            cur[field].append(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid" and cur is not None and "msgid" in cur:
            finish()
            cur = None
        if cur is None:
            cur = {"flags": set(), "line": n}
        field = keyword.replace("[", "_").rstrip("]")  # msgstr[0] -> msgstr_0
        cur[field] = [rest]
    finish()
    return entries


@pytest.fixture(scope="module")
def entries():
    assert PO.exists(), f"{PO} is missing"
    return [e for e in parse_po(PO) if e["msgid"]]


def test_po_header_is_not_fuzzy():
    text = PO.read_text(encoding="utf-8")
    header = text.split('msgid ""', 1)[0]
    assert "fuzzy" not in header
    assert '"Language: en\\n"' in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text


def test_po_is_parsed(entries):
    assert len(entries) > 500
    assert {"项目库", "月调度", "序时进度", "完成率"} <= {e["msgid"] for e in entries}


def test_every_msgstr_is_filled_and_not_fuzzy(entries):
    empty = [f"{e['line']}: {e['msgid']}" for e in entries if not all(s.strip() for s in e["msgstr"])]
    fuzzy = [f"{e['line']}: {e['msgid']}" for e in entries if "fuzzy" in e["flags"]]
    assert not empty, "untranslated: " + "; ".join(empty)
    assert not fuzzy, "fuzzy: " + "; ".join(fuzzy)


def test_plural_entries_have_both_forms(entries):
    for e in entries:
        assert len(e["msgstr"]) == (2 if e["msgid_plural"] else 1), e["msgid"]


def test_placeholders_match(entries):
    bad = []
    for e in entries:
        want = sorted(PLACEHOLDER.findall(e["msgid"]))
        for s in e["msgstr"]:
            if sorted(PLACEHOLDER.findall(s)) != want:
                bad.append(f"{e['line']}: {e['msgid']!r} -> {s!r}")
    assert not bad, "placeholders differ: " + "; ".join(bad)


def test_translations_are_english(entries):
    """No msgstr is still Chinese (a copy of the msgid or a half-translated string). A quoted
    example of what a Chinese spreadsheet says (“投资盘子（亿元）”) may stay Chinese."""
    han = re.compile(r"[\u4e00-\u9fff]")
    left = [f"{e['line']}: {s}" for e in entries for s in e["msgstr"] if han.search(re.sub(r"“[^”]*”", "", s))]
    assert not left, "Chinese left in msgstr: " + "; ".join(left)


# --- the catalogue in use ------------------------------------------------------------------


def _reset_translation_caches() -> None:
    trans_real._translations = {}
    trans_real._default = None
    translation.deactivate()


@pytest.fixture(scope="module")
def compiled():
    """Compile the catalogue into place when the .mo is missing or stale (a fresh clone without
    ``make install``); either way drop the cached translations so the .mo is read afresh."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        call_command(
            "compilemessages",
            locale=["en"],
            ignore_patterns=[".venv", "node_modules", "static", "staticfiles", ".git", "var"],
            verbosity=0,
        )
    assert MO.exists()
    _reset_translation_caches()
    yield
    _reset_translation_caches()


def test_gettext_uses_the_catalogue(compiled):
    with translation.override("en"):
        assert translation.gettext("项目库") == "Project registry"
        assert translation.gettext("序时进度") == "Time-elapsed schedule"
        assert translation.ngettext("共 %(n)s 家企业", "共 %(n)s 家企业", 2) % {"n": 2} == "2 enterprises"
    with translation.override("zh-hans"):
        assert translation.gettext("项目库") == "项目库"


def _nav(html: str) -> str:
    """The top bar, without the whoami text (a user name and region are data, not UI)."""
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    return re.sub(r'<span[^>]*data-testid="whoami".*?</span>', "", nav, flags=re.S)


def _login(client, user) -> None:
    r = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:500]


def _switch_to_english(client) -> None:
    r = client.post(reverse("set_language"), {"language": "en", "next": reverse("projects:list")})
    assert r.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_chinese_is_the_default(compiled, client, world):
    assert settings.LANGUAGE_CODE == "zh-hans"
    html = client.get(reverse("accounts:login")).content.decode()
    assert "用户登录" in html and "User login" not in html
    _login(client, world.users.city)
    html = client.get(reverse("projects:list")).content.decode()
    assert '<html lang="zh-hans">' in html
    for zh, en in NAV.items():
        assert zh in html and en not in html


def test_login_page_in_english(compiled, client, db):
    _switch_to_english(client)
    r = client.get(reverse("accounts:login"))
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="en">' in html
    assert "User login" in html and "Log in" in html and "Username" in html and "Password" in html
    assert "Key Projects Platform" in html
    for zh in ("用户登录", "用户名", "密码", "重点项目推进平台"):
        assert zh not in html


@pytest.mark.parametrize(
    "url_name, words",
    [
        ("projects:list", ["Key project registry", "Filter projects", "Total investment"]),
        ("dispatch:tasks", ["Monthly dispatch · My tasks", "To report", "Reported / due", "Unresolved problems"]),
    ],
)
def test_pages_in_english(compiled, client, world, url_name, words):
    _login(client, world.users.city)
    _switch_to_english(client)
    r = client.get(reverse(url_name))
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="en">' in html
    for en in NAV.values():
        assert en in html, en
    for word in words:
        assert word in html, word
    nav = _nav(html)
    for zh in NAV:
        assert zh not in nav, zh
    assert not re.search(r"[\u4e00-\u9fff]", nav.replace("中文", "")), nav  # only data (the user's region) may be Chinese
    assert 'value="zh-hans">中文</button>' in html  # the switch now offers Chinese


def test_switching_back_to_chinese(compiled, client, world):
    _login(client, world.users.city)
    _switch_to_english(client)
    assert "Project registry" in client.get(reverse("projects:list")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("projects:list")).content.decode()
    assert "项目库" in html and "Project registry" not in html


def test_an_english_browser_still_gets_chinese_until_the_switch(compiled, client, world):
    """Issue 10 §8: the browser's Accept-Language does not decide; the switch does, and is remembered."""
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    html = client.get(reverse("accounts:login"), **english_browser).content.decode()
    assert '<html lang="zh-hans">' in html and "用户登录" in html
    _login(client, world.users.city)
    assert '<html lang="zh-hans">' in client.get(reverse("projects:list"), **english_browser).content.decode()
    _switch_to_english(client)
    for _ in range(2):  # remembered from one request to the next
        assert '<html lang="en">' in client.get(reverse("projects:list"), **english_browser).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # an unknown choice falls back to Chinese
    assert '<html lang="zh-hans">' in client.get(reverse("projects:list"), **english_browser).content.decode()


def test_the_role_is_shown_once_in_the_top_bar(client, world):
    user = world.users.city
    user.first_name = "市级工作人员"  # as the demo names its logins: the role's own words
    user.save(update_fields=["first_name"])
    _login(client, user)
    html = client.get(reverse("projects:list")).content.decode()
    whoami = re.search(r'data-testid="whoami">(.*?)</span>', html, re.S).group(1)
    assert whoami.count("市级工作人员") == 1 and "济南市" in whoami
    _switch_to_english(client)  # in English too: the role in English, not also its Chinese words as a name
    html = client.get(reverse("projects:list")).content.decode()
    whoami = re.search(r'data-testid="whoami">(.*?)</span>', html, re.S).group(1)
    assert "市级工作人员" not in whoami and "City staff" in whoami, whoami
    user.first_name, user.last_name = "伟", "张"  # a person's name is shown beside the role
    user.save(update_fields=["first_name", "last_name"])
    html = client.get(reverse("projects:list")).content.decode()
    assert "张伟 · City staff" in re.search(r'data-testid="whoami">(.*?)</span>', html, re.S).group(1)
