"""A fresh database knows every GB/T 2260 division, checked against the official 2024 list."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from keyprojects.regions.data import level_of
from keyprojects.regions.models import Region

OFFICIAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "areacodes-2024.txt"


def official() -> dict[str, str]:
    if not OFFICIAL.exists():
        pytest.skip(f"official list not found at {OFFICIAL}")
    out = {}
    for line in OFFICIAL.read_text(encoding="utf-8").splitlines():
        if line.strip():
            code, name = line.split(None, 1)
            out[code] = name.strip()
    return out


@pytest.mark.django_db
def test_migrated_regions_match_official_2024_list():
    ref = official()
    ours = dict(Region.objects.values_list("code", "name"))
    assert ours == ref
    levels = {lvl: sum(1 for c in ref if level_of(c) == lvl) for lvl in ("province", "city", "county")}
    assert Region.objects.filter(level="province").count() == levels["province"] == 34
    assert Region.objects.filter(level="city").count() == levels["city"] == 333
    assert Region.objects.filter(level="county").count() == levels["county"] == 2846


@pytest.mark.django_db
def test_shandong_has_16_cities_and_136_counties():
    sd = Region.objects.filter(province_code="370000")
    assert sd.filter(level="city").count() == 16
    assert sd.filter(level="county").count() == 136
    assert not Region.objects.filter(code="371200").exists()  # 莱芜 merged into 济南 in 2019
    assert Region.objects.get(code="370102").parent_id == "370100"
    assert Region.objects.get(code="370102").full_name == "山东省济南市历下区"


@pytest.mark.django_db
def test_parents_consistent():
    # districts of a 直辖市 and 省直辖县 hang under the province
    assert Region.objects.get(code="110101").parent_id == "110000"
    assert Region.objects.get(code="429004").parent_id == "420000"  # 仙桃市
    assert Region.objects.get(code="500105").parent_id == "500000"
    for r in Region.objects.filter(level="county").select_related("parent")[:500]:
        assert r.parent is not None and r.parent.level in ("city", "province")
        assert r.province_code == r.code[:2] + "0000"


@pytest.mark.django_db
def test_load_regions_from_file_is_idempotent_and_all_or_nothing(tmp_path):
    f = tmp_path / "areas.txt"
    f.write_text("370000 山东省\n370100 济南市\n370199 测试新区\n", encoding="utf-8")
    call_command("load_regions", file=str(f))
    assert Region.objects.get(code="370199").parent_id == "370100"
    before = Region.objects.count()
    call_command("load_regions", file=str(f))
    assert Region.objects.count() == before
    bad = tmp_path / "bad.txt"
    bad.write_text("370198 另一新区\nnot a line\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_regions", file=str(bad))
    assert not Region.objects.filter(code="370198").exists()
