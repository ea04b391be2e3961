#!/usr/bin/env bash
# Builds the one container image of the compose cluster, fairway:latest, FROM scratch:
#
#   1. release build of the daemons and fairwayctl with the Swift runtime linked
#      statically, in its own scratch path (.build-release) so it never touches the
#      debug build in .build;
#   2. a root filesystem in .build-release/image/rootfs (gitignored): the binaries in
#      /usr/local/bin (stripped), every shared library `ldd` lists for them (glibc,
#      libstdc++, libgcc_s, libsqlite3, libnng and its mbedtls libraries, the dynamic
#      loader), a minimal /etc (passwd, group, nsswitch.conf) and /tmp; next to it
#      .build-release/image/data, which becomes /data owned by the unprivileged user
#      fairway (uid 10001) the daemons run as;
#   3. `docker build` with .build-release/image as the build context (the Dockerfile at
#      the top level is passed with -f), so the context holds exactly the image's files
#      and nothing of the repository or of .build*.
#
# Environment:
#   FAIRWAY_IMAGE   image tag (default fairway:latest)
#   FAIRWAY_STRIP   1 (default) strips the binaries in the image (~108 MB -> ~69 MB each);
#                   0 keeps their symbols
#   SKIP_SWIFT_BUILD=1  reuse the binaries already in .build-release
#   SWIFT_BUILD_ONLY=1  only step 1 (the release build; .ci/run does it in the background)
# Prints timings of the two steps. The host-side fairwayctl it builds is
# .build-release/release/fairwayctl (scripts/compose-test.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${FAIRWAY_IMAGE:-fairway:latest}
STRIP=${FAIRWAY_STRIP:-1}
SCRATCH=.build-release
CONTEXT=$SCRATCH/image
ROOTFS=$CONTEXT/rootfs
BINARIES=(cloud-coordinator edge-server edge-agent fairwayctl)
APP_UID=10001
APP_GID=10001

log() { echo "[build-images] $*" >&2; }

[ "${SWIFT_BUILD_ONLY:-0}" = 1 ] || command -v docker >/dev/null || { log "docker is not installed"; exit 1; }

# --- 1. release build -------------------------------------------------------------
t0=$(date +%s)
if [ "${SKIP_SWIFT_BUILD:-0}" != 1 ]; then
  # Product by product: `swift build` alone would also build the test kit (FairwayTestSupport),
  # which imports XCTest, absent from a static-stdlib build. The products share one build.
  for b in "${BINARIES[@]}"; do
    log "swift build -c release --static-swift-stdlib --scratch-path $SCRATCH --product $b (niced)"
    nice -n 10 swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product "$b"
  done
fi
BIN=$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)
t1=$(date +%s)
log "release build: $((t1 - t0)) s (binaries in $BIN)"
[ "${SWIFT_BUILD_ONLY:-0}" = 1 ] && exit 0

# --- 2. root filesystem -----------------------------------------------------------
rm -rf "$CONTEXT"
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$CONTEXT/data"
chmod 1777 "$ROOTFS/tmp"
chmod 0755 "$CONTEXT/data"

for b in "${BINARIES[@]}"; do
  [ -x "$BIN/$b" ] || { log "missing binary $BIN/$b"; exit 1; }
  cp "$BIN/$b" "$ROOTFS/usr/local/bin/$b"
  if [ "$STRIP" = 1 ] && command -v strip >/dev/null; then
    strip "$ROOTFS/usr/local/bin/$b"
  fi
done

# Every library the dynamic loader resolves for the binaries, copied (symlinks
# followed) to the same path in the rootfs. The loader without /etc/ld.so.cache
# searches Debian's multiarch directories, where they land.
declare -A libs=()
for b in "${BINARIES[@]}"; do
  out=$(ldd "$BIN/$b")
  if grep -q "not found" <<<"$out"; then
    log "ldd $b: unresolved libraries:"; grep "not found" <<<"$out" >&2; exit 1
  fi
  while read -r path; do
    [ -n "$path" ] && libs["$path"]=1
  done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out")
done
for lib in "${!libs[@]}"; do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done
log "libraries: $(printf '%s\n' "${!libs[@]}" | xargs -n1 basename | sort | tr '\n' ' ')"

cat >"$ROOTFS/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
fairway:x:$APP_UID:$APP_GID:fairway:/data:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
cat >"$ROOTFS/etc/group" <<EOF
root:x:0:
fairway:x:$APP_GID:
nogroup:x:65534:
EOF
# glibc >= 2.34 has the files and dns backends built in; this only fixes the order.
echo "hosts: files dns" >"$ROOTFS/etc/nsswitch.conf"

# Smoke test: the binaries start with only the rootfs' libraries.
"$ROOTFS/lib64/ld-linux-x86-64.so.2" --library-path "$ROOTFS/lib/x86_64-linux-gnu" \
  "$ROOTFS/usr/local/bin/fairwayctl" --help >/dev/null

log "rootfs $ROOTFS: $(du -sh "$ROOTFS" | cut -f1)"

# --- 3. image -----------------------------------------------------------------------
t2=$(date +%s)
log "docker build -t $IMAGE -f Dockerfile $CONTEXT"
docker build -q -t "$IMAGE" -f Dockerfile "$CONTEXT" >/dev/null
t3=$(date +%s)
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
log "image $IMAGE: $((size / 1000000)) MB, built in $((t3 - t2)) s"
