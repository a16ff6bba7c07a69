"""What the database itself holds to, whatever the code above it does."""

import pytest

from freelancers.models import Reference


def test_reference_rows_refuse_scores_outside_1_to_5_at_the_database(freelancer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.create(freelancer=freelancer, name="x", email="x@example.org", relationship="x",
                                 quality=6)
