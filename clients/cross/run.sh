#!/bin/sh
# The cross-implementation test (issue 13, acceptance 3): builds clients/c, then runs
# clients/cross/test_cross_implementation.py (Swift, Python and C read each other's messages
# identically; hostile contributions refused the same way by a live cluster it starts and tears
# down). Prints the agreement table. Exit status: pytest's (0: all passed).
#
# Environment: FAIRWAY_BIN (default <repo>/.build/debug: fairway-lab, fairway-fuzz, fairwayctl and
# the daemons; they are not built here), PYTHON (default python3), FAIRWAY_KEEP_CROSS=1 to keep
# the corpus directory (/tmp/fw-cross-*).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
python=${PYTHON:-python3}
make -s -C "$repo/clients/c" all
cd "$repo"
exec "$python" -m pytest -q -s -p no:cacheprovider "$here/test_cross_implementation.py" "$@"
