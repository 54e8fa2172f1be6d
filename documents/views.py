from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from documents.permissions import visible_documents


@login_required
def download(request, pk):
    document = get_object_or_404(visible_documents(request.user), pk=pk)
    filename = f"{document.get_kind_display()}-{document.number or document.pk}.pdf"
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
