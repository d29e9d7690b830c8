/*
 * An echo client (protocol in demo.h). Handles given: [0] the name service
 * (READ). It finds the echo service by the name in its args, connects with a fresh channel,
 * checks that DEMO rounds of messages of growing size come back intact and
 * in order, then asks the service to quit. Exit 0 on success, else the step
 * that failed.
 */
#include <weft/sys.h>
#include <weft/errno.h>
#include "demo.h"
#include "msg.h"

#define ROUNDS 20

static uint8_t buf[8192], data[4096];

static long call(handle_t ch, const void *req, uint32_t len)
{
	uint32_t sizes[2];
	long r = weft_channel_write(ch, req, len, NULL, 0);

	if (r)
		return r;
	for (;;) {
		r = weft_channel_read(ch, buf, sizeof(buf), NULL, 0, sizes);
		if (r != -EAGAIN)
			return r < 0 ? r : (long)sizes[0];
		r = weft_object_wait_one(ch, WEFT_SIG_READABLE | WEFT_SIG_PEER_CLOSED,
					 WEFT_TIME_INFINITE, NULL);
		if (r)
			return r;
	}
}

static int round_trip(handle_t ch, uint32_t len, uint8_t seed)
{
	uint8_t req[8192];
	struct msg m;
	struct msg_in in;
	const void *got;
	uint16_t glen;

	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)(seed + i * 7);
	msg_begin(&m, req, sizeof(req), DEMO_PROTO_ECHO, DEMO_VERSION, DEMO_M_ECHO, 0);
	msg_put_bytes(&m, DEMO_TAG_DATA, data, len);
	long n = msg_end(&m);
	if (n < 0 || (n = call(ch, req, (uint32_t)n)) < 0)
		return 1;
	if (msg_parse(&in, buf, (size_t)n, DEMO_PROTO_ECHO, DEMO_VERSION) ||
	    !(in.hdr.flags & TLV_F_REPLY) || msg_get_bytes(&in, DEMO_TAG_DATA, &got, &glen))
		return 1;
	if (glen != len)
		return 1;
	for (uint32_t i = 0; i < len; i++)
		if (((const uint8_t *)got)[i] != data[i])
			return 1;
	return 0;
}

int main(const struct weft_startinfo *si)
{
	const handle_t *hs = (const handle_t *)si->handles;
	uint8_t req[64];
	handle_t svc, c[2];
	struct msg m;
	long n;

	if (si->nhandles < 1)
		return 1;
	if (weft_name_resolve(hs[0], demo_service_name(si), WEFT_RIGHT_WRITE, &svc))
		return 2;
	if (weft_channel_create(c))
		return 3;
	msg_begin(&m, req, sizeof(req), DEMO_PROTO_ECHO, DEMO_VERSION, DEMO_M_CONNECT, 0);
	n = msg_end(&m);
	struct weft_handle_xfer x = {c[1], WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_WAIT};
	if (n < 0 || weft_channel_write(svc, req, (uint32_t)n, &x, 1))
		return 4;
	for (uint32_t i = 0; i < ROUNDS; i++)
		if (round_trip(c[0], i * 200, (uint8_t)i))
			return 10 + (int)i;
	weft_handle_close(c[0]);
	msg_begin(&m, req, sizeof(req), DEMO_PROTO_ECHO, DEMO_VERSION, DEMO_M_QUIT, 0);
	n = msg_end(&m);
	if (n < 0 || weft_channel_write(svc, req, (uint32_t)n, NULL, 0))
		return 5;
	return 0;
}
