"""The admin lists' rows made by portal.list_rows.ListRowsIterable are the instances Django makes:
the same values, the same deferred columns, the same related rows (one instance each per page), a
status still guarded against a direct change, and Django's own way for a model with a receiver of
its signals."""

import pytest
from django.db.models import F
from django.db.models.signals import post_init

from portal.list_rows import ListRowsIterable
from portal.models import EmailDelivery, Notification, User
from portal.transitions import DirectStatusWrite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _both_ways(queryset):
    """The rows as Django makes them, and as the admin lists make them."""
    ours = queryset.all()
    ours._iterable_class = ListRowsIterable
    return list(queryset.all()), list(ours)


def _state_and_values(instance):
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    return (instance._state.adding, instance._state.db, sorted(instance.get_deferred_fields()), values)


@pytest.fixture
def notifications():
    first, second = UserFactory(full_name="收件人甲"), UserFactory(full_name="收件人乙")
    for index, recipient in enumerate((first, second, first, first)):
        Notification.objects.create(recipient=recipient, subject=f"通知 {index}", body="正文")
    return first, second


def test_rows_and_their_related_rows_are_the_instances_django_makes(notifications):
    queryset = (
        Notification.objects.select_related("recipient")
        .defer("body", "recipient__password", "recipient__date_joined")
        .annotate(recipient_name=F("recipient__full_name"))
        .order_by("id")
    )
    django_rows, our_rows = _both_ways(queryset)
    assert len(our_rows) == 4
    for django_row, our_row in zip(django_rows, our_rows, strict=True):
        assert type(our_row) is Notification
        assert _state_and_values(our_row) == _state_and_values(django_row)
        assert _state_and_values(our_row.recipient) == _state_and_values(django_row.recipient)
        assert our_row.recipient_name == django_row.recipient.full_name
    # A deferred column is still read when asked for, as Django reads it.
    assert our_rows[0].body == "正文"


def test_the_rows_of_one_related_row_share_its_instance(notifications):
    first, _second = notifications
    _django_rows, our_rows = _both_ways(Notification.objects.select_related("recipient").order_by("id"))
    recipients = [row.recipient for row in our_rows]
    assert recipients[0] is recipients[2] is recipients[3]
    assert recipients[0] is not recipients[1] and recipients[0].pk == first.pk


def test_a_missing_related_row_is_none_as_with_django():
    UserFactory(full_name="无工作站")
    queryset = User.objects.select_related("service_point").filter(full_name="无工作站")
    django_rows, our_rows = _both_ways(queryset)
    assert our_rows[0].service_point is None and django_rows[0].service_point is None
    assert _state_and_values(our_rows[0]) == _state_and_values(django_rows[0])


def test_a_status_read_this_way_still_changes_only_through_a_transition():
    EmailDelivery.objects.create(to="a@example.cn", subject="s", body="b")
    _django_rows, (delivery,) = _both_ways(EmailDelivery.objects.all())
    assert delivery.status == EmailDelivery.Status.PENDING
    with pytest.raises(DirectStatusWrite):
        delivery.status = EmailDelivery.Status.SENT


def test_a_model_with_a_receiver_of_its_signals_is_made_by_django(notifications):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Notification)
    try:
        _django_rows, our_rows = _both_ways(Notification.objects.order_by("id"))
    finally:
        post_init.disconnect(receiver, sender=Notification)
    # Django's rows and ours: each row made through __init__, its receiver called.
    assert len(seen) == 8 and all(any(row is made for made in seen) for row in our_rows)


def test_only_a_lists_page_of_rows_is_made_this_way(notifications, admin_user):
    """The page's rows share their related rows; an action or an export, which read the list's
    queryset, get Django's instances."""
    from django.contrib import admin
    from django.db.models.query import ModelIterable
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/portal/notification/")
    request.user = admin_user
    changelist = admin.site._registry[Notification].get_changelist_instance(request)
    assert changelist.result_list._iterable_class is ListRowsIterable
    assert changelist.get_queryset(request)._iterable_class is ModelIterable
    assert len(changelist.result_list) == 4
