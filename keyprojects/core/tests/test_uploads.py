"""core.uploads: the one rule for attached documents (a commitment's 佐证材料, a brand
application's 申报材料)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.core.errors import ValidationFailed
from keyprojects.core.uploads import DOCUMENT_MAX_BYTES, sniff_document, store_document

PDF = b"%PDF-1.7\n" + b"x" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


class _Field:
    """A FieldFile's save(), recorded (nothing reaches a storage: no name to keep or delete)."""

    storage = None
    name = ""

    def __init__(self) -> None:
        self.saved: list[tuple[str, bytes]] = []

    def save(self, name: str, content: object, save: bool = True) -> None:
        assert save is False
        self.saved.append((name, content.read()))  # type: ignore[attr-defined]


def test_the_type_comes_from_the_bytes_not_the_name() -> None:
    assert sniff_document(PDF[:16]) == "application/pdf"
    assert sniff_document(PNG[:16]) == "image/png"
    assert sniff_document(b"PK\x03\x04 not a pdf") is None
    field = _Field()
    assert store_document(field, SimpleUploadedFile("report.docx", PDF), field="evidence_file", label="佐证材料") == "application/pdf"
    ((name, content),) = field.saved
    assert name.endswith(".pdf") and "report" not in name and content == PDF  # a random name, the whole file


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "申报材料为空文件"),
        (b"PK\x03\x04" + b"\0" * 100, "申报材料只能是PDF、JPEG、PNG或WebP文件"),
        (b"%PDF-" + b"\0" * DOCUMENT_MAX_BYTES, "申报材料不能超过10MB"),
    ],
)
def test_refusals_name_the_field_and_store_nothing(content: bytes, message: str) -> None:
    field = _Field()
    with pytest.raises(ValidationFailed) as caught:
        store_document(field, SimpleUploadedFile("x.pdf", content), field="attachment", label="申报材料")
    assert caught.value.extra["fields"] == {"attachment": [message]}
    assert field.saved == []


# --- a stored file lives as long as the transaction that stored it -----------------------------


@pytest.fixture
def storage(tmp_path):
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=tmp_path)


def _store(storage, text: str) -> str:
    from django.core.files.base import ContentFile

    from keyprojects.core.uploads import kept_if_committed

    name = storage.save(f"{text}.pdf", ContentFile(PDF))
    kept_if_committed(storage, name)
    return name


@pytest.mark.django_db(transaction=True)
def test_a_committed_file_stays_and_a_rolled_back_one_goes(storage) -> None:
    from django.db import transaction

    with transaction.atomic():
        kept = _store(storage, "kept")
    assert storage.exists(kept)

    with pytest.raises(RuntimeError), transaction.atomic():
        gone = _store(storage, "gone")
        assert storage.exists(gone)  # there while its transaction runs
        raise RuntimeError("a later step of the same transaction fails")
    assert not storage.exists(gone)

    # a savepoint rolled back inside a transaction that commits: its file goes, the others stay
    with transaction.atomic():
        outer = _store(storage, "outer")
        with pytest.raises(RuntimeError), transaction.atomic():
            inner = _store(storage, "inner")
            raise RuntimeError
        assert not storage.exists(inner)
    assert storage.exists(outer)

    alone = _store(storage, "alone")  # outside any transaction: kept at once
    assert storage.exists(alone)


@pytest.mark.django_db(transaction=True)
def test_a_replaced_file_goes_only_when_the_change_commits(storage) -> None:
    from django.db import transaction

    from keyprojects.core.uploads import delete_when_committed

    old = _store(storage, "old")
    with pytest.raises(RuntimeError), transaction.atomic():
        delete_when_committed(storage, old)
        raise RuntimeError
    assert storage.exists(old)  # the change did not happen: the row still refers to it
    with transaction.atomic():
        delete_when_committed(storage, old)
        assert storage.exists(old)
    assert not storage.exists(old)
