"""`__in` on integer columns (every id) answers "no such row" for values that cannot be an id.

Django already turns `pk=<number too large for the column>` into an empty result, but not
`pk__in=[…]`: such a value reaches the database and fails there ("bigint out of range" on
PostgreSQL, an OverflowError on SQLite), and a non-number fails while the query is built. Both
come from user input that Django itself passes on — a multiple-choice field checking the ids a
form posted, the admin's autocomplete widget showing the ids it was sent back — and would answer
500. No row can have such an id, so leaving the value out of the list gives the true answer.
Registered for IntegerField and its subclasses (AutoField, BigAutoField) by PortalConfig.ready().
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def get_prep_lookup(self):
        if self.rhs_is_direct_value() and not isinstance(self.rhs, str):
            self.rhs = [value for value in self.rhs if self._is_integer(value)]
        return super().get_prep_lookup()

    def _is_integer(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return True
        try:
            self.lhs.output_field.get_prep_value(value)
        except (TypeError, ValueError):
            return False
        return True

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            kept = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)
