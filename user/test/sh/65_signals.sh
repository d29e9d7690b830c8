# trap on EXIT and on signals, signals sent to the shell itself, ignored
# signals, traps in a shell running a foreground child, deaths by signal.
. "${0%/*}/lib.sh"

check "trap EXIT" "hi bye" "$(echo $(sh -c 'trap "echo bye" EXIT; echo hi'))"
check "trap EXIT on exit N" "bye 3" "$(echo $(sh -c 'trap "echo bye" EXIT; exit 3'; echo $?))"
check "trap EXIT keeps \$?" "5" "$(sh -c 'trap "echo \$?" EXIT; (exit 5); exit')"
trap 'echo got >>usr1-out' USR1
kill -USR1 $$
trap - USR1
check "trap USR1 on the test shell itself" "got" "$(cat usr1-out 2>/dev/null)"
check "trap USR1 in this shell" "got-usr1" "$(sh -c 'trap "echo got-usr1" USR1; kill -USR1 $$; true')"
check "trap TERM then go on" "term after" "$(echo $(sh -c 'trap "echo term" TERM; kill -TERM $$; echo after'))"
check "trap then exit from the handler" "7" "$(sh -c 'trap "exit 7" TERM; kill $$; echo not-here'; echo $?)"
check "trap '' ignores" "alive" "$(sh -c 'trap "" USR2; kill -USR2 $$; echo alive')"
check "trap - restores the default" "140" "$(sh -c 'trap "echo x" USR2; trap - USR2; kill -USR2 $$; echo not-here'; echo $?)"
check "trap lists handlers" "trap -- 'echo hi' USR1" "$(sh -c 'trap "echo hi" USR1; trap')"
check "kill -9 \$\$" "137" "$(sh -c 'kill -9 $$; echo not-here'; echo $?)"
check "kill \$\$ (TERM)" "143" "$(sh -c 'kill $$; echo not-here'; echo $?)"
check "kill -l 15" "TERM" "$(kill -l 15)"
check "signal number by name" "USR1" "$(kill -l 10)"
check "two signals, two traps" "u1 u2" "$(echo $(sh -c 'trap "echo u1" USR1; trap "echo u2" USR2; kill -USR1 $$; kill -USR2 $$'))"
check "many signals in a loop" "20" "$(sh -c 'n=0; trap "n=\$((n + 1))" USR1; for i in $(seq 1 20); do kill -USR1 $$; done; echo $n')"

# a background shell with a TERM trap, busy in a foreground sleep: the trap
# runs when the sleep ends
sh -c 'trap "echo trapped >trap-out; exit 0" TERM; while :; do sleep 0.2; done' &
p=$!
sleep 0.5
kill $p
wait $p
check "TERM trap in a background shell: status" "0" "$?"
check "TERM trap in a background shell: ran" "trapped" "$(cat trap-out 2>/dev/null)"

# a signal to a background shell that ignores it
sh -c 'trap "" TERM; sleep 0.5; echo survived >ign-out' &
p=$!
sleep 0.2
kill $p
wait $p
check "ignored TERM: status" "0" "$?"
check "ignored TERM: survived" "survived" "$(cat ign-out 2>/dev/null)"
check "ignored signals stay ignored in children" "143 alive" \
	"$(echo $(sh -c 'trap "" TERM; sh -c "kill \$\$; echo alive"'; sh -c 'kill $$'; echo $?) | awk '{ print $2, $1 }')"
check "EXIT trap runs after a TERM trap's exit" "t e" "$(echo $(sh -c 'trap "echo e" EXIT; trap "echo t; exit 1" TERM; kill $$'))"
check "a child shell does not inherit a trap" "143" "$(sh -c 'trap "echo trapped" TERM; sh -c "kill \$\$"; echo $?')"

done_test
