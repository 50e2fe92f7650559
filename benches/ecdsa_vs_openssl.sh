#!/usr/bin/env bash
# ECDSA verification on this machine: passchip (`cargo bench --bench pki -- ecdsa_verify`)
# beside `openssl speed` for the curves both have. OpenSSL is used here only as a yardstick;
# passchip does not link it. Prints one line per curve: verifications per second.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v openssl >/dev/null || { echo "openssl not installed: nothing to compare with" >&2; exit 1; }

out=$(cargo bench --bench pki -- ecdsa_verify 2>/dev/null)
# criterion prints "ecdsa_verify_P-256/library  time:   [a b c]"; take the middle estimate.
per_second() {
    awk -v id="$1" '
        $0 ~ "^" id { hit = 1 }
        hit && /time:/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^\[/) { v = $(i + 2); u = $(i + 3); break }
            s = (u == "ns") ? v / 1e9 : (u == "µs" || u == "us") ? v / 1e6 : (u == "ms") ? v / 1e3 : v
            printf "%.0f", 1 / s; exit
        }' <<<"$out"
}

ossl=$(openssl speed -seconds 2 ecdsap256 ecdsap384 ecdsap521 ecdsabrp256r1 ecdsabrp384r1 2>/dev/null)
ossl_verify() {
    # "256 bits ecdsa (nistp256)   0.0000s   0.0001s  29000.0  9500.0": the last column.
    awk -v c="$1" 'index($0, "(" c ")") { print int($NF) }' <<<"$ossl" | tail -1
}

printf '%-18s %14s %14s %14s\n' curve "passchip/s" "engine/s" "openssl/s"
for pair in P-256:nistp256 P-384:nistp384 P-521:nistp521 brainpoolP256r1:brainpoolP256r1 brainpoolP384r1:brainpoolP384r1; do
    name=${pair%%:*}
    printf '%-18s %14s %14s %14s\n' "$name" \
        "$(per_second "ecdsa_verify_$name/library")" \
        "$(per_second "ecdsa_verify_$name/engine")" \
        "$(ossl_verify "${pair##*:}")"
done
