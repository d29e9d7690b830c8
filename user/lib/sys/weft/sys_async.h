/*
 * libsys, second part: wrappers for the VMO, VMAR, timer and AsyncQ calls
 * (included by <weft/sys.h>; the contracts are in docs/native.md). Like the
 * rest of libsys: 0, a count or an address, or a negative error.
 */
#ifndef WEFT_SYS_ASYNC_H
#define WEFT_SYS_ASYNC_H

#include <weft/asyncq.h>
#include <weft/vmo.h>

/* ---- VMOs ---- */
static inline long weft_vmo_create(uint64_t size, uint32_t options, handle_t *out)
{
	return weft_raw_vmo_create((long)size, options, WEFT_L(out), 0, 0, 0);
}
static inline long weft_vmo_read(handle_t v, void *buf, size_t len, uint64_t off)
{
	return weft_raw_vmo_read(v, WEFT_L(buf), (long)len, (long)off, 0, 0);
}
static inline long weft_vmo_write(handle_t v, const void *buf, size_t len, uint64_t off)
{
	return weft_raw_vmo_write(v, WEFT_L(buf), (long)len, (long)off, 0, 0);
}
static inline long weft_vmo_get_size(handle_t v, uint64_t *size)
{
	return weft_raw_vmo_get_size(v, WEFT_L(size), 0, 0, 0, 0);
}
static inline long weft_vmo_set_size(handle_t v, uint64_t size)
{
	return weft_raw_vmo_set_size(v, (long)size, 0, 0, 0, 0);
}
static inline long weft_vmo_clone(handle_t v, uint64_t off, uint64_t size, handle_t *out)
{
	return weft_raw_vmo_clone(v, (long)off, (long)size, WEFT_L(out), 0, 0);
}

/* ---- VMARs: map returns the address ---- */
static inline long weft_vmar_root(handle_t *out)
{
	return weft_raw_vmar_root(WEFT_L(out), 0, 0, 0, 0, 0);
}
static inline long weft_vmar_map(handle_t vmar, uint32_t flags, uintptr_t addr, handle_t vmo,
				 uint64_t off, size_t len)
{
	return weft_raw_vmar_map(vmar, flags, (long)addr, vmo, (long)off, (long)len);
}
static inline long weft_vmar_unmap(handle_t vmar, uintptr_t addr, size_t len)
{
	return weft_raw_vmar_unmap(vmar, (long)addr, (long)len, 0, 0, 0);
}
static inline long weft_vmar_protect(handle_t vmar, uintptr_t addr, size_t len, uint32_t prot)
{
	return weft_raw_vmar_protect(vmar, (long)addr, (long)len, prot, 0, 0);
}

/* ---- timers ---- */
static inline long weft_timer_create(uint32_t options, handle_t *out)
{
	return weft_raw_timer_create(options, WEFT_L(out), 0, 0, 0, 0);
}
static inline long weft_timer_set(handle_t t, uint64_t deadline, uint64_t period)
{
	return weft_raw_timer_set(t, (long)deadline, (long)period, 0, 0, 0);
}
static inline long weft_timer_cancel(handle_t t)
{
	return weft_raw_timer_cancel(t, 0, 0, 0, 0, 0);
}

/* ---- AsyncQ ---- */
static inline long weft_asyncq_create(uint32_t entries, uint32_t flags, handle_t *out,
				      struct weft_aq_info *info)
{
	return weft_raw_asyncq_create(entries, flags, WEFT_L(out), WEFT_L(info), 0, 0);
}
static inline long weft_asyncq_submit(handle_t q, uint32_t n)
{
	return weft_raw_asyncq_submit(q, n, 0, 0, 0, 0);
}
static inline long weft_asyncq_poll(handle_t q, uint32_t min, uint64_t deadline)
{
	return weft_raw_asyncq_poll(q, min, (long)deadline, 0, 0, 0);
}
static inline long weft_asyncq_cancel(handle_t q, uint64_t token)
{
	return weft_raw_asyncq_cancel(q, (long)token, 0, 0, 0, 0);
}

#endif
