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
    executor = MigrationExecutor(connection)
    _run(executor, targets)
    return executor.loader.project_state(targets).apps


def migrate_to_newest():
    """Migrate forward to the newest migration of every app (nothing to do if already there)."""
    executor = MigrationExecutor(connection)
    _run(executor, executor.loader.graph.leaf_nodes())


@pytest.fixture
def newest_schema_afterwards(transactional_db):
    """The test may move the schema; afterwards the database is at the newest migrations again, before
    its tables are emptied (transactional_db) for the next test."""
    yield
    migrate_to_newest()


def _run(executor, targets):
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)
