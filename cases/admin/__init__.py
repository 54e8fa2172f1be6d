"""The staff's workplace: the case list and page, letters and upward reports in the admin,
one module per entity. Every button posts to a small admin view that calls one service;
nothing here sets a status by hand. Importing the modules registers their admins."""

from cases.admin import case, letters, reports  # noqa: F401

# The guidance opinion's admin (cases/opinions/admin.py) registers itself on import.
from cases.opinions import admin as opinion_admin  # noqa: F401
