"""The SQL expressions written out for the lists (portal.expressions)."""

import pytest

from experts.models import ExpertAssignment
from portal.expressions import RowsCount


def test_a_count_of_rows_needs_a_value_to_match():
    # SQL has no empty IN list: the mistake is named where the expression is made, not by the database.
    with pytest.raises(ValueError, match="at least one value"):
        RowsCount(ExpertAssignment._meta.get_field("expert"), ExpertAssignment._meta.get_field("status"), [])
