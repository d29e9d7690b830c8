/*
 * The far side of the channel round-trip benchmark (bench/wbench.c): handle
 * [0] is a channel; every message read is written straight back, until the
 * peer closes it. It uses channel_call: one call sends the reply and waits for
 * and reads the next request.
 */
#include <weft/sys.h>
#include <weft/errno.h>

static uint8_t buf[WEFT_CHAN_MAX_BYTES];

int main(const struct weft_startinfo *si)
{
	if (si->nhandles < 1)
		return 1;
	handle_t ch = ((const handle_t *)si->handles)[0];
	/* channel_call: send the reply and wait for the next request in one call */
	long r = weft_channel_call(ch, NULL, 0, buf, sizeof(buf), WEFT_TIME_INFINITE);
	while (r >= 0)
		r = weft_channel_call(ch, buf, (uint32_t)r, buf, sizeof(buf), WEFT_TIME_INFINITE);
	return r == -EPIPE ? 0 : 2;
}
