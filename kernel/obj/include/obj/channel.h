/*
 * Channels: a pair of endpoints carrying messages of bytes and handles.
 *
 * chan_create makes two endpoint objects (WEFT_OBJ_CHANNEL). A message
 * written on one endpoint is queued on the other, whole, in FIFO order. A
 * message is at most CHAN_MAX_BYTES bytes and CHAN_MAX_HANDLES handles; each
 * endpoint's queue holds at most CHAN_MAX_MSGS messages, and a write to a full
 * queue fails with -EAGAIN (nothing is queued, no handle moves). The handles of
 * a message travel as struct handle_xfer (the kernel holds their references
 * while the message is queued); when an endpoint dies with messages still
 * queued on it, those handles are closed.
 *
 * Signals of an endpoint: WEFT_SIG_READABLE while its queue is not empty,
 * WEFT_SIG_WRITABLE while the peer is alive and its queue has room,
 * WEFT_SIG_PEER_CLOSED once the peer endpoint is gone (never cleared).
 * Writing to an endpoint whose peer is gone is -EPIPE; reading from an empty
 * queue is -EAGAIN, or -EPIPE if the peer is gone too (nothing will come).
 *
 * Locking: the two endpoints share one spinlock (struct chan_pair), which
 * guards both queues and the peer links; it is taken before a handle table's
 * lock (a leaf) and before the endpoints' signal locks. A message cannot carry
 * a handle to either endpoint of its own channel (-ENOTSUP, as Zircon's
 * ZX_ERR_NOT_SUPPORTED): the endpoint queued on its peer, or on itself, would
 * keep the pair alive with no way to reach it. Longer cycles (an endpoint of
 * channel A queued on channel B while B's is queued on A) are not detected
 * or collected, as in Zircon: they live until reboot.
 */
#ifndef OBJ_CHANNEL_H
#define OBJ_CHANNEL_H

#include <obj/handle.h>
#include <core/list.h>

#define CHAN_MAX_BYTES	 WEFT_CHAN_MAX_BYTES
#define CHAN_MAX_HANDLES WEFT_CHAN_MAX_HANDLES
#define CHAN_MAX_MSGS	 WEFT_CHAN_MAX_MSGS

struct chan_msg {
	struct list link; /* in the receiving endpoint's queue (pair lock) */
	uint32_t nbytes, nhandles;
	struct handle_xfer *handles; /* nhandles entries, inside this allocation */
	uint8_t *data;		     /* nbytes, inside this allocation */
};

struct chan_pair;

struct channel {
	struct kobject obj;
	struct chan_pair *pair;
	int side;	    /* 0 or 1: this endpoint is pair->ep[side] */
	struct list queue;  /* messages for this endpoint to read (pair lock) */
	uint32_t nmsgs;	    /* pair lock */
};

/* Two connected endpoints, one reference each (the caller's). 0 or -ENOMEM. */
int chan_create(struct channel **e0, struct channel **e1);

/* The endpoint containing o, or NULL if o is not a channel. */
struct channel *chan_from_obj(struct kobject *o);

/* A message with room for nbytes and nhandles (contents uninitialised,
 * handles not yet filled: set msg->nhandles only once they hold references).
 * NULL if out of memory or too large. */
struct chan_msg *chan_msg_alloc(uint32_t nbytes, uint32_t nhandles);
/* Free a message that was never queued, dropping its handles' references. */
void chan_msg_free(struct chan_msg *m);

/*
 * Queue m on ch's peer; the handles are moved in by calling
 * take(arg, m, ends) after the queue was found to have room, under the
 * pair lock (it must not sleep: handle_take_many; it must refuse a handle to
 * ends[0] (ch) or ends[1] (its peer), which would keep the pair alive with
 * nobody able to reach it). If take fails nothing is queued and its error
 * returned. On success m belongs to the channel.
 * Errors: -EPIPE (peer gone), -EAGAIN (peer's queue full), take's.
 */
typedef int (*chan_take_fn)(void *arg, struct chan_msg *m, const struct kobject *const ends[2]);
int chan_write(struct channel *ch, struct chan_msg *m, chan_take_fn take, void *arg);

/*
 * Dequeue the first message of ch if it fits in (bytes_cap, handles_cap):
 * 0 and *out (the caller owns it now). If it does not fit, it stays queued,
 * *need_bytes and *need_handles get its size and -EMSGSIZE is returned. -EAGAIN
 * if the queue is empty, -EPIPE if it is empty and the peer is gone.
 */
int chan_read(struct channel *ch, uint32_t bytes_cap, uint32_t handles_cap, struct chan_msg **out,
	      uint32_t *need_bytes, uint32_t *need_handles);

/* Put back a message chan_read returned (its copy-out failed): it becomes the
 * first message again. */
void chan_unread(struct channel *ch, struct chan_msg *m);

#endif
