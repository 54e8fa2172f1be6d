"""HTML to PDF with WeasyPrint. Fonts come from the system (Debian's fonts-noto-cjk);
WeasyPrint embeds and subsets them, so text stays selectable and searchable."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import SiteConfiguration


def render_html(template, context):
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, {"center": SiteConfiguration.get(), **context})


def render_pdf(template, context):
    """Render `template` (under templates/pdf/) with `context`; return (pdf_bytes, page_count)."""
    from weasyprint import HTML  # imported lazily: web processes that never render skip the cost

    html = render_html(template, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render()
    return document.write_pdf(), len(document.pages)
