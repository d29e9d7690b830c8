/*
 * Futexes: wait until woken if a 32-bit user word still holds an expected
 * value. Waiters park (no kernel stack) on one of FUTEX_BUCKETS hashed queues;
 * a waiter records its key and bitset in its wait record. A private key is the
 * address space plus the virtual address; a shared key is the physical address
 * of the word, so processes sharing the page meet on it.
 */
#ifndef CORE_FUTEX_H
#define CORE_FUTEX_H

#include <stdint.h>
#include <stdbool.h>
#include <core/sched.h>
#include <core/uaccess.h>

struct futex_key {
	uint64_t a, b;
};

/* Key of the word at uaddr in t's space (4-byte aligned, mapped): 0, -EINVAL, -EFAULT. */
int futex_key(struct thread *t, uaddr_t uaddr, bool shared, struct futex_key *key);
/* If *uaddr == val, park t until woken (0), deadline (-ETIMEDOUT, 0 = none) or a
 * signal (-EINTR): returns -EPARKED, and the continuation stores the result.
 * Else -EAGAIN. bitset must be non-zero. */
long futex_wait(struct thread *t, const struct futex_key *key, uaddr_t uaddr, uint32_t val,
		uint32_t bitset, uint64_t deadline_ns);
/* Wake up to n waiters on key whose bitset intersects bitset; returns how many. */
int futex_wake(const struct futex_key *key, int n, uint32_t bitset);
/* Wake up to nwake waiters on k1, move up to nreq more to k2; if check is set,
 * first verify *uaddr == cmpval (else -EAGAIN). Returns woken + requeued. */
long futex_requeue(struct thread *t, const struct futex_key *k1, const struct futex_key *k2,
		   int nwake, int nreq, uaddr_t uaddr, bool check, uint32_t cmpval);

#endif
