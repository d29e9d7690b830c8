# Named pipes: mkfifo, what ls and stat show, and data through FIFOs
# between background jobs (a reader that opens first, a writer that opens
# first, two FIFOs in a chain).
. "${0%/*}/lib.sh"

ok "mkfifo" mkfifo ff
check "ls -l type letter" "p" "$(ls -l ff | cut -c1)"
check "stat %F" "fifo" "$(stat -c %F ff)"
check_rc "[ -p ]" 0 [ -p ff ]
check_rc "[ -f ] on a fifo" 1 [ -f ff ]
(echo "through the fifo" >ff) &
check "writer first, then cat" "through the fifo" "$(cat ff)"
wait
(sleep 1; cat ff >out) &
printf 'a\nb\nc\n' >ff
wait
check "reader opens late" "a b c" "$(echo $(cat out))"
mkfifo f2
(tr a-z A-Z <ff >f2) &
(printf 'x1\nx2\nx3\n' >ff) &
check "two fifos in a chain" "X1 X2 X3" "$(echo $(cat f2))"
wait
check_rc "mkfifo of an existing name" 1 mkfifo ff 2>/dev/null
ok "mkfifo -m" mkfifo -m 600 f3
check "mode of mkfifo -m 600" "prw-------" "$(ls -l f3 | cut -c1-10)"
ok "rm of a fifo" rm ff f2 f3
check_rc "gone" 1 [ -e ff ]
done_test
