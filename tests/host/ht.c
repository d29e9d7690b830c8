/*
 * Runner for ht.h: runs each case, counts a case as failed if any check in it
 * failed, prints one line per case and the closing "N passed, N failed" line.
 */
#include "ht.h"

int ht_run(const char *suite, const struct ht_case *cases, int n)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < n; i++) {
		int before = ht_failures;
		cases[i].fn();
		if (ht_failures == before) {
			passed++;
			printf("[PASS] %s: %s\n", suite, cases[i].name);
		} else {
			failed++;
			printf("[FAIL] %s: %s\n", suite, cases[i].name);
		}
	}
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	return failed ? 1 : 0;
}
