"""PostgreSQL helpers shared by the benchmarks that need a database of their own."""


def recreate_database(url: str) -> None:
    """Drop and create the database named in a postgres:// URL (connects to the server's `postgres` DB)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
