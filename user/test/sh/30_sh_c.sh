# sh -c with arguments, sh SCRIPT ARGS, sh -s, exit codes and $?, exec,
# command lookup failures and executable scripts.
. "${0%/*}/lib.sh"

check "sh -c with \$0 and args" "zero one two" "$(sh -c 'echo $0 $1 $2' zero one two)"
check "sh -c counts args" "3" "$(sh -c 'echo $#' name a b c)"
check "sh -c \"\$@\" keeps spaces" "[a b][c]" "$(sh -c 'for a in "$@"; do printf "[%s]" "$a"; done' name 'a b' c)"
check_rc "sh -c exit status" 7 sh -c 'exit 7'
check_rc "sh -c status of last command" 1 sh -c 'true; false'
check "sh -c nested" "inner 42" "$(sh -c 'sh -c "echo inner \$1" x 42')"
check "sh -s reads the script from stdin" "arg1 arg2" "$(echo 'echo $1 $2' | sh -s arg1 arg2)"
check "sh -e stops at the first failure" "before" "$(sh -e -c 'echo before; false; echo after')"
check_rc "sh -e status" 1 sh -e -c 'false; true'
check "sh -n only parses" "" "$(sh -n -c 'echo should-not-run')"
check_rc "sh -n finds a syntax error" 2 sh -n -c 'if then fi' 2>/dev/null
check_rc "syntax error status" 2 sh -c 'if; then' 2>/dev/null
check "sh -x traces to stderr" "+ echo traced" "$(sh -x -c 'echo traced' 2>&1 >/dev/null)"

cat >script.sh <<'EOF2'
echo "script $# $1 $2"
exit 3
EOF2
check "sh SCRIPT ARGS" "script 2 p q" "$(sh script.sh p q)"
check_rc "sh SCRIPT status" 3 sh script.sh >/dev/null
check_rc "missing command is 127" 127 sh -c 'no-such-command-here' 2>/dev/null
check_rc "missing script" 2 sh ./no-such-script.sh 2>/dev/null
echo 'echo not executable' >noexec.sh
chmod 644 noexec.sh
check_rc "non-executable file is 126" 126 sh -c './noexec.sh' 2>/dev/null
printf '#!/bin/sh\necho "shebang $1"\nexit 4\n' >exe.sh
chmod 755 exe.sh
check "#! script runs" "shebang x" "$(./exe.sh x)"
check_rc "#! script status" 4 ./exe.sh >/dev/null
printf 'echo "no shebang $1"\n' >plain.sh
chmod 755 plain.sh
check "script without #! runs in sh" "no shebang y" "$(./plain.sh y)"

check "exec replaces the shell" "replaced" "$(sh -c 'exec echo replaced; echo not-reached')"
check_rc "exec status" 5 sh -c 'exec sh -c "exit 5"'
check "\$? after a failure" "1 0" "$(false; a=$?; true; echo "$a $?")"
check "\$? of a subshell" "9" "$( (exit 9); echo $?)"
check "\$? of a negation" "1" "$(! true; echo $?)"
check "&& and ||" "b c" "$(echo $(false && echo a; true && echo b; false || echo c))"
check "exit 256 wraps to 0" "0" "$(sh -c 'exit 256'; echo $?)"
check "exit 255" "255" "$(sh -c 'exit 255'; echo $?)"
check "\$\$ is the parent's in a subshell" "same" "$(p=$$; (if [ "$$" = "$p" ]; then echo same; fi))"
check "child pid differs" "differs" "$(p=$$; c=$(sh -c 'echo $$'); [ "$c" != "$p" ] && echo differs)"
check "PPID of sh -c is this shell" "yes" "$(sh -c '[ "$PPID" = "$1" ] && echo yes' x $$)"
check "env var passed to sh -c" "val" "$(V=val sh -c 'echo $V')"
check "exported var" "exported" "$(export E=exported; sh -c 'echo $E')"
check "unexported var hidden" "" "$(U=x; sh -c 'echo $U')"
check "command -v" "/sh" "$(c=$(command -v sh); echo "/${c##*/}")"
check "type of a builtin" "cd is a shell builtin" "$(type cd)"
check "eval" "6" "$(x='echo $((1 + 2 + 3))'; eval "$x")"

done_test
