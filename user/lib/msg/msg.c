/*
 * libmsg (contract in msg.h): a thin layer over lib/tlv.c. Nothing here
 * reads a byte of a message without tlv.c having checked its bounds.
 */
#include "msg.h"
#include <weft/errno.h>

int msg_begin(struct msg *m, void *buf, size_t cap, uint32_t proto, uint16_t version,
	      uint16_t method, uint32_t flags)
{
	return tlv_init(&m->b, buf, cap, proto, version, method, flags);
}

long msg_end(struct msg *m)
{
	return tlv_finish(&m->b);
}

int msg_parse(struct msg_in *in, const void *buf, size_t len, uint32_t proto, uint16_t min_version)
{
	int err = tlv_parse(buf, len, &in->hdr, &in->it);

	if (err)
		return err;
	if (in->hdr.proto != proto)
		return -EPROTO;
	if (in->hdr.version < min_version)
		return -EPROTONOSUPPORT;
	return 0;
}

int msg_get_bytes(const struct msg_in *in, uint16_t tag, const void **val, uint16_t *len)
{
	int r = tlv_find(&in->it, tag, val, len);

	return r == 1 ? 0 : r == 0 ? -ENOENT : r;
}

int msg_get_u32(const struct msg_in *in, uint16_t tag, uint32_t *out)
{
	const void *v;
	uint16_t n;
	int err = msg_get_bytes(in, tag, &v, &n);

	return err ? err : tlv_get_u32(v, n, out);
}

int msg_get_u64(const struct msg_in *in, uint16_t tag, uint64_t *out)
{
	const void *v;
	uint16_t n;
	int err = msg_get_bytes(in, tag, &v, &n);

	return err ? err : tlv_get_u64(v, n, out);
}

int msg_get_str(const struct msg_in *in, uint16_t tag, char *dst, size_t cap)
{
	const void *v;
	uint16_t n;
	int err = msg_get_bytes(in, tag, &v, &n);

	return err ? err : tlv_get_str(v, n, dst, cap);
}
