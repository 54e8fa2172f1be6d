"""Moving the test database's schema between migrations, for the tests of data migrations: rows are
written as an older version kept them, then migrated forward and back as `manage.py migrate` would.

A test that moves the schema uses the fixture newest_schema_afterwards, which puts the database back
at the newest migrations when the test ends, passed or failed: every other test expects that schema.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate the test database to `targets` ((app label, migration name) pairs), forwards or
    backwards, and return the models as they were there (an app registry for get_model)."""
    executor = _Executor(connection)
    _run(executor, targets)
    return executor.loader.project_state(targets).apps


def migrate_to_newest():
    """Migrate forward to the newest migration of every app (nothing to do if already there)."""
    executor = _Executor(connection)
    _run(executor, executor.loader.graph.leaf_nodes())


@pytest.fixture
def newest_schema_afterwards(transactional_db):
    """The test may move the schema; afterwards the database is at the newest migrations again, before
    its tables are emptied (transactional_db) for the next test."""
    yield
    if not _copied_again_from_template():
        migrate_to_newest()


def _copied_again_from_template():
    """Where the test database is a copy of a migrated template (scripts/test), it is dropped and
    copied again: 1-2 s, where migrating forward again took 8-12 s. False where there is none."""
    template = connection.settings_dict.get("TEST", {}).get("TEMPLATE")
    if connection.vendor != "postgresql" or not template:
        return False
    name = connection.settings_dict["NAME"]
    quote = connection.ops.quote_name
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE {quote(name)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
    return True


class _Executor(MigrationExecutor):
    """Django's executor, but for how it works out the models as they were before each migration
    to undo.

    Django renders the models once, then re-renders the changed ones after every operation of every
    migration it passes, from the first one to undo to the last. Here everything links to the user
    model, so each of those re-renders is nearly all models again: that walk was most of what a
    migration back cost (about 77 of the 111 s the demo data's test spent migrating back, profiled).
    Here the walk only edits the model states, which costs next to nothing, and each state a
    migration is undone from is rendered once, just before (0.16 s for all models). The states, the
    plan and the database operations are Django's own; the loop below is
    `MigrationExecutor._migrate_all_backwards` of Django 5.2 with only the rendering moved. The
    data-migration tests took 242-263 s in one process instead of 313 s."""

    def _migrate_all_backwards(self, plan, full_plan, fake):
        migrations_to_run = {migration for migration, _backwards in plan}
        states = {}
        state = self._create_project_state()
        applied_migrations = {
            self.loader.graph.nodes[key] for key in self.loader.applied_migrations if key in self.loader.graph.nodes
        }
        for migration, _backwards in full_plan:
            if not migrations_to_run:
                break
            if migration in migrations_to_run:
                states[migration] = state
                state = migration.mutate_state(state, preserve=True)
                migrations_to_run.remove(migration)
            elif migration in applied_migrations:
                migration.mutate_state(state, preserve=False)

        for migration, _backwards in plan:
            states[migration].apps  # noqa: B018 (renders the models, as Django's loop does before)
            self.unapply_migration(states[migration], migration, fake=fake)
            applied_migrations.remove(migration)

        last_unapplied_migration = plan[-1][0]
        state = states[last_unapplied_migration]
        del state.apps
        for index, (migration, _backwards) in enumerate(full_plan):
            if migration == last_unapplied_migration:
                for later, _backwards in full_plan[index:]:
                    if later in applied_migrations:
                        later.mutate_state(state, preserve=False)
                break
        return state


def _run(executor, targets):
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)
