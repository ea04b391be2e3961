#!/usr/bin/env bash
# Generates a private cluster CA and one certificate per node for tls+tcp:// (mutual TLS).
#
#   scripts/gen-certs.sh DIR NAME...       e.g. scripts/gen-certs.sh certs coordinator edge-1 edge-2 agents fairwayctl
#
# Writes DIR/ca.pem (give it to every node as tls.ca_file), DIR/ca.key (keep it offline),
# and DIR/NAME.pem = certificate + private key (the node's tls.cert_key_file, mode 0600).
# Keys are ECDSA P-256; each certificate names NAME, localhost and 127.0.0.1 as
# subjectAltNames (127.0.0.1 also as a DNS name: nng's mbedTLS 2 matches the dialed
# host against DNS names only). Validity: DAYS (default 825).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 DIR NAME..." >&2; exit 2; }
DIR=$1; shift
DAYS=${DAYS:-825}
command -v openssl >/dev/null || { echo "openssl missing: apt-get install -y openssl" >&2; exit 1; }
mkdir -p "$DIR"
umask 077
if [ ! -f "$DIR/ca.key" ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/ca.key"
  openssl req -x509 -new -key "$DIR/ca.key" -sha256 -days "$DAYS" -subj "/CN=Fairway cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$DIR/ca.pem"
fi
for NAME in "$@"; do
  tmp=$(mktemp -d)
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/key.pem"
  openssl req -new -key "$tmp/key.pem" -subj "/CN=$NAME" -out "$tmp/csr.pem"
  printf "subjectAltName=DNS:%s,DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n" "$NAME" > "$tmp/ext"
  openssl x509 -req -in "$tmp/csr.pem" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$tmp/ext" -out "$tmp/cert.pem" 2>/dev/null
  cat "$tmp/cert.pem" "$tmp/key.pem" > "$DIR/$NAME.pem"
  rm -rf "$tmp"
  echo "wrote $DIR/$NAME.pem"
done
chmod 0644 "$DIR/ca.pem"
