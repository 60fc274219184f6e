"""Evidence: files are checked by extension, contents and size before they are stored under
MEDIA_ROOT; links must be web links; files are served only to people who may read the plan,
as downloads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pcref.web.governance.models import Action, Evidence

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx(folder: str = "word/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture
def action(db):
    return Action.objects.create(
        title="Advocacy on wards", priority_area="mha_detentions", competencies=["workforce"],
        owner="Chief Nurse", start_date=dt.date(2024, 4, 1), due_date=dt.date(2026, 3, 31),
    )  # fmt: skip


def _post(client, action, **data):
    return client.post(f"/governance/actions/{action.pk}/evidence/", data)


@pytest.mark.django_db
def test_a_pdf_is_stored_under_media_root_and_served_to_plan_readers(
    client_for, action, _media_root
):
    response = _post(client_for("pcref_lead"), action, title="Training attendance",
                     file=SimpleUploadedFile("attendance.pdf", PDF, "application/pdf"))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    stored = _media_root / evidence.file.name
    assert stored.read_bytes() == PDF
    assert evidence.file.name.startswith(f"governance/evidence/{action.pk}/")
    assert evidence.file.name.endswith(".pdf") and "attendance" not in evidence.file.name
    assert (evidence.original_name, evidence.size) == ("attendance.pdf", len(PDF))
    assert action.history.filter(field="Evidence").exists()
    page = client_for("viewer").get(f"/governance/actions/{action.pk}/").content.decode()
    assert "Training attendance (attendance.pdf, under 1 KB)" in page

    download = client_for("viewer").get(f"/governance/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="attendance.pdf"')
    assert client_for("moderator").get(f"/governance/evidence/{evidence.pk}/").status_code == 403
    anonymous = client_for("anonymous").get(f"/governance/evidence/{evidence.pk}/")
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "tool.exe: the file must be a PDF, Word, Excel"),
        ("report.pdf", b"MZ\x90\x00 not a pdf", "report.pdf: the file's contents are not a PDF"),
        ("notes.docx", _docx("xl/"), "notes.docx: the file's contents are not a Word document"),
        ("notes.docx", b"PK\x03\x04 broken zip", "notes.docx: the file's contents are not"),
        ("figures.csv", "naïve".encode("latin-1"), "figures.csv: the file must be saved as UTF-8"),
        ("empty.txt", b"", "The submitted file is empty"),
    ],
)
def test_files_of_the_wrong_kind_are_refused(client_for, action, name, content, message):
    response = _post(client_for("pcref_lead"), action, title="Evidence",
                     file=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_good_word_document_is_accepted(client_for, action):
    _post(client_for("pcref_lead"), action, title="Terms of reference",
          file=SimpleUploadedFile("terms.docx", _docx()))
    evidence = Evidence.objects.get()
    assert evidence.content_type.endswith("wordprocessingml.document")


@pytest.mark.django_db
def test_files_over_the_limit_are_refused(client_for, action, settings):
    settings.PCREF_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    response = _post(client_for("pcref_lead"), action, title="Big",
                     file=SimpleUploadedFile("big.pdf", big))
    assert "big.pdf: the file must be smaller than 1 MB" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_links_must_be_web_links_and_one_kind_at_a_time(client_for, action):
    lead = client_for("pcref_lead")
    page = _post(lead, action).content.decode()
    assert "Enter what the evidence shows" in page and "Upload a file or give a link" in page
    page = _post(lead, action, title="Board paper", url="javascript:alert(1)").content.decode()
    assert "Enter a link that starts with https:// or http://" in page
    page = _post(lead, action, title="Board paper").content.decode()
    assert "Upload a file or give a link" in page
    page = _post(lead, action, title="Both", url="https://example.org/paper",
                 file=SimpleUploadedFile("a.pdf", PDF)).content.decode()
    assert "Give either a file or a link, not both" in page
    assert not Evidence.objects.exists()
    _post(lead, action, title="Board paper", url="https://example.org/board/2026-03")
    link = Evidence.objects.get()
    assert (link.url, link.is_file) == ("https://example.org/board/2026-03", False)
    assert client_for("viewer").get(f"/governance/evidence/{link.pk}/").status_code == 404
