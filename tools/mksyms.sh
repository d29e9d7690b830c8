#!/bin/sh
# Write the kernel's function table as assembly: sorted addresses, offsets into a
# string table, and the names. Used by hal_backtrace to symbolise panics.
# usage: mksyms.sh NM kernel.elf > ksyms.S
set -eu
"$1" -n --defined-only "$2" | awk '$2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ { print $1, $3 }' > "$2.syms"
n=$(wc -l < "$2.syms")
echo '	.section .ksyms, "a"'
echo '	.balign 8'
echo '	.global ksyms_count, ksyms_addrs, ksyms_offs, ksyms_names'
echo "ksyms_count: .quad $n"
echo 'ksyms_addrs:'
awk '{ print "	.quad 0x" $1 }' "$2.syms"
echo 'ksyms_offs:'
awk 'BEGIN { off = 0 } { print "	.word " off; off += length($2) + 1 }' "$2.syms"
echo 'ksyms_names:'
awk '{ print "	.asciz \"" $2 "\"" }' "$2.syms"
