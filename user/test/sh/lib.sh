# lib.sh: the asserts shared by Weft's shell test suite (user/test/sh).
#
# Each NN_name.sh sources this file first ('. "${0%/*}/lib.sh"'), then makes
# checks and ends with done_test. The scripts run under busybox ash, as
#   /bin/sh /test/sh/NN_name.sh
# from /bin/runtests in the guest, and unchanged on a Linux host under the
# same busybox, so that every check asserts real Linux behaviour.
#
#   check DESC EXPECTED ACTUAL    ACTUAL must equal EXPECTED (strings)
#   check_rc DESC RC CMD...       CMD... must exit with status RC
#   ok DESC CMD...                CMD... must succeed (exit 0)
#   done_test                     print "TEST sh_NAME: PASS|FAIL", clean up, exit
#
# A failed check prints what was expected and what came instead, and the
# script goes on, so one run reports every failure. Each script works in its
# own scratch directory $T_DIR under /tmp (the current directory after
# sourcing), which done_test removes. A script that stops before done_test
# says FAIL as well, from the EXIT trap.

# runtests passes PATH=/bin; busybox puts applets in /sbin and /usr/bin too.
PATH="${PATH:-/bin}:/bin:/sbin:/usr/bin:/usr/sbin"
export PATH

T_NAME=${0##*/}
T_NAME=${T_NAME%.sh}
T_NAME=sh_${T_NAME#[0-9][0-9]_}
T_CHECKS=0
T_FAILS=0
T_DONE=0
T_DIR=${TMPDIR:-/tmp}/weft-$T_NAME.$$

t_fail() {
	T_FAILS=$((T_FAILS + 1))
	echo "$T_NAME: FAIL: $*"
}

check() {
	T_CHECKS=$((T_CHECKS + 1))
	if [ "$2" != "$3" ]; then
		t_fail "$1"
		printf '  expected: [%s]\n  actual:   [%s]\n' "$2" "$3"
	fi
}

check_rc() {
	t_desc=$1
	t_want=$2
	shift 2
	T_CHECKS=$((T_CHECKS + 1))
	"$@"
	t_rc=$?
	if [ "$t_rc" != "$t_want" ]; then
		t_fail "$t_desc"
		echo "  command: $*"
		echo "  expected status $t_want, got $t_rc"
	fi
}

ok() {
	t_desc=$1
	shift
	check_rc "$t_desc" 0 "$@"
}

t_on_exit() {
	if [ "$T_DONE" = 0 ]; then
		echo "$T_NAME: stopped early after $T_CHECKS checks"
		echo "TEST $T_NAME: FAIL"
		cd / && rm -rf "$T_DIR"
	fi
}

done_test() {
	T_DONE=1
	cd / && rm -rf "$T_DIR"
	if [ -e "$T_DIR" ]; then
		t_fail "scratch directory $T_DIR not removed"
	fi
	if [ "$T_FAILS" = 0 ]; then
		echo "TEST $T_NAME: PASS ($T_CHECKS checks)"
		exit 0
	fi
	echo "TEST $T_NAME: FAIL ($T_FAILS of $T_CHECKS checks failed)"
	exit 1
}

trap t_on_exit EXIT
rm -rf "$T_DIR"
mkdir -p "$T_DIR" && cd "$T_DIR" || {
	echo "$T_NAME: cannot make $T_DIR"
	exit 1
}
