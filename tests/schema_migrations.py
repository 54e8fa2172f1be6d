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
    if not plan:
        return
    if not plan[0][1]:  # forwards
        executor.migrate(targets, plan=plan)
        return
    for part in _backwards_parts(executor, plan):
        # A new executor reads which migrations are still applied.
        MigrationExecutor(connection).migrate(targets, plan=part)


def _backwards_parts(executor, plan):
    """The backwards plan cut into parts, run one after the other: the same migrations undone in the
    same order, each seeing the same models as in one migrate call, in much less time.

    Before undoing anything, Django works out the models as they were before each migration to
    undo. It goes through all migrations in its forward order and, from the first one to undo to
    the last, re-renders the models after every migration it passes, the unrelated ones between
    them too (another app's indexes, the two-factor tables): that walk is most of what a migration
    back costs. The models before a migration are those of the migrations applied before it in that
    order. So where every migration undone so far comes later in that order than every one still to
    undo, the plan can be cut: each later migration has the same ones applied before it as in one
    call, and the next part's walk starts at its own first migration. It is cut there only if other
    migrations lie between, which the walk then skips. Each part is an ordinary migrate call with
    its plan, as `manage.py migrate` makes.
    """
    everything = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    position = {migration: index for index, (migration, _backwards) in enumerate(everything)}
    positions = [position[migration] for migration, _backwards in plan]
    start = 0
    for cut in range(1, len(plan)):
        if min(positions[:cut]) > max(positions[cut:]) + 1:
            yield plan[start:cut]
            start = cut
    yield plan[start:]
