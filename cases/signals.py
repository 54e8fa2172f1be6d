"""Signals the case services send for work owned by a higher layer.

They are sent inside the service's transaction, so a receiver's writes commit or roll back
with the change that caused them.
"""

from django.dispatch import Signal

# An addressed agency answered an assistance letter. Arguments: recipient (LetterRecipient),
# by (the agency user), nominations (list of dicts: name, organisation, title, expertise, email,
# phone), the experts the agency put forward. The expert pool records them.
letter_answered = Signal()
