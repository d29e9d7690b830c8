/*
 * The far side of the channel round-trip benchmark (bench/wbench.c): handle
 * [0] is a channel; every message read is written straight back, until the
 * peer closes it.
 */
#include <weft/sys.h>
#include <weft/errno.h>

static uint8_t buf[WEFT_CHAN_MAX_BYTES];

int main(const struct weft_startinfo *si)
{
	handle_t ch = ((const handle_t *)si->handles)[0];

	if (si->nhandles < 1)
		return 1;
	/* a reply is never waiting when we come back: wait first, then read */
	for (;;) {
		long r = weft_object_wait_one(ch, WEFT_SIG_READABLE | WEFT_SIG_PEER_CLOSED,
					      WEFT_TIME_INFINITE, NULL);
		if (r)
			return 2;
		r = weft_channel_read(ch, buf, sizeof(buf), NULL, 0, NULL);
		if (r == -EPIPE)
			return 0;
		if (r == -EAGAIN)
			continue;
		if (r < 0 || weft_channel_write(ch, buf, (uint32_t)r, NULL, 0))
			return 3;
	}
}
