from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from documents.formatting import chinese_date
from documents.forms import VerifyForm, normalise_code, too_large_message
from documents.models import Document
from documents.permissions import visible_documents
from documents.services import document_download, download_name, find_by_file
from documents.signature_check import center_trust_roots
from documents.verification import check_issued, check_upload, max_upload_bytes, trust_statement
from portal.cache import anonymous_page
from portal.errors import too_many_requests
from portal.models import SiteConfiguration
from portal.storage import private_file_response
from portal.throttling import RateLimited, rate_limit

# Room for the form's other fields and the multipart framing around the uploaded file.
VERIFY_FORM_OVERHEAD = 64 * 1024


@login_required
def download(request, pk):
    """A document the user may read; each download is recorded (who, when, from where)."""
    document = get_object_or_404(visible_documents(request.user), pk=pk)
    document_download(document=document, by=request.user)
    return private_file_response(document.file, filename=download_name(document), content_type="application/pdf")


def _public_facts(document):
    """What anyone may learn about a document: no content, no addressee."""
    successor = document.superseded_by
    return {
        "document": document,
        "kind": document.get_kind_display(),
        "number": document.number,
        "issued_on": chinese_date(document.issued_on) if document.issued_on else "",
        "issuing_body": SiteConfiguration.get().issuing_body,
        "successor": successor if successor is not None and successor.status == Document.Status.READY else None,
    }


def _trust():
    """What the page tells readers about the center's certificate: the trust list it chains to
    (production), or the development root to download and add to a PDF reader."""
    try:
        ca_url = reverse("pki-ca-certificate")
    except NoReverseMatch:  # no certificate download on this portal
        ca_url = None
    fingerprints = [] if settings.SIGNING_TRUST_LIST else [root.sha256_fingerprint for root in center_trust_roots()]
    return {
        "trust_fingerprints": fingerprints,
        "trust_list": settings.SIGNING_TRUST_LIST,
        "trust_statement": trust_statement(),
        "ca_certificate_url": ca_url,
        "max_upload_mb": settings.VERIFY_MAX_UPLOAD_MB,
    }


def _page(request, template, context, status=200):
    return render(request, template, {**_trust(), **context}, status=status)


def _issued():
    return Document.objects.filter(status=Document.Status.READY).select_related("superseded_by")


def _rate_limited(request):
    """Count one verification from the client's address; the 429 page when its quota is used up."""
    try:
        rate_limit(request, "verify", limit=settings.VERIFY_RATE_LIMIT, window=settings.VERIFY_RATE_WINDOW_SECONDS)
    except RateLimited as exc:
        return too_many_requests(request, exc.retry_after)
    return None


def _declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@anonymous_page
@csrf_exempt
def verify(request):
    """Public: enter a verification code, or upload a PDF to check it byte for byte and to
    validate its embedded signature against the center's root certificate.

    Before anything reads the body (the CSRF check reads the form, so it runs after this, in
    _verify_form): a sent form counts against the address's quota, and a body larger than the
    largest PDF we check is refused unread, by its declared length.
    """
    if request.method == "POST":
        refused = _rate_limited(request)
        if refused is not None:
            return refused
        if _declared_length(request) > max_upload_bytes() + VERIFY_FORM_OVERHEAD:
            form = VerifyForm()
            form.cleaned_data = {}
            form.add_error("file", too_large_message())
            return _page(request, "documents/verify.html", {"form": form, "result": None}, status=413)
    return _verify_form(request)


@csrf_protect
def _verify_form(request):
    result = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            code = form.cleaned_data["code"]
            upload = form.cleaned_data["file"]
            if upload is None:
                return redirect("documents:verify_code", code=code)
            data = upload.read()
            match, digest = find_by_file(data)
            expected = None
            if code:
                expected = _issued().filter(verification_code=code).first()
            result = {
                "digest": digest,
                "genuine": match is not None and (expected is None or expected.pk == match.pk),
                "signature": check_upload(data),
                "match": _public_facts(match) if match is not None else None,
                "expected": _public_facts(expected) if expected is not None else None,
                "code_given": bool(code),
                "filename": upload.name,
            }
    else:
        form = VerifyForm(initial={"code": request.GET.get("code", "")})
    return _page(request, "documents/verify.html", {"form": form, "result": result})


def verify_code(request, code):
    """Public: the facts of one issued document, found by its verification code."""
    normalised = normalise_code(code)
    if normalised != code:
        return redirect("documents:verify_code", code=normalised)
    refused = _rate_limited(request)
    if refused is not None:
        return refused
    document = _issued().filter(verification_code=normalised).first()
    if document is None:
        return _page(request, "documents/verify_unknown.html", {"code": normalised}, status=404)
    facts = _public_facts(document)
    context = {"document": document, "facts": facts, "form": VerifyForm(), "signature": check_issued(document)}
    return _page(request, "documents/verify_code.html", context)
