import datetime

import pytest

from portal.roles import Role
from tests.factories import UserFactory
from tests.meetings.factories import DeputyDirectorFactory


@pytest.fixture
def deputy_post(deputy):
    """The `deputy` fixture as the first in the chairing rotation."""
    return DeputyDirectorFactory(user=deputy, rotation_order=1, joined_on=datetime.date(2020, 1, 1))


@pytest.fixture
def second_deputy(center_permissions):
    user = UserFactory(full_name="周强", is_staff=True, roles=[Role.DEPUTY, Role.STAFF])
    return DeputyDirectorFactory(user=user, rotation_order=2, joined_on=datetime.date(2020, 1, 1))
