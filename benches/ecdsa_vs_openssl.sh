#!/usr/bin/env bash
# ECDSA verification on this machine: passchip (`cargo bench --bench pki -- ecdsa_verify`)
# beside `openssl speed` for the curves both have. OpenSSL is used here only as a yardstick;
# passchip does not link it. Prints one line per curve: verifications per second.
#
# Each curve's passchip figures and OpenSSL's are taken one right after the other, three
# times, and the best of each is printed, so a shared machine's changing load moves both
# alike.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v openssl >/dev/null || { echo "openssl not installed: nothing to compare with" >&2; exit 1; }

cargo bench --bench pki --no-run 2>/dev/null
# criterion prints "ecdsa_verify_P-256/library  time:   [a b c]"; take the middle estimate.
per_second() {
    awk -v id="$1" '
        $0 ~ "^" id { hit = 1 }
        hit && /time:/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^\[/) { v = $(i + 2); u = $(i + 3); break }
            s = (u == "ns") ? v / 1e9 : (u == "µs" || u == "us") ? v / 1e6 : (u == "ms") ? v / 1e3 : v
            printf "%.0f", 1 / s; exit
        }' <<<"$2"
}
# "256 bits ecdsa (nistp256)   0.0000s   0.0001s  29000.0  9500.0": the last column.
ossl_verify() {
    openssl speed -seconds 3 "$1" 2>/dev/null | awk '/ bits ecdsa \(/ { v = int($NF) } END { print v }'
}

max() { tr ' ' '\n' <<<"$*" | sort -n | tail -1; }

printf '%-18s %14s %14s %14s\n' curve "passchip/s" "engine/s" "openssl/s"
for pair in P-256:ecdsap256 P-384:ecdsap384 P-521:ecdsap521 brainpoolP256r1:ecdsabrp256r1 \
    brainpoolP384r1:ecdsabrp384r1 P-224:ecdsap224 brainpoolP512r1:ecdsabrp512r1 P-192:ecdsap192; do
    name=${pair%%:*}
    lib="" engine="" ossl=""
    # Best of three alternating rounds: a neighbour's burst slows one round, not the best.
    for _ in 1 2 3; do
        out=$(cargo bench --bench pki -- "ecdsa_verify_$name/(library|engine)" 2>/dev/null)
        lib="$lib $(per_second "ecdsa_verify_$name/library" "$out")"
        engine="$engine $(per_second "ecdsa_verify_$name/engine" "$out")"
        ossl="$ossl $(ossl_verify "${pair##*:}")"
    done
    printf '%-18s %14s %14s %14s\n' "$name" "$(max $lib)" "$(max $engine)" "$(max $ossl)"
done
