# Background jobs: $!, wait for one or all, exit statuses through wait,
# kill of a background sleep (143) and kill -9 (137), kill -0, jobs that
# run at the same time.
. "${0%/*}/lib.sh"

sleep 1 &
p=$!
check "\$! is a number" "yes" "$(case $p in '' | *[!0-9]*) echo no ;; *) echo yes ;; esac)"
wait $p
check "wait for a sleep" "0" "$?"
(exit 3) &
wait $!
check "wait returns the job's status" "3" "$?"
sh -c 'exit 42' &
p42=$!
true &
p0=$!
wait $p42
r42=$?
wait $p0
check "statuses of two jobs" "42 0" "$r42 $?"

for i in 1 2 3 4 5; do
	(sleep 0.$i; echo $i >out.$i) &
done
wait
check "wait with no operand waits for all" "1 2 3 4 5" "$(echo $(cat out.1 out.2 out.3 out.4 out.5))"

sleep 10 &
p=$!
kill $p
wait $p
check "kill a background sleep: wait gives 143" "143" "$?"
sleep 10 &
p=$!
kill -9 $p
wait $p
check "kill -9: 137" "137" "$?"
sleep 10 &
p=$!
# Not INT: a non-interactive shell's background jobs ignore SIGINT (POSIX), so
# an INT races the child setting that up. HUP has no such rule.
kill -s HUP $p
wait $p
check "kill -s HUP: 129" "129" "$?"
sleep 10 &
p=$!
kill -USR1 $p
wait $p
check "kill -USR1: 138" "138" "$?"
check_rc "kill -0 of this shell" 0 kill -0 $$
sleep 0.1 &
p=$!
wait $p
check_rc "kill -0 of a reaped job fails" 1 kill -0 $p 2>/dev/null
check_rc "kill of no such pid fails" 1 kill 999999 2>/dev/null

sleep 10 &
p1=$!
sleep 10 &
p2=$!
kill $p1 $p2
wait $p1
r1=$?
wait $p2
check "kill two jobs at once" "143 143" "$r1 $?"

# three 1-second sleeps in parallel take well under 3 seconds
start=$(date +%s)
sleep 1 &
sleep 1 &
sleep 1 &
wait
end=$(date +%s)
check "jobs run at the same time" "yes" "$([ $((end - start)) -le 2 ] && echo yes || echo "no: $((end - start))s")"

seq 1 5000 | sort -rn | head -n 1 >pipe-out &
wait $!
check "background pipeline" "5000" "$(cat pipe-out)"
{ echo a; sleep 0.2; echo b; } >group-out &
wait
check "background group" "a b" "$(echo $(cat group-out))"
check "background job in a subshell" "done" "$( (sleep 0.2; echo done) & wait)"
check "wait for a job of another shell" "127" "$(sh -c 'wait 999999' 2>/dev/null; echo $?)"
x=0
sleep 0.2 &
while kill -0 $! 2>/dev/null; do x=$((x + 1)); sleep 0.05; done
check "poll a job with kill -0" "yes" "$([ $x -ge 1 ] && echo yes)"
sh -c 'sleep 0.2; exit 6' &
p=$!
sleep 1
wait $p
check "status of a job that finished before wait" "6" "$?"

done_test
