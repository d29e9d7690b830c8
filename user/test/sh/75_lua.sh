# Lua 5.4 (/usr/bin/lua, Debian's lua5.4 source built against musl by
# tools/apps.sh): user/test/apps/check.lua exercises strings, tables,
# closures, coroutines, formatted floats, os.time/os.clock, files,
# popen/execute and pcall/error in the scratch directory, and prints a
# checksum of its deterministic results. The expected line is what the same
# binary prints under qemu-riscv64-static and on Linux 6.1
# (user/test/linux.sh 1 sh/7).
apps=$(cd "${0%/*}/../apps" && pwd)
. "${0%/*}/lib.sh"

out=$(lua "$apps/check.lua" "$T_DIR" 2>&1)
rc=$?
check "check.lua output" "lua: 112 passed, 0 failed, checksum f0894582" "$out"
check "check.lua status" 0 "$rc"
check "check.lua left no files" "" "$(ls -A)"
check "lua -v" "Lua 5.4.4" "$(lua -v 2>&1 | cut -d' ' -f1-2)"
# ("-" runs standard input as the script, here an empty file.)
: >empty
check "lua -e, then arguments" "3 b" "$(lua -e 'io.write(#arg, " ", arg[2])' - a b c <empty)"
rm empty
check "lua reads a script on stdin" "55" "$(echo 'local s = 0 for i = 1, 10 do s = s + i end print(s)' | lua -)"
check_rc "lua exit status from os.exit" 7 lua -e 'os.exit(7)'
check_rc "lua error exits 1" 1 lua -e 'error("x")' 2>/dev/null
check "lua error message on stderr" "lua: (command line):1: boom" \
	"$(lua -e 'error("boom")' 2>&1 >/dev/null | head -n 1)"
done_test
