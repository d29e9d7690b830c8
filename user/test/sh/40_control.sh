# Loops, case, functions (local, recursion, return), positional
# parameters, parameter expansion, arithmetic and field splitting.
. "${0%/*}/lib.sh"

s=
for i in 1 2 3; do s="$s$i"; done
check "for" "123" "$s"
s=
for i in $(seq 1 5); do [ $i = 3 ] && continue; s="$s$i"; done
check "for with continue" "1245" "$s"
i=0
while [ $i -lt 10 ]; do i=$((i + 1)); [ $i = 7 ] && break; done
check "while with break" "7" "$i"
i=0
until [ $i -ge 4 ]; do i=$((i + 1)); done
check "until" "4" "$i"
s=
for a in 1 2 3; do for b in x y z; do [ $b = y ] && continue 2; [ $a = 3 ] && break 2; s="$s$a$b"; done; done
check "nested continue 2 / break 2" "1x2x" "$s"
n=0
for i in $(seq 1 1000); do n=$((n + i)); done
check "1000 iterations" "500500" "$n"

kind() {
	case $1 in
	[0-9]*) echo number ;;
	*.txt | *.md) echo text ;;
	"") echo empty ;;
	*) echo other ;;
	esac
}
check "case" "number text text empty other" "$(kind 42) $(kind a.txt) $(kind b.md) $(kind '') $(kind x)"

fact() {
	if [ "$1" -le 1 ]; then echo 1; else echo $(($1 * $(fact $(($1 - 1))))); fi
}
check "recursive function" "3628800" "$(fact 10)"
ret() { return $1; }
ret 42
check "return status" "42" "$?"
v=global
scope() { local v=local; echo $v; }
check "local" "local global" "$(scope) $v"
setg() { g=set-in-function; }
setg
check "function sets a global" "set-in-function" "$g"
args() { echo "$# $1 ${2:-none}"; }
check "function args" "2 a b" "$(args a b)"
check "function args restored" "0" "$(args_outer() { args x; echo $#; }; args_outer >/dev/null; echo $#)"
fib() { a=0; b=1; i=0; while [ $i -lt $1 ]; do t=$((a + b)); a=$b; b=$t; i=$((i + 1)); done; echo $a; }
check "loop in a function" "6765" "$(fib 20)"

set -- one "two words" three
check "\$#" "3" "$#"
check "\$2" "two words" "$2"
shift
check "shift" "two words|three" "$1|$2"
check "\"\$*\" with IFS" "two words,three" "$(IFS=,; echo "$*")"
s=0
for a in "$@"; do s=$((s + 1)); done
check "\"\$@\" keeps words" "2" "$s"
set -- $(echo a b c d)
check "set -- from substitution" "4 d" "$# $4"

x=hello.tar.gz
check "\${#x}" "12" "${#x}"
check "\${x%.*}" "hello.tar" "${x%.*}"
check "\${x%%.*}" "hello" "${x%%.*}"
check "\${x#*.}" "tar.gz" "${x#*.}"
check "\${x##*.}" "gz" "${x##*.}"
unset u
check "\${u:-default}" "default" "${u:-default}"
check "\${u:=assigned}" "assigned assigned" "${u:=assigned} $u"
check "\${x:+alt}" "alt" "${x:+alt}"
check "\${x:0:5}" "hello" "${x:0:5}"
check "\${x/tar/zip}" "hello.zip.gz" "${x/tar/zip}"
check_rc "\${u?msg} fails" 2 sh -c 'echo ${nope?unset}' 2>/dev/null

check "arithmetic" "17 1 2 8 -3" "$((2 + 3 * 5)) $((7 % 3)) $((7 / 3)) $((1 << 3)) $((0 - 3))"
check "arithmetic compare" "1 0" "$((3 > 2)) $((3 == 2))"
i=5
: $((i += 10))
check "arithmetic assignment" "15" "$i"
check "hex and octal" "255 8" "$((0xff)) $((010))"

line="a:b::c"
IFS=: read -r p1 p2 p3 p4 <<EOF2
$line
EOF2
check "IFS split with an empty field" "a|b||c" "$p1|$p2|$p3|$p4"
words="  lots   of    space  "
set -- $words
check "default IFS splitting" "3" "$#"
check "globbing" "g1 g2 g3" "$(touch g1 g2 g3; echo g*)"
check "no match leaves the pattern" "nomatch*" "$(echo nomatch*)"
check "quoted glob" "g*" "$(echo "g*")"
check "set -f disables globbing" "g*" "$(set -f; echo g*)"
check "test string ops" "ok" "$([ -n "x" ] && [ -z "" ] && [ "a" != "b" ] && [ 3 -gt 2 ] && echo ok)"
check "[[ ]] bash compat" "ok" "$(sh -c '[[ abc == a* ]] && echo ok')"

done_test
