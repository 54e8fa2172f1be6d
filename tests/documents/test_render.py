"""The render pipeline: text that can be extracted and searched, failures visible on the
row, retries and repeated deliveries that give exactly one document, any character."""

import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType

from documents import audit_labels as actions
from documents import services
from documents.models import Document
from documents.services import document_render, document_request, document_retry
from documents.tasks import render_document
from portal.audit import entries_for
from portal.models import Sequence
from tests.documents.helpers import compact, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def _request(subject, by, *, template="pdf/guidance_opinion.html", context=None, **extra):
    base = {
        "title": "海外知识产权纠纷应对行政指导意见书",
        "addressee": "山西晋成精密机械有限公司",
        "case_number": "AJ-2026-000001",
        "application_number": "SQ-2026-000001",
        "submitted_on": "2026年11月2日",
        "sections": [{"heading": "一、纠纷基本情况", "paragraphs": ["美国竞争对手指控你单位侵犯其发明专利。"]}],
        "copy_to": "",
    }
    return document_request(
        kind=Document.Kind.GUIDANCE_OPINION,
        subject=subject,
        template=template,
        context={**base, **(context or {})},
        title=base["title"],
        by=by,
        **extra,
    )


def test_the_pdf_carries_number_title_addressee_and_chinese_body(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = _request(staff, staff, number="晋知指〔2026〕7号")
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    text = compact(pdf_text(document.file.path))
    assert "晋知指〔2026〕7号" in text
    assert "海外知识产权纠纷应对行政指导意见书" in text
    assert "山西晋成精密机械有限公司：" in text
    assert "美国竞争对手指控你单位侵犯其发明专利。" in text
    assert "山西省涉外知识产权指导中心" in text
    assert document.verification_code in text
    assert "—1—" in text  # page number in the standard's style
    data = document.file.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert document.size == len(data) and document.pages >= 1
    fonts = pdf_fonts(data)
    assert "FandolFang" in fonts  # the body in 仿宋 (GB/T 9704-2012)
    # Every font is embedded and subset (the emb and sub columns say yes).
    for line in fonts.splitlines()[2:]:
        assert line.split()[-5:-3] == ["yes", "yes"], line


def test_characters_outside_gb2312_render_without_missing_glyphs(staff, django_capture_on_commit_callbacks):
    rare = "𠮷野家 龘 臺灣國際專利事務所 Müller & Søn Łódź Café 😀 ✔"
    with django_capture_on_commit_callbacks(execute=True):
        document = _request(staff, staff, context={"addressee": rare})
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    text = pdf_text(document.file.path)
    # A character whose glyph was missing would not come back out of the text layer.
    for char in "𠮷龘臺灣國際專利事務所üøŁóéé😀✔":
        assert char in text, char
    fonts = pdf_fonts(document.file.read())
    assert "DejaVu" in fonts or "Noto-Serif-CJK" in fonts


def test_a_failed_render_is_visible_with_its_error_and_a_retry_gives_exactly_one_document(
    staff, django_capture_on_commit_callbacks, monkeypatch
):
    original = services.render_document

    def broken(template, context):
        raise KeyError("missing font")

    monkeypatch.setattr(services, "render_document", broken)
    with django_capture_on_commit_callbacks(execute=True):
        document = _request(staff, staff, number="晋知指〔2026〕8号")
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "missing font" in document.last_error
    assert not document.file
    [failed] = entries_for(document).filter(action_type=actions.FAILED)
    assert (failed.actor, failed.from_status, failed.to_status) == (None, "pending", "failed")
    assert "missing font" in failed.note

    monkeypatch.setattr(services, "render_document", original)
    with django_capture_on_commit_callbacks(execute=True):
        document_retry(document=document, by=staff)
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert document.last_error == ""
    assert document.number == "晋知指〔2026〕8号"
    assert Document.objects.count() == 1


def test_a_second_delivery_of_the_task_makes_no_second_file_or_number(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = _request(staff, staff, number=services_number())
    document.refresh_from_db()
    first_file, first_hash = document.file.name, document.sha256
    sequence = Sequence.objects.get(key="document:晋知指发").last_value

    assert render_document.apply(args=[document.pk]).get(disable_sync_subtasks=False) == "ready"
    document_render(document_id=document.pk)

    document.refresh_from_db()
    assert (document.file.name, document.sha256, document.attempts) == (first_file, first_hash, 1)
    assert Document.objects.count() == 1
    assert Sequence.objects.get(key="document:晋知指发").last_value == sequence
    storage_dir = document.file.storage.path(document.file.name).rsplit("/", 1)[0]
    import os

    assert len(os.listdir(storage_dir)) == 1


def services_number():
    from django.db import transaction

    with transaction.atomic():
        return services.allocate_number(Document.Kind.GUIDANCE_OPINION)


def test_a_pending_render_can_be_retried_only_once_its_worker_is_presumed_lost(staff, monkeypatch):
    document = Document.objects.create(
        kind=Document.Kind.GUIDANCE_OPINION,
        title="t",
        template="pdf/guidance_opinion.html",
        subject_type=ContentType.objects.get_for_model(staff),
        subject_id=staff.pk,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        document_retry(document=document, by=staff)
    Document.objects.filter(pk=document.pk).update(created_at=document.created_at - services.stuck_after() * 2)
    document.refresh_from_db()
    assert services.is_stuck(document)
    document_retry(document=document, by=staff)
    [retried] = entries_for(document).filter(action_type=actions.RETRIED)
    assert retried.actor == staff


def test_a_thirty_page_document_renders(staff, django_capture_on_commit_callbacks):
    paragraph = "经研究，现就该纠纷的应对提出如下意见，供你单位参考。" * 12
    sections = [{"heading": f"{n}、第{n}部分", "paragraphs": [paragraph] * 4} for n in range(1, 46)]
    with django_capture_on_commit_callbacks(execute=True):
        document = _request(staff, staff, context={"sections": sections})
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    assert document.pages >= 30


def test_each_form_has_its_own_sequence_and_numbers_never_collide():
    from django.db import transaction

    with transaction.atomic():
        letter = services.allocate_number(Document.Kind.ASSISTANCE_LETTER)
        opinion = services.allocate_number(Document.Kind.GUIDANCE_OPINION)
        second_letter = services.allocate_number(Document.Kind.ASSISTANCE_LETTER)
    assert letter != opinion
    assert letter.startswith("晋知指函〔") and letter.endswith("〕1号")
    assert opinion.startswith("晋知指发〔") and opinion.endswith("〕1号")
    assert second_letter.endswith("〕2号")
