/*
 * Save and load the 32 FP registers and fcsr of a user thread. The kernel is
 * built without FP, so this file alone turns the D extension on; the caller has
 * set sstatus.FS to a non-Off state around the call.
 */
	.option push
	.option arch, +d
	.text
	.global arch_fp_save
arch_fp_save:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (\n * 8)(a0)
	.endr
	frcsr	t0
	sd	t0, 256(a0)
	ret

	.global arch_fp_load
arch_fp_load:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (\n * 8)(a0)
	.endr
	ld	t0, 256(a0)
	fscsr	t0
	ret
	.option pop
