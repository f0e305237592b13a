#!/usr/bin/env bash
# Installs everything Kyso needs on a fresh Debian machine with Node 20 (run as root), builds the
# workspace and generates the test PKI, the SoftHSM2 demo token and the sample documents.
# Idempotent: what is already there is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx: deploy/run-local.sh and the scale-out test run it as their own child process with a
# configuration of their own; it is never started or enabled as a system service here.
APT_PACKAGES=(softhsm2 opensc-pkcs11 poppler-utils qpdf libnss3-tools openssl fonts-liberation2 postgresql chromium xmlsec1 nginx curl)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Packages must not start their services (nginx would take port 80): a policy-rc.d that
  # refuses every start (invoke-rc.d's interface, exit 101) while apt runs, unless one is there.
  policy_made=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_made=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$policy_made" = 1 ] && rm -f /usr/sbin/policy-rc.d
  # Where systemd runs, an nginx installed just now does not start at boot either (run-local.sh
  # runs its own); an nginx that was already there is left as it was.
  if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
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

# `kyso` on the PATH, working from any folder: a shim that runs this clone's built CLI, rewritten
# on every set-up so that it always points at the clone the set-up ran in. (`pnpm kyso` works only
# at the repository root and prints pnpm's banner; `pnpm -s kyso` is silent, `kyso` is the way.)
KYSO_SHIM=${KYSO_SHIM:-/usr/local/bin/kyso}
node_bin=$(command -v node)
if mkdir -p "$(dirname "$KYSO_SHIM")" 2>/dev/null && [ -w "$(dirname "$KYSO_SHIM")" ]; then
  shim_tmp="$KYSO_SHIM.tmp.$$"
  printf '#!/bin/sh\n# Written by %s/scripts/install.sh: runs that clone'"'"'s kyso.\nexec "%s" "%s/cli/dist/bin.js" "$@"\n' "$PWD" "$node_bin" "$PWD" >"$shim_tmp"
  chmod 755 "$shim_tmp" && mv -f "$shim_tmp" "$KYSO_SHIM"
  echo "== kyso -> $KYSO_SHIM"
else
  echo "== cannot write $KYSO_SHIM (run as root, or set KYSO_SHIM to a folder on your PATH); use: node $PWD/cli/dist/bin.js" >&2
fi
