# Command substitution: $(...) and backquotes, nesting, trailing newlines,
# exit statuses, large outputs, inside here-documents and arithmetic.
. "${0%/*}/lib.sh"

check "simple" "hi" "$(echo hi)"
check "backquotes" "hi" "`echo hi`"
check "nested three deep" "deep" "$(echo $(echo $(echo deep)))"
check "nested with quotes" "a b  c" "$(echo "$(echo "a b  c")")"
check "nested backquotes" "inner" "`echo \`echo inner\``"
check "mixed nesting" "mix" "$(echo `echo $(echo mix)`)"
check "trailing newlines removed" "x" "$(printf 'x\n\n\n')"
check "inner newlines kept" "2" "$(v=$(printf 'a\nb'); echo "$v" | wc -l)"
check "unquoted substitution splits" "3" "$(set -- $(echo 'a b c'); echo $#)"
check "quoted substitution does not" "1" "$(set -- "$(echo 'a b c')"; echo $#)"
x=$(exit 3)
check "status of an assignment's substitution" "3" "$?"
x=$(false)$(true)
check "status of the last substitution" "0" "$?"
check "substitution in arithmetic" "42" "$(($(echo 40) + $(echo 2)))"
check "substitution sees variables" "v=7" "$(v=7; echo "v=$(echo $v)")"
check "substitution does not change the parent" "kept" "$(v=kept; x=$(v=changed); echo $v)"
check "cd inside does not leak" "$PWD" "$(x=$(cd /); pwd)"
check "large output" "20000" "$(v=$(seq 1 20000); echo "$v" | wc -l)"
check "large output bytes" "108894" "$(v=$(seq 1 20000); echo "$v" | wc -c)"
check "in a here-doc" "today is day 5" "$(cat <<EOF2
today is day $(echo $((2 + 3)))
EOF2
)"
check "with a pipeline inside" "3" "$(echo "$(printf '1\n2\n3\n' | wc -l)")"
check "with a loop inside" "1 2 3" "$(echo $(for i in 1 2 3; do echo $i; done))"
check "with a case inside" "yes" "$(case a in a) echo yes ;; esac)"
check "with a function inside" "fn-out" "$(fn() { echo fn-out; }; echo "$(fn)")"
check "stderr not captured" "" "$(ls /no/such 2>/dev/null)"
check "parentheses in case inside" "b" "$(x=b; case $x in (a) echo a ;; (b) echo b ;; esac)"
check "five levels" "5" "$(echo $(echo $(echo $(echo $(echo 5)))))"
check "substitution of a builtin's output" "$PWD" "$(pwd)"
check "many substitutions" "50" "$(n=0; for i in $(seq 1 50); do n=$(expr $n + 1); done; echo $n)"

done_test
