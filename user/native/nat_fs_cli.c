/*
 * A file-system client that has only the handles it was given: [0] the
 * name service (READ), [1] a channel to report on. It resolves "fs", asks for
 * a read-only root, looks the file named by its args up, reads it, and
 * checks that it may not write it nor climb out of a directory with "..".
 * It reports the bytes and each result on the channel (demo.h) and exits 0,
 * or exits with the step that failed before it could report.
 */
#include <weft/sys.h>
#include <weft/errno.h>
#include "demo.h"
#include "msg.h"

static uint8_t data[4096], out[8192];
static char path[256];

int main(const struct weft_startinfo *si)
{
	const handle_t *hs = (const handle_t *)si->handles;
	handle_t fs, root, file, sub, esc;
	long res[4];
	struct msg m;

	if (si->nhandles < 2 || si->args_len == 0 || si->args_len >= sizeof(path))
		return 1;
	for (uint32_t i = 0; i < si->args_len; i++)
		path[i] = ((const char *)si->args)[i];
	if (weft_name_resolve(hs[0], "fs", WEFT_RIGHT_READ, &fs))
		return 2;
	if (weft_fs_root(fs, WEFT_RIGHT_READ, &root))
		return 3;
	if (weft_dir_lookup(root, path, WEFT_RIGHTS_SAME, &file))
		return 4;
	long n = weft_file_read(file, 0, data, sizeof(data));
	res[0] = n;
	res[1] = weft_file_write(file, 0, "x", 1); /* read-only: -EACCES */
	/* a directory is a root: ".." from /etc stays in /etc */
	res[2] = weft_dir_lookup(root, "etc", WEFT_RIGHTS_SAME, &sub);
	res[3] = res[2] ? res[2] : weft_dir_lookup(sub, "../test/manifest", WEFT_RIGHTS_SAME, &esc);
	msg_begin(&m, out, sizeof(out), DEMO_PROTO_REPORT, DEMO_VERSION, DEMO_M_REPORT, 0);
	msg_put_bytes(&m, DEMO_TAG_DATA, data, n > 0 ? (size_t)n : 0);
	for (int i = 0; i < 4; i++)
		msg_put_u64(&m, DEMO_TAG_ERR + i, (uint64_t)res[i]);
	long len = msg_end(&m);
	if (len < 0 || weft_channel_write(hs[1], out, (uint32_t)len, NULL, 0))
		return 5;
	return 0;
}
