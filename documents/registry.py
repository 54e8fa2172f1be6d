"""What a document reads when it is rendered rather than when it is requested, registered by
the app that issues that kind of document (from its AppConfig.ready), so that the renderer
needs no knowledge of the apps above it.

`register_context(kind, fn, sources_pending=None)`: `fn(document) -> dict` is merged into the
frozen context at render time (e.g. the case file's catalogue lists the real state and SHA-256
of the documents it covers). `sources_pending(document, since=...) -> bool` says that documents
it lists are still being rendered; the render then waits and tries again."""

_context = {}
_sources_pending = {}


def register_context(kind, fn, *, sources_pending=None):
    _context[kind] = fn
    if sources_pending is not None:
        _sources_pending[kind] = sources_pending


def live_context(document):
    fn = _context.get(document.kind)
    return fn(document) if fn is not None else {}


def sources_pending(document, *, since):
    fn = _sources_pending.get(document.kind)
    return bool(fn(document, since=since)) if fn is not None else False
