# Text tools over known input: cat grep sed awk sort uniq wc cut tr head
# tail tee rev od md5sum printf expr.
. "${0%/*}/lib.sh"

cat >fruit <<'EOF2'
apple 3 red
banana 12 yellow
cherry 7 red
apple 5 green
date 1 brown
banana 2 yellow
EOF2
printf 'x\ny\n' >xy

check "cat" "x
y" "$(cat xy)"
check "cat two files" "4" "$(cat xy xy | wc -l)"
check "cat -n" "     1	x" "$(cat -n xy | head -n 1)"
check "cat from stdin with -" "x y x y" "$(echo $(cat xy - <xy))"

check "grep" "cherry 7 red" "$(grep cherry fruit)"
check "grep -c" "2" "$(grep -c red fruit)"
check "grep -v" "4" "$(grep -v red fruit | wc -l)"
check "grep -i" "1" "$(grep -ci CHERRY fruit)"
check "grep -n" "3:cherry 7 red" "$(grep -n cherry fruit)"
check "grep -E alternation" "3" "$(grep -cE '^(date|cherry|banana 2)' fruit)"
check "grep -o" "12" "$(grep -o '[0-9][0-9]' fruit)"
check "grep -w" "0" "$(grep -cw 'appl' fruit)"
check_rc "grep -q finds" 0 grep -q date fruit
check_rc "grep no match is 1" 1 grep -q zebra fruit
check_rc "grep missing file is 2" 2 grep x no-such-file 2>/dev/null
check "grep -l over files" "fruit" "$(grep -l apple fruit xy)"
check "grep -r" "./sub/deep:needle" "$(mkdir -p sub; echo needle >sub/deep; grep -r needle . | grep -v '^./fruit')"

check "sed s" "apple 3 RED" "$(sed -n '1s/red/RED/p' fruit)"
check "sed s///g" "a-b-c" "$(echo 'a b c' | sed 's/ /-/g')"
check "sed -n p range" "banana 12 yellow
cherry 7 red" "$(sed -n '2,3p' fruit)"
check "sed d" "4" "$(sed '/banana/d' fruit | wc -l)"
check "sed groups" "red:cherry" "$(sed -n 's/^\(cherry\) [0-9]* \(.*\)$/\2:\1/p' fruit)"
check "sed -e twice" "X Y" "$(echo 'x y' | sed -e 's/x/X/' -e 's/y/Y/')"
check "sed \$" "banana 2 yellow" "$(sed -n '$p' fruit)"
cp fruit fruit2
sed -i 's/apple/APPLE/' fruit2
check "sed -i" "2" "$(grep -c APPLE fruit2)"
check "sed a and i" "0 1 2" "$(echo 1 | sed -e 'i\
0' -e 'a\
2' | tr '\n' ' ' | sed 's/ $//')"

check "awk print fields" "apple red" "$(awk 'NR == 1 { print $1, $3 }' fruit)"
check "awk sum" "30" "$(awk '{ s += $2 } END { print s }' fruit)"
check "awk -F" "b" "$(echo 'a:b:c' | awk -F: '{ print $2 }')"
check "awk arrays" "apple 8 banana 14 cherry 7 date 1" \
	"$(awk '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' fruit | sort | tr '\n' ' ' | sed 's/ $//')"
check "awk printf" "003|  x|1.50" "$(awk 'BEGIN { printf "%03d|%3s|%.2f\n", 3, "x", 1.5 }')"
check "awk NR NF" "6 3" "$(awk 'END { print NR, NF }' fruit)"
check "awk pattern" "2" "$(awk '$3 == "yellow"' fruit | wc -l)"
check "awk string functions" "APPLE 5 ppl" "$(awk 'NR == 1 { print toupper($1), length($1), substr($1, 2, 3) }' fruit)"
check "awk -v" "15" "$(awk -v m=5 'BEGIN { print m * 3 }')"
check "awk split and gsub" "3 a+b+c" "$(echo 'a b c' | awk '{ n = split($0, p, " "); gsub(/ /, "+"); print n, $0 }')"

check "sort" "apple apple banana banana cherry date" "$(echo $(awk '{ print $1 }' fruit | sort))"
check "sort -n -k2" "1 2 3 5 7 12" "$(echo $(sort -n -k2 fruit | awk '{ print $2 }'))"
check "sort -rn" "12" "$(awk '{ print $2 }' fruit | sort -rn | head -n 1)"
check "sort -u" "4" "$(awk '{ print $1 }' fruit | sort -u | wc -l)"
check "sort -t -k" "c:1 a:2 b:3" "$(echo $(printf 'a:2\nb:3\nc:1\n' | sort -t: -k2))"
check "sort -k3,3 -k2,2n" "brown green red red yellow yellow" "$(echo $(sort -k3,3 -k2,2n fruit | awk '{ print $3 }'))"
check "uniq" "apple banana cherry date" "$(echo $(awk '{ print $1 }' fruit | sort | uniq))"
check "uniq -c" "2 apple" "$(awk '{ print $1 }' fruit | sort | uniq -c | head -n 1 | sed 's/^ *//')"
check "uniq -d" "apple banana" "$(echo $(awk '{ print $1 }' fruit | sort | uniq -d))"
check "uniq -u" "cherry date" "$(echo $(awk '{ print $1 }' fruit | sort | uniq -u))"

check "wc -l" "6" "$(wc -l <fruit)"
check "wc -w" "18" "$(wc -w <fruit)"
check "wc -c" "85" "$(wc -c <fruit)"
check "wc with a name" "6 fruit" "$(wc -l fruit | sed 's/^ *//')"
check "cut -d -f" "3 12 7 5 1 2" "$(echo $(cut -d' ' -f2 fruit))"
check "cut -c" "app" "$(head -n 1 fruit | cut -c1-3)"
check "cut -f list" "a:c" "$(echo 'a:b:c' | cut -d: -f1,3)"
check "tr upcase" "HELLO" "$(echo hello | tr a-z A-Z)"
check "tr -d" "hll" "$(echo hello | tr -d eo)"
check "tr -s" "a b" "$(echo 'a    b' | tr -s ' ')"
check "tr classes" "ABC123" "$(echo abc123 | tr '[:lower:]' '[:upper:]')"
check "head -n" "apple 3 red
banana 12 yellow" "$(head -n 2 fruit)"
check "head -c" "appl" "$(head -c 4 fruit)"
check "tail -n" "banana 2 yellow" "$(tail -n 1 fruit)"
check "tail -n +5" "2" "$(tail -n +5 fruit | wc -l)"
check "tail -c" "ow" "$(tail -c 3 fruit)"
check "tee" "t t" "$(echo t | tee tee-copy) $(cat tee-copy)"
check "tee -a" "2" "$(echo u | tee -a tee-copy >/dev/null; wc -l <tee-copy)"
check "rev" "cba" "$(echo abc | rev)"
check "od" "0000000 141 142 012" "$(echo ab | od -b | head -n 1 | sed 's/ *$//')"
check "md5sum" "b1946ac92492d2347c6235b4d2611184" "$(echo hello | md5sum | cut -d' ' -f1)"
check "sha256sum" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" "$(echo hello | sha256sum | cut -d' ' -f1)"
check "printf" "[  a][b  ][007][ff][3.14]" "$(printf '[%3s][%-3s][%03d][%x][%.2f]' a b 7 255 3.14159)"
check "expr" "7 3 1" "$(expr 3 + 4) $(expr length abc) $(expr abc : 'a')"
check "seq -s" "1,2,3" "$(seq -s, 1 3)"
check "nl" "1	x" "$(nl xy | head -n 1 | sed 's/^ *//')"
check "paste" "x	x
y	y" "$(paste xy xy)"
check "comm" "z" "$(printf 'x\ny\nz\n' | comm -13 xy -)"
check "diff of equal files" "0" "$(diff fruit fruit >/dev/null; echo $?)"
check "diff of different files" "1" "$(diff fruit fruit2 >/dev/null; echo $?)"
check "cmp" "1" "$(cmp -s fruit fruit2; echo $?)"

done_test
