/*
 * The console tty (/dev/console, /dev/tty): a Linux line discipline over the
 * UART.
 *
 * Input is processed in the UART interrupt, byte by byte, under
 * console_waitq.lock (which also guards everything in struct tty): ICRNL, the
 * signal characters (ISIG: ^C SIGINT, ^\ SIGQUIT, ^Z SIGTSTP to the foreground
 * process group), and in canonical mode the line editing (erase, kill, word
 * erase, EOF) with echo; finished lines move to the read buffer. In raw mode
 * bytes go straight to the read buffer. Readers take from the read buffer, or
 * park on console_waitq (see lx_park_on_file) until it has what they need:
 * a whole line (or EOF) in canonical mode, VMIN bytes in raw mode.
 * Output goes through OPOST/ONLCR. The foreground group and the session are
 * set with TIOCSCTTY/TIOCSPGRP; the session loses the tty when its leader
 * exits (lx_orphan.c sends the foreground group SIGHUP then).
 *
 * Job control: a process of the tty's session outside its foreground group
 * that reads gets SIGTTIN sent to its group (-EIO if it ignores or blocks
 * SIGTTIN); one that writes with TOSTOP set, or changes the settings or the
 * foreground group, gets SIGTTOU (unless it ignores or blocks SIGTTOU: then
 * the call goes ahead). After the signal the call says -ERESTARTSYS: it runs
 * again once the group is continued, or ends with -EINTR if a handler runs.
 * A process of an orphaned group gets -EIO instead of the signal.
 */
#include <linux/lx.h>
#include <dev/console.h>
#include <lib/string.h>

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCFLSH     0x540B
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429

/* termios bits (Linux asm-generic values). */
#define ICRNL  0000400
#define IGNCR  0000200
#define INLCR  0000100
#define OPOST  0000001
#define ONLCR  0000004
#define ISIG   0000001
#define ICANON 0000002
#define ECHO   0000010
#define ECHOE  0000020
#define ECHOK  0000040
#define ECHONL 0000100
#define ECHOCTL 0001000
#define ECHOKE 0004000
#define IEXTEN 0100000
#define TOSTOP 0000400
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSUSP 10
#define VWERASE 14

#define SIGINT 2
#define SIGQUIT 3
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define LINE_MAX 4096
#define BUF_MAX 8192

struct lx_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line, c_cc[19];
};

struct tty {
	struct lx_termios tio;
	char line[LINE_MAX];		/* canonical line being edited */
	size_t line_len;
	char buf[BUF_MAX];		/* bytes ready for read */
	size_t head, len;
	unsigned eofs;			/* EOF marks queued (canonical ^D on an empty line) */
	size_t eof_at[8];		/* read-buffer lengths at which each EOF sits */
	int pgrp, sid;			/* foreground group and session, 0 if none */
	uint16_t ws[4];
};

static struct tty tty = {
	.tio = { ICRNL | 0x400 /* IXON */, OPOST | ONLCR, 0xbf /* B38400 CS8 CREAD */,
		 ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
		 0,
		 { 3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16 } },
	.ws = { 24, 80, 0, 0 },
};

static void echo(const char *s, size_t n)
{
	if (tty.tio.c_lflag & ECHO)
		console_write_raw(s, n);
}

static void echo_char(char c)
{
	if (c == '\n') {
		if (tty.tio.c_lflag & (ECHO | ECHONL))
			console_write_raw("\r\n", 2);
	} else if ((unsigned char)c < 32 && c != '\t' && (tty.tio.c_lflag & ECHOCTL)) {
		char ctl[2] = { '^', (char)(c + 64) };
		echo(ctl, 2);
	} else {
		echo(&c, 1);
	}
}

static void buf_put(char c)
{
	if (tty.len < BUF_MAX)
		tty.buf[(tty.head + tty.len++) % BUF_MAX] = c;
}

static void erase_one(void)
{
	if (!tty.line_len)
		return;
	char c = tty.line[--tty.line_len];
	if (tty.tio.c_lflag & ECHOE) {
		echo("\b \b", 3);
		if ((unsigned char)c < 32 && (tty.tio.c_lflag & ECHOCTL))
			echo("\b \b", 3);
	}
}

static void commit_line(void)
{
	for (size_t i = 0; i < tty.line_len; i++)
		buf_put(tty.line[i]);
	tty.line_len = 0;
}

static void signal_fg(int sig)
{
	if (tty.pgrp > 0)
		lx_signal_group(tty.pgrp, sig);
	tty.line_len = 0;
}

/* Canonical-mode editing of one input byte. */
static void canon_input(char c)
{
	const uint8_t *cc = tty.tio.c_cc;

	if (c == cc[VERASE] || c == '\b') {
		erase_one();
	} else if (c == cc[VKILL]) {
		while (tty.line_len)
			erase_one();
	} else if (c == cc[VWERASE] && (tty.tio.c_lflag & IEXTEN)) {
		while (tty.line_len && tty.line[tty.line_len - 1] == ' ')
			erase_one();
		while (tty.line_len && tty.line[tty.line_len - 1] != ' ')
			erase_one();
	} else if (c == cc[VEOF]) {
		if (tty.line_len)
			commit_line();
		else if (tty.eofs < 8)
			tty.eof_at[tty.eofs++] = tty.len;
	} else if (c == '\n') {
		if (tty.line_len < LINE_MAX)
			tty.line[tty.line_len++] = c;
		echo_char(c);
		commit_line();
	} else if (tty.line_len < LINE_MAX - 1) {
		tty.line[tty.line_len++] = c;
		echo_char(c);
	}
}

/* One received byte (interrupt context, console_waitq.lock held). */
static void tty_input(char c)
{
	const uint8_t *cc = tty.tio.c_cc;

	if (c == '\r' && (tty.tio.c_iflag & IGNCR))
		return;
	if (c == '\r' && (tty.tio.c_iflag & ICRNL))
		c = '\n';
	else if (c == '\n' && (tty.tio.c_iflag & INLCR))
		c = '\r';
	if (tty.tio.c_lflag & ISIG) {
		int sig = c == cc[VINTR] ? SIGINT : c == cc[VQUIT] ? SIGQUIT : c == cc[VSUSP] ? SIGTSTP : 0;
		if (sig) {
			echo_char(c);
			echo("\r\n", 2);
			signal_fg(sig);
			return;
		}
	}
	if (tty.tio.c_lflag & ICANON) {
		canon_input(c);
	} else {
		buf_put(c);
		echo_char(c);
	}
}

/* Can a read make progress now? (lock held) In canonical mode the read buffer
 * only ever receives finished lines, so any byte in it is readable. */
static bool readable_locked(void)
{
	if (tty.tio.c_lflag & ICANON)
		return tty.len > 0 || tty.eofs > 0;
	return tty.len >= (tty.tio.c_cc[VMIN] ? tty.tio.c_cc[VMIN] : 1) || !tty.tio.c_cc[VMIN];
}

/* Take up to n bytes (a line at most in canonical mode); -1 for EOF, else count. */
static long take_locked(char *out, size_t n)
{
	size_t got = 0;

	if ((tty.tio.c_lflag & ICANON) && tty.eofs && tty.eof_at[0] == 0) {
		tty.eofs--;
		memmove(tty.eof_at, tty.eof_at + 1, tty.eofs * sizeof(size_t));
		return -1;
	}
	while (got < n && tty.len) {
		char c = tty.buf[tty.head];
		tty.head = (tty.head + 1) % BUF_MAX;
		tty.len--;
		for (unsigned i = 0; i < tty.eofs; i++)
			tty.eof_at[i]--;
		out[got++] = c;
		if (c == '\n' && (tty.tio.c_lflag & ICANON))
			break;
		if ((tty.tio.c_lflag & ICANON) && tty.eofs && tty.eof_at[0] == 0)
			break;
	}
	return (long)got;
}

/* May the current process use the tty (sig: SIGTTIN to read, SIGTTOU to
 * write or change it)? 0; or -EIO; or its group was sent sig: -ERESTARTSYS. */
static int job_check(int sig)
{
	struct thread *t = current();
	struct proc *p = t->proc;
	int pgrp, sid;

	spin_lock(&console_waitq.lock);
	pgrp = tty.pgrp;
	sid = tty.sid;
	spin_unlock(&console_waitq.lock);
	if (!pgrp || !sid || p->sid != sid || p->pgid == pgrp)
		return 0;
	if (lx_sig_ignored_or_blocked(t, sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (lx_pgrp_orphaned(p))
		return -EIO;	/* nobody could continue it after the stop */
	lx_signal_group(p->pgid, sig);
	return -ERESTARTSYS;
}

static int tty_read(struct file *f, struct uio *uio)
{
	char kbuf[256];
	size_t n = uio->resid < sizeof(kbuf) ? uio->resid : sizeof(kbuf);
	long got;
	int err = job_check(SIGTTIN);

	if (err)
		return err;
	if (!n)
		return 0;
	spin_lock(&console_waitq.lock);
	if (!readable_locked()) {
		spin_unlock(&console_waitq.lock);
		return -EAGAIN;
	}
	got = take_locked(kbuf, n);
	spin_unlock(&console_waitq.lock);
	if (got <= 0)
		return 0;	/* EOF, or VMIN 0 with nothing typed */
	return uio_move(kbuf, (size_t)got, uio, true);
}

static int tty_write(struct file *f, struct uio *uio)
{
	char buf[256];
	int err = (tty.tio.c_lflag & TOSTOP) ? job_check(SIGTTOU) : 0;

	if (err)
		return err;
	while (uio->resid) {
		size_t n = uio->resid < sizeof(buf) ? uio->resid : sizeof(buf);
		err = uio_move(buf, n, uio, false);
		if (err)
			return err;
		if ((tty.tio.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR))
			console_write(buf, n);
		else
			console_write_raw(buf, n);
	}
	return 0;
}

static long set_termios(uint64_t arg, bool flush)
{
	struct lx_termios tio;

	if (copy_from_user(&tio, arg, sizeof(tio)))
		return -EFAULT;
	spin_lock(&console_waitq.lock);
	if ((tty.tio.c_lflag & ICANON) && !(tio.c_lflag & ICANON))
		commit_line();	/* leaving canonical mode: the partial line becomes input */
	tty.tio = tio;
	if (flush)
		tty.len = tty.eofs = tty.line_len = 0;
	spin_unlock(&console_waitq.lock);
	waitq_wake(&console_waitq, -1, 0);
	return 0;
}

static long tty_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct proc *p = current()->proc;
	int v, err;

	if (cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF || cmd == TCFLSH || cmd == TIOCSPGRP ||
	    cmd == TIOCSWINSZ) {
		err = job_check(SIGTTOU);
		if (err)
			return err;
	}
	switch (cmd) {
	case TCGETS:
		return copy_to_user(arg, &tty.tio, sizeof(tty.tio));
	case TCSETS:
	case TCSETSW:
		return set_termios(arg, false);
	case TCSETSF:
		return set_termios(arg, true);
	case TCFLSH:
		spin_lock(&console_waitq.lock);
		tty.len = tty.eofs = tty.line_len = 0;
		spin_unlock(&console_waitq.lock);
		return 0;
	case TIOCGWINSZ:
		return copy_to_user(arg, tty.ws, sizeof(tty.ws));
	case TIOCSWINSZ:
		return copy_from_user(tty.ws, arg, sizeof(tty.ws));
	case TIOCSCTTY:
		tty.sid = p->sid;
		tty.pgrp = p->pgid;
		return 0;
	case TIOCNOTTY:
		if (tty.sid == p->sid)
			tty.sid = tty.pgrp = 0;
		return 0;
	case TIOCGPGRP:
		v = tty.pgrp ? tty.pgrp : p->pgid;
		return copy_to_user(arg, &v, sizeof(v));
	case TIOCSPGRP:
		if (copy_from_user(&v, arg, sizeof(v)))
			return -EFAULT;
		if (v <= 0)
			return -EINVAL;
		tty.pgrp = v;
		if (!tty.sid)
			tty.sid = p->sid;
		return 0;
	case TIOCGSID:
		if (!tty.sid || tty.sid != p->sid)
			return -ENOTTY;	/* not the caller's controlling tty */
		return copy_to_user(arg, &tty.sid, sizeof(tty.sid));
	case FIONREAD:
		v = (int)tty.len;
		return copy_to_user(arg, &v, sizeof(v));
	default:
		return -ENOTTY;
	}
}

static unsigned tty_poll(struct file *f)
{
	return VFS_POLLOUT | (readable_locked() ? VFS_POLLIN : 0);
}

static struct waitq *tty_wait_queue(struct file *f, bool for_write)
{
	return for_write ? NULL : &console_waitq;
}

const struct file_ops lx_console_fops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
	.wait_queue = tty_wait_queue,
};

int lx_tty_session_gone(int sid)
{
	int pgrp = 0;

	spin_lock(&console_waitq.lock);
	if (tty.sid == sid) {
		pgrp = tty.pgrp;
		tty.sid = tty.pgrp = 0;
	}
	spin_unlock(&console_waitq.lock);
	return pgrp;
}

void lx_tty_init(void)
{
	console_rx_hook = tty_input;
}
