# System view through busybox: ps (this shell, a background job), df,
# mount, free, /proc, uname, id, nproc, date, sleep, env.
. "${0%/*}/lib.sh"

check "ps lists this shell" "yes" "$(ps | awk -v p=$$ '$1 == p && /sh/ { print "yes" }')"
check "ps has a header" "PID" "$(ps | head -n 1 | awk '{ print $1 }')"
sleep 5 &
sp=$!
# The child may not have exec'd sleep yet (another CPU, a busy host): look a few times.
for i in 1 2 3 4 5 6 7 8 9 10; do
	bg=$(ps | awk -v p=$sp '$1 == p { print $(NF - 1), $NF }')
	[ "$bg" = "sleep 5" ] && break
	sleep 0.2
done
check "ps lists a background sleep" "sleep 5" "$bg"
kill $sp
wait $sp 2>/dev/null
check "ps no longer lists it" "" "$(ps | awk -v p=$sp '$1 == p')"
check "ps -o pid,comm" "sh" "$(ps -o pid,comm | awk -v p=$$ '$1 == p { print $2 }')"
check "pidof finds sh" "yes" "$(pidof sh | tr ' ' '\n' | grep -qx $$ && echo yes)"

check "df shows /" "/" "$(df / | tail -n 1 | awk '{ print $NF }')"
check "df has numbers" "yes" "$(df / | tail -n 1 | awk '$2 ~ /^[0-9]+$/ && $2 > 0 { print "yes" }')"
check "df -h" "yes" "$(df -h / | head -n 1 | grep -q Size && echo yes)"
check "mount lists proc" "proc" "$(mount | awk '$3 == "/proc" { print $5 }')"
check "mount lists /dev" "yes" "$(mount | awk '$3 == "/dev" && $5 ~ /^(devfs|devtmpfs|tmpfs)$/ { print "yes" }')"
check "mount lists /" "yes" "$(mount | awk '$3 == "/" { print "yes"; exit }')"
check "/proc/mounts agrees" "$(mount | wc -l)" "$(wc -l </proc/mounts)"
check "free shows Mem" "yes" "$(free | awk '$1 == "Mem:" && $2 > 0 { print "yes" }')"
check "/proc/meminfo" "yes" "$(awk '$1 == "MemTotal:" && $2 > 0 { print "yes" }' /proc/meminfo)"
check "/proc/self is the reading process" "same" "$(sh -c 'echo $$; exec readlink /proc/self' | uniq | wc -l | sed 's/^ *1$/same/')"
check "/proc/\$\$/cmdline" "yes" "$(tr '\0' ' ' </proc/$$/cmdline | grep -q 'sh' && echo yes)"
check "/proc/\$\$/status names the pid" "$$" "$(awk '$1 == "Pid:" { print $2 }' /proc/$$/status)"
check "/proc/\$\$/stat: ppid of a child" "$$" "$(sh -c 'cut -d" " -f4 /proc/$$/stat')"
check "nproc agrees with /proc/cpuinfo" "$(grep -c '^processor' /proc/cpuinfo)" "$(nproc)"
check "uptime" "yes" "$(uptime | grep -q 'load average' && echo yes)"
check "uname -s" "Linux" "$(uname -s)"
check "uname -m" "riscv64" "$(uname -m)"
check "id -u" "0" "$(id -u)"
check "whoami" "root" "$(whoami)"
check "hostname not empty" "yes" "$([ -n "$(hostname)" ] && echo yes)"
check "date +%s is a number" "yes" "$(date +%s | grep -qx '[0-9]*' && echo yes)"
check "date -d @0 -u" "1970-01-01 00:00:00" "$(date -u -d @0 '+%Y-%m-%d %H:%M:%S')"
t0=$(date +%s)
sleep 2
t1=$(date +%s)
check "sleep 2 takes 2 seconds" "yes" "$([ $((t1 - t0)) -ge 1 ] && [ $((t1 - t0)) -le 4 ] && echo yes || echo "no: $((t1 - t0))")"
check "env" "yes" "$(env | grep -q '^PATH=' && echo yes)"
check "env -i" "A=1" "$(env -i A=1 env)"
check "printenv" "value" "$(X=value printenv X)"
check "/dev/null swallows" "0" "$(echo x >/dev/null; wc -c </dev/null)"
check "/dev/zero" "00000000" "$(head -c 4 /dev/zero | od -An -tx1 | tr -d ' \n')"
check "/dev/full" "1" "$( (echo x >/dev/full) 2>/dev/null; echo $?)"
check "/dev/urandom differs" "yes" "$([ "$(head -c 16 /dev/urandom | md5sum)" != "$(head -c 16 /dev/urandom | md5sum)" ] && echo yes)"
check "tmpfs mount and unmount" "yes" "$(mkdir mnt && mount -t tmpfs none mnt 2>/dev/null && echo x >mnt/f && mount | grep -q "$T_DIR/mnt" && umount mnt && [ ! -e mnt/f ] && echo yes)"

done_test
