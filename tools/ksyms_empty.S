/* An empty kernel symbol table for the first link (see tools/mksyms.sh). */
	.section .ksyms, "a"
	.balign 8
	.global ksyms_count, ksyms_addrs, ksyms_offs, ksyms_names
ksyms_count:
	.quad	0
ksyms_addrs:
ksyms_offs:
ksyms_names:
	.byte	0
