# sqlite3 (/usr/bin/sqlite3, Debian's sqlite3 source built against musl by
# tools/apps.sh) on the file system of the scratch directory ($TMPDIR, or
# /tmp): in each journal mode (the default rollback journal, then WAL) one
# process makes a database file, two tables, 1,000 rows inserted in one
# transaction, an index; it checks aggregates and a join against the same
# figures computed by awk from the generator, a rolled-back delete, then an
# update and a delete. A second process reopens the file: integrity_check,
# the figures after the changes, the journal mode kept in the file. Then one
# process holds a write transaction open while others read the old contents
# and fail to write ("database is locked": fcntl locks between processes;
# in WAL mode readers see the snapshot through the shared memory map of the
# -shm file), and its commit shows in a new process. VACUUM, and the file's
# size agrees with page_count * page_size. Last, a 5,000-row table through
# a small cache, read through a memory map of the database file while
# another process rewrites rows in it; and four writers at once waiting for
# each other through sqlite's busy handler. sqlite does pread/pwrite, fcntl
# locks, fsync/fdatasync, ftruncate, unlink, and MAP_SHARED mmap of the
# -shm file and of the database. The same script passes under
# qemu-riscv64-static and on Linux 6.1 (user/test/linux.sh 4 sh/7).
# user/test/disk/apps.sh runs it again on a fresh ext4 disk (TMPDIR there).
. "${0%/*}/lib.sh"

# The rows: order i belongs to customer (7i mod 50) + 1, has quantity
# (i mod 7) + 1 and costs (37i mod 1000) + 100 cents; customer c lives in
# Lima, Pune or Oslo by c mod 3.
GEN='
function cust(i) { return (i * 7) % 50 + 1 }
function qty(i) { return i % 7 + 1 }
function cents(i) { return (i * 37) % 1000 + 100 }
function city(c) { return c % 3 == 0 ? "Oslo" : (c % 3 == 1 ? "Lima" : "Pune") }
'

gen_sql() {
	awk -v q="'" "$GEN"'
	BEGIN {
		print "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL);"
		print "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER NOT NULL REFERENCES customers(id),"
		print "    qty INTEGER NOT NULL, cents INTEGER NOT NULL, price REAL, note TEXT);"
		print "BEGIN;"
		for (c = 1; c <= 50; c++)
			printf "INSERT INTO customers VALUES(%d, %scust%02d%s, %s%s%s);\n", c, q, c, q, q, city(c), q
		for (i = 1; i <= 1000; i++)
			printf "INSERT INTO orders(customer, qty, cents, price, note) VALUES(%d, %d, %d, %d / 100.0, %sorder %d%s);\n", \
				cust(i), qty(i), cents(i), cents(i), q, i, q
		print "COMMIT;"
	}'
}

# Figures from the generator: count|sum(qty)|sum(price), per city, the
# orders of customers 1 and 5, and count|sum(qty) after the update and delete.
expect() {
	awk "$GEN"'
	BEGIN {
		for (i = 1; i <= 1000; i++) {
			c = cust(i); n++; sq += qty(i); sc += cents(i)
			cn[city(c)]++; cq[city(c)] += qty(i)
			if (c == 1) one++
			if (c == 5) five++
			if (i % 10 != 0) { n2++; sq2 += (c == 1 ? 10 : 1) * qty(i) }
		}
		if ("'"$1"'" == "totals") printf "%d|%d|%.2f\n", n, sq, sc / 100
		if ("'"$1"'" == "cities") printf "Lima|%d|%d Oslo|%d|%d Pune|%d|%d\n", \
			cn["Lima"], cq["Lima"], cn["Oslo"], cq["Oslo"], cn["Pune"], cq["Pune"]
		if ("'"$1"'" == "one") print one
		if ("'"$1"'" == "five") print five
		if ("'"$1"'" == "after") printf "%d|%d\n", n2, sq2
	}'
}

# wait_for FILE: up to 30 s.
wait_for() {
	w_i=0
	while [ ! -e "$1" ] && [ "$w_i" -lt 300 ]; do
		sleep 0.1
		w_i=$((w_i + 1))
	done
}

run_mode() {
	m=$1
	mkdir "$m" && cd "$m" || return
	db=shop.db
	gen_sql >load.sql
	check "$m: journal mode set" "$m" "$(sqlite3 "$db" "PRAGMA journal_mode=$m;")"
	out=$(sqlite3 "$db" <<-EOF 2>&1
		.read load.sql
		CREATE INDEX orders_customer ON orders(customer);
		SELECT count(*), sum(qty), printf('%.2f', sum(price)) FROM orders;
		SELECT group_concat(line, ' ') FROM (SELECT c.city || '|' || count(*) || '|' || sum(o.qty) AS line
		    FROM orders o JOIN customers c ON c.id = o.customer GROUP BY c.city ORDER BY c.city);
		SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer WHERE c.name = 'cust01';
		SELECT max(cents), min(cents), avg(qty) = (SELECT sum(qty) * 1.0 / count(*) FROM orders) FROM orders;
		SELECT count(*) FROM orders INDEXED BY orders_customer WHERE customer = 5;
		BEGIN;
		DELETE FROM orders;
		SELECT count(*) FROM orders;
		ROLLBACK;
		SELECT count(*) FROM orders;
		UPDATE orders SET qty = qty * 10 WHERE customer = 1;
		SELECT changes();
		DELETE FROM orders WHERE id % 10 = 0;
		SELECT changes();
	EOF
	)
	check "$m: first process" "$(expect totals)
$(expect cities)
$(expect one)
1099|100|1
$(expect five)
0
1000
$(expect one)
100" "$out"
	out=$(sqlite3 "$db" <<-EOF 2>&1
		PRAGMA integrity_check;
		SELECT count(*), sum(qty) FROM orders;
		PRAGMA journal_mode;
		SELECT count(*) FROM customers;
		SELECT name FROM sqlite_schema WHERE type = 'index';
	EOF
	)
	check "$m: second process" "ok
$(expect after)
$m
50
orders_customer" "$out"

	# A writer holds its transaction open until "go" exists.
	rm -f started go
	sqlite3 "$db" >writer.out 2>&1 <<-EOF &
		BEGIN IMMEDIATE;
		INSERT INTO orders(customer, qty, cents, price, note) VALUES(2, 1, 100, 1.0, 'late');
		SELECT count(*) FROM orders;
		.shell touch started; i=0; while [ ! -e go ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
		COMMIT;
		SELECT count(*) FROM orders;
	EOF
	wpid=$!
	wait_for started
	check "$m: reader during a write" "900" "$(sqlite3 "$db" 'SELECT count(*) FROM orders;' 2>&1)"
	out=$(sqlite3 "$db" "INSERT INTO orders(customer, qty, cents) VALUES(3, 1, 1);" 2>&1)
	rc=$?
	# (The shell's status is the SQLite error code: 5, SQLITE_BUSY.)
	check "$m: second writer is refused" "5 locked" "$rc $(echo "$out" | grep -o 'locked' | head -n 1)"
	touch go
	wait $wpid
	check "$m: writer's own view" "901
901" "$(cat writer.out)"
	check "$m: commit seen by a new process" "901|1" \
		"$(sqlite3 "$db" "SELECT count(*), (SELECT count(*) FROM orders WHERE note = 'late') FROM orders;" 2>&1)"

	out=$(sqlite3 "$db" <<-EOF 2>&1
		VACUUM;
		PRAGMA integrity_check;
		SELECT count(*) FROM orders;
		SELECT page_count * page_size FROM pragma_page_count, pragma_page_size;
	EOF
	)
	size=$(wc -c <"$db")
	check "$m: after VACUUM" "ok
901
$size" "$out"
	check "$m: no journal or WAL left" "" "$(ls "$db"-* 2>/dev/null)"

	# A larger table (5,000 rows) through a 20-page cache, so that the
	# insert spills pages into the file before its commit; then read
	# through a memory map of the database file (mmap_size). A second
	# process changes rows (pwrite into the file, in WAL mode at the
	# checkpoint) while the first keeps its map: the first must see the
	# new rows through the same map.
	out=$(sqlite3 "$db" <<-EOF 2>&1
		PRAGMA cache_size=20;
		CREATE TABLE big(k INTEGER PRIMARY KEY, v TEXT NOT NULL);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
		    INSERT INTO big SELECT i, printf('%06d-%d', (i * 7919) % 100003, i * i) FROM n;
		SELECT count(*), sum(length(v)) FROM big;
		SELECT group_concat(k) FROM (SELECT k FROM big ORDER BY v DESC LIMIT 3);
		SELECT count(DISTINCT substr(v, 1, 3)) FROM big;
		PRAGMA integrity_check;
	EOF
	)
	check "$m: big table" "5000|$(awk 'BEGIN {
		for (i = 1; i <= 5000; i++) s += 7 + length(sprintf("%d", i * i))
		print s }')
$(awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "%06d %d\n", (i * 7919) % 100003, i }' |
		sort -r | head -n 3 | awk '{ printf "%s%s", (NR > 1 ? "," : ""), $2 } END { print "" }')
$(awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "%06d\n", (i * 7919) % 100003 }' | cut -c1-3 | sort -u | wc -l)
ok" "$out"
	out=$(sqlite3 "$db" <<-EOF 2>&1
		PRAGMA mmap_size=67108864;
		SELECT count(*) FROM big WHERE v LIKE '0%';
		.shell sqlite3 $db "UPDATE big SET v = 'changed' WHERE k % 100 = 0; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
		SELECT count(*) FROM big WHERE v = 'changed';
		SELECT count(*) FROM big WHERE v LIKE '0%';
	EOF
	)
	check "$m: another process's writes seen through the map" "67108864
$(awk 'BEGIN {
		for (i = 1; i <= 5000; i++) if ((i * 7919) % 100003 < 100000) { n++; if (i % 100) m++ }
		print n; print 50; print m }')" "$out"

	# Four writers at once, 25 transactions each, waiting for each other
	# through the busy handler (fcntl locks, sleeps, retries; in WAL mode
	# the -shm map shared between processes, on several harts at -smp 4).
	sqlite3 "$db" "CREATE TABLE w(p INTEGER, n INTEGER);"
	for p in 1 2 3 4; do
		awk -v p=$p 'BEGIN { print ".timeout 60000"
			for (n = 1; n <= 25; n++) printf "INSERT INTO w VALUES(%d, %d);\n", p, n }' >w$p.sql
		sqlite3 "$db" <w$p.sql >w$p.out 2>&1 &
	done
	wait
	check "$m: concurrent writers' errors" "" "$(cat w1.out w2.out w3.out w4.out)"
	check "$m: concurrent writers' rows" "ok
1|25|325 2|25|325 3|25|325 4|25|325" "$(sqlite3 "$db" "PRAGMA integrity_check;
		SELECT group_concat(r, ' ') FROM (SELECT p || '|' || count(*) || '|' || sum(n) AS r FROM w GROUP BY p ORDER BY p);" 2>&1)"
	cd ..
}

run_mode delete
run_mode wal
done_test
