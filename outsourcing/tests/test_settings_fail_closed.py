"""Production settings refuse to start without what they need, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": "a-real-production-secret-key-for-this-test-only-0123456789abcdef",
    "ALLOWED_HOSTS": "app.example.com",
    "EMAIL_URL": "smtp://mail.example.com:587/?tls=True",
    "FERNET_KEYS": "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhIT0=",
}


def _start(tmp_path, **env):
    """`django.setup()` in a fresh interpreter with only these variables (no DEBUG)."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "outsourcing.settings",
             "VAR_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); print('started')"],
                          cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_refuses_to_start_without(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = _start(tmp_path, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The {missing} environment variable is required" in result.stderr


def test_an_empty_allowed_hosts_counts_as_missing(tmp_path):
    result = _start(tmp_path, **{**PRODUCTION, "ALLOWED_HOSTS": ","})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_them_and_is_locked_down(tmp_path):
    probe = ("import django; django.setup(); from django.conf import settings as s; "
             "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
             "s.SECURE_HSTS_SECONDS > 0, s.MAILERS['default']['OPTIONS']['host'])")
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "outsourcing.settings",
             "VAR_DIR": str(tmp_path), **PRODUCTION}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "mail.example.com"]


def test_a_local_run_needs_nothing_but_debug(tmp_path):
    result = _start(tmp_path, DEBUG="1", DATABASE_URL="", REDIS_URL="")  # empty counts as unset

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
    # Its secret key is random per checkout, not a placeholder.
    assert len((tmp_path / "dev-secret-key").read_text().strip()) >= 50


def test_the_local_broker_keeps_its_files_under_var(tmp_path):
    """Celery's filesystem transport writes its broadcast (control) exchanges under VAR_DIR, not
    into whatever directory a process was started from."""
    var, cwd = tmp_path / "var", tmp_path / "elsewhere"
    cwd.mkdir()
    # What a worker does at start: bind its queue to a fanout (broadcast) exchange.
    probe = ("import django; django.setup(); from kombu import Exchange, Queue; "
             "from outsourcing.celery import app; conn = app.connection_for_write(); "
             "Queue('probe', Exchange('probe.pidbox', type='fanout'))(conn.default_channel).declare(); "
             "conn.release()")
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "outsourcing.settings",
           "VAR_DIR": str(var), "DEBUG": "1", "DATABASE_URL": "", "REDIS_URL": ""}
    result = subprocess.run([sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 0, result.stderr
    assert list(cwd.iterdir()) == []
    assert any((var / "broker" / "control").iterdir())


def test_the_deploy_checks_pass_without_a_single_warning(tmp_path):
    """`manage.py check --deploy --fail-level WARNING` on the production settings (CI runs it too;
    here it fails the suite the moment a setting weakens)."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "outsourcing.settings",
             "VAR_DIR": str(tmp_path), **PRODUCTION}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
