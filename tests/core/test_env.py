"""Configuration from the environment: defaults, parsing and the one-line errors."""

import pytest

from amtsweg.config import env


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("AMTSWEG_DATABASE_URL", "AMTSWEG_SECRET_KEY", "AMTSWEG_FLAG", "AMTSWEG_NUMBER"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_default_database_is_sqlite_in_wal_mode_in_the_data_folder(clean_env, tmp_path):
    config = env.database(tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "amtsweg.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert "busy_timeout" in config["OPTIONS"]["init_command"]


def test_postgres_url_is_parsed(clean_env, tmp_path):
    clean_env.setenv("AMTSWEG_DATABASE_URL", "postgres://amt:geheim@db.example:5433/amtsweg")
    config = env.database(tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    connection = (config["HOST"], config["PORT"], config["NAME"], config["USER"])
    assert connection == ("db.example", 5433, "amtsweg", "amt")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///relative/db.sqlite3", "relative/db.sqlite3"),
        ("sqlite:////abs/db.sqlite3", "/abs/db.sqlite3"),
    ],
)
def test_sqlite_urls(clean_env, tmp_path, url, expected):
    clean_env.setenv("AMTSWEG_DATABASE_URL", url)
    assert env.database(tmp_path)["NAME"] == expected


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/x", "postgres://", "nonsense", "sqlite://", "postgres://host:notaport/db"]
)
def test_malformed_database_url_is_refused_with_a_clear_message(clean_env, tmp_path, url):
    clean_env.setenv("AMTSWEG_DATABASE_URL", url)
    with pytest.raises(env.ConfigurationError, match="AMTSWEG_DATABASE_URL"):
        env.database(tmp_path)


def test_secret_key_required_in_production(clean_env, tmp_path):
    with pytest.raises(env.ConfigurationError, match="AMTSWEG_SECRET_KEY fehlt"):
        env.secret_key(required=True, directory=tmp_path)


def test_short_secret_key_is_refused(clean_env, tmp_path):
    clean_env.setenv("AMTSWEG_SECRET_KEY", "kurz")
    with pytest.raises(env.ConfigurationError, match="zu kurz"):
        env.secret_key(required=True, directory=tmp_path)


def test_generated_secret_key_persists_and_is_private(clean_env, tmp_path):
    first = env.secret_key(required=False, directory=tmp_path)
    assert len(first) >= 50
    assert env.secret_key(required=False, directory=tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("ja", True), ("false", False), ("", False)])
def test_booleans(clean_env, raw, expected):
    clean_env.setenv("AMTSWEG_FLAG", raw)
    assert env.env_bool("AMTSWEG_FLAG", not expected) is expected


def test_bad_boolean_and_number(clean_env):
    clean_env.setenv("AMTSWEG_FLAG", "vielleicht")
    clean_env.setenv("AMTSWEG_NUMBER", "acht")
    with pytest.raises(env.ConfigurationError, match="Wahrheitswert"):
        env.env_bool("AMTSWEG_FLAG", False)
    with pytest.raises(env.ConfigurationError, match="ganze Zahl"):
        env.env_int("AMTSWEG_NUMBER", 1)
