/*
 * What a process's exit does to job control: a session leader's exit hangs
 * up its controlling terminal, and an exit may orphan process groups.
 *
 * A session leader that exits with the terminal as controlling tty sends
 * SIGHUP to the terminal's foreground group, and the terminal leaves the
 * session (lx_orphan_leader_exit, from proc_ops->exit, no lock held: the
 * tty's lock comes before the tree lock, since typed ^C signals a group).
 *
 * A process group is orphaned when no member has a parent in another group
 * of the same session: nobody is left who could continue a stopped job. As
 * on Linux, members whose parent is init or a zombie, and the exiting
 * process itself, do not count as links. When an exit orphans a group that
 * has a stopped member, every member gets SIGHUP and then SIGCONT. An exit
 * can orphan its own group (the exiting process was the link) and the
 * groups of its children (it was their parent in another group of the
 * session; they go to init).
 *
 * A member of an orphaned group is not stopped by SIGTSTP, SIGTTIN or SIGTTOU
 * (their default action is then to do nothing: lx_signal.c), and its
 * background reads and writes of the terminal fail with EIO (lx_tty.c).
 *
 * The orphan check runs from proc_exit through proc_ops->exit_tree, under
 * proc_tree_lock, before the exiting process's children are handed to init;
 * signals are sent under it (lx_send_signal allows that).
 */
#include <linux/lx.h>
#include <obj/proc_iter.h>

#define SIGHUP  1
#define SIGCONT 18
#define SI_KERNEL 0x80

struct orphan_scan {
	struct proc *exiting;
	int pgid;
	bool linked;	/* some member still has a parent outside, in the session */
	bool stopped;	/* some member is stopped */
};

/* Does live member m tie group pgid to its session, with s->exiting gone? */
static bool links_group(const struct orphan_scan *s, const struct proc *m)
{
	const struct proc *parent = m->parent;

	if (m == s->exiting || !parent || parent == s->exiting || parent == proc_init() ||
	    parent->state == PROC_ZOMBIE)
		return false;
	return parent->pgid != s->pgid && parent->sid == m->sid;
}

static int scan_member(struct proc *m, void *arg)
{
	struct orphan_scan *s = arg;

	if (m->pgid != s->pgid || m->state == PROC_ZOMBIE || m == s->exiting || !m->lx)
		return 0;
	if (__atomic_load_n(&lx_of(m)->stopped, __ATOMIC_ACQUIRE))
		s->stopped = true;
	s->linked = links_group(s, m);
	return s->linked;	/* one link is enough: stop looking */
}

struct group_signal {
	struct proc *exiting;
	int pgid, sig;
};

static int signal_member(struct proc *m, void *arg)
{
	struct group_signal *g = arg;
	struct lx_sigsrc src = {SI_KERNEL, 0, 0, 0};

	if (m->pgid == g->pgid && m != g->exiting && m->state != PROC_ZOMBIE)
		lx_send_signal(m, NULL, g->sig, &src);
	return 0;
}

/* Hang up group pgid if p's exit orphans it while a member is stopped. */
static void hangup_if_orphaned(struct proc *p, int pgid)
{
	struct orphan_scan s = {p, pgid, false, false};
	struct group_signal g = {p, pgid, SIGHUP};

	proc_foreach_locked(scan_member, &s);
	if (s.linked || !s.stopped)
		return;
	proc_foreach_locked(signal_member, &g);
	g.sig = SIGCONT;
	proc_foreach_locked(signal_member, &g);
}

bool lx_pgrp_orphaned(struct proc *p)
{
	struct orphan_scan s = {NULL, 0, false, false};

	spin_lock(&proc_tree_lock);
	s.pgid = p->pgid;
	proc_foreach_locked(scan_member, &s);
	spin_unlock(&proc_tree_lock);
	return !s.linked;
}

void lx_orphan_leader_exit(struct proc *p)
{
	int pgrp = p->pid == p->sid ? lx_tty_session_gone(p->sid) : 0;

	if (pgrp > 0)
		lx_signal_group(pgrp, SIGHUP);
}

void lx_orphan_exit_locked(struct proc *p)
{
	struct proc *parent = p->parent;
	struct list *it;

	if (parent && parent->pgid != p->pgid && parent->sid == p->sid)
		hangup_if_orphaned(p, p->pgid);
	list_for_each(it, &p->children) {
		struct proc *c = list_entry(it, struct proc, sibling);
		if (c->pgid != p->pgid && c->sid == p->sid && c->state != PROC_ZOMBIE)
			hangup_if_orphaned(p, c->pgid);
	}
}
