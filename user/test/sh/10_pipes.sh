# Pipelines: several stages, large data, early readers, exit statuses,
# compound commands and read at either end of a pipe.
. "${0%/*}/lib.sh"

check "3-stage pipeline" "3" "$(printf 'b\na\nc\na\n' | sort -u | wc -l)"
check "4-stage pipeline" "C B A" "$(printf 'a\nb\nc\n' | tr a-z A-Z | sort -r | tr '\n' ' ' | sed 's/ $//')"
check "100000 lines through sort -rn" "100000" "$(seq 1 100000 | sort -rn | head -1)"
check "100000 lines through wc" "100000" "$(seq 1 100000 | wc -l)"
# 9*2 + 90*3 + 900*4 + 9000*5 + 90000*6 + 7 bytes
check "588895 bytes through two cats" "588895" "$(seq 1 100000 | cat | cat | wc -c)"
check "1 MiB of zeros through a pipe" "1048576" "$(dd if=/dev/zero bs=1024 count=1024 2>/dev/null | cat | wc -c)"
check "head -c from an endless pipe" "100000" "$(cat /dev/zero | head -c 100000 | wc -c)"
check "yes stops when head exits" "y y y" "$(yes | head -n 3 | tr '\n' ' ' | sed 's/ $//')"
check "sum through awk" "5000050000" "$(seq 1 100000 | awk '{ s += $1 } END { print s }')"

true | false
check "status of a pipeline is the last command's (1)" "1" "$?"
false | true
check "status of a pipeline is the last command's (0)" "0" "$?"
! true | false
check "! negates a pipeline" "0" "$?"
check "pipefail" "3" "$(set -o pipefail; (exit 3) | true; echo $?)"

check "read from a pipe" "c b a" "$(echo 'a b c' | { read x y z; echo "$z $y $x"; })"
check "while read loop" "1:one 2:two 3:three" \
	"$(printf 'one\ntwo\nthree\n' | { n=0; while read w; do n=$((n + 1)); printf '%s ' "$n:$w"; done; } | sed 's/ $//')"
check "read -r keeps backslashes" 'a\b' "$(printf 'a\\b\n' | { read -r l; echo "$l"; })"
check "IFS for read" "x|y|z" "$(echo 'x:y:z' | { IFS=: read a b c; echo "$a|$b|$c"; })"

f() { tr a-z A-Z; }
check "a function as a pipeline stage" "HELLO" "$(echo hello | f)"
check "a subshell as a stage" "2" "$(printf 'a\nb\n' | (cat; echo c) | grep -c '[ab]')"
check "for loop into a pipe" "15" "$(for i in 1 2 3 4 5; do echo $i; done | awk '{ s += $1 } END { print s }')"
check "stderr stays out of the pipe" "0" "$(ls /no/such/file 2>/dev/null | wc -c)"
check "stderr joins with 2>&1" "1" "$(ls /no/such/file 2>&1 | grep -c 'such')"

# a long pipeline: ten cats
check "ten-stage pipeline" "20000" "$(seq 1 20000 | cat | cat | cat | cat | cat | cat | cat | cat | cat | wc -l)"

# a writer that outlives its reader dies of SIGPIPE: 128 + 13
check "writer killed by SIGPIPE" "141" "$(set -o pipefail; yes | head -n 1 >/dev/null; echo $?)"
check "reader's status with pipefail" "0" "$(set -o pipefail; seq 1 10 | head -n 20 >/dev/null; echo $?)"

done_test
