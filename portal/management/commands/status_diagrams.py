"""Print every declared status map as a diagram (Mermaid by default, or Graphviz dot)."""

from django.core.management.base import BaseCommand

from portal.transitions import status_field, status_models


def mermaid(model):
    field = status_field(model)
    labels = dict(field.flatchoices)
    lines = [f"%% {model._meta.label}: {model._meta.verbose_name}", "stateDiagram-v2"]
    for value, label in labels.items():
        lines.append(f"    {value} : {label}")
    lines.append(f"    [*] --> {field.default}")
    for source, targets in field.transitions.items():
        for target in sorted(targets):
            lines.append(f"    {source} --> {target}")
    return "\n".join(lines)


def dot(model):
    field = status_field(model)
    labels = dict(field.flatchoices)
    name = model._meta.label.replace(".", "_")
    lines = [f"digraph {name} {{", f'    label="{model._meta.label}"', "    rankdir=LR"]
    for value, label in labels.items():
        lines.append(f'    {value} [label="{label}"]')
    for source, targets in field.transitions.items():
        for target in sorted(targets):
            lines.append(f"    {source} -> {target}")
    lines.append("}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the declared status transitions of every model as Mermaid or Graphviz diagrams."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
        parser.add_argument("models", nargs="*", help="app_label.Model to print (default: all)")

    def handle(self, *args, format, models, **options):
        draw = mermaid if format == "mermaid" else dot
        chosen = [m for m in status_models() if not models or m._meta.label in models]
        for model in sorted(chosen, key=lambda m: m._meta.label):
            self.stdout.write(draw(model) + "\n")
