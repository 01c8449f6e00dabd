"""Settings for the test suite: the real settings, with a fast password hasher, mail kept
in memory and background tasks run in-process. The database still comes from
``ZG_DATABASE_URL``, so the same suite runs on SQLite and PostgreSQL, and with
``ZG_REDIS_URL`` set the task queue's storage is Redis even though tasks run inline."""

from zgovern.settings import *  # noqa: F403
from zgovern.settings import DATABASES, HUEY, REDIS_URL

PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405 - asserted by a test
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Immediate mode normally swaps the storage for an in-memory one; keeping Redis makes the
# PostgreSQL + Redis CI pass exercise the real queue storage.
HUEY = {**HUEY, "immediate": True, "immediate_use_memory": not REDIS_URL}
# Threads that touch the database (the live server, racing-claim tests) must not keep a
# connection open past their work, or PostgreSQL cannot drop the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
