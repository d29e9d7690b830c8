/*
 * TLV messages: the wire format of native protocols (libmsg), built and
 * parsed by the same code in the kernel, in user space and on the host.
 *
 * Wire layout, every integer little-endian, no alignment required of the
 * buffer (fields are assembled byte by byte):
 *
 *   offset 0   u32 protocol id
 *   offset 4   u16 protocol version
 *   offset 6   u16 method
 *   offset 8   u32 flags (TLV_F_*)
 *   offset 12  u32 length: bytes of the whole message, header included; a
 *              multiple of 4, at least TLV_HDR_SIZE
 *   offset 16  records, each { u16 tag, u16 len, value[len] } followed by
 *              zero bytes up to the next multiple of 4 (the padding is
 *              written as zeros and ignored when read)
 *
 * So every record, and every header field, sits at its natural alignment
 * relative to the message start, except u64 values (offset 4 in a record).
 * Integers in values are little-endian too; strings carry no NUL. Tags are
 * defined per protocol; a reader skips tags it does not know, which is how
 * protocols grow. Bytes after `length` in the buffer are not part of the
 * message.
 *
 * The parser trusts nothing: every length is checked against the message
 * before a byte is read, a record that overruns the message is an error, and
 * typed getters check the value's length.
 */
#ifndef LIB_TLV_H
#define LIB_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLV_HDR_SIZE  16u
#define TLV_REC_HDR   4u
#define TLV_VALUE_MAX 0xffffu
#define TLV_MSG_MAX   0xfffffffcu /* largest length the u32 field can hold */

/* Header flags. */
#define TLV_F_REPLY (1u << 0) /* a reply to a request of the same method */
#define TLV_F_ERROR (1u << 1) /* a reply carrying an error */

/* The header, decoded. */
struct tlv_hdr {
	uint32_t proto;
	uint16_t version;
	uint16_t method;
	uint32_t flags;
	uint32_t length;
};

/* A message being built into a caller's buffer. */
struct tlv_builder {
	uint8_t *buf;
	size_t cap; /* bytes of buf usable, at most TLV_MSG_MAX */
	size_t len; /* bytes written so far, a multiple of 4 */
	int err;    /* first error of a put (sticky), 0 if none */
};

/* Records being read. */
struct tlv_iter {
	const uint8_t *p;
	size_t off; /* next record */
	size_t end; /* end of the records */
	int err;    /* sticky -EINVAL once a record was malformed */
};

/*
 * Start a message in buf (cap bytes) with the given header fields. 0, or
 * -ENOSPC if cap < TLV_HDR_SIZE (the builder then fails every put and finish).
 */
int tlv_init(struct tlv_builder *b, void *buf, size_t cap, uint32_t proto, uint16_t version,
	     uint16_t method, uint32_t flags);

/*
 * Append one record. 0, or -ENOSPC when it does not fit, or -EINVAL for a
 * value longer than TLV_VALUE_MAX. A failed put leaves the message as it was
 * but the error sticks: later puts fail with it and tlv_finish returns it, so
 * a message missing a field is never sent by accident.
 */
int tlv_put_bytes(struct tlv_builder *b, uint16_t tag, const void *val, size_t len);
int tlv_put_u8(struct tlv_builder *b, uint16_t tag, uint8_t v);
int tlv_put_u16(struct tlv_builder *b, uint16_t tag, uint16_t v);
int tlv_put_u32(struct tlv_builder *b, uint16_t tag, uint32_t v);
int tlv_put_u64(struct tlv_builder *b, uint16_t tag, uint64_t v);
int tlv_put_str(struct tlv_builder *b, uint16_t tag, const char *s); /* no NUL sent */

/* Write the length into the header; returns the message length, or the
 * builder's sticky error (negative). The builder may keep appending after. */
long tlv_finish(struct tlv_builder *b);

/*
 * Check the header of the message in buf (len bytes available) and set up *it
 * over its records. 0, or -EINVAL: len or the length field shorter than a
 * header, a length field beyond len, or not a multiple of 4.
 */
int tlv_parse(const void *buf, size_t len, struct tlv_hdr *hdr, struct tlv_iter *it);

/* Set up *it over a bare record list (a nested value). -EINVAL if len is not
 * a multiple of 4. */
int tlv_iter_init(struct tlv_iter *it, const void *buf, size_t len);

/*
 * Next record: 1 with *tag, *val (inside the message) and *len set; 0 at the
 * end; -EINVAL if the record overruns the message (and on every later call).
 */
int tlv_next(struct tlv_iter *it, uint16_t *tag, const void **val, uint16_t *len);

/* First record with `tag` from the iterator's position (it is not moved):
 * 1 found, 0 not found, -EINVAL malformed before it was found. */
int tlv_find(const struct tlv_iter *it, uint16_t tag, const void **val, uint16_t *len);

/* Typed getters: -EINVAL unless len is exactly the type's size. */
int tlv_get_u8(const void *val, uint16_t len, uint8_t *out);
int tlv_get_u16(const void *val, uint16_t len, uint16_t *out);
int tlv_get_u32(const void *val, uint16_t len, uint32_t *out);
int tlv_get_u64(const void *val, uint16_t len, uint64_t *out);

/*
 * Copy a string value into dst (cap bytes) with a NUL. -EINVAL if the value
 * holds a NUL byte; -ENAMETOOLONG if it does not fit with its NUL.
 */
int tlv_get_str(const void *val, uint16_t len, char *dst, size_t cap);

#endif
