/*
 * t_console: console input, end to end. It prints the marker "ready>" and
 * reads one line from fd 0, byte by byte as it arrives: the reads park until
 * the UART's receive interrupt comes in through the PLIC and wakes them. The
 * line must be exactly "ping" once its '\r' or '\n' is stripped; the kernel
 * does no echo, so the test prints what it got. Not in the manifest, since
 * nobody types during the suite: tools/test.sh runs it from wsh in a boot of
 * its own, and tools/qemu-test.py sends "ping\r" when "ready>" shows up.
 */
#include "t.h"

int main(void)
{
	char line[64];
	size_t len = 0;
	int reads = 0;
	char c;

	out_say("ready>");
	for (;;) {
		ssize_t r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		T_EQ(r, 1);
		if (r != 1)
			break;
		reads++;
		if (c == '\r' || c == '\n')
			break;
		if (len < sizeof(line) - 1)
			line[len++] = c;
	}
	line[len] = 0;
	out_say("\nt_console: got \"%s\" in %d reads\n", line, reads);
	T_CHECK(strcmp(line, "ping") == 0);
	T_DONE();
}
