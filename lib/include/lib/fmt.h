/*
 * printf-style formatting into a caller's buffer, for kernel, user and host code.
 *
 * Supported: conversions %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#',
 * width and precision (either may be '*'), length modifiers hh h l ll z t j.
 * Output matches C99/glibc for these, with two chosen behaviours: %s of NULL
 * prints "(null)" (cut by a precision like any string) and %p prints
 * "0x" plus lower-case hex, or "(nil)" for NULL. An unknown conversion is copied
 * to the output as written ("%" and the character). No floating point.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format into buf (size bytes). Returns the length the full output has, not
 * counting the NUL, even when it did not fit (C99 semantics); buf always ends
 * with a NUL when size > 0, and buf may be NULL when size is 0. Returns
 * -EOVERFLOW if the length does not fit in an int.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* fmt_vsnprintf with variable arguments. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
