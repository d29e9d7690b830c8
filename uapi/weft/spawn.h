/*
 * How a native process starts (process_spawn).
 *
 * The image is a static riscv64 ELF executable (ET_EXEC) read through a file
 * handle (fs service) or a VMO handle, with WEFT_RIGHT_READ and WEFT_RIGHT_EXEC; no segment may be both
 * writable and executable. The new process has no Linux state (its Linux
 * syscalls return -ENOSYS) and exactly the handles it was given: those moved
 * in by the spawn (like a channel write: all or nothing, WEFT_RIGHT_TRANSFER
 * needed, rights kept or reduced) plus one to itself and one to its root
 * VMAR (its whole address space, WEFT_VMAR_RIGHTS: it maps VMOs into itself
 * with vmar_map, unmaps and protects). Its first thread starts
 * at the ELF entry with sp at the top of a WEFT_STACK_SIZE stack and a0
 * pointing to a struct weft_startinfo on that stack, which points in turn to
 * the handle array and a copy of the spawner's args message (any bytes, up to
 * WEFT_ARGS_MAX; by convention a TLV message, libmsg).
 */
#ifndef WEFT_SPAWN_H
#define WEFT_SPAWN_H

#include <stdint.h>
#include <weft/handle.h>

#define WEFT_STACK_SIZE (256u << 10)
#define WEFT_ARGS_MAX	65536u
#define WEFT_EXIT_KILLED (-1024) /* process_status of a killed process */

struct weft_startinfo {
	uint32_t version;  /* 2 (1 had no vmar) */
	handle_t self;	   /* the process itself */
	uint32_t nhandles; /* handles[0 .. nhandles): the moved-in handles, in order */
	uint32_t args_len;
	uint64_t handles;  /* const handle_t * */
	uint64_t args;	   /* const void * */
	handle_t vmar;	   /* the root VMAR of its address space */
	uint32_t reserved; /* 0 */
};

#endif
