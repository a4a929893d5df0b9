"""Database-level protection of the delivery evidence: no UPDATE on either database, no DELETE on PostgreSQL.

SQLite gets no DELETE trigger: Django's test flush empties tables with DELETE FROM (PostgreSQL uses TRUNCATE,
which row triggers do not see), and a trigger there would break every transactional test. The model and its
queryset refuse deletes on both databases.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER postbox_evidence_no_update BEFORE UPDATE ON postbox_evidence
       BEGIN SELECT RAISE(ABORT, 'postbox_evidence is append-only'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS postbox_evidence_no_update;"]

POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION postbox_evidence_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'postbox_evidence is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER postbox_evidence_no_change BEFORE UPDATE OR DELETE ON postbox_evidence
       FOR EACH ROW EXECUTE FUNCTION postbox_evidence_append_only();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS postbox_evidence_no_change ON postbox_evidence;",
    "DROP FUNCTION IF EXISTS postbox_evidence_append_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("postbox", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
