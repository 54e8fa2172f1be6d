"""Admin pages of objects a user may not see answer 404, as the portal's own pages do.

Each admin's queryset is narrowed by its app's permissions.py (a workstation's staff see their
workstation's rows only). Django's admin answers an id outside that queryset with a redirect and the
notice that the object "may have been deleted", which tells that the id exists; these pages answer 404
instead. An admin with more to check overrides `visible_or_404`; its own views call `object_or_404`,
which looks the object up once per request."""

from portal.converters import get_by_id_or_404


class NotFoundOutsideQuerysetMixin:
    def visible_or_404(self, request, object_id):
        return get_by_id_or_404(self.get_queryset(request), object_id)

    def object_or_404(self, request, object_id):
        found = request.__dict__.setdefault("_visible_admin_objects", {})
        key = (self.model._meta.label, str(object_id))
        if key not in found:
            found[key] = self.visible_or_404(request, object_id)
        return found[key]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.object_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.object_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)
