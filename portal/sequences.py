"""Gap-free numbering: application numbers and official document numbers."""

from django.db import IntegrityError, transaction

from portal.models import Sequence


def next_value(key, year, *, start=None):
    """Return the next value of the (key, year) counter.

    Must run inside the caller's transaction: the counter row stays locked until that
    transaction ends, so two concurrent callers get distinct consecutive values and a
    rolled-back caller leaves no gap. `start` (a callable) gives the value a counter that does
    not exist yet continues from (numbers already issued under the key by other means).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value must be called inside transaction.atomic()")
    try:
        with transaction.atomic():
            if not Sequence.objects.filter(key=key, year=year).exists():
                Sequence.objects.create(key=key, year=year, last_value=start() if start else 0)
    except IntegrityError:
        pass  # another transaction created it first; the lock below waits for it
    sequence = Sequence.objects.select_for_update().get(key=key, year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return sequence.last_value


def official_number(prefix, year, value):
    """A document number after GB/T 9704: 机关代字〔年份〕序号号, no leading zeros, no 第."""
    return f"{prefix}〔{year}〕{value}号"
