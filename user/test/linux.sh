#!/usr/bin/env bash
# Cross-check the in-guest suite on the real Linux 6.1 kernel in ../shared/linux
# under the same QEMU command line Weft gets: what passes here is what Linux
# does, so a failure on Weft alone is Weft's. The runner finds no /dev/console
# in the initrd and mounts devtmpfs itself (see user/bin/runtests.c).
#   user/test/linux.sh [SMP] [FILTER]
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${LINUX_IMAGE:-../shared/linux/Image}
[ -f "$image" ] || { echo "no Linux image at $image" >&2; exit 1; }
exec python3 tools/qemu-test.py --kernel "$image" --initrd build/initrd.cpio \
	--smp "${1:-1}" --timeout 300 --log build/test-logs/console-linux.log \
	--append "rdinit=/bin/runtests console=ttyS0 ${2:-}"
