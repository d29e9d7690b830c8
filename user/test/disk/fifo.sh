# fifo.sh DEV FSTYPE: FIFOs on a disk file system. Mounts DEV on
# /mnt/fifo-FSTYPE; t_fifo runs there (mknod and mkfifo, blocking and
# non-blocking opens, a signal during a waiting open, transfers, all through
# the pipe code); then mkfifo and a shell pipeline through the FIFO; then the
# FIFO and the directory's other names must still be there after an unmount
# and a mount again in the same boot. Each step that fails is named, and the
# script exits 1.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
dev=$1 type=$2 dir=/mnt/fifo-$2
fail() {
	echo "fifo.sh $type: FAIL: $*"
	cd /
	umount "$dir" 2>/dev/null
	exit 1
}
mkdir -p "$dir" || fail mkdir
mount -t "$type" "$dev" "$dir" || fail mount
/test/t_fifo "$dir" || fail t_fifo
mkdir "$dir/ff" || fail "mkdir $dir/ff"
mkfifo "$dir/ff/p" || fail mkfifo
[ -p "$dir/ff/p" ] || fail "$dir/ff/p is no FIFO"
cat "$dir/ff/p" > "$dir/ff/out" &
echo through-the-fifo > "$dir/ff/p" || fail "write into the FIFO"
wait $! || fail "cat from the FIFO"
[ "$(cat "$dir/ff/out")" = through-the-fifo ] || fail "read back: $(cat "$dir/ff/out")"
i=0
while [ $i -lt 400 ]; do
	: > "$dir/ff/name-$i" || fail "create name-$i"
	i=$((i + 1))
done
mkfifo "$dir/ff/q" || fail "mkfifo q"
umount "$dir" || fail umount
mount -t "$type" "$dev" "$dir" || fail "mount again"
# The first use of the FIFO's name after the mount: a blocking open whose
# lookup reaches the disk (in the fs service), then waits for the writer.
cat "$dir/ff/q" > "$dir/ff/out" &
sleep 1
echo again > "$dir/ff/q" || fail "write into the FIFO after the remount"
wait $! || fail "cat from the FIFO after the remount"
[ "$(cat "$dir/ff/out")" = again ] || fail "read back after the remount"
[ -p "$dir/ff/p" ] && [ -p "$dir/ff/q" ] || fail "FIFOs gone after the remount: $(ls -l "$dir/ff" | head -5)"
[ "$(ls "$dir/ff" | wc -l)" = 403 ] || fail "names after the remount: $(ls "$dir/ff" | wc -l)"
[ -f "$dir/ff/name-399" ] || fail "name-399 gone after the remount"
rm -r "$dir/ff" || fail "rm -r"
umount "$dir" || fail "umount at the end"
echo "fifo.sh $type: ok"
