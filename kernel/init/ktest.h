/*
 * In-kernel tests chosen with ktest=<name> on the command line. Each starts
 * kernel threads, prints one "ktest <name>: ... PASS|FAIL" line and powers
 * the machine off (weft_shutdown, <linux/lx.h>).
 */
#ifndef INIT_KTEST_H
#define INIT_KTEST_H

#include <linux/lx.h>

void ktest_kthreads(void); /* ktest=kthread: ktest.c */
void ktest_svc(void);	   /* ktest=svc: ktest_svc.c */
void ktest_blk(bool bench); /* ktest=blk, ktest=blkbench: ktest_blk.c */
void ktest_fsfuzz(void);     /* ktest=fsfuzz: ktest_fsfuzz.c */

#endif
