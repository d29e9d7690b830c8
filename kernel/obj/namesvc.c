/*
 * The kernel's name service (model in obj/namesvc.h): a fixed table of
 * bindings searched linearly (it holds a handful of service names). Each
 * binding records its owner's pid; unbind and process exit free entries,
 * dropping the object references after the lock.
 */
#include <obj/namesvc.h>
#include <core/spinlock.h>
#include <weft/errno.h>

struct binding {
	char name[NAMESVC_NAME_MAX + 1];
	struct kobject *obj; /* reference, NULL when the entry is free */
	rights_t rights;
	int owner; /* pid of the process that bound it; 0: the kernel */
};

static struct spinlock ns_lock = SPINLOCK_INIT("namesvc");
static struct binding table[NAMESVC_MAX]; /* ns_lock */

static void ns_destroy(struct kobject *o)
{
	(void)o; /* static: never the last reference */
}

static const struct kobject_ops ns_ops = {
    .type = WEFT_OBJ_NAMESERVICE,
    .name = "namesvc",
    .destroy = ns_destroy,
};

static struct kobject ns_obj;

struct kobject *namesvc_obj(void)
{
	static int init; /* atomic: 0, 1 initialising, 2 ready */
	int zero = 0;

	if (__atomic_compare_exchange_n(&init, &zero, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		kobject_init(&ns_obj, &ns_ops); /* its one reference is never dropped */
		__atomic_store_n(&init, 2, __ATOMIC_RELEASE);
	}
	while (__atomic_load_n(&init, __ATOMIC_ACQUIRE) != 2)
		;
	return &ns_obj;
}

static bool name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '/' || c == '-';
		if (!ok || n >= NAMESVC_NAME_MAX)
			return false;
	}
	return n > 0;
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static struct binding *find_locked(const char *name)
{
	for (int i = 0; i < NAMESVC_MAX; i++)
		if (table[i].obj && same(table[i].name, name))
			return &table[i];
	return NULL;
}

int namesvc_bind(const char *name, struct kobject *obj, rights_t rights, int owner)
{
	struct binding *free = NULL;
	int err = 0;

	if (!name_ok(name))
		return -EINVAL;
	spin_lock(&ns_lock);
	if (find_locked(name)) {
		err = -EEXIST;
		goto out_unlock;
	}
	for (int i = 0; i < NAMESVC_MAX && !free; i++)
		if (!table[i].obj)
			free = &table[i];
	if (!free) {
		err = -ENOSPC;
		goto out_unlock;
	}
	size_t i = 0;
	for (; name[i]; i++)
		free->name[i] = name[i];
	free->name[i] = 0;
	kobject_get(obj);
	free->obj = obj;
	free->rights = rights;
	free->owner = owner;
out_unlock:
	spin_unlock(&ns_lock);
	return err;
}

int namesvc_resolve(const char *name, struct kobject **obj, rights_t *rights)
{
	int err = -ENOENT;

	spin_lock(&ns_lock);
	struct binding *b = find_locked(name);
	if (b) {
		kobject_get(b->obj);
		*obj = b->obj;
		*rights = b->rights;
		err = 0;
	}
	spin_unlock(&ns_lock);
	return err;
}

int namesvc_unbind(const char *name, int owner)
{
	struct kobject *gone = NULL;
	int err = -ENOENT;

	if (!name_ok(name))
		return -EINVAL;
	spin_lock(&ns_lock);
	struct binding *b = find_locked(name);
	if (b && (b->owner != owner || owner == 0)) {
		err = -EPERM;
	} else if (b) {
		gone = b->obj;
		b->obj = NULL;
		err = 0;
	}
	spin_unlock(&ns_lock);
	kobject_put(gone);
	return err;
}

void namesvc_proc_exit(int pid)
{
	struct kobject *gone;

	if (pid == 0)
		return;
	do { /* one at a time: each reference is dropped outside the lock */
		gone = NULL;
		spin_lock(&ns_lock);
		for (int i = 0; i < NAMESVC_MAX && !gone; i++)
			if (table[i].obj && table[i].owner == pid) {
				gone = table[i].obj;
				table[i].obj = NULL;
			}
		spin_unlock(&ns_lock);
		kobject_put(gone);
	} while (gone);
}
