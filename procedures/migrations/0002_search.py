"""Diacritic-insensitive search on PostgreSQL: ``portal_unaccent`` and a trigram index on it.

``unaccent()`` is only STABLE (its dictionary could change), so it cannot carry an index; the wrapper names the
dictionary explicitly and is declared IMMUTABLE, the usual way to index it. On SQLite the same function is
registered in Python (``procedures.search``) and nothing here runs.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION portal_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
    """,
    """
    CREATE INDEX IF NOT EXISTS procedure_version_name_trgm
    ON procedures_procedureversion USING gin (portal_unaccent(name) gin_trgm_ops)
    """,
]
BACKWARD = [
    "DROP INDEX IF EXISTS procedure_version_name_trgm",
    "DROP FUNCTION IF EXISTS portal_unaccent(text)",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
