"""The admin lists of the tables that grow large read their first page from an index in the list's
own order, the key that Django adds to make the order total included: without it PostgreSQL reads
every row that ties on the first field to sort them (10,000 expert opinions submitted the same
minute: 20 ms; 20,000 warnings over twelve dates: 23 ms), and a date orders few rows alone."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

# The tables of tens of thousands of rows after some years at 100,000 cases (tests/bench's volumes).
LARGE_TABLES = [
    "api.ApiCall",
    "applications.Applicant",
    "cases.AssistanceLetter",
    "cases.CaseNote",
    "cases.GuidanceOpinion",
    "consultations.Consultation",
    "documents.Document",
    "enterprises.KeyEnterprise",
    "enterprises.WarningDelivery",
    "experts.ExpertAssignment",
    "experts.ExpertInvitation",
    "experts.ExpertOpinion",
    "knowledge.FairHelpRequest",
    "knowledge.Warning",
    "portal.EmailDelivery",
    "portal.LogEntry",
    "portal.Notification",
    "portal.User",  # every applicant who files online has an account
]


# Sorted by what no plain index holds, with the reason.
EXCEPTIONS = {
    "knowledge.FairHelpRequest": "new requests first (a CASE on the status), then urgent ones; 2,000 rows at most",
}


def _columns(model, ordering):
    """(column, descending) for each entry of a list's order, as the query orders (a column named
    twice is sorted on once)."""
    found = []
    for entry in ordering:
        descending = entry.startswith("-")
        name = entry.lstrip("-")
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if field.column not in [column for column, _descending in found]:
            found.append((field.column, descending))
    return found


def _index_orders(model):
    """Each index's columns with their direction (a field's own index, then Meta.indexes but the
    partial ones), and the same scanned backwards."""
    indexes = [
        [(field.column, False)]
        for field in model._meta.local_fields
        if field.db_index or field.unique or field.primary_key
    ]
    indexes += [
        [(model._meta.get_field(entry.lstrip("-")).column, entry.startswith("-")) for entry in index.fields]
        for index in model._meta.indexes
        if index.condition is None
    ]
    return indexes + [[(column, not descending) for column, descending in columns] for columns in indexes]


@pytest.mark.parametrize("label", [label for label in LARGE_TABLES if label not in EXCEPTIONS])
def test_a_large_lists_default_order_is_an_index(label, db, admin_user):
    model = next(model for model in admin.site._registry if model._meta.label == label)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = admin_user
    changelist = model_admin.get_changelist_instance(request)
    ordering = changelist.get_ordering(request, changelist.root_queryset)
    wanted = _columns(model, [entry for entry in ordering if isinstance(entry, str)])
    assert wanted, f"{label}: the list has no order of fields"
    orders = _index_orders(model)
    assert any(order[: len(wanted)] == wanted for order in orders), (
        f"{label}: no index reads {ordering} in order; indexes: {orders}"
    )


def _changelist(model_admin, user, query=""):
    request = RequestFactory().get("/" + query)
    request.user = user
    return model_admin.get_changelist_instance(request)


@pytest.mark.parametrize("label", [label for label in LARGE_TABLES if label not in EXCEPTIONS])
def test_a_filter_keeps_the_order_of_a_large_list(label, db, admin_user):
    """A filter that orders its rows itself puts its order after the list's: the rows can then no
    longer be read in the index's order, and every matching row is sorted (the consultations due
    for a follow-up: 26 ms for 3,334 rows, 3 ms once the filter kept the list's order)."""
    model = next(model for model in admin.site._registry if model._meta.label == label)
    model_admin = admin.site._registry[model]
    changelist = _changelist(model_admin, admin_user)
    listed = changelist.queryset.query.order_by
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            if choice.get("selected"):
                continue
            filtered = _changelist(model_admin, admin_user, choice["query_string"])
            assert filtered.queryset.query.order_by == listed, (
                f"{label}, filter {spec.title} {choice['query_string']}: ordered by "
                f"{filtered.queryset.query.order_by}, the list by {listed}"
            )
