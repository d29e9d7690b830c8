/*
 * Freestanding string and memory routines, shared by the kernel, user programs
 * and the host build.
 *
 * The kernel and user programs have no libc, so lib/string.c provides the
 * standard names (gcc itself emits calls to memcpy, memset, memmove and memcmp).
 * On the host (WEFT_HOST) libc owns those names: this header then includes the
 * host <string.h>, and lib/string.c defines every routine with a "lib_" prefix
 * instead (lib_memcpy, lib_strlen, ...), so a host test can link lib/string.c
 * beside libc and call both. strlcpy, missing from glibc 2.36, is mapped to
 * lib_strlcpy on the host, which then needs lib/string.c linked in.
 * lib_strtoul has no standard twin and keeps its name everywhere.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

#ifdef WEFT_HOST
#include <string.h>
#define LIB_STR(name) lib_##name
#else
#define LIB_STR(name) name
#endif

/* Copy n bytes from s to d; the ranges must not overlap. Returns d. */
void *LIB_STR(memcpy)(void *restrict d, const void *restrict s, size_t n);
/* Copy n bytes from s to d; the ranges may overlap. Returns d. */
void *LIB_STR(memmove)(void *d, const void *s, size_t n);
/* Fill n bytes at d with the byte c. Returns d. */
void *LIB_STR(memset)(void *d, int c, size_t n);
/* Compare n bytes as unsigned chars: <0, 0 or >0. */
int LIB_STR(memcmp)(const void *a, const void *b, size_t n);
/* First byte equal to (unsigned char)c among the n bytes at s, or NULL. */
void *LIB_STR(memchr)(const void *s, int c, size_t n);
/* Length of the NUL-terminated string s. */
size_t LIB_STR(strlen)(const char *s);
/* Length of s, but look at no more than max bytes. */
size_t LIB_STR(strnlen)(const char *s, size_t max);
/* Compare two strings as unsigned chars: <0, 0 or >0. */
int LIB_STR(strcmp)(const char *a, const char *b);
/* Compare at most n characters of two strings. */
int LIB_STR(strncmp)(const char *a, const char *b, size_t n);
/* First occurrence of (char)c in s (the NUL counts), or NULL. */
char *LIB_STR(strchr)(const char *s, int c);
/* Last occurrence of (char)c in s (the NUL counts), or NULL. */
char *LIB_STR(strrchr)(const char *s, int c);
/*
 * Copy src into d of size bytes, truncating, and NUL-terminate when size > 0.
 * Returns strlen(src): truncation happened if the result is >= size.
 */
size_t LIB_STR(strlcpy)(char *restrict d, const char *restrict src, size_t size);

#ifdef WEFT_HOST
#define strlcpy lib_strlcpy
#endif

/*
 * Parse an unsigned number like strtoul: leading spaces/tabs, an optional '+',
 * then digits in base 2..36; base 0 picks 16 for "0x"/"0X", 8 for a leading "0",
 * else 10 (base 16 also accepts the "0x" prefix). Overflow saturates to ULONG_MAX.
 * *end (if end is not NULL) gets the first unparsed character, or s when no digit
 * was read. A base outside 0 and 2..36 parses nothing and returns 0.
 */
unsigned long lib_strtoul(const char *s, const char **end, int base);

#endif
