"""The ZG_* readers fail loudly on bad values and parse the URLs operators write."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from zgovern import config
from zgovern.config import ConfigError


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_env_bool_parses(monkeypatch, raw, expected):
    monkeypatch.setenv("ZG_FLAG", raw)
    assert config.env_bool("FLAG") is expected


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("ZG_FLAG", "maybe")
    with pytest.raises(ConfigError, match="ZG_FLAG='maybe' is not a boolean"):
        config.env_bool("FLAG")


def test_env_int_rejects_non_numbers_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("ZG_N", "ten")
    with pytest.raises(ConfigError, match="ZG_N='ten' is not an integer"):
        config.env_int("N", 1)
    monkeypatch.setenv("ZG_N", "0")
    with pytest.raises(ConfigError, match="below the minimum of 1"):
        config.env_int("N", 5, minimum=1)


def test_required_string_missing(monkeypatch):
    monkeypatch.delenv("ZG_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="ZG_SECRET_KEY must be set"):
        config.env_str("SECRET_KEY", required=True)


def test_sqlite_urls_relative_and_absolute():
    relative = config.database_config("sqlite:///var/db.sqlite3")
    assert relative["NAME"] == str(Path.cwd() / "var/db.sqlite3")
    assert "journal_mode=WAL" in relative["OPTIONS"]["init_command"]
    assert config.database_config("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"


def test_postgres_url():
    db = config.database_config("postgres://u:p%40ss@db.example:5433/zg?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "zg", "u", "p@ss", "db.example", "5433",
    )  # fmt: skip
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "postgres://host/"])
def test_bad_database_urls(url):
    with pytest.raises(ConfigError, match="ZG_DATABASE_URL"):
        config.database_config(url)


def test_email_urls():
    smtp = config.email_config("smtp://me:secret@mail.example:587?tls=1")
    assert (smtp.host, smtp.port, smtp.user, smtp.use_tls) == ("mail.example", 587, "me", True)
    assert config.email_config("console:").backend.endswith("console.EmailBackend")
    with pytest.raises(ConfigError, match="ZG_EMAIL_URL"):
        config.email_config("pigeon://coop")


def test_fernet_keys_checked(monkeypatch):
    good = Fernet.generate_key().decode()
    monkeypatch.setenv("ZG_ENCRYPTION_KEY", f"{good},not-a-key")
    with pytest.raises(ConfigError, match="key #2 is not a valid Fernet key"):
        config.fernet_keys("ENCRYPTION_KEY")


def test_persistent_secret_is_generated_once(tmp_path):
    path = tmp_path / "sub" / "secret"
    first = config.persistent_secret(path)
    assert len(first) > 40
    assert config.persistent_secret(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_settings_refuse_production_without_secrets(tmp_path):
    """Importing the settings in production mode without keys stops with a named error."""
    import subprocess
    import sys

    env = {"ZG_PRODUCTION": "1", "ZG_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import zgovern.settings"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ZG_SECRET_KEY must be set" in result.stderr


def test_processes_starting_together_agree_on_one_secret(tmp_path):
    """Many starters racing on an empty var/ all read the same, complete value."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = set(pool.map(lambda _: config.persistent_secret(path), range(32)))
    assert len(values) == 1
    assert len(values.pop()) > 40
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left
