#!/bin/sh
# Ensure the Debian/Ubuntu packages policyc needs are present.
# Usage: scripts/system-deps.sh runtime|test
# As root it installs what is missing; otherwise it prints the exact command and fails.
set -eu
runtime="python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fontconfig fonts-noto-core fonts-noto-cjk fonts-dejavu-core gettext"  # DejaVu Sans Mono: code spans; libcairo2: cairosvg (SVG logo in DOCX)
test_extra="poppler-utils qpdf libreoffice-writer-nogui chromium default-jre-headless nodejs npm libpdfbox2-java libactivation-java libjaxb-api-java softhsm2 libnss3-tools"
case "${1:-runtime}" in
  runtime) wanted="$runtime" ;;
  test) wanted="$runtime $test_extra" ;;
  *) echo "usage: $0 runtime|test" >&2; exit 2 ;;
esac
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "policyc: not a Debian/Ubuntu system; install the equivalents of: $wanted" >&2
  exit 0
fi
missing=""
for pkg in $wanted; do
  if [ "$pkg" = python3-venv ] && python3 -c 'import venv, ensurepip' 2>/dev/null; then continue; fi
  # Java and Node may come from elsewhere than Debian (this machine's are preinstalled).
  if [ "$pkg" = default-jre-headless ] && command -v java >/dev/null 2>&1; then continue; fi
  if { [ "$pkg" = nodejs ] || [ "$pkg" = npm ]; } && command -v npm >/dev/null 2>&1; then continue; fi
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in *"install ok installed"*) ;; *) missing="$missing $pkg" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "policyc: installing system packages:$missing" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
else
  echo "policyc: missing system packages. Run, then repeat the make command:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
