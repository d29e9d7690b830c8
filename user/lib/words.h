/*
 * Splitting a command line into words, for Weft's own tools (runtests, wsh):
 * blanks separate words, nothing is quoted. Header-only, like out.h.
 */
#ifndef WEFT_USER_WORDS_H
#define WEFT_USER_WORDS_H

/* Split line in place into at most max words in argv (NULL-terminated, so
 * argv has max + 1 slots): the number of words. */
static inline int split_words(char *line, char **argv, int max)
{
	int argc = 0;

	for (char *p = line; *p && argc < max;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	argv[argc] = 0;
	return argc;
}

#endif
