/*
 * AsyncQ: the native ABI's submission and completion rings (io_uring's model).
 *
 * asyncq_create(entries, flags, handle_t *out, struct weft_aq_info *info)
 * maps one shared region into the caller: a header page (struct
 * weft_aq_ring), then the submission entries, then the completion entries.
 * User space fills SQEs at sq_tail and publishes them with a release store
 * of sq_tail, then asyncq_submit(h, n) consumes up to n of them (the kernel
 * moves sq_head). The kernel posts CQEs at cq_tail (release store); user
 * space reads from cq_head and publishes consumption with a release store of
 * cq_head. Indices run freely; entry i lives at index & mask.
 *
 * Every consumed SQE produces at least one CQE (an invalid one completes at
 * once with its error). A multishot op (a periodic timer) posts CQEs with
 * WEFT_AQ_CQE_MORE until its last one. When the completion ring is full the
 * kernel keeps completions in order on an overflow list, sets
 * WEFT_AQ_CQ_OVERFLOW in cq_flags and counts them in cq_overflowed; the
 * list flows back into the ring at every later submit, poll or cancel, so
 * none is ever lost. Ops that became ready while no thread was in the kernel
 * for the queue set WEFT_AQ_SQ_NEED_ENTER in sq_flags: submit or poll runs
 * them. The full contract is in docs/native.md.
 */
#ifndef WEFT_ASYNCQ_H
#define WEFT_ASYNCQ_H

#include <stdint.h>
#include <weft/handle.h>

#define WEFT_AQ_MAX_ENTRIES 4096 /* submission entries; the CQ has twice as many */

/*
 * Ops (struct weft_aq_sqe.op):
 *   NOP        completes with result 0
 *   TIMER      deadline: relative ns (from the submit call; from its start if
 *              linked) or absolute with TIMER_ABS; arg = period (0: one-shot)
 *   VMO_READ   handle (READ): vmo[offset, +len) -> addr
 *   VMO_WRITE  handle (WRITE): addr -> vmo[offset, +len)
 *   FD_READ    Linux fd: read up to len bytes into addr (offset -1: file position)
 *   FD_WRITE   Linux fd: write len bytes from addr, all of them
 *   WAIT       handle (WAIT): until a signal of the mask in arg is asserted
 *   CHAN_SEND  channel_write(handle, addr, len, offset = xfers, arg = count)
 *   CHAN_RECV  channel_read(handle, addr, len, offset = handles, arg = capacity,
 *              deadline = a uint32_t[2] for the sizes, or 0): the byte count
 */
#define WEFT_AQ_OP_NOP	     0
#define WEFT_AQ_OP_TIMER     1
#define WEFT_AQ_OP_VMO_READ  2
#define WEFT_AQ_OP_VMO_WRITE 3
#define WEFT_AQ_OP_FD_READ   4
#define WEFT_AQ_OP_FD_WRITE  5
#define WEFT_AQ_OP_WAIT	     6
#define WEFT_AQ_OP_CHAN_SEND 7
#define WEFT_AQ_OP_CHAN_RECV 8
#define WEFT_AQ_OP_MAX	     8

/* SQE flags. */
#define WEFT_AQ_F_LINK 0x1u /* the next SQE starts only after this one succeeds */

/* Op flags (struct weft_aq_sqe.op_flags). */
#define WEFT_AQ_TIMER_ABS 0x1u /* deadline is absolute monotonic ns */

struct weft_aq_sqe {
	uint8_t op;
	uint8_t flags;	   /* WEFT_AQ_F_* */
	uint16_t reserved; /* 0 */
	uint32_t handle;   /* object ops */
	int32_t fd;	   /* fd ops */
	uint32_t op_flags; /* per op */
	uint64_t token;	   /* echoed in the CQE; names the op for cancel */
	uint64_t addr;	   /* user buffer */
	uint64_t len;
	uint64_t offset;
	uint64_t deadline; /* timer */
	uint64_t arg;	   /* timer: period ns (0: one-shot); wait: signal mask */
};

/* CQE flags. */
#define WEFT_AQ_CQE_MORE 0x1u /* the op goes on: more CQEs will follow */

struct weft_aq_cqe {
	uint64_t token;
	int64_t result;	  /* >= 0 op-defined, < 0 -errno (-ECANCELED when cancelled) */
	uint32_t flags;	  /* WEFT_AQ_CQE_* */
	uint32_t signals; /* wait: the signals seen */
	uint64_t reserved;
};

/* sq_flags / cq_flags (written by the kernel). */
#define WEFT_AQ_SQ_NEED_ENTER 0x1u
#define WEFT_AQ_CQ_OVERFLOW   0x1u

/* The header page. Each side writes only its own fields. */
struct weft_aq_ring {
	uint32_t sq_head; /* kernel */
	uint32_t sq_tail; /* user */
	uint32_t sq_mask, sq_entries;
	uint32_t sq_flags; /* kernel */
	uint32_t pad0[11];
	uint32_t cq_head; /* user */
	uint32_t cq_tail; /* kernel */
	uint32_t cq_mask, cq_entries;
	uint32_t cq_flags; /* kernel */
	uint32_t pad1;
	uint64_t cq_overflowed; /* kernel: CQEs that waited on the overflow list */
	uint32_t pad2[8];
};

/* What asyncq_create reports. */
struct weft_aq_info {
	uint64_t addr;	   /* the region: a struct weft_aq_ring first */
	uint64_t size;	   /* bytes mapped */
	uint64_t sqes_off; /* offset of the SQE array */
	uint64_t cqes_off; /* offset of the CQE array */
	uint32_t sq_entries, cq_entries;
};

/* Rights of a new AsyncQ handle: WRITE to submit and cancel, READ to poll. */
#define WEFT_AQ_RIGHTS                                                                             \
	(WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_DUPLICATE | WEFT_RIGHT_TRANSFER |         \
	 WEFT_RIGHT_INSPECT | WEFT_RIGHT_WAIT)

#endif
