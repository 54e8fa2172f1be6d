"""Wiring of the guidance opinion and the case file, called from CasesConfig.ready (imported
there, once the models are loaded)."""

from cases.opinions.casefile import catalogue_context, sources_pending
from documents import registry
from documents.models import Document


def ready():
    # The case file's catalogue is read when it is rendered, and waits for the documents it lists.
    registry.register_context(Document.Kind.CASE_FILE, catalogue_context, sources_pending=sources_pending)
