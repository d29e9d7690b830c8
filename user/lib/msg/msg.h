/*
 * libmsg: building and parsing native protocol messages. The wire format
 * and every bounds check are lib/tlv.c's (shared with the kernel, host-tested
 * with fuzzed input); libmsg adds what a client or a server does with them:
 * begin a request or a reply, put fields, send it on a channel with handles,
 * and read one back checking its protocol, version and method, skipping tags
 * it does not know. Header {protocol id, version, method, flags}, then
 * records {tag u16, len u16, value}.
 */
#ifndef WEFT_MSG_H
#define WEFT_MSG_H

#include <lib/tlv.h>
#include <weft/handle.h>

struct msg {
	struct tlv_builder b;
};

/* Begin a message in buf (cap bytes). 0 or -ENOSPC. */
int msg_begin(struct msg *m, void *buf, size_t cap, uint32_t proto, uint16_t version,
	      uint16_t method, uint32_t flags);

#define msg_put_u32(m, tag, v)	      tlv_put_u32(&(m)->b, tag, v)
#define msg_put_u64(m, tag, v)	      tlv_put_u64(&(m)->b, tag, v)
#define msg_put_bytes(m, tag, p, n)   tlv_put_bytes(&(m)->b, tag, p, n)
#define msg_put_str(m, tag, s)	      tlv_put_str(&(m)->b, tag, s)

/* Length of the finished message, or the first error of a put. */
long msg_end(struct msg *m);

/* A message received: its header and the records. */
struct msg_in {
	struct tlv_hdr hdr;
	struct tlv_iter it;
};

/*
 * Parse len bytes of buf as a message of protocol proto with a version of at
 * least min_version. 0; -EINVAL (malformed), -EPROTO (another protocol),
 * -EPROTONOSUPPORT (version too old).
 */
int msg_parse(struct msg_in *in, const void *buf, size_t len, uint32_t proto,
	      uint16_t min_version);

/* Next record: 1 (tag, val, len set), 0 at the end, -EINVAL if malformed. */
#define msg_next(in, tag, val, len) tlv_next(&(in)->it, tag, val, len)

/* Typed lookups of one tag anywhere in the message: 0, -ENOENT (absent),
 * -EINVAL (malformed or wrong size). */
int msg_get_u32(const struct msg_in *in, uint16_t tag, uint32_t *out);
int msg_get_u64(const struct msg_in *in, uint16_t tag, uint64_t *out);
int msg_get_str(const struct msg_in *in, uint16_t tag, char *dst, size_t cap);
/* A bytes value in place: its pointer and length. */
int msg_get_bytes(const struct msg_in *in, uint16_t tag, const void **val, uint16_t *len);

#endif
