"""A freelancer's portfolio: samples (a link, or an uploaded file checked by its content and
stored under a generated name) and testimonials (optionally verified by an answered reference).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import ReferenceStatus, Sample, Testimonial
from ..uploads import check_upload


def sample_add(*, freelancer, actor=None, title, description="", url="", upload=None):
    # No transaction around the whole: the file is checked and written first, and only the
    # row's INSERT holds the database's write lock (README, "Short transactions").
    if not url and upload is None:
        raise ValidationError({"url": "Give a link or upload a file."})
    sample = Sample(freelancer=freelancer, title=(title or "").strip(), description=description or "",
                    url=url or "", added_by=actor)
    if upload is not None:
        try:
            sample.content_type = check_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        sample.original_filename = (upload.name or "file")[-255:]
        sample.size = upload.size
    sample.full_clean(exclude=["file", "freelancer", "added_by"], validate_constraints=False)
    if upload is None:
        sample.save()
        return sample
    sample.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            sample.save()
    except Exception:
        # The row did not make it: do not leave its file behind.
        sample.file.storage.delete(sample.file.name)
        raise
    return sample


@transaction.atomic
def sample_delete(*, sample):
    """The row now; its file once the deletion has committed (a rollback keeps both)."""
    storage, name = (sample.file.storage, sample.file.name) if sample.file else (None, None)
    sample.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def testimonial_add(*, freelancer, quote, author, source="", verified_by=None):
    if verified_by is not None and (verified_by.freelancer_id != freelancer.pk
                                    or verified_by.status != ReferenceStatus.RECEIVED):
        raise ValidationError({"verified_by": "Choose a reference of this freelancer that has answered."})
    testimonial = Testimonial(freelancer=freelancer, quote=(quote or "").strip(), author=(author or "").strip(),
                              source=source or "", verified_by=verified_by)
    testimonial.full_clean(exclude=["freelancer", "verified_by"])
    testimonial.save()
    return testimonial


def testimonial_delete(*, testimonial):
    testimonial.delete()
