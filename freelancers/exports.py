"""The talent pool as CSV (the list page's "Export CSV" and `GET /api/v1/exports/freelancers.csv`),
written by accounts.csv_export so no column can carry a formula. Rates are decimals in major
units with the currency beside them; the columns are the ones the import reads back."""

from accounts.csv_export import csv_download

from .models import Freelancer
from .money import to_major

FREELANCER_COLUMNS = ["id", "name", "email", "headline", "skills", "timezone", "country", "rate",
                      "rate_unit", "currency", "status", "do_not_hire", "do_not_hire_reason", "created_at"]


def freelancers_csv(workspace, filename="freelancers.csv"):
    response, writer = csv_download(filename, FREELANCER_COLUMNS)
    rows = Freelancer.objects.filter(workspace=workspace).order_by("name", "pk")
    for f in rows.iterator(chunk_size=500):
        writer.writerow([
            f.pk, f.name, f.email, f.headline, ", ".join(f.skills or []), f.timezone, f.country,
            to_major(f.rate_amount, f.currency), f.rate_unit, f.currency, f.status,
            "yes" if f.do_not_hire else "no", f.do_not_hire_reason, f.created_at.isoformat(),
        ])
    return response
