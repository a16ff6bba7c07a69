"""A large CSV import goes through a real Celery worker: the owner confirms, the page shows the
progress (the card htmx polls), and every one of 5,000 rows arrives."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from freelancers.models import Freelancer, FreelancerImport

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ROWS = 5_000


def test_a_5000_row_file_is_imported_by_the_worker_with_progress(celery_worker_process, owner_client, workspace):
    lines = ["Name;E-mail;Skills;Hourly rate"] + [f"Person {i};person{i}@example.com;python;{40 + i % 50}"
                                                  for i in range(ROWS)]
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
    response = owner_client.post("/freelancers/import/", {"file": SimpleUploadedFile("big.csv", data)}, follow=True)
    assert f"Import {ROWS:,}".replace(",", "") in response.content.decode().replace(",", "")
    job = FreelancerImport.objects.get()

    response = owner_client.post(f"/freelancers/import/{job.pk}/confirm/", follow=True)

    page = response.content.decode()
    assert "hx-trigger=\"every 1s\"" in page  # the progress card refreshes itself while importing
    seen = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        card = owner_client.get(f"/freelancers/import/{job.pk}/progress/").content.decode()
        if "hx-trigger" not in card:
            break
        seen.append(int(re.search(r'value="(\d+)"', card).group(1)))
        time.sleep(0.05)
    else:
        pytest.fail(f"the import did not finish; progress seen: {seen[-5:]}")

    assert f"{ROWS} freelancers imported" in card
    assert seen == sorted(seen) and all(0 <= n <= ROWS for n in seen)
    assert any(0 < n < ROWS for n in seen), f"no progress between start and end was shown: {seen}"
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.imported_rows) == ("done", ROWS, ROWS)
    assert Freelancer.objects.filter(workspace=workspace).count() == ROWS
    # The page can be left and reopened: the import's own page says how it ended.
    assert f"{ROWS} freelancers imported" in owner_client.get(f"/freelancers/import/{job.pk}/").content.decode()
