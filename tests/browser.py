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
