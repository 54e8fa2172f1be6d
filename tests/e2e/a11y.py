"""An automated accessibility check for browser tests: axe-core (pinned in package.json, installed
by `npm ci`) is injected into the page and run; serious and critical violations fail the test,
listed readably (rule, what is wrong, where)."""

import os
from pathlib import Path

from tests.conftest import needs_service

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}


def _report(url, violations):
    lines = [f"Accessibility problems on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
            lines.append(f"       {node['html'][:200]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, *, exclude=()):
    """Fail on any serious or critical axe-core violation on the page as it is now.
    `exclude`: CSS selectors of regions not under test (e.g. third-party widgets)."""
    if not AXE.exists():
        needs_service(False, "axe-core (npm ci at the repository root)")
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated from the test rather than added as a <script>: the page's Content Security
        # Policy refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    result = page.evaluate(
        """async (context) => {
            const options = {resultTypes: ['violations']};
            return await axe.run(context || document, options);
        }""",
        context,
    )
    violations = [v for v in result["violations"] if v.get("impact") in FAILING_IMPACTS]
    if os.environ.get("A11Y_REPORT_ALL"):
        violations = result["violations"]
    assert not violations, _report(page.url, violations)
