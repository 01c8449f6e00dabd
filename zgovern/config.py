"""Typed readers for the ``ZG_*`` environment variables.

Every setting zGovern takes from its environment is read here, and a value that does not
parse stops start-up with a message naming the variable. Nothing else reads ``os.environ``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

PREFIX = "ZG_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """A ``ZG_*`` variable is missing or malformed; the message names it."""


def _raw(name: str) -> str | None:
    return os.environ.get(PREFIX + name)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{PREFIX}{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{PREFIX}{name}={value!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{PREFIX}{name}={number} is below the minimum of {minimum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def database_config(url: str) -> dict:
    """Translate a database URL into Django's ``DATABASES['default']``.

    Accepts ``sqlite:///relative/or/absolute/path`` and ``postgres[ql]://user:pass@host:port/db``.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative to the working directory; sqlite:////abs is absolute.
        prefix = "sqlite:///"
        raw_path = unquote(url[len(prefix) :].split("?")[0]) if url.startswith(prefix) else ""
        if not raw_path:
            raise ConfigError(f"{PREFIX}DATABASE_URL={url!r} names no SQLite file")
        path = Path(raw_path)
        return _sqlite(path if path.is_absolute() else Path.cwd() / path)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError(f"{PREFIX}DATABASE_URL={url!r} names no database")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigError(
        f"{PREFIX}DATABASE_URL={url!r}: unsupported scheme {parts.scheme!r} "
        "(use sqlite or postgres)"
    )


def _sqlite(path: Path) -> dict:
    # IMMEDIATE transactions take the write lock up front, so two writers queue for it
    # instead of one failing with "database is locked" when it upgrades a read lock.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def email_config(url: str) -> EmailConfig:
    """Parse ``ZG_EMAIL_URL``: ``console:``, ``locmem:``, ``smtp://user:pass@host:587?tls=1``."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return EmailConfig("django.core.mail.backends.console.EmailBackend")
    if parts.scheme == "locmem":
        return EmailConfig("django.core.mail.backends.locmem.EmailBackend")
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ConfigError(f"{PREFIX}EMAIL_URL={url!r} names no SMTP host")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return EmailConfig(
            "django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=query.get("tls", "").lower() in _TRUE,
            use_ssl=parts.scheme == "smtps",
        )
    raise ConfigError(f"{PREFIX}EMAIL_URL={url!r}: unsupported scheme (use console, locmem, smtp)")


def _persistent(path: Path, make: Callable[[], str]) -> str:
    """The value kept in ``path``, created on first use. Several processes starting at
    once agree on one value: each writes a private temporary file and links it into place,
    and whoever loses the race reads the winner's (never an empty, half-written file)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        with contextlib.suppress(FileExistsError):
            os.link(tmp_name, path)
    finally:
        os.unlink(tmp_name)
    return path.read_text().strip()


def persistent_secret(path: Path, nbytes: int = 48) -> str:
    """Return the secret kept in ``path``, generating it on first use (development only)."""
    return _persistent(path, lambda: secrets.token_urlsafe(nbytes))


def persistent_fernet_key(path: Path) -> str:
    """Return the Fernet key kept in ``path``, generating it on first use (development only)."""
    from cryptography.fernet import Fernet

    return _persistent(path, lambda: Fernet.generate_key().decode())


def fernet_keys(name: str) -> list[str]:
    """Read a comma-separated list of Fernet keys and check each one decodes."""
    from cryptography.fernet import Fernet

    keys = env_list(name, [])
    for index, key in enumerate(keys):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ConfigError(
                f"{PREFIX}{name}: key #{index + 1} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from None
    return keys
