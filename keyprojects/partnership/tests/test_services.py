"""Agreement services: create with commitments, validation, optimistic locking, four eyes, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.audit.models import AuditEvent
from keyprojects.core.errors import ConflictError, PermissionDenied, TransitionNotAllowed, ValidationFailed
from keyprojects.partnership.choices import CommitmentStatus
from keyprojects.partnership.models import Agreement, Commitment
from keyprojects.partnership.services import agreement_create, agreement_update, commitment_claim, commitment_confirm
from keyprojects.regions.models import Region

pytestmark = pytest.mark.django_db

GOV = {
    "party": "government",
    "kind": "land",
    "description": "2026年6月底前交付净地120亩",
    "target_value": "120",
    "due_on": dt.date(2026, 6, 30),
}
ENT = {
    "party": "enterprise",
    "kind": "investment",
    "description": "三年内完成固定资产投资5亿元",
    "target_value": "50000",
    "due_on": dt.date(2027, 12, 31),
}


def make(world, actor=None, **kw):
    args = {
        "actor": actor or world.users.city,
        "enterprise": world.ent,
        "region": Region.objects.get(code="370102"),
        "title": "比亚迪零部件项目投资合作协议",
        "signed_on": dt.date(2026, 1, 15),
        "amount": "50000",
        "commitments": [GOV, ENT],
        "signatory_unit": world.dept,
    }
    args.update(kw)
    return agreement_create(**args)


def test_create_with_commitments_and_audit(world):
    a = make(world, projects=[world.projects.own_county])
    assert a.amount == Decimal("50000")
    assert a.commitments.count() == 2
    gov = a.commitments.get(party="government")
    assert gov.measure == "亩"  # default measure of the kind
    assert list(a.projects.all()) == [world.projects.own_county]
    assert AuditEvent.objects.filter(action="agreement.create", object_id=str(a.pk)).exists()
    assert AuditEvent.objects.filter(action="commitment.create").count() == 2


def test_create_refuses_other_region_and_read_only(world):
    with pytest.raises(PermissionDenied):
        make(world, actor=world.users.other_city)
    with pytest.raises(PermissionDenied):
        make(world, actor=world.users.leader)
    with pytest.raises(PermissionDenied):
        make(world, actor=world.users.enterprise)
    assert not Agreement.objects.exists()


def test_bad_commitment_rolls_back_everything(world):
    bad = {**ENT, "kind": "land"}  # the enterprise does not deliver land
    with pytest.raises(ValidationFailed) as exc:
        make(world, commitments=[GOV, bad])
    assert "commitments[1].kind" in exc.value.extra["fields"]
    assert not Agreement.objects.exists() and not Commitment.objects.exists()


def test_a_commitment_due_before_the_signing_is_refused(world):
    """A promise falls due after the agreement is made: 2025-12-31 for an agreement of 2026-01-15 is
    refused with the row named, and nothing is written; the signing day itself is accepted."""
    early = {**ENT, "due_on": dt.date(2025, 12, 31)}
    with pytest.raises(ValidationFailed) as exc:
        make(world, commitments=[GOV, early])
    assert exc.value.extra["fields"] == {"commitments[1].due_on": ["履约期限不能早于协议签订日期"]}
    assert not Agreement.objects.exists() and not Commitment.objects.exists()
    assert make(world, commitments=[{**GOV, "due_on": dt.date(2026, 1, 15)}]).commitments.count() == 1


def test_source_ref_is_unique(world):
    make(world, source="attraction", source_ref="42")
    with pytest.raises(ValidationFailed) as exc:
        make(world, source="attraction", source_ref="42")
    assert exc.value.status == 409
    with pytest.raises(TypeError):
        make(world, lead=1)


def test_update_is_version_checked(world):
    a = make(world)
    agreement_update(actor=world.users.city, agreement=a, expected_version=1, data={"amount": "60000"})
    with pytest.raises(ConflictError):
        agreement_update(actor=world.users.county, agreement=a, expected_version=1, data={"title": "x"})
    a.refresh_from_db()
    assert a.amount == Decimal("60000") and a.version == 2


def test_four_eyes_claim_then_confirm(world):
    a = make(world)
    c = a.commitments.get(party="enterprise")
    with pytest.raises(ValidationFailed):
        commitment_claim(actor=world.users.enterprise, commitment=c, expected_version=1, result="fulfilled")
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    c = commitment_claim(
        actor=world.users.enterprise,
        commitment=c,
        expected_version=1,
        result="fulfilled",
        evidence_text="审计报告确认完成投资5.2亿元",
        evidence_file=pdf,
        achieved_value="52000",
        claimed_on=dt.date(2026, 1, 20),
    )
    assert c.status == CommitmentStatus.CLAIMED and c.evidence_content_type == "application/pdf"
    # the enterprise cannot confirm, nor can the same person
    with pytest.raises(PermissionDenied):
        commitment_confirm(actor=world.users.enterprise, commitment=c, expected_version=c.version, accept=True)
    c = commitment_confirm(actor=world.users.city, commitment=c, expected_version=c.version, accept=True)
    assert c.status == CommitmentStatus.FULFILLED and c.confirmed_by == world.users.city


def test_same_person_cannot_confirm_own_claim(world):
    a = make(world)
    c = a.commitments.get(party="government")
    c = commitment_claim(actor=world.users.county, commitment=c, expected_version=1, result="fulfilled", evidence_text="土地已交付")
    with pytest.raises(PermissionDenied, match="四眼"):
        commitment_confirm(actor=world.users.county, commitment=c, expected_version=c.version, accept=True)
    with pytest.raises(TransitionNotAllowed):
        commitment_claim(actor=world.users.city, commitment=c, expected_version=c.version, result="fulfilled", evidence_text="x")
    with pytest.raises(ValidationFailed):
        commitment_confirm(actor=world.users.city, commitment=c, expected_version=c.version, accept=False)
    c = commitment_confirm(actor=world.users.city, commitment=c, expected_version=c.version, accept=False, note="缺少交地确认书")
    assert c.status == CommitmentStatus.OPEN and c.confirm_note == "缺少交地确认书"


def test_enterprise_cannot_claim_government_commitment_nor_bad_file(world):
    a = make(world, commitments=[{**GOV, "owner_unit": world.dept}, ENT])
    gov = a.commitments.get(party="government")
    with pytest.raises(PermissionDenied):
        commitment_claim(actor=world.users.enterprise, commitment=gov, expected_version=1, result="fulfilled", evidence_text="x")
    ent = a.commitments.get(party="enterprise")
    exe = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed):
        commitment_claim(actor=world.users.enterprise, commitment=ent, expected_version=1, result="fulfilled", evidence_file=exe)
    ent.refresh_from_db()
    assert ent.status == CommitmentStatus.OPEN
    # the department owing a commitment records it
    c = commitment_claim(actor=world.users.department, commitment=gov, expected_version=1, result="partial", evidence_text="交付80亩")
    assert c.claimed_result == CommitmentStatus.PARTIAL


def test_a_signing_date_after_a_commitment_falls_due_is_refused(world):
    """Moving the signing date past a commitment's due date (the 6月底 land delivery of an
    agreement signed in January, re-dated to July) is refused with the commitment named, as a new
    commitment due before the signing is (``Commitment.clean``); nothing changes. The due day
    itself and any earlier date are accepted."""
    a = make(world)
    with pytest.raises(ValidationFailed) as exc:
        agreement_update(actor=world.users.city, agreement=a, expected_version=1, data={"signed_on": "2026-07-01"})
    [message] = exc.value.extra["fields"]["signed_on"]
    assert "2026年6月底前交付净地120亩" in message and "2026-06-30" in message and "签订日期不能晚于承诺" in message
    a.refresh_from_db()
    assert a.signed_on == dt.date(2026, 1, 15) and a.version == 1
    assert not AuditEvent.objects.filter(action="agreement.update").exists()
    agreement_update(actor=world.users.city, agreement=a, expected_version=1, data={"signed_on": dt.date(2026, 6, 30)})
    a.refresh_from_db()
    assert a.signed_on == dt.date(2026, 6, 30)
    agreement_update(actor=world.users.city, agreement=a, expected_version=2, data={"signed_on": "2025-12-01"})
    a.refresh_from_db()
    assert a.signed_on == dt.date(2025, 12, 1)
