# tar and gzip round trips in tmpfs: every file compared with cmp, modes
# and symlinks kept, compressed data streams through pipes.
. "${0%/*}/lib.sh"

mkdir -p src/sub/deeper src/empty
seq 1 20000 >src/numbers
dd if=/dev/urandom of=src/random bs=1024 count=200 2>/dev/null
dd if=/dev/zero of=src/sub/zeros bs=1024 count=512 2>/dev/null
printf 'small\n' >src/sub/deeper/small
: >src/sub/zero-length
printf '#!/bin/sh\necho run\n' >src/sub/tool
chmod 755 src/sub/tool
chmod 600 src/numbers
ln -s ../numbers src/sub/link
files="numbers random sub/zeros sub/deeper/small sub/zero-length sub/tool"

cmp_all() { # cmp_all DIR: print the files of $files that differ from src/
	for f in $files; do
		cmp -s "src/$f" "$1/$f" || printf '%s ' "$f"
	done
}

tar cf plain.tar src
check "tar tf lists every entry" "11" "$(tar tf plain.tar | wc -l)"
check "tar tf names" "src/sub/deeper/small" "$(tar tf plain.tar | grep small)"
mkdir x1
tar xf plain.tar -C x1
check "tar x: every file equal" "" "$(cmp_all x1/src)"
check "tar x: modes kept" "755 600" "$(stat -c %a x1/src/sub/tool) $(stat -c %a x1/src/numbers)"
check "tar x: symlink kept" "../numbers" "$(readlink x1/src/sub/link)"
check "tar x: empty directory kept" "yes" "$([ -d x1/src/empty ] && echo yes)"
check "tar x: zero-length file" "0" "$(stat -c %s x1/src/sub/zero-length)"
check "tar x: script still runs" "run" "$(x1/src/sub/tool)"

tar czf comp.tgz src
check "tar czf is gzip" "1f8b" "$(head -c 2 comp.tgz | od -An -tx1 | tr -d ' \n')"
check "gzip -t of the archive" "0" "$(gzip -t comp.tgz; echo $?)"
check "compressed smaller" "yes" "$([ $(stat -c %s comp.tgz) -lt $(stat -c %s plain.tar) ] && echo yes)"
mkdir x2
tar xzf comp.tgz -C x2
check "tar xz: every file equal" "" "$(cmp_all x2/src)"
check "tar xz = tar x, as lists" "$(cd x1 && find . | sort)" "$(cd x2 && find . | sort)"

tar cf - src | gzip -9 | gzip -dc | tar xf - -C "$(mkdir x3; echo x3)"
check "tar | gzip | gunzip | tar" "" "$(cmp_all x3/src)"
check "tar through pipes, extract one file" "small" "$(tar cf - src | tar xOf - src/sub/deeper/small)"

cp src/random r.bin
gzip r.bin
check "gzip removes the original" "no yes" "$([ -e r.bin ] && echo yes || echo no) $([ -e r.bin.gz ] && echo yes)"
gunzip r.bin.gz
check "gunzip gives it back" "0" "$(cmp src/random r.bin; echo $?)"
check "gzip -c | gzip -dc" "0" "$(gzip -c src/numbers | gzip -dc | cmp - src/numbers; echo $?)"
check "zcat" "20000" "$(gzip -c src/numbers >n.gz; zcat n.gz | tail -n 1)"
check "gzip -l or size" "yes" "$([ $(stat -c %s n.gz) -lt 50000 ] && echo yes)"
check "gzip of a large stream" "2097152" "$(dd if=/dev/zero bs=65536 count=32 2>/dev/null | gzip | gzip -d | wc -c)"
printf 'not gzip data\n' >bad.gz
check_rc "gunzip of bad data fails" 1 gunzip -t bad.gz 2>/dev/null
check "md5 of extracted equal" "$(cat src/random | md5sum)" "$(cat x2/src/random | md5sum)"
tar cf one.tar -C src numbers
check "tar -C" "numbers" "$(tar tf one.tar)"
check "bzip2 round trip" "0" "$(bzip2 -c src/numbers | bzip2 -dc | cmp - src/numbers; echo $?)"
check "cpio round trip" "0" "$(cd src && find . | cpio -o -H newc 2>/dev/null | (mkdir ../x4 && cd ../x4 && cpio -id 2>/dev/null); cmp random ../x4/random; echo $?)"

done_test
