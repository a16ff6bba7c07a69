"""The hand-written reads and inserts of the API's hot path give what the ORM gives: a joined
row turns into the same instances `select_related` builds (JSON decoded, a LEFT JOIN's missing
row None), and `insert_one` writes what `save()` writes, skipping a duplicate only when told."""

import pytest
from django.db import IntegrityError, transaction

from accounts.bulk import insert_one
from accounts.joined import Joined
from accounts.models import User
from engagements.models import Engagement, Milestone
from freelancers.models import Freelancer
from notifications.models import Notification
from payments.tests.factories import EngagementFactory, FreelancerFactory, MilestoneFactory

pytestmark = pytest.mark.django_db

READ = Joined(("m", Milestone), ("e", Engagement), ("f", Freelancer), ("u", User), sql="""
    SELECT {columns}, e.title || '!' FROM engagements_milestone m
    JOIN engagements_engagement e ON e.id = m.engagement_id
    JOIN freelancers_freelancer f ON f.id = e.freelancer_id
    LEFT JOIN accounts_user u ON u.id = f.user_id
    WHERE m.id = %s""")


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.mark.parametrize("with_login", [True, False])
def test_a_joined_row_is_what_select_related_builds(workspace, with_login):
    freelancer = FreelancerFactory(workspace=workspace, links=["https://example.com/ana", {"kind": "git"}])
    if not with_login:
        Freelancer.objects.filter(pk=freelancer.pk).update(user=None)
    engagement = EngagementFactory(workspace=workspace, freelancer=freelancer, title="Site")
    milestone = MilestoneFactory(engagement=engagement, amount=12_345)

    got, eng, free, user, extra = READ.one([milestone.pk])

    orm = Milestone.objects.select_related("engagement__freelancer__user").get(pk=milestone.pk)
    assert _values(got) == _values(orm)
    assert _values(eng) == _values(orm.engagement)
    assert _values(free) == _values(orm.engagement.freelancer)
    assert free.links == ["https://example.com/ana", {"kind": "git"}]  # JSON, decoded as the ORM does
    assert (user and _values(user)) == (orm.engagement.freelancer.user and _values(orm.engagement.freelancer.user))
    assert (user is None) is (not with_login)
    assert extra == "Site!"  # what the read selects after the parts comes back as it is
    assert not got._state.adding and got._state.db == "default"
    assert READ.one([milestone.pk + 10_000]) is None


def test_insert_one_writes_what_save_writes_and_skips_a_duplicate_only_when_told(workspace):
    first = Notification(kind="x", recipient_email="a@example.com", dedupe_key="once", workspace=workspace,
                         context={"amount": "1.00", "nested": [1, 2]})

    assert insert_one(first) is True

    stored = Notification.objects.get(pk=first.pk)
    assert stored.context == {"amount": "1.00", "nested": [1, 2]}
    assert stored.created_at == first.created_at and stored.status == first.status  # the model's defaults
    again = Notification(kind="x", recipient_email="b@example.com", dedupe_key="once", workspace=workspace)
    assert insert_one(again, ignore_conflicts=True) is False
    assert again.pk is None
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(Notification(kind="x", recipient_email="c@example.com", dedupe_key="once", workspace=workspace))
    assert list(Notification.objects.values_list("recipient_email", flat=True)) == ["a@example.com"]


@pytest.mark.postgres  # elsewhere Joined reads through Django's own cursor
def test_a_joined_read_is_prepared_once_per_connection_and_counted_like_any_statement(
        workspace, django_assert_num_queries):
    from django.db import connection

    first, second = (MilestoneFactory(engagement=EngagementFactory(workspace=workspace)) for _ in range(2))
    read = Joined(("m", Milestone), sql="SELECT {columns} FROM engagements_milestone m /* prepared once */ "
                                        "WHERE m.id = ANY(%s) ORDER BY m.id")

    with django_assert_num_queries(3):  # in the query log and execute_wrappers like every statement
        for _ in range(2):
            assert read.one([[first.pk]])[0].due_at == first.due_at  # timestamps in the connection's time zone
        assert [m.pk for m, in read.all([[first.pk, second.pk]])] == [first.pk, second.pk]

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", ["%/* prepared once */%"])
        assert cursor.fetchone() == (1, 3)  # planned by PostgreSQL once, run three times


def test_insert_one_with_many_writes_the_row_and_its_rows_or_neither(workspace):
    from accounts.bulk import insert_one_with_many
    from payments.models import Account, AccountKind, Entry, Transaction

    engagement = EngagementFactory(workspace=workspace)
    funding = Account.objects.create(workspace=workspace, kind=AccountKind.OWNER_FUNDING)
    escrow = Account.objects.create(workspace=workspace, kind=AccountKind.ESCROW, engagement=engagement)
    lines = [{"account_id": funding.pk, "amount": -500, "currency": "USD"},
             {"account_id": escrow.pk, "amount": 500, "currency": "USD"}]

    def fund():
        return Transaction(workspace=workspace, kind="fund", engagement=engagement, idempotency_key="once",
                           request_fingerprint="0" * 64)

    first = fund()
    returned = insert_one_with_many(first, Entry, lines, link="transaction_id", returning=("pk", "amount"))

    assert Transaction.objects.get(pk=first.pk).idempotency_key == "once" and not first._state.adding
    assert returned == list(Entry.objects.filter(transaction=first).order_by("pk").values_list("pk", "amount"))
    assert [(e.account_id, e.amount) for e in Entry.objects.filter(transaction=first).order_by("pk")] == [
        (funding.pk, -500), (escrow.pk, 500)]
    with pytest.raises(IntegrityError), transaction.atomic():  # the unique key refuses the row: no rows either
        insert_one_with_many(fund(), Entry, lines, link="transaction_id")
    assert Transaction.objects.count() == 1 and Entry.objects.count() == 2
