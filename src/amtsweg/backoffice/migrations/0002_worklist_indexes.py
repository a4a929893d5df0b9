"""Indexes for the back office's worklist on the case engine's table `cases_casepart` (plain SQL that both
SQLite and PostgreSQL understand; partial: only open parts, which is what worklists read).

- open parts of an authority by due date (NULL = no target, sorted last) and id: the default sort and its
  keyset pagination;
- open parts of an authority by arrival and id: the "Eingang" sorts;
- open parts by assignee: "my cases".
"""

from django.db import migrations

OPEN = "state NOT IN ('closed', 'withdrawn')"

INDEXES = [
    (
        "backoffice_part_open_due",
        "cases_casepart (authority_id, COALESCE(due_on, '9999-12-31'), id)",
    ),
    ("backoffice_part_open_created", "cases_casepart (authority_id, created_at, id)"),
    ("backoffice_part_open_assignee", "cases_casepart (assignee_id, authority_id)"),
]


def _create(apps, schema_editor):
    date = "'9999-12-31'::date" if schema_editor.connection.vendor == "postgresql" else "'9999-12-31'"
    for name, target in INDEXES:
        target = target.replace("'9999-12-31'", date)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target} WHERE {OPEN}")


def _drop(apps, schema_editor):
    for name, _target in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_initial"), ("cases", "0002_receipt_template")]

    operations = [migrations.RunPython(_create, _drop)]
