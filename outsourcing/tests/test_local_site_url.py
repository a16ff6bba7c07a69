"""The local run's emails link to where it serves: `PORT=8100 make run` puts 8100 in SITE_URL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _site_url(tmp_path, **env):
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "outsourcing.settings", "DEBUG": "1",
             "VAR_DIR": str(tmp_path), **env}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.SITE_URL)"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "8100"}, "http://127.0.0.1:8100"),
    ({"HOST": "0.0.0.0", "PORT": "8100"}, "http://127.0.0.1:8100"),
    ({"HOST": "localhost", "PORT": "9000"}, "http://localhost:9000"),
    ({"PORT": "8100", "SITE_URL": "https://app.example.com/"}, "https://app.example.com"),
])
def test_site_url_follows_the_local_host_and_port(tmp_path, env, expected):
    assert _site_url(tmp_path, **env) == expected
