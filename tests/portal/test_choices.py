"""choice_label gives what Django's get_<field>_display() gives, in each language."""

import pytest
from django.utils import translation

from applications.models import Application
from documents.models import Document
from portal.choices import choice_label


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_of_document_is_named_as_django_names_it(language):
    with translation.override(language):
        for value, _label in Document._meta.get_field("kind").flatchoices:
            document = Document(kind=value, number="粤知指〔2026〕1号")
            assert choice_label(document, "kind") == document.get_kind_display()
            assert str(document).startswith(document.get_kind_display())
    assert choice_label(Document(kind="没有这种"), "kind") == "没有这种"  # an unknown value shows itself


def test_a_field_of_lists_takes_djangos_own_way():
    application = Application(dispute_types=["patent", "trademark"])
    assert choice_label(application, "dispute_types") == application.get_dispute_types_display()


def test_the_label_follows_the_language_it_is_shown_in():
    document = Document(kind=Document._meta.get_field("kind").flatchoices[0][0])
    with translation.override("zh-hans"):
        chinese = choice_label(document, "kind")
    with translation.override("en"):
        english = choice_label(document, "kind")
    assert chinese != english
