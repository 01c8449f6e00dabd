"""Settings for the test suite: the real settings, with a fast password hasher, mail kept
in memory and background tasks run in-process. The database still comes from
``ZG_DATABASE_URL``, so the same suite runs on SQLite and PostgreSQL."""

from zgovern.settings import *  # noqa: F403
from zgovern.settings import HUEY

PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405 - asserted by a test
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}
