"""The mail settings from one URL: EMAIL_URL (django-environ's form) becomes a Django 6.1
MAILERS entry, so a deployment sets one variable instead of the deprecated EMAIL_* settings."""

import environ


def mailer_from_url(url):
    """EMAIL_URL in django-environ's form (smtp://user:pass@host:587/?tls=True) → MAILERS."""
    cfg = environ.Env.email_url_config(url)
    backend = cfg.pop("EMAIL_BACKEND")
    options = {}
    mapping = {
        "EMAIL_HOST": "host",
        "EMAIL_PORT": "port",
        "EMAIL_HOST_USER": "username",
        "EMAIL_HOST_PASSWORD": "password",
        "EMAIL_USE_TLS": "use_tls",
        "EMAIL_USE_SSL": "use_ssl",
        "EMAIL_TIMEOUT": "timeout",
        "EMAIL_FILE_PATH": "file_path",
    }
    for key, option in mapping.items():
        if cfg.get(key) not in (None, ""):
            options[option] = cfg[key]
    if backend.endswith("smtp.EmailBackend"):
        options.setdefault("timeout", 20)
    else:
        options.pop("host", None)
        options.pop("port", None)
    return {"BACKEND": backend, "OPTIONS": options}
