#!/usr/bin/env bash
# Run host unit test binaries and add up their results.
#   tools/run-host-tests.sh BIN...
# Each binary prints [PASS]/[FAIL] lines and ends with "file: N passed, N failed".
# A binary that crashes, exits non-zero, or prints no summary counts as one more
# failure. Prints "host: N passed, N failed" last; exits non-zero on any failure.
set -euo pipefail

total_pass=0
total_fail=0
for bin in "$@"; do
	out=$(mktemp)
	set +e
	"$bin" >"$out" 2>&1
	rc=$?
	set -e
	cat "$out"
	summary=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed[[:space:]]*$' "$out" | tail -n1 || true)
	rm -f "$out"
	if [ -z "$summary" ]; then
		echo "[FAIL] $bin: no summary line (exit status $rc)"
		total_fail=$((total_fail + 1))
		continue
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$summary")
	f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$summary")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "[FAIL] $bin: exit status $rc"
		total_fail=$((total_fail + 1))
	fi
done
echo "host: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
