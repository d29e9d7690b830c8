/*
 * bench_true: the smallest useful static program, which exits 0 at once.
 * wbench's fork_execve_wait_us figure execve's it as /bench_true, so that
 * figure measures fork + execve + exit + wait4 and little else.
 */
int main(void)
{
	return 0;
}
