# flock(1): a lock held by a background job makes "flock -n" fail, the
# blocking form waits for it, jobs under one lock never interleave, shared
# locks coexist, and "flock FD" locks a descriptor of a subshell.
. "${0%/*}/lib.sh"

: >lockf
(flock -x lockf sleep 1) &
sleep 0.3
check_rc "flock -n while another holds it" 1 flock -n lockf true
check_rc "flock -s -n while another holds it" 1 flock -s -n lockf true
wait
ok "flock -n once it is free" flock -n lockf true
for i in 1 2 3; do
	(flock lockf sh -c 'echo start >>log; sleep 0.2; echo end >>log') &
done
wait
check "jobs under one lock do not interleave" "start end start end start end" "$(echo $(cat log))"
(flock -s lockf sleep 1) &
sleep 0.3
ok "two shared locks" flock -s -n lockf true
check_rc "exclusive against a shared one" 1 flock -x -n lockf true
wait
r=$( (
	flock -x 9 || exit 3
	flock -n lockf true
	echo $?
) 9>>lockf)
check "fd lock seen by another open" 1 "$r"
ok "released when the subshell ends" flock -n lockf true
done_test
