/*
 * The console as a Linux character device (/dev/console, /dev/tty): write goes
 * to the UART; read returns the bytes typed so far, or -EAGAIN when there are
 * none, and the caller parks on console_waitq. The termios ioctls answer with a
 * fixed raw-ish line discipline until the tty layer arrives; TIOCGWINSZ reports
 * 80x24.
 */
#include <linux/lx.h>
#include <dev/console.h>
#include <lib/string.h>

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413

struct lx_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line, c_cc[19];
	uint32_t ispeed, ospeed;
};

static int con_read(struct file *f, struct uio *uio)
{
	char buf[128];
	size_t n = uio->resid < sizeof(buf) ? uio->resid : sizeof(buf);
	size_t got = console_read(buf, n);

	if (!got)
		return n ? -EAGAIN : 0;
	return uio_move(buf, got, uio, true);
}

static int con_write(struct file *f, struct uio *uio)
{
	char buf[256];

	while (uio->resid) {
		size_t n = uio->resid < sizeof(buf) ? uio->resid : sizeof(buf);
		int err = uio_move(buf, n, uio, false);
		if (err)
			return err;
		console_write(buf, n);
	}
	return 0;
}

static long con_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct lx_termios tio;
	uint16_t ws[4] = { 24, 80, 0, 0 };

	switch (cmd) {
	case TIOCGWINSZ:
		return copy_to_user(arg, ws, sizeof(ws));
	case TCGETS:
		memset(&tio, 0, sizeof(tio));
		tio.c_iflag = 0x500;	/* ICRNL | IXON */
		tio.c_oflag = 0x5;	/* OPOST | ONLCR */
		tio.c_cflag = 0xbf;	/* B38400 | CS8 | CREAD */
		tio.c_lflag = 0x8a3b;	/* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
		tio.c_cc[0] = 3;	/* VINTR */
		tio.c_cc[2] = 0x7f;	/* VERASE */
		tio.c_cc[4] = 4;	/* VEOF */
		return copy_to_user(arg, &tio, sizeof(tio));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return copy_from_user(&tio, arg, sizeof(tio));
	default:
		return -ENOTTY;
	}
}

static unsigned con_poll(struct file *f)
{
	return VFS_POLLOUT | (console_input_ready() ? VFS_POLLIN : 0);
}

static struct waitq *con_wait_queue(struct file *f, bool for_write)
{
	return for_write ? NULL : &console_waitq;
}

const struct file_ops lx_console_fops = {
	.read = con_read,
	.write = con_write,
	.ioctl = con_ioctl,
	.poll = con_poll,
	.wait_queue = con_wait_queue,
};
