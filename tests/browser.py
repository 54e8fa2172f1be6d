"""How every browser test starts Debian's Chromium (the e2e tests and the production smoke test)."""

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# No sandbox as root; no background networking, component updates or sync, whose connections this
# machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def launch_args(defaults):
    return {**defaults, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Reports every Content Security Policy violation on the console, whatever the browser itself logs.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


def watch_csp(context):
    """Collect the Content Security Policy violations of every page of the context (console and errors)."""
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def on_error(error):
        if "Content Security Policy" in str(error.error):
            violations.append(str(error.error))

    context.add_init_script(_REPORT_CSP)
    context.on("console", on_console)
    context.on("weberror", on_error)
    return violations
