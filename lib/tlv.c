/*
 * TLV message builder and parser (wire layout in lib/tlv.h). Integers are
 * stored and loaded a byte at a time, so neither side cares about host byte
 * order or buffer alignment. The parser reads a record only after checking
 * that its header and its padded value lie inside the message; since a
 * value's length is at most 0xffff and every offset is below the message
 * length, no sum here can overflow a size_t.
 */
#include <lib/tlv.h>
#include <lib/string.h>
#include <weft/errno.h>

#define PAD4(n) (((n) + 3) & ~(size_t)3)

static void st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void st32(uint8_t *p, uint32_t v)
{
	st16(p, (uint16_t)v);
	st16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t ld32(const uint8_t *p)
{
	return ld16(p) | (uint32_t)ld16(p + 2) << 16;
}

int tlv_init(struct tlv_builder *b, void *buf, size_t cap, uint32_t proto, uint16_t version,
	     uint16_t method, uint32_t flags)
{
	b->buf = buf;
	b->cap = cap > TLV_MSG_MAX ? TLV_MSG_MAX : cap & ~(size_t)3;
	b->len = 0;
	b->err = 0;
	if (b->cap < TLV_HDR_SIZE) {
		b->err = -ENOSPC;
		return b->err;
	}
	st32(b->buf, proto);
	st16(b->buf + 4, version);
	st16(b->buf + 6, method);
	st32(b->buf + 8, flags);
	st32(b->buf + 12, TLV_HDR_SIZE);
	b->len = TLV_HDR_SIZE;
	return 0;
}

/* Room for a record with a len-byte value: its value pointer, or NULL. */
static uint8_t *put_record(struct tlv_builder *b, uint16_t tag, size_t len)
{
	if (b->err)
		return NULL;
	if (len > TLV_VALUE_MAX) {
		b->err = -EINVAL;
		return NULL;
	}
	size_t need = TLV_REC_HDR + PAD4(len);
	if (need > b->cap - b->len) {
		b->err = -ENOSPC;
		return NULL;
	}
	uint8_t *p = b->buf + b->len;
	/* zero the value's last word for the padding; the value goes over it */
	if (len)
		st32(p + need - 4, 0);
	st16(p, tag);
	st16(p + 2, (uint16_t)len);
	b->len += need;
	return p + TLV_REC_HDR;
}

int tlv_put_bytes(struct tlv_builder *b, uint16_t tag, const void *val, size_t len)
{
	uint8_t *p = put_record(b, tag, len);

	if (!p)
		return b->err;
	if (len)
		memcpy(p, val, len);
	return 0;
}

int tlv_put_u8(struct tlv_builder *b, uint16_t tag, uint8_t v)
{
	return tlv_put_bytes(b, tag, &v, 1);
}

int tlv_put_u16(struct tlv_builder *b, uint16_t tag, uint16_t v)
{
	uint8_t *p = put_record(b, tag, 2);

	if (!p)
		return b->err;
	st16(p, v);
	return 0;
}

int tlv_put_u32(struct tlv_builder *b, uint16_t tag, uint32_t v)
{
	uint8_t *p = put_record(b, tag, 4);

	if (!p)
		return b->err;
	st32(p, v);
	return 0;
}

int tlv_put_u64(struct tlv_builder *b, uint16_t tag, uint64_t v)
{
	uint8_t *p = put_record(b, tag, 8);

	if (!p)
		return b->err;
	st32(p, (uint32_t)v);
	st32(p + 4, (uint32_t)(v >> 32));
	return 0;
}

int tlv_put_str(struct tlv_builder *b, uint16_t tag, const char *s)
{
	return tlv_put_bytes(b, tag, s, strlen(s));
}

long tlv_finish(struct tlv_builder *b)
{
	if (b->err)
		return b->err;
	st32(b->buf + 12, (uint32_t)b->len);
	return (long)b->len;
}

int tlv_iter_init(struct tlv_iter *it, const void *buf, size_t len)
{
	it->p = buf;
	it->off = 0;
	it->end = 0;
	it->err = 0;
	if (len % 4)
		return it->err = -EINVAL;
	it->end = len;
	return 0;
}

int tlv_parse(const void *buf, size_t len, struct tlv_hdr *hdr, struct tlv_iter *it)
{
	const uint8_t *p = buf;

	/* an unusable iterator in case the caller ignores the error */
	*it = (struct tlv_iter){.p = p, .err = -EINVAL};
	if (len < TLV_HDR_SIZE)
		return -EINVAL;
	hdr->proto = ld32(p);
	hdr->version = ld16(p + 4);
	hdr->method = ld16(p + 6);
	hdr->flags = ld32(p + 8);
	hdr->length = ld32(p + 12);
	if (hdr->length < TLV_HDR_SIZE || hdr->length > len || hdr->length % 4)
		return -EINVAL;
	return tlv_iter_init(it, p + TLV_HDR_SIZE, hdr->length - TLV_HDR_SIZE);
}

int tlv_next(struct tlv_iter *it, uint16_t *tag, const void **val, uint16_t *len)
{
	if (it->err)
		return it->err;
	if (it->off == it->end)
		return 0;
	size_t left = it->end - it->off;
	const uint8_t *r = it->p + it->off;
	if (left < TLV_REC_HDR)
		return it->err = -EINVAL;
	uint16_t n = ld16(r + 2);
	if (PAD4((size_t)n) > left - TLV_REC_HDR)
		return it->err = -EINVAL;
	*tag = ld16(r);
	*len = n;
	*val = r + TLV_REC_HDR;
	it->off += TLV_REC_HDR + PAD4((size_t)n);
	return 1;
}

int tlv_find(const struct tlv_iter *it, uint16_t tag, const void **val, uint16_t *len)
{
	struct tlv_iter i = *it;
	uint16_t t = 0;
	int r;

	while ((r = tlv_next(&i, &t, val, len)) == 1)
		if (t == tag)
			return 1;
	return r;
}

int tlv_get_u8(const void *val, uint16_t len, uint8_t *out)
{
	if (len != 1)
		return -EINVAL;
	*out = *(const uint8_t *)val;
	return 0;
}

int tlv_get_u16(const void *val, uint16_t len, uint16_t *out)
{
	if (len != 2)
		return -EINVAL;
	*out = ld16(val);
	return 0;
}

int tlv_get_u32(const void *val, uint16_t len, uint32_t *out)
{
	if (len != 4)
		return -EINVAL;
	*out = ld32(val);
	return 0;
}

int tlv_get_u64(const void *val, uint16_t len, uint64_t *out)
{
	if (len != 8)
		return -EINVAL;
	*out = ld32(val) | (uint64_t)ld32((const uint8_t *)val + 4) << 32;
	return 0;
}

int tlv_get_str(const void *val, uint16_t len, char *dst, size_t cap)
{
	if (len && memchr(val, 0, len))
		return -EINVAL;
	if ((size_t)len >= cap)
		return -ENAMETOOLONG;
	if (len)
		memcpy(dst, val, len);
	dst[len] = '\0';
	return 0;
}
