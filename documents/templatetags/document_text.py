"""Filters for the text of official documents (templates/pdf)."""

from django import template

from documents.formatting import document_date

register = template.Library()


@register.filter
def cn_date(value):
    """A date as documents print it: 2026年11月2日 (with the time, 2026年11月2日10:05), also for
    the ISO text frozen in the data of documents issued before."""
    return document_date(value)
