"""Checking uploaded evidence before it is stored.

A file is accepted only when its name ends in an allowed extension *and* its first bytes
are what that kind of file starts with (a renamed executable is refused), and it is no
larger than ``PCREF_EVIDENCE_MAX_BYTES`` (10 MB unless set). Office documents are zip
files: they must contain ``[Content_Types].xml`` and the folder of their own kind
(``word/``, ``xl/``, ``ppt/``). Text and CSV must be UTF-8 without NUL bytes. The stored
file is served back only as a download (``Content-Disposition: attachment``) with the type
decided here, never the type the browser claimed.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    magic: bytes = b""
    zip_folder: str = ""
    text: bool = False


#: Extension → what a file with it must be.
KINDS: dict[str, Kind] = {
    ".pdf": Kind("PDF", "application/pdf", magic=b"%PDF-"),
    ".png": Kind("PNG image", "image/png", magic=b"\x89PNG\r\n\x1a\n"),
    ".jpg": Kind("JPEG image", "image/jpeg", magic=b"\xff\xd8\xff"),
    ".jpeg": Kind("JPEG image", "image/jpeg", magic=b"\xff\xd8\xff"),
    ".docx": Kind(
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        magic=b"PK\x03\x04", zip_folder="word/",
    ),
    ".xlsx": Kind(
        "Excel spreadsheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        magic=b"PK\x03\x04", zip_folder="xl/",
    ),
    ".pptx": Kind(
        "PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        magic=b"PK\x03\x04", zip_folder="ppt/",
    ),
    ".csv": Kind("CSV file", "text/csv", text=True),
    ".txt": Kind("text file", "text/plain", text=True),
}
ALLOWED = "PDF, Word, Excel, PowerPoint, PNG, JPEG, CSV or text"


def max_bytes() -> int:
    return int(getattr(settings, "PCREF_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload(upload: UploadedFile) -> Kind:
    """The kind of an uploaded evidence file, or a ValidationError saying what was expected
    (the messages name the file, as the error summary shows them)."""
    name = upload.name or "the file"
    kind = KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise ValidationError(f"{name}: the file must be a {ALLOWED} file")
    if upload.size == 0:
        raise ValidationError(f"{name}: the file is empty")
    if upload.size > max_bytes():
        raise ValidationError(f"{name}: the file must be smaller than {_megabytes(max_bytes())}")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    wrong = ValidationError(
        f"{name}: the file's contents are not a {kind.label}; upload a {ALLOWED} file"
    )
    if kind.magic and not head.startswith(kind.magic):
        raise wrong
    if kind.zip_folder:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            raise wrong from None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names or not any(
            n.startswith(kind.zip_folder) for n in names
        ):
            raise wrong
    if kind.text:
        data = upload.read()
        upload.seek(0)
        if b"\x00" in data:
            raise wrong
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                f"{name}: the file must be saved as UTF-8 text (Unicode)"
            ) from None
    return kind
