"""Encryption at rest for stored secrets (access-grant secrets, webhook signing secrets): Fernet
tokens under a MultiFernet. It sits in `accounts`, the bottom app, so every app can use it.

`settings.FERNET_KEYS` lists the keys, newest first: the first encrypts, every one decrypts.
To rotate, put a new key first, run `manage.py rotate_fernet_keys` (re-encrypts every stored
token under the first key), then remove the old key from the list.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]


@lru_cache(maxsize=4)
def _multi(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        # Never echo the key: say which position is wrong.
        raise ImproperlyConfigured(
            "FERNET_KEYS must be comma-separated Fernet keys (32 url-safe base64-encoded bytes each; "
            "make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        ) from exc


def fernet():
    keys = tuple(settings.FERNET_KEYS)
    if not keys:
        raise ImproperlyConfigured("FERNET_KEYS is empty.")
    return _multi(keys)


@sensitive_variables("plaintext")
def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode("ascii")


@sensitive_variables()
def decrypt(token: str) -> str:
    """Raises InvalidToken when no configured key opens it (a key was dropped too early)."""
    return fernet().decrypt(token.encode("ascii")).decode()


def rotate(token: str) -> str:
    """The same secret, re-encrypted under the first key (no plaintext leaves this call)."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")
