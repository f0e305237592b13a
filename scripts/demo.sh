#!/usr/bin/env bash
# The main job on the demo token: sign the samples as an officer, seal them as the organization,
# then verify every output (Kyso's verifier where built, and poppler's pdfsig as an outside judge).
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; source certs-test/out/env.sh; set +a
export KYSO_PIN=123456                     # the demo token's documented user PIN (test material only)
out=demo-out
rm -rf "$out"; mkdir -p "$out"
export XDG_CACHE_HOME="$PWD/$out/cache"    # revocation data and fetched CA certificates of this demo
# The test PKI's OCSP responder, CRLs and caIssuers: kyso sign checks the certificate online before
# the PIN, and completes the chain (the demo token holds no CA certificate) from caIssuers.
node certs-test/dist/run-servers.js >"$out/servers.log" 2>&1 &
servers=$!
trap 'kill $servers 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "servers" "$out/servers.log" 2>/dev/null && break; sleep 0.1; done
samples=(certs-test/out/samples/one-page.pdf certs-test/out/samples/vietnamese.pdf certs-test/out/samples/objstm.pdf certs-test/out/samples/hundred-pages.pdf)
echo "== kyso sign (officer, token KYSO-DEMO)"
node cli/dist/bin.js sign "${samples[@]}" --token-label KYSO-DEMO --key-label officer-rsa --reason "Phê duyệt" --location "Phú Yên" --trust certs-test/out/pki/root.pem --out-dir "$out/officer"
echo "== kyso sign (organization seal)"
node cli/dist/bin.js sign "$out"/officer/*.pdf --token-label KYSO-DEMO --key-label org-seal --reason "Đóng dấu" --trust certs-test/out/pki/root.pem --out-dir "$out/sealed"
echo "== kyso sign refuses the expired and the revoked keys (exit 2, before the PIN)"
for key in expired revoked; do
  if node cli/dist/bin.js sign certs-test/out/samples/one-page.pdf --token-label KYSO-DEMO --key-label "$key" --trust certs-test/out/pki/root.pem --out-dir "$out/refused"; then
    echo "demo: the $key key was not refused"; exit 1
  fi
done
echo "== verify (revocation of every certificate checked online against the test PKI's OCSP responder and CRLs)"
status=0
node cli/dist/bin.js verify "$out"/sealed/*.pdf --trust certs-test/out/pki/root.pem || status=1
for f in "$out"/sealed/*.pdf; do
  res=$(pdfsig -no-ocsp -nssdir certs-test/out/nssdb "$f" 2>/dev/null | grep -c "Signature is Valid" || true)
  echo "pdfsig: $f: $res valid signature(s)"
  [ "$res" = "2" ] || status=1
done
exit $status
