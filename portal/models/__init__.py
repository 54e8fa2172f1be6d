from .accounts import DeputyDirector, User
from .audit import LogEntry
from .calendar import CalendarDay, WorkingDayNumber
from .jobs import Job
from .network import ServicePoint
from .notifications import EmailDelivery, Notification
from .outbox import OutboxMessage
from .sequences import Sequence
from .site import PartnerAgency, SiteConfiguration

__all__ = [
    "CalendarDay",
    "DeputyDirector",
    "EmailDelivery",
    "Job",
    "LogEntry",
    "Notification",
    "OutboxMessage",
    "PartnerAgency",
    "Sequence",
    "ServicePoint",
    "SiteConfiguration",
    "User",
    "WorkingDayNumber",
]
