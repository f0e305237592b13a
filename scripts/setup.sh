#!/usr/bin/env bash
# Set-up and the main job on the embedded default: installs everything (apt packages, pnpm, the
# workspace), generates the test PKI and the SoftHSM2 demo token, then signs the sample documents
# with the demo token (officer, then organization seal) and verifies them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/demo.sh
