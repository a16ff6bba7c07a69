"""Uploaded files (samples, submitted work, message attachments): size-limited and
type-checked by their content, not by their name.

A file is accepted only when its first bytes match a known format and the name it came with
does not claim another one (a `.png` that is really a PDF, or an HTML page, is refused, and so
is an `.exe`). Which formats are accepted is the `UPLOAD_ALLOWED_TYPES` setting (a subset of
`ALLOWED`), the size limit `MAX_UPLOAD_BYTES`.
"""

import os
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

# content type → (label, extensions that may claim it)
ALLOWED = {
    "application/pdf": ("PDF", {".pdf"}),
    "image/png": ("PNG image", {".png"}),
    "image/jpeg": ("JPEG image", {".jpg", ".jpeg"}),
    "image/gif": ("GIF image", {".gif"}),
    "image/webp": ("WebP image", {".webp"}),
    "application/zip": ("ZIP archive", {".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".sketch", ".fig"}),
    "text/plain": ("plain text", {".txt", ".md", ".csv", ".log", ".json", ".html", ".css", ".js", ".py"}),
}
EXTENSION_FOR = {
    "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
    "image/webp": ".webp", "application/zip": ".zip", "text/plain": ".txt",
}
SNIFF_BYTES = 8192


def extension_for(content_type):
    return EXTENSION_FOR.get(content_type, ".bin")


def sniff(head: bytes):
    """The content type the first bytes of a file show, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "application/zip"
    if head and b"\x00" not in head:
        try:
            # A multi-byte character may be cut at the end of the sniffed block.
            head.decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
                return "text/plain"
    return None


def allowed_types():
    """{content type: (label, extensions)} this deployment accepts (UPLOAD_ALLOWED_TYPES)."""
    wanted = getattr(settings, "UPLOAD_ALLOWED_TYPES", None) or list(ALLOWED)
    return {ctype: ALLOWED[ctype] for ctype in wanted if ctype in ALLOWED}


def accepted_names():
    return ", ".join(sorted({ext for _, exts in allowed_types().values() for ext in exts}))


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def clean_filename(name, *, limit=200):
    """The name a file is offered under when downloaded: no directories, control characters or
    characters a file system or a header would trip on, not hidden, at most `limit` characters
    (keeping the extension). Never used for storage: files are stored under random keys."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_UNSAFE_NAME.sub("_", name).split()).strip(" .")
    stem, ext = os.path.splitext(name)
    if not stem:
        stem = "file"
    ext = ext[:16]
    return f"{stem[:max(1, limit - len(ext))]}{ext}"


def check_upload(upload):
    """Validate an UploadedFile; returns its real content type or raises ValidationError."""
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}.", code="too_big"
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="empty")
    ext = os.path.splitext(upload.name or "")[1].lower()
    claimed = next((ctype for ctype, (_, exts) in allowed_types().items() if ext in exts), None)
    if claimed is None:
        raise ValidationError(
            f"Files ending in “{ext or '(no extension)'}” are not accepted. Accepted: {accepted_names()}.",
            code="type",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    actual = sniff(head)
    if actual != claimed:
        label = ALLOWED[claimed][0]
        found = f"it looks like a {ALLOWED[actual][0]}" if actual else "its content is not a format we accept"
        raise ValidationError(f"This file is named like a {label}, but {found}.", code="type_mismatch")
    return actual


def attachment_response(field_file, *, filename, content_type):
    """A stored upload served the only safe way: as a download that the browser never sniffs,
    renders or caches (the caller has already checked who may see it). 404 when the file is
    gone from storage."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def preview_response(field_file):
    """A preview the app made itself (a thumbnail re-encoded as PNG), shown inline in an <img>:
    never sniffed, sandboxed, not cached by shared caches. 404 when it is gone from storage."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(handle, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
