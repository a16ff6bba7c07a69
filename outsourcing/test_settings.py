"""Settings for the test suite: the real settings with test-only defaults.

DATABASE_URL and REDIS_URL pass through unchanged, so `.ci/run` tests against real
PostgreSQL and Redis; without them the suite runs on SQLite and skips (with a reason) the
tests marked `postgres` or `redis`.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# A fixed key for the tests only (a real one is `Fernet.generate_key()`).
os.environ.setdefault("FERNET_KEYS", "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhIT0=")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:2525")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
# Off: tests that travel days ahead with a signed-in client would be signed out; the idle
# timeout's own tests (accounts/tests/views/test_sessions.py) turn it on.
os.environ.setdefault("SESSION_IDLE_TIMEOUT", "0")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
