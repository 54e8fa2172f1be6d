"""The applications' pages in the staff workplace, one module per subject. Importing them registers
their admins."""

from applications.admin import applicants, applications, feedback, membership  # noqa: F401
