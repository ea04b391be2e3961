#!/usr/bin/env bash
# Installs the system packages Fairway needs when missing: libnng-dev, libglpk-dev (the Swift
# daemons); libprotobuf-c-dev, libsodium-dev (the C client, clients/c); protobuf-compiler (the
# check that the Python client's generated code is current); prometheus (the metrics cluster
# test: /usr/bin/prometheus and /usr/bin/promtool; the service is never started); iptables
# (fairway-lab chaos: partitions inside its own network namespaces).
# As root it installs them; otherwise it prints the one command to run.
set -euo pipefail
missing=()
[ -f /usr/include/nng/nng.h ] || missing+=(libnng-dev)
[ -f /usr/include/glpk.h ] || missing+=(libglpk-dev)
[ -f /usr/include/protobuf-c/protobuf-c.h ] || missing+=(libprotobuf-c-dev)
[ -f /usr/include/sodium.h ] || missing+=(libsodium-dev)
command -v protoc >/dev/null || missing+=(protobuf-compiler)
{ command -v iptables >/dev/null || [ -x /usr/sbin/iptables ]; } || missing+=(iptables)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "installing ${missing[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]}" >&2
  echo "run:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
