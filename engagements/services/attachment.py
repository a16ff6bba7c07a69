"""Storing uploaded files: the one storage for message attachments and milestone submissions.

A file is checked by its content (freelancers.uploads.check_upload: size limit, allowed types
by setting, a disguised type refused), its name cleaned, and it is written under a random key
through Django's storage API (STORAGES["default"]: the file system under MEDIA_ROOT, outside
the web root, or any storage backend). Images get a thumbnail re-encoded by Pillow, so the
preview a page shows is never the uploaded bytes. Files are written before the row's
transaction (README, "Short transactions"), and removed again when the row does not make it.
"""

import io
import logging
import warnings
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from freelancers.uploads import check_upload, clean_filename, extension_for

from ..models import Attachment

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = (480, 360)
# An upload never named in a message or submission (the API's POST /attachments/ followed by
# nothing) is removed after this long: nobody can see it but its uploader, and it takes space.
UNUSED_KEPT = timedelta(days=1)
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def attachments_check(files):
    """The content type of each upload, or a ValidationError naming the file and the rule."""
    types = []
    for upload in files:
        try:
            types.append(check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"files": [f"{clean_filename(upload.name)}: {m}" for m in exc.messages]},
                                  code=exc.error_list[0].code) from exc
    return types


def _thumbnail(upload):
    """PNG bytes of a small preview, or None when the image cannot be decoded."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # An image past Pillow's pixel limit gets no preview (a decompression bomb).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image.thumbnail(THUMBNAIL_SIZE)
                preview = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
                out = io.BytesIO()
                preview.save(out, format="PNG", optimize=True)
                return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        log.info("No preview for an uploaded image: %s", exc)
        return None
    finally:
        upload.seek(0)


def _write(attachment, upload, content_type):
    """Write the file (and its preview) to storage; returns the names written."""
    attachment.file.save(f"upload{extension_for(content_type)}", upload, save=False)
    written = [attachment.file.name]
    if content_type in IMAGE_TYPES:
        preview = _thumbnail(upload)
        if preview:
            attachment.thumbnail.save("thumb.png", ContentFile(preview), save=False)
            written.append(attachment.thumbnail.name)
    return written


def attachments_discard(attachments):
    """Remove stored files and their rows (a message or submission that did not make it)."""
    for attachment in attachments:
        for field in (attachment.file, attachment.thumbnail):
            if field:
                field.storage.delete(field.name)
        if attachment.pk:
            Attachment.objects.filter(pk=attachment.pk).delete()


def attachments_store(*, workspace, uploaded_by, files, content_types=None):
    """Check and store uploads; returns their Attachment rows, not yet hanging from a message
    or submission (only the uploader may see them until then). All or nothing: a refused file
    stores none, and a failure midway removes what was written."""
    files = list(files)
    content_types = content_types or attachments_check(files)
    stored = []
    try:
        for upload, content_type in zip(files, content_types, strict=True):
            attachment = Attachment(workspace=workspace, uploaded_by=uploaded_by, name=clean_filename(upload.name),
                                    content_type=content_type, size=upload.size)
            _write(attachment, upload, content_type)
            stored.append(attachment)
        with transaction.atomic():
            for attachment in stored:
                attachment.save()
    except Exception:
        attachments_discard(stored)
        raise
    return stored


def attachment_upload(*, workspace, uploaded_by, upload):
    """One file uploaded on its own (the API's POST /attachments/), to be named in a message."""
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    try:
        content_type = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}, code=exc.error_list[0].code) from exc
    [attachment] = attachments_store(workspace=workspace, uploaded_by=uploaded_by, files=[upload],
                                     content_types=[content_type])
    return attachment


def attachments_purge_unused(*, now=None, batch=500):
    """Housekeeping (beat, hourly): remove uploads still unused a day after they were stored,
    rows and files. The DELETE is conditional on the row being unused still, so a file named in
    a message at the last moment stays; the files go once the deletion has committed."""
    cutoff = (now or timezone.now()) - UNUSED_KEPT
    unused = Attachment.objects.filter(engagement__isnull=True, message__isnull=True, created_at__lt=cutoff)
    removed = 0
    while True:
        with transaction.atomic():
            rows = list(unused.select_for_update(skip_locked=True).order_by("pk")[:batch])
            if not rows:
                break
            Attachment.objects.filter(pk__in=[a.pk for a in rows]).delete()
            files = [(f.storage, f.name) for a in rows for f in (a.file, a.thumbnail) if f]
            transaction.on_commit(lambda files=files: [storage.delete(name) for storage, name in files])
        removed += len(rows)
        if len(rows) < batch:
            break
    return removed
