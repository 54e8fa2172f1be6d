"""The knowledge platform in the staff workplace: one module per part, each registering its models."""

from knowledge.admin import events, publications, subscriptions  # noqa: F401
