# apps.sh [--verify] DEV FSTYPE: sqlite3 on a disk file system. Mounts DEV
# on /mnt/apps-FSTYPE; on ext4 it runs the shell suite's sqlite3 test
# (user/test/sh/76_sqlite.sh) with its scratch directory there (TMPDIR; on
# vfat that is left out, to keep the suite's time down); then it leaves a
# WAL-mode database apps/keep.db with 1,000 rows, closed. The host checks
# the image (e2fsck -fn, fsck.fat -n), and the second boot (--verify)
# reopens the database: integrity_check, its rows, the journal mode kept,
# one more committed write. Each step that fails is named, and the script
# exits 1.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
verify=
[ "$1" = --verify ] && { verify=1; shift; }
dev=$1 type=$2 dir=/mnt/apps-$2
fail() {
	echo "apps.sh $type: FAIL: $*"
	cd /
	umount "$dir" 2>/dev/null
	exit 1
}
mkdir -p "$dir" || fail mkdir
mount -t "$type" "$dev" "$dir" || fail mount
db=$dir/apps/keep.db
if [ -z "$verify" ]; then
	if [ "$type" = ext4 ]; then
		TMPDIR=$dir /bin/sh /test/sh/76_sqlite.sh || fail "76_sqlite.sh"
	fi
	rm -rf "$dir/apps" && mkdir "$dir/apps" || fail "mkdir $dir/apps"
	out=$(sqlite3 "$db" <<-EOF 2>&1
		PRAGMA journal_mode=wal;
		CREATE TABLE t(i INTEGER PRIMARY KEY, sq INTEGER, s TEXT);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
		    INSERT INTO t SELECT i, i * i, printf('row %04d', i) FROM n;
		SELECT count(*), sum(sq) FROM t;
	EOF
	)
	[ "$out" = "wal
1000|333833500" ] || fail "keep.db: $out"
else
	out=$(sqlite3 "$db" <<-EOF 2>&1
		PRAGMA integrity_check;
		PRAGMA journal_mode;
		SELECT count(*), sum(sq), max(s) FROM t;
		INSERT INTO t VALUES(1001, 1002001, 'row 1001');
	EOF
	)
	[ "$out" = "ok
wal
1000|333833500|row 1000" ] || fail "keep.db read back: $out"
	out=$(sqlite3 "$db" "PRAGMA integrity_check; SELECT count(*), sum(sq) FROM t;" 2>&1)
	[ "$out" = "ok
1001|334835501" ] || fail "keep.db after a write: $out"
fi
cd /
umount "$dir" || fail umount
echo "apps.sh $type${verify:+ --verify}: ok"
