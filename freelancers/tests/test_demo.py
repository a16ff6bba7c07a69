from freelancers import demo
from freelancers.models import Freelancer, FreelancerStatus, Interview, Reference


def test_the_demo_has_every_stage_and_loads_twice_without_duplicates(workspace, owner):
    demo.load(workspace=workspace, owner=owner)
    counts = (Freelancer.objects.count(), Reference.objects.count(), Interview.objects.count())
    statuses = set(Freelancer.objects.values_list("status", flat=True))
    assert statuses == set(FreelancerStatus.values)
    assert Freelancer.objects.filter(do_not_hire=True).exists()
    assert set(Reference.objects.values_list("status", flat=True)) == {"draft", "requested", "received",
                                                                       "declined", "expired"}
    assert Interview.objects.filter(scored_at__isnull=False).exists()
    assert Interview.objects.filter(scored_at__isnull=True).exists()
    demo.load(workspace=workspace, owner=owner)
    assert (Freelancer.objects.count(), Reference.objects.count(), Interview.objects.count()) == counts


def test_the_demos_rate_history_reads_as_periods(workspace, owner):
    demo.load(workspace=workspace, owner=owner)
    for freelancer in Freelancer.objects.filter(rate_changes__isnull=False).distinct():
        days = [c.changed_at.date() for c in freelancer.rate_changes.all()]
        assert len(days) == len(set(days)), f"{freelancer.name}: two rates starting the same day"
