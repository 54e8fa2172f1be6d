"""What applications announce to the layers above them.

applications may not import the apps built on it (cases, experts, meetings); when one of its
changes means work there, the service sends one of these signals inside its transaction and the
upper app's receiver (connected in its AppConfig.ready) does that work in the same transaction:
an exception in a receiver rolls the whole change back.
"""

from django.dispatch import Signal

# Staff accepted an application (sent inside application_accept's transaction, after the status
# changed and before the acceptance notice is issued). Arguments: application, by, note.
# A receiver that opens the case sets it on the application (application.case) so that the
# notice can name the case number.
application_accepted = Signal()

# The applicant wrote on the application's thread (sent inside message_post's transaction).
# Arguments: application, by, message. A case waiting for the applicant's answer resumes.
applicant_answered = Signal()
