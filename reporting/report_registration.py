"""The work report registers its document context and draft job here."""
