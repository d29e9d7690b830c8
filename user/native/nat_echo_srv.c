/*
 * The echo service (protocol in demo.h). Handles given: [0] the name
 * service (WRITE, to publish). It creates a connector channel, binds a
 * write-only copy of one end under its args (default DEMO_ECHO_NAME), and serves connections
 * one after the other until a QUIT arrives (exit 0). Exit codes above 0 say
 * which step failed.
 */
#include <weft/sys.h>
#include <weft/errno.h>
#include "demo.h"
#include "msg.h"

static uint8_t buf[WEFT_CHAN_MAX_BYTES];
static uint8_t out[WEFT_CHAN_MAX_BYTES];

/* Read one message from ch, waiting for it: its length, or -EPIPE, ... */
static long recv(handle_t ch, handle_t *hs, uint32_t hcap, uint32_t sizes[2])
{
	for (;;) {
		long r = weft_channel_read(ch, buf, sizeof(buf), hs, hcap, sizes);
		if (r != -EAGAIN)
			return r < 0 ? r : (long)sizes[0];
		r = weft_object_wait_one(ch, WEFT_SIG_READABLE | WEFT_SIG_PEER_CLOSED,
					 WEFT_TIME_INFINITE, NULL);
		if (r)
			return r;
	}
}

/* Echo on one client channel until the client goes away. */
static void serve(handle_t ch)
{
	uint32_t sizes[2];
	struct msg_in in;
	long n;

	while ((n = recv(ch, NULL, 0, sizes)) >= 0) {
		const void *data = NULL;
		uint16_t len = 0;
		struct msg m;
		if (msg_parse(&in, buf, (size_t)n, DEMO_PROTO_ECHO, DEMO_VERSION) ||
		    in.hdr.method != DEMO_M_ECHO || msg_get_bytes(&in, DEMO_TAG_DATA, &data, &len))
			continue; /* not ours: ignore it */
		msg_begin(&m, out, sizeof(out), DEMO_PROTO_ECHO, DEMO_VERSION, DEMO_M_ECHO,
			  TLV_F_REPLY);
		msg_put_bytes(&m, DEMO_TAG_DATA, data, len);
		long mlen = msg_end(&m);
		if (mlen < 0 || weft_channel_write(ch, out, (uint32_t)mlen, NULL, 0) < 0)
			break;
	}
	weft_handle_close(ch);
}

int main(const struct weft_startinfo *si)
{
	const handle_t *hs = (const handle_t *)si->handles;
	handle_t c[2], pub;
	uint32_t sizes[2];
	struct msg_in in;

	if (si->nhandles < 1)
		return 1;
	if (weft_channel_create(c))
		return 2;
	if (weft_handle_dup(c[1], WEFT_RIGHT_WRITE | WEFT_RIGHT_DUPLICATE | WEFT_RIGHT_TRANSFER, 0,
			    &pub) ||
	    weft_handle_close(c[1]))
		return 3;
	if (weft_name_bind(hs[0], demo_service_name(si), pub))
		return 4;
	weft_handle_close(pub); /* the name service keeps its own */
	for (;;) {
		handle_t client = 0;
		long n = recv(c[0], &client, 1, sizes);
		if (n < 0)
			return 5;
		if (msg_parse(&in, buf, (size_t)n, DEMO_PROTO_ECHO, DEMO_VERSION)) {
			if (sizes[1])
				weft_handle_close(client);
			continue;
		}
		if (in.hdr.method == DEMO_M_QUIT)
			return 0;
		if (in.hdr.method == DEMO_M_CONNECT && sizes[1] == 1)
			serve(client);
		else if (sizes[1])
			weft_handle_close(client);
	}
}
