#!/usr/bin/env bash
# Everything "make test" runs, in order:
#   1. tools/deps.sh (installs what is missing; cheap when nothing is),
#   2. build the kernel, user programs, initrds and host unit tests,
#   3. the host unit tests (tools/run-host-tests.sh),
#   4. the in-QEMU suite at -smp 1 and at -smp 4 (tools/qemu-test.py), and
#      the in-kernel tests (ktest=...; the services also in MODE=monolithic),
#   5. one boot with the malformed initrd: the kernel must name it and go on,
#   6. one boot with init=/bin/wsh where the harness types at the console
#      (interrupt-driven UART input through the PLIC, end to end): a builtin's
#      output, /test/t_console reading "ping", then exit must power off,
#   7. the disk suites: ext4 and FAT32 workloads in the hybrid and the
#      monolithic kernel, images checked by e2fsck -fn / fsck.fat -n, read back
#      in a second boot; the fs service's restart test with injected faults,
#   8. the virtio-blk driver test (ktest=blk, kernel/init/ktest_blk.c) on a
#      scratch and a read-only disk, legacy and modern virtio-mmio, 1 and 4
#      harts, once with a tiny queue and once with the throughput figures; the
#      host then checks every region of the images (tools/blkcheck.py).
# Each part prints its own "N passed, N failed"; the last line is the total,
# alone on its line. Exits non-zero if anything failed. Console logs go to
# build/test-logs/. Environment knobs: WEFT_TEST_SMPS (default "1 4"),
# WEFT_TEST_FILTER (runner filter), WEFT_TEST_TIMEOUT (seconds per boot).
set -euo pipefail
cd "$(dirname "$0")/.."

B=build
BM=build-monolithic
LOGS=$B/test-logs
SMPS=${WEFT_TEST_SMPS:-1 4}
TIMEOUT=${WEFT_TEST_TIMEOUT:-300}
FILTER=${WEFT_TEST_FILTER:-}
MEM=${MEM:-256M}

total_pass=0
total_fail=0
summary=()
failures=()

# Add the last "N passed, N failed" line of file $2 under the label $1;
# no such line counts as one failure.
tally() {
	local label=$1 out=$2 line p f
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed[[:space:]]*$' "$out" | tail -n1 || true)
	if [ -z "$line" ]; then
		p=0
		f=1
	else
		p=$(sed -E 's/.*(^|[^0-9])([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		f=$(sed -E 's/.*(^|[^0-9])([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-22s %s passed, %s failed' "$label:" "$p" "$f")")
	# CI shows only the tail of the output: name what failed there too.
	if [ "$f" -ne 0 ]; then
		failures+=("$label:")
		while IFS= read -r line; do failures+=("  ${line:0:200}"); done < <(
			grep -aE '\[FAIL\]|FAIL|failed:|found problems|no PASS|panic|timed out' "$out" |
				grep -avE '(^|: )[0-9]+ passed, [0-9]+ failed|\[PASS\]' | head -n 12 || true)
	fi
}

# Run a command, showing and keeping its output, without stopping on failure.
run() {
	local out=$1
	shift
	set +e
	"$@" 2>&1 | tee "$out"
	local rc=${PIPESTATUS[0]}
	set -e
	return "$rc"
}

mkdir -p "$LOGS"
bash tools/deps.sh

echo "== build"
build_ok=1
if ! make -j2 all host-tests || ! make -j2 MODE=monolithic kernel; then
	build_ok=0
	echo "test: the full build failed; running what did build" >&2
	make -j2 -k host-tests user initrd || true
fi

echo "== host unit tests"
run "$LOGS/host.out" make -s test-host || true
tally "host unit tests" "$LOGS/host.out"

if [ "$build_ok" = 1 ] && [ -f "$B/weft.bin" ]; then
	for smp in $SMPS; do
		echo "== QEMU suite, -smp $smp"
		run "$LOGS/qemu-smp$smp.out" python3 tools/qemu-test.py --kernel "$B/weft.bin" \
			--initrd "$B/initrd.cpio" --smp "$smp" --mem "$MEM" --timeout "$TIMEOUT" \
			--append "$FILTER" --log "$LOGS/console-smp$smp.log" || true
		tally "qemu -smp $smp" "$LOGS/qemu-smp$smp.out"
	done
	echo "== in-kernel tests (ktest)"
	# Kernel threads: yielding, timer preemption, wait queues, stacks freed on
	# exit (kernel/init/ktest.c). Service threads: 1,000 requests with faults
	# injected, contained and counted (kernel/init/ktest_svc.c), in the hybrid
	# kernel and, without injection, in the monolithic one. On 1 and on 4 harts.
	{
		p=0 f=0
		for t in kthread svc svc-monolithic; do
			kernel=$B/weft.bin name=${t%-monolithic}
			[ "$t" = "$name" ] || kernel=$BM/weft.bin
			for smp in 1 4; do
				log=$LOGS/console-ktest-$t-smp$smp.log
				timeout 60 qemu-system-riscv64 -machine virt -nographic -bios default \
					-m "$MEM" -smp "$smp" -kernel "$kernel" -append "ktest=$name" \
					-no-reboot </dev/null >"$log" 2>&1 || true
				if grep -q "ktest $name.*: .*PASS" "$log"; then
					p=$((p + 1))
				else
					f=$((f + 1)); echo "ktest $t -smp $smp: no PASS line"
				fi
			done
		done
		echo "$p passed, $f failed"
	} | tee "$LOGS/ktest.out"
	tally "in-kernel tests" "$LOGS/ktest.out"
	echo "== oops report"
	# A deliberate kernel fault must print the cause, the registers and a
	# symbolised backtrace, then stop the machine (QEMU exits).
	set +e
	timeout 60 qemu-system-riscv64 -machine virt -nographic -bios default -m "$MEM" -smp 1 \
		-kernel "$B/weft.bin" -append "crashtest=oops" -no-reboot </dev/null \
		>"$LOGS/console-oops.log" 2>&1
	oops_rc=$?
	set -e
	{
		p=0 f=0
		for re in 'KERNEL OOPS' 'scause 000000000000000f stval 0000000000000010' \
			'^ra  [0-9a-f]{16}' '\] crashtest_fault\+0x' 'KERNEL PANIC'; do
			if grep -Eq "$re" "$LOGS/console-oops.log"; then p=$((p + 1)); else
				f=$((f + 1)); echo "oops report: missing /$re/"; fi
		done
		if [ "$oops_rc" = 124 ]; then f=$((f + 1)); echo "oops report: QEMU did not stop"; else p=$((p + 1)); fi
		echo "$p passed, $f failed"
	} | tee "$LOGS/oops.out"
	tally "oops report" "$LOGS/oops.out"
	echo "== malformed initrd boot"
	run "$LOGS/badinitrd.out" python3 tools/qemu-test.py --kernel "$B/weft.bin" \
		--initrd "$B/initrd-bad.cpio" --smp 1 --mem "$MEM" --timeout 120 \
		--expect-log '(?i)initrd:.*malformed' --log "$LOGS/console-badinitrd.log" || true
	tally "malformed initrd" "$LOGS/badinitrd.out"
	echo "== console input"
	run "$LOGS/console.out" python3 tools/qemu-test.py --kernel "$B/weft.bin" \
		--initrd "$B/initrd.cpio" --smp 1 --mem "$MEM" --timeout 120 --init /bin/wsh \
		--input 'echo hello-from-the-keyboard\r' --expect '(?m)^hello-from-the-keyboard$' \
		--send 'weft\$ =>/test/t_console\r' --send 'ready>=>ping\r' \
		--expect 'TEST t_console: PASS' --send 'weft\$ =>exit\r' \
		--log "$LOGS/console-input.log" || true
	tally "console input" "$LOGS/console.out"
	echo "== disk file systems (ext4, FAT32)"
	# The disk suite on fresh images made by the real mkfs.ext4 (default
	# features) and mkfs.fat -F 32: file workloads and busybox tools on both
	# (runtests @disk), the images checked by e2fsck -fn and fsck.fat -n on the
	# host, then a second boot reading back what the first left (@diskverify).
	# In the hybrid kernel at -smp 1 and 4, and in the monolithic one at -smp 4.
	# Then the suite from an ext4 root (root=/dev/vda, runtests @rootfs),
	# 2,000 corrupted images (ktest=fsfuzz), and the fs service's restart
	# test (runtests @fsfault, hybrid only):
	# faults injected into every 50th request, and e2fsck -fn after it.
	{
		p=0 f=0
		disk_boot() { # label kernel smp suite disks...
			local label=$1 kernel=$2 smp=$3 suite=$4
			shift 4
			local args=()
			for d in "$@"; do args+=(--disk "$d"); done
			if python3 tools/qemu-test.py --kernel "$kernel" --initrd "$B/initrd.cpio" \
				--smp "$smp" --mem "$MEM" --timeout "$TIMEOUT" --append "$suite" \
				--log "$LOGS/console-$label.log" "${args[@]}" >"$LOGS/$label.out" 2>&1; then
				p=$((p + 1))
			else
				f=$((f + 1)); echo "$label: suite failed:"; grep -E 'FAIL|panic' "$LOGS/$label.out" | head -20
			fi
		}
		fsck_images() { # label ext4-image fat-image
			if e2fsck -fn "$2" >"$LOGS/$1-e2fsck.log" 2>&1; then p=$((p + 1)); else
				f=$((f + 1)); echo "$1: e2fsck -fn found problems:"; tail -20 "$LOGS/$1-e2fsck.log"; fi
			if [ -n "${3:-}" ]; then
				if fsck.fat -n "$3" >"$LOGS/$1-fsckfat.log" 2>&1 &&
					! grep -qi 'differ\|corrected\|wrong\|invalid\|broken' "$LOGS/$1-fsckfat.log"; then
					p=$((p + 1)); else
					f=$((f + 1)); echo "$1: fsck.fat -n found problems:"; tail -20 "$LOGS/$1-fsckfat.log"; fi
			fi
		}
		for run in hybrid:1 hybrid:4 monolithic:4; do
			mode=${run%:*} smp=${run#*:} kernel=$B/weft.bin
			[ "$mode" = hybrid ] || kernel=$BM/weft.bin
			label=disk-$mode-smp$smp ext=$B/$label.ext4 fat=$B/$label.fat
			rm -f "$ext" "$fat"
			mkfs.ext4 -q -F "$ext" 128M
			mkfs.fat -F 32 -C "$fat" $((64 * 1024)) >/dev/null
			disk_boot "$label" "$kernel" "$smp" @disk "$ext" "$fat"
			fsck_images "$label" "$ext" "$fat"
			disk_boot "$label-verify" "$kernel" "$smp" @diskverify "$ext" "$fat"
		done
		# The suite from an ext4 root: a copy of the root image.
		cp "$B/rootfs.ext4" "$B/rootfs-test.ext4"
		if python3 tools/qemu-test.py --kernel "$B/weft.bin" --initrd "$B/initrd-bad.cpio" \
			--smp 4 --mem "$MEM" --timeout "$TIMEOUT" --kargs root=/dev/vda --append @rootfs \
			--log "$LOGS/console-rootfs.log" --disk "$B/rootfs-test.ext4" \
			>"$LOGS/rootfs.out" 2>&1; then p=$((p + 1)); else
			f=$((f + 1)); echo "rootfs: suite failed:"; grep -E 'FAIL|panic' "$LOGS/rootfs.out" | head -20; fi
		fsck_images rootfs "$B/rootfs-test.ext4"
		# What "make run" does: busybox init from the ext4 root to a shell.
		cp "$B/rootfs.ext4" "$B/rootfs-test.ext4"
		if python3 tools/qemu-test.py --kernel "$B/weft.bin" --initrd "$B/initrd-bad.cpio" \
			--smp 2 --mem "$MEM" --timeout 120 --kargs root=/dev/vda --init /sbin/init \
			--disk "$B/rootfs-test.ext4" --log "$LOGS/console-run.log" \
			--send '(?m)# $=>echo hello-$((6*7))\r' --expect '(?m)^hello-42' \
			--send '(?m)# $=>poweroff\r' >"$LOGS/run.out" 2>&1; then p=$((p + 1)); else
			f=$((f + 1)); echo "make run's boot (init from the ext4 root) failed:"; tail -5 "$LOGS/run.out"; fi
		# Corrupted images (ktest=fsfuzz): 1,000 rounds per file system of a
		# small image with random metadata bytes overwritten, mounted, walked,
		# written and unmounted by the fs service; no panic, hang or fault.
		fz=$B/fsfuzz
		rm -rf "$fz" && mkdir -p "$fz/tree/d1/d2"
		printf 'hello\n' >"$fz/tree/a" && head -c 20000 /dev/urandom >"$fz/tree/d1/b"
		ln -s a "$fz/tree/l"
		for i in $(seq 1 30); do echo "$i" >"$fz/tree/d1/d2/f$i"; done
		mkfs.ext4 -q -F -d "$fz/tree" "$fz/e.img" 4M
		mkfs.fat -F 32 -C "$fz/f.img" 34000 >/dev/null
		mcopy -s -i "$fz/f.img" "$fz/tree/a" "$fz/tree/d1" ::/
		timeout 300 qemu-system-riscv64 -machine virt -nographic -bios default -m "$MEM" -smp 4 \
			-kernel "$B/weft.bin" -append ktest=fsfuzz -no-reboot \
			-drive "file=$fz/e.img,if=none,format=raw,id=vd0,readonly=on" \
			-device virtio-blk-device,drive=vd0 \
			-drive "file=$fz/f.img,if=none,format=raw,id=vd1,readonly=on" \
			-device virtio-blk-device,drive=vd1 </dev/null >"$LOGS/console-fsfuzz.log" 2>&1 || true
		grep -a '^ktest fsfuzz: [a-z0-9]*:' "$LOGS/console-fsfuzz.log" || true
		if grep -aq '^ktest fsfuzz: PASS' "$LOGS/console-fsfuzz.log"; then p=$((p + 1)); else
			f=$((f + 1)); echo "fsfuzz: no PASS line (see $LOGS/console-fsfuzz.log)"; fi
		img=$B/fsfault.ext4 fimg=$B/fsfault.fat
		rm -f "$img" "$fimg"
		mkfs.ext4 -q -F "$img" 64M
		mkfs.fat -F 32 -C "$fimg" $((64 * 1024)) >/dev/null
		disk_boot fsfault "$B/weft.bin" 4 @fsfault "$img" "$fimg"
		grep -E '[0-9]+ fs requests' "$LOGS/console-fsfault.log" || true
		fsck_images fsfault "$img" "$fimg"
		echo "$p passed, $f failed"
	} | tee "$LOGS/disk.out"
	tally "disk file systems" "$LOGS/disk.out"
	echo "== virtio-blk (ktest)"
	# Each run: the kernel's verdict, then the host's check of the images.
	blk_run() {
		local label=$1 smp=$2 mode=$3 append=$4 img=$B/blk-$1 bench=
		local log=$LOGS/console-blk-$label.log
		local -a extra=()
		[ "$mode" = modern ] && extra=(-global virtio-mmio.force-legacy=false)
		[ "${append#*blkbench}" != "$append" ] && bench=--bench
		python3 tools/blkcheck.py make "$img-s.img" "$img-r.img"
		timeout 300 qemu-system-riscv64 -machine virt -nographic -bios default -m "$MEM" \
			-smp "$smp" -kernel "$B/weft.bin" -append "$append" -no-reboot \
			-drive "file=$img-s.img,if=none,format=raw,id=vd0" -device virtio-blk-device,drive=vd0 \
			-drive "file=$img-r.img,if=none,format=raw,id=vd1,readonly=on" \
			-device virtio-blk-device,drive=vd1 "${extra[@]}" </dev/null >"$log" 2>&1 || true
		grep -E '^ktest blk: [a-z]+: (PASS|FAIL)' "$log" | sed "s/^ktest blk: /  $label: /"
		if grep -Eq '^ktest blk: [0-9]+ passed, 0 failed' "$log"; then
			p=$((p + 1))
		else
			f=$((f + 1)); echo "blk $label: the kernel test did not pass (see $log)"
		fi
		if python3 tools/blkcheck.py check "$img-s.img" "$img-r.img" $bench >"$log.check"; then
			p=$((p + 1)); rm -f "$img-s.img" "$img-r.img"
		else
			f=$((f + 1)); echo "blk $label: host check of the images failed:"
			grep FAIL "$log.check" || true
		fi
	}
	{
		p=0 f=0
		blk_run legacy-smp1 1 legacy "ktest=blk"
		blk_run legacy-smp4 4 legacy "ktest=blk"
		blk_run modern-smp1 1 modern "ktest=blk"
		blk_run modern-smp4 4 modern "ktest=blkbench"
		blk_run queue8-smp4 4 legacy "ktest=blk vblk.qsize=8"
		echo "$p passed, $f failed"
	} | tee "$LOGS/blk.out"
	tally "virtio-blk" "$LOGS/blk.out"
else
	echo "== QEMU suites skipped: no kernel image"
	total_fail=$((total_fail + 1))
	summary+=("$(printf '%-22s %s' "build:" "FAILED (QEMU suites not run)")")
fi

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "${#failures[@]}" -ne 0 ]; then
	echo "== what failed (logs in $LOGS)"
	printf '%s\n' "${failures[@]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
