# Redirections: > >> < 2>&1 >&2 <> >| and noclobber, here-documents,
# exec on the shell's own descriptors, and the order of redirections.
. "${0%/*}/lib.sh"

echo one >f
check "> creates" "one" "$(cat f)"
echo two >f
check "> truncates" "two" "$(cat f)"
echo three >>f
check ">> appends" "two
three" "$(cat f)"
check "< reads" "2" "$(wc -l <f)"
check "< with read" "two" "$(read l <f; echo "$l")"
>empty
check "a bare > makes an empty file" "0" "$(wc -c <empty)"
check ">> creates a missing file" "x" "$(echo x >>new; cat new)"

{ echo out; echo err >&2; } >both 2>&1
check "2>&1 after >file" "out
err" "$(cat both)"
{ echo out; echo err >&2; } 2>&1 >only-out | cat >seen-by-pipe
check "2>&1 before >file: stdout to the file" "out" "$(cat only-out)"
check "2>&1 before >file: stderr to the pipe" "err" "$(cat seen-by-pipe)"
check "2>/dev/null" "" "$(ls /no/such 2>/dev/null)"
check "2> to a file" "1" "$(ls /no/such 2>errs; grep -c such errs)"
check ">&2 then 2>&1" "to-stderr" "$( (echo to-stderr >&2) 2>&1)"
check "1>&- closes stdout" "1" "$( (echo x 1>&-) 2>/dev/null; echo $?)"

echo data >rw
exec 3<>rw
read l <&3
exec 3>&-
check "<> read-write" "data" "$l"

set -C
check_rc "noclobber refuses >" 1 sh -c 'set -C; echo no >f' 2>/dev/null
echo yes >|f
set +C
check ">| overrides noclobber" "yes" "$(cat f)"

exec 4>fd4
echo via-fd4 >&4
echo more >&4
exec 4>&-
check "exec 4>file" "via-fd4
more" "$(cat fd4)"
exec 5<fd4
read a <&5
read b <&5
exec 5<&-
check "exec 5<file reads on" "via-fd4 more" "$a $b"
( exec >sub-out; echo into-file; echo again )
check "exec >file in a subshell" "into-file
again" "$(cat sub-out)"
check "exec > does not leak out of the subshell" "visible" "$(echo visible)"
check "exec 6>&1 duplicates stdout" "dup" "$(exec 6>&1; echo dup >&6)"

name=world
cat >here <<EOF2
hello $name
sum $((2 + 3))
EOF2
check "here-doc expands" "hello world
sum 5" "$(cat here)"
check "quoted here-doc does not" 'hello $name' "$(cat <<'EOF2'
hello $name
EOF2
)"
check "<<- strips leading tabs" "a
b" "$(cat <<-EOF2
	a
		b
	EOF2
)"
check "here-doc into a pipe" "3" "$(cat <<EOF2 | wc -l
1
2
3
EOF2
)"
check "here-doc to a loop" "x-y" "$(while read v; do printf '%s' "$v"; done <<EOF2
x-
y
EOF2
)"
big=$(seq 1 5000)
check "large here-doc" "5000" "$(cat <<EOF2 | wc -l
$big
EOF2
)"

check "redirect a loop" "3" "$(for i in 1 2 3; do echo $i; done >loop; wc -l <loop)"
check "redirect a group's input" "l1 l2" "$( { read x; read y; echo "$x $y"; } <<EOF2
l1
l2
EOF2
)"
check "redirection before the command" "pre" "$(>pre-file echo pre; cat pre-file)"
check "< /dev/null" "0" "$(wc -c </dev/null)"
check "no such input file" "1" "$( (cat <no-such-input) 2>/dev/null; echo $?)"

done_test
