"""Uploads are recognised by their first bytes, not by their name."""

import pytest

from freelancers.tests.factories import EXE, GIF, JPEG, PDF, PNG, WEBP, ZIP
from freelancers.uploads import sniff


@pytest.mark.parametrize("content,expected", [
    (PNG, "image/png"), (PDF, "application/pdf"), (JPEG, "image/jpeg"), (GIF, "image/gif"),
    (WEBP, "image/webp"), (ZIP, "application/zip"), ("Plain notes, ünïcode".encode(), "text/plain"),
    (EXE, None), (b"\x00\x01\x02", None),
])
def test_sniffing_reads_the_content(content, expected):
    assert sniff(content) == expected
