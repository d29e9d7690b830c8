#!/usr/bin/env bash
# Make a FAT32 test image with the real mkfs.fat and fill it with mtools.
#   fat_fixture.sh OUT.img KIB SECTORS_PER_CLUSTER
# Contents (the FAT host tests check them byte for byte):
#   hello.txt, README, "A long file name with spaces.txt", MixedCase.Txt,
#   "café ☕.txt" (UTF-8), lower.txt, empty, data.bin (200000 bytes, byte i is
#   (i * 7 + i / 251) & 255), dir1/sub dir/deep/file.txt, and many/ with 300
#   files f000.txt .. f299.txt each holding its own name.
set -euo pipefail
out=$(realpath -m "$1") kib=$2 spc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8
img="$tmp/image"
mkfs.fat -F 32 -s "$spc" -S 512 -n WEFT -i 5eed0fa7 -C "$img" "$kib" >/dev/null
printf 'hello, fat\n' > "$tmp/hello.txt"
printf 'read me\n' > "$tmp/README"
printf 'long name\n' > "$tmp/A long file name with spaces.txt"
printf 'mixed\n' > "$tmp/MixedCase.Txt"
printf 'unicode\n' > "$tmp/café ☕.txt"
printf 'lower\n' > "$tmp/lower.txt"
: > "$tmp/empty"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(((i * 7 + i // 251) & 255) for i in range(200000)))' > "$tmp/data.bin"
mkdir -p "$tmp/dir1/sub dir/deep" "$tmp/many"
printf 'deep\n' > "$tmp/dir1/sub dir/deep/file.txt"
for i in $(seq -w 0 299); do printf 'f%s.txt' "$i" > "$tmp/many/f$i.txt"; done
cd "$tmp"
mcopy -i "$img" -s -m hello.txt README "A long file name with spaces.txt" MixedCase.Txt \
	"café ☕.txt" lower.txt empty data.bin dir1 many ::/
fsck.fat -n "$img" >/dev/null
mv "$img" "$out"
