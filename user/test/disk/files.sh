# files.sh DEV FSTYPE: busybox tools on a disk file system. Mounts DEV on
# /mnt/sh-FSTYPE and works in a new directory sh there: a pipeline, redirections, cp/mv/rm of trees, find,
# tar and gzip round trips, df and mount listings there, then unmounts. cat of
# a 400 KB file into a pipe whose reader starts late fills the pipe: busybox
# cat's sendfile then waits, parked, in the middle of a call that runs in the
# fs service (or on a borrowed stack in the monolithic build).
# Each step that fails is named, and the script exits 1.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
dev=$1 type=$2 dir=/mnt/sh-$2
fail() {
	echo "files.sh $type: FAIL: $*"
	cd /
	umount "$dir" 2>/dev/null
	exit 1
}
mkdir -p "$dir" || fail mkdir
mount -t "$type" "$dev" "$dir" || fail mount
mkdir "$dir/sh" && cd "$dir/sh" || fail "mkdir $dir/sh"
mkdir -p tree/a/b tree/c || fail mkdir -p
awk 'BEGIN { for (i = 1; i <= 2000; i++) print i }' > tree/a/b/numbers || fail awk
for i in 1 2 3 4 5; do echo "line $i" >> tree/c/lines; done
awk 'BEGIN { for (i = 1; i <= 40000; i++) print "row", i }' > big || fail "awk big"
[ "$(cat big | (sleep 1; wc -c))" = "$(wc -c < big)" ] || fail "cat into a full pipe"
[ "$(cat big | (sleep 1; md5sum))" = "$(md5sum < big)" ] || fail "cat | md5sum"
[ "$(wc -l < tree/a/b/numbers)" = 2000 ] || fail wc
[ "$(grep -c line tree/c/lines)" = 5 ] || fail grep
[ "$(sort -rn tree/a/b/numbers | head -n 1)" = 2000 ] || fail sort
cp -r tree copy || fail cp -r
[ "$(find copy -type f | wc -l)" = 2 ] || fail find
cmp tree/a/b/numbers copy/a/b/numbers || fail cmp copy
mv copy moved || fail mv
[ ! -e copy ] && [ -d moved/a/b ] || fail after mv
tar -cf t.tar tree || fail tar -c
gzip t.tar || fail gzip
mkdir out && cd out && tar -xzf ../t.tar.gz && cd .. || fail tar -x
cmp tree/a/b/numbers out/tree/a/b/numbers && cmp tree/c/lines out/tree/c/lines || fail cmp tar
rm -r moved out tree t.tar.gz big || fail rm -r
[ -z "$(ls)" ] || fail "ls: $(ls)"
cd .. && rmdir sh || fail rmdir
df "$dir" | grep -q "$dir" || fail "df: $(df "$dir")"
mount | grep -q " $dir " || fail "mount: $(mount)"
cd /
umount "$dir" || fail umount
echo "files.sh $type: ok"
