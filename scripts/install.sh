#!/usr/bin/env bash
# Installs everything Kyso needs on a fresh Debian machine with Node 20 (run as root), builds the
# workspace and generates the test PKI, the SoftHSM2 demo token and the sample documents.
# Idempotent: what is already there is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(softhsm2 opensc-pkcs11 poppler-utils qpdf libnss3-tools openssl fonts-liberation2 postgresql chromium xmlsec1)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1; then
  echo "== npm i -g pnpm@10"
  npm i -g pnpm@10 >/dev/null 2>&1
fi

echo "== pnpm install"
CI=true pnpm install --frozen-lockfile --reporter=silent
echo "== build"
pnpm -s build
if [ ! -f certs-test/out/READY ]; then
  echo "== generate test PKI, demo token and samples"
  pnpm -s certs
fi
