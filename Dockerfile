# The one image of the compose cluster (docker-compose.yml): the Fairway daemons and
# fairwayctl, FROM scratch. scripts/build-images.sh assembles the build context in
# .build-release/image (rootfs/ = binaries + the shared libraries ldd lists + minimal
# /etc + /tmp; data/ = the empty /data) and builds it with
#
#   docker build -t fairway:latest -f Dockerfile .build-release/image
#
# so `docker build .` from the repository root is not how to build this image.
FROM scratch
COPY rootfs/ /
# /data by its own COPY so that the directory itself belongs to the daemon user; a new
# named or anonymous volume mounted there inherits that ownership.
COPY --chown=10001:10001 data/ /data/
ENV PATH=/usr/local/bin
USER 10001:10001
WORKDIR /data
