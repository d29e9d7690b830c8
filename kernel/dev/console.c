/*
 * NS16550 UART console. Output is polled (wait for the transmit holding
 * register, write one byte); '\n' goes out as "\r\n" like a tty with ONLCR.
 * Input arrives by interrupt: the handler hands each received byte to the tty
 * layer's hook under console_waitq.lock and then wakes parked readers. Line
 * editing and signals belong to the tty layer (kernel/linux/lx_tty.c).
 */
#include <dev/console.h>
#include <hal/irq.h>
#include <core/spinlock.h>

#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

struct waitq console_waitq;
static volatile uint8_t *uart;
static struct spinlock tx_lock = SPINLOCK_INIT("uart-tx");

static void putc_raw(char c)
{
	while (!(uart[LSR] & LSR_THRE))
		;
	uart[THR] = (uint8_t)c;
}

void (*console_rx_hook)(char c);

void console_write_raw(const char *s, size_t n)
{
	spin_lock(&tx_lock);
	for (size_t i = 0; i < n; i++)
		putc_raw(s[i]);
	spin_unlock(&tx_lock);
}

void console_write(const char *s, size_t n)
{
	spin_lock(&tx_lock);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
	spin_unlock(&tx_lock);
}

static void hook_write(const char *s, unsigned long n)
{
	console_write(s, n);
}

static void uart_irq(void *arg)
{
	int got = 0;

	(void)arg;
	spin_lock(&console_waitq.lock);
	while (uart[LSR] & LSR_DR) {
		char c = (char)uart[RBR];
		if (console_rx_hook)
			console_rx_hook(c);	/* no reader yet: the byte is dropped */
		got = 1;
	}
	spin_unlock(&console_waitq.lock);
	if (got)
		waitq_wake(&console_waitq, -1, 0);
}

void console_init(paddr_t base, unsigned irq)
{
	uart = hal_pa_to_kva(base);
	waitq_init(&console_waitq, "console");
	uart[IER] = 0;
	uart[FCR] = 0x07;	/* enable and clear the FIFOs */
	uart[LCR] = 0x03;	/* 8N1 */
	uart[MCR] = 0x08;	/* OUT2: lets the UART raise interrupts */
	hal_console_hook = hook_write;
	if (irq && hal_irq_register(irq, uart_irq, NULL) == 0)
		uart[IER] = 0x01;	/* interrupt on received data */
}
