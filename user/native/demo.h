/*
 * Protocols of the native demo programs (user/native) and of the tests that
 * drive them (user/test/t_native.c).
 *
 * echo (DEMO_PROTO_ECHO): a server publishes a "connector" channel endpoint
 * under a name. A client connects by writing a CONNECT message carrying one
 * end of a fresh channel; the server then answers ECHO requests on that
 * channel with replies holding the same DEMO_TAG_DATA bytes (flag
 * TLV_F_REPLY), until the client closes it. A QUIT message on the connector
 * ends the server with exit code 0.
 *
 * fs client report (DEMO_PROTO_REPORT): nat_fs_cli writes one message on the
 * channel it was given: DEMO_TAG_DATA the bytes it read, DEMO_TAG_ERR the
 * results of the calls it made, as u64 (negative errors).
 */
#ifndef WEFT_DEMO_H
#define WEFT_DEMO_H

#define DEMO_PROTO_ECHO	  0x45434f31u
#define DEMO_PROTO_REPORT 0x52505431u
#define DEMO_VERSION	  1

#include <stdint.h>
#include <weft/spawn.h>

#define DEMO_M_CONNECT 1
#define DEMO_M_ECHO    2
#define DEMO_M_QUIT    3
#define DEMO_M_REPORT  4

#define DEMO_TAG_DATA	1
#define DEMO_TAG_ERR	2 /* + index */
#define DEMO_TAG_SEQ	20

#define DEMO_ECHO_NAME "demo.echo"

/* The echo service's name, for the server and the client alike: the spawn's
 * args message if there is one, else DEMO_ECHO_NAME. */
static inline const char *demo_service_name(const struct weft_startinfo *si)
{
	static char name[64];

	if (si->args_len == 0 || si->args_len >= sizeof(name))
		return DEMO_ECHO_NAME;
	for (uint32_t i = 0; i < si->args_len; i++)
		name[i] = ((const char *)si->args)[i];
	return name;
}

#endif
