import pytest

from payments import services
from payments.errors import InvalidInput, NotAllowed
from payments.models import PaymentSettings
from payments.selectors import review_window

pytestmark = pytest.mark.django_db


def test_the_owner_sets_the_review_window_and_until_then_the_default_applies(workspace, owner):
    assert review_window(workspace) == 14
    saved = services.payment_settings_update(workspace=workspace, actor=owner, review_window_days=5)
    assert (saved.review_window_days, saved.updated_by) == (5, owner)
    assert review_window(workspace) == 5


def test_only_the_owner_sets_it_within_1_to_30_days(workspace, owner, manager):
    with pytest.raises(NotAllowed):
        services.payment_settings_update(workspace=workspace, actor=manager, review_window_days=3)
    for days in (0, 31, "7", True):
        with pytest.raises(InvalidInput, match="1 to 30 days"):
            services.payment_settings_update(workspace=workspace, actor=owner, review_window_days=days)
    assert not PaymentSettings.objects.exists()
