# find and xargs over a tree made here: names, types, depth, sizes, -exec,
# names with spaces through -print0 / xargs -0, xargs -n and -I.
. "${0%/*}/lib.sh"

mkdir -p tree/src/lib tree/doc "tree/with space"
for f in tree/src/main.c tree/src/util.c tree/src/lib/a.c tree/src/lib/b.h tree/doc/readme.txt \
	tree/doc/guide.txt "tree/with space/odd name.txt"; do
	echo "file $f" >"$f"
done
seq 1 1000 >tree/src/lib/big.dat
ln -s ../doc tree/src/doclink

check "find -type f" "8" "$(find tree -type f | wc -l)"
check "find -type d" "5" "$(find tree -type d | wc -l)"
check "find -type l" "tree/src/doclink" "$(find tree -type l)"
check "find -name" "tree/src/lib/a.c tree/src/main.c tree/src/util.c" "$(echo $(find tree -name '*.c' | sort))"
check "find -iname" "tree/doc/readme.txt" "$(find tree -iname 'README.*')"
check "find -maxdepth 1" "tree tree/doc tree/src tree/with space" "$(echo $(find tree -maxdepth 1 | sort))"
check "find -mindepth 3" "3" "$(find tree -mindepth 3 | wc -l)"
check "find -path" "2" "$(find tree -path '*/lib/*' -name '*.[ch]' | wc -l)"
check "find -size +1k" "tree/src/lib/big.dat" "$(find tree -type f -size +1k)"
check "find ! -name" "5" "$(find tree -type f ! -name '*.c' | wc -l)"
check "find -o" "4" "$(find tree \( -name '*.h' -o -name '*.txt' \) | wc -l)"
check "find -exec {} \\;" "tree/doc/guide.txt:file tree/doc/guide.txt" "$(find tree -name guide.txt -exec grep -H file {} \;)"
check "find -exec {} +" "3" "$(find tree -name '*.c' -exec cat {} + | wc -l)"
check "find -newer" "tree/doc/guide.txt" "$(touch -d '2001-01-01' tree/doc/readme.txt; find tree/doc -newer tree/doc/readme.txt -type f)"
check "find -L follows the link" "yes" "$(find -L tree/src -name guide.txt | grep -q doclink && echo yes)"
check "find with no match" "" "$(find tree -name 'nothing*')"
check_rc "find of a missing path" 1 find no-such-dir 2>/dev/null

check "xargs" "8" "$(find tree -type f -print0 | xargs -0 cat | wc -l | awk '{ print $1 - 999 }')"
check "xargs wc -l total" "1007 total" "$(find tree -type f -print0 | xargs -0 wc -l | tail -n 1 | sed 's/^ *//')"
check "xargs -0 with a space in a name" "tree/with space/odd name.txt" "$(find tree -name 'odd*' -print0 | xargs -0 ls)"
check "xargs -n 2" "a b
c d
e" "$(echo a b c d e | xargs -n 2)"
check "xargs -I" "<x> <y>" "$(printf 'x\ny\n' | xargs -I{} echo '<{}>' | tr '\n' ' ' | sed 's/ $//')"
check "xargs with no input runs once" "ran" "$(xargs echo ran </dev/null)"
check "xargs -r with no input" "" "$(xargs -r echo ran </dev/null)"
check "xargs passes the status" "123" "$(echo x | xargs sh -c 'exit 1' 2>/dev/null; echo $?)"
check "xargs grep -l" "tree/src/main.c" "$(find tree -name '*.c' | xargs grep -l main)"
find tree -name '*.h' | xargs rm
check "xargs rm" "0" "$(find tree -name '*.h' | wc -l)"
find tree -name '*.txt' -print0 | xargs -0 rm
check "xargs -0 rm" "0" "$(find tree -name '*.txt' | wc -l)"
check "find -delete" "0" "$(find tree -name '*.c' -delete; find tree -name '*.c' | wc -l)"
check "find -empty" "tree/doc tree/with space" "$(echo $(find tree -type d -empty | sort))"
check "find -exec rm -r" "gone" "$(find . -maxdepth 1 -name tree -exec rm -r {} +; [ -e tree ] || echo gone)"

done_test
