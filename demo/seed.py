"""Loading the demo data of every app, in layer order (later apps build on earlier data)."""

import importlib

from django.db import transaction

from demo import seal

# Each module's seed(out) runs in this order; a module that does not exist is skipped.
DEMO_MODULES = [
    "portal.demo",
    "applications.demo",
    "cases.demo",
    "experts.demo",
    "meetings.demo",
    "cases.opinions.demo",
    "consultations.demo",
    "knowledge.demo",
    "enterprises.demo",
    "reporting.demo",
]


def seed_all(out):
    """Run every app's demo seed in one transaction; idempotent like each of them."""
    with transaction.atomic():
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.seed(out)
            if name == "portal.demo":
                # The center's seal on the documents the later modules issue: a drawn demonstration
                # seal, never a real one.
                seal.seed(out)
