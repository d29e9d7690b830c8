# files.sh DEV FSTYPE: busybox tools on a disk file system. Mounts DEV on
# /mnt/sh-FSTYPE, runs a pipeline, redirections, cp/mv/rm of trees, find,
# tar and gzip round trips, df and mount listings there, then unmounts.
set -e
dev=$1 type=$2 dir=/mnt/sh-$2
mkdir -p "$dir"
mount -t "$type" "$dev" "$dir"
cd "$dir"
mkdir -p tree/a/b tree/c
seq 1 2000 > tree/a/b/numbers
for i in 1 2 3 4 5; do echo "line $i" >> tree/c/lines; done
[ "$(wc -l < tree/a/b/numbers)" = 2000 ]
[ "$(grep -c line tree/c/lines)" = 5 ]
[ "$(sort -rn tree/a/b/numbers | head -n 1)" = 2000 ]
cp -r tree copy
[ "$(find copy -type f | wc -l)" = 2 ]
cmp tree/a/b/numbers copy/a/b/numbers
mv copy moved
[ ! -e copy ] && [ -d moved/a/b ]
tar -cf t.tar tree && gzip t.tar && mkdir out && cd out && tar -xzf ../t.tar.gz && cd ..
cmp tree/a/b/numbers out/tree/a/b/numbers && cmp tree/c/lines out/tree/c/lines
rm -r moved out tree t.tar.gz
[ -z "$(ls | grep -v '^lost+found$' || true)" ]
df "$dir" | grep -q "$dir"
mount | grep -q " $dir "
cd /
umount "$dir"
echo "files.sh $type: ok"
