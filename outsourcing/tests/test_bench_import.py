"""The import benchmark's file is a real spreadsheet export the import takes whole (a broken file
would measure a refusal, not an import), and each run starts from the same pool."""

import pytest

from freelancers.models import Freelancer, FreelancerImport, ImportStatus
from freelancers.services import imports as import_services
from outsourcing.bench import imports

pytestmark = pytest.mark.django_db


def test_the_bench_file_is_imported_whole_and_a_second_run_starts_over():
    workspace, owner = imports.prepare(existing=5)
    job, _seconds, queries = imports.preview(workspace, owner, imports.csv_bytes(120))
    assert (job.total_rows, job.errors, queries) == (120, [], 2)

    import_services.freelancer_import_confirm(job=job, actor=owner)  # small: runs in the request

    job.refresh_from_db()
    assert (job.status, job.imported_rows) == (ImportStatus.DONE, 120)
    assert Freelancer.objects.filter(workspace=workspace).count() == 125
    assert Freelancer.objects.filter(workspace=workspace, email__startswith="ana.import").exists()

    again, _ = imports.prepare(existing=5)
    assert again == workspace
    assert Freelancer.objects.filter(workspace=workspace).count() == 5
    assert not FreelancerImport.objects.filter(workspace=workspace).exists()
