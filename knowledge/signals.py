"""What the knowledge platform tells apps above it.

`item_published` is sent once a publication (a law, typical case, warning, institution or event)
has been published and the publication is committed: `sender` is its model, `item` the published
row, `by` the user who published it. A rolled-back publication sends nothing. Receivers only hand
work on (a Celery task); they must not raise, since the publication is already saved.
"""

from django.dispatch import Signal

item_published = Signal()
