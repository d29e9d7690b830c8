/*
 * Intrusive circular doubly linked lists (the node is embedded in the object).
 * No locking: the owner of the list head documents which lock guards it.
 */
#ifndef CORE_LIST_H
#define CORE_LIST_H

#include <stddef.h>
#include <stdbool.h>

struct list {
	struct list *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each(it, head) for ((it) = (head)->next; (it) != (head); (it) = (it)->next)
#define list_for_each_safe(it, tmp, head)                                                          \
	for ((it) = (head)->next, (tmp) = (it)->next; (it) != (head); (it) = (tmp), (tmp) = (it)->next)

static inline void list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline bool list_empty(const struct list *l)
{
	return l->next == l;
}

static inline void list__insert(struct list *n, struct list *prev, struct list *next)
{
	n->next = next;
	n->prev = prev;
	prev->next = n;
	next->prev = n;
}

/* Append n at the tail (FIFO order with list_pop). */
static inline void list_add_tail(struct list *head, struct list *n)
{
	list__insert(n, head->prev, head);
}

static inline void list_add(struct list *head, struct list *n)
{
	list__insert(n, head, head->next);
}

/* Unlink n and leave it self-linked, so a second list_del is harmless. */
static inline void list_del(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* Remove and return the first node, or NULL when empty. */
static inline struct list *list_pop(struct list *head)
{
	struct list *n = head->next;
	if (n == head)
		return NULL;
	list_del(n);
	return n;
}

#endif
