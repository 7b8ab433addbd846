/* \summary: joining packets to sockets and processes (socket cookie, tuple) */
#include "config.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "record/attr.h"

#define PROC_BUCKETS 16384u
#define SOCK_BUCKETS 65536u         /* per index; chains stay short under the cap */

static const uint8_t zero_addr[16];

struct sock_key {
	uint8_t proto, family;
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
};

struct attr {
	const struct usertab *users;
	struct attr_proc *procs[PROC_BUCKETS];
	uint32_t n_procs;
	struct attr_sock *by_cookie[SOCK_BUCKETS], *by_tuple[SOCK_BUCKETS], *by_local[SOCK_BUCKETS];
	struct attr_sock *lru_head, *lru_tail;   /* head = most recently used */
	uint32_t n_socks;
	struct attr_stats st;
	/* the last packet's answer: bulk traffic asks about one tuple many times
	 * in a row; any change to the tables invalidates it */
	uint64_t gen, cached_gen;
	struct ip_endpoints cached_ep;
	struct attr_result cached;
	bool cached_found;
};

const char *attr_how_name(enum attr_how how)
{
	switch (how) {
	case ATTR_HOW_EBPF: return "ebpf";
	case ATTR_HOW_SNAPSHOT: return "snapshot";
	case ATTR_HOW_PROCFS: return "procfs";
	}
	return "unknown";
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint32_t key_bucket(const struct sock_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (uint32_t)(mix64(h) % SOCK_BUCKETS);
}

static uint32_t cookie_bucket(uint64_t cookie)
{
	return (uint32_t)(mix64(cookie) % SOCK_BUCKETS);
}

/* An IPv4-mapped IPv6 address (dual-stack socket) is keyed as IPv4, as the
 * decoder reports such packets. */
static void norm_addr(uint8_t family, const uint8_t in[16], uint8_t *fam_out, uint8_t out[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(out, 0, 16);
	if (family == AF_INET6 && memcmp(in, mapped, 12) == 0) {
		memcpy(out, in + 12, 4);
		*fam_out = AF_INET;
	} else if (family == AF_INET) {
		memcpy(out, in, 4);
		*fam_out = AF_INET;
	} else {
		memcpy(out, in, 16);
		*fam_out = AF_INET6;
	}
}

static void make_key(struct sock_key *k, uint8_t proto, uint8_t family, const uint8_t laddr[16],
		     uint16_t lport, const uint8_t raddr[16], uint16_t rport)
{
	memset(k, 0, sizeof(*k));
	k->proto = proto;
	k->family = family;
	k->lport = lport;
	k->rport = rport;
	memcpy(k->laddr, laddr, 16);
	if (raddr != NULL)
		memcpy(k->raddr, raddr, 16);
}

static void sock_tuple_key(const struct attr_sock *s, struct sock_key *k)
{
	make_key(k, s->ip_proto, s->family, s->laddr, s->lport, s->raddr, s->rport);
}

static void sock_local_key(const struct attr_sock *s, struct sock_key *k)
{
	make_key(k, s->ip_proto, s->family, s->laddr, s->lport, NULL, 0);
}

/* ------------------------------------------------------------ processes */

static struct attr_proc **proc_slot(struct attr *a, uint32_t pid)
{
	return &a->procs[mix64(pid) % PROC_BUCKETS];
}

static struct attr_proc *proc_find(struct attr *a, uint32_t pid)
{
	for (struct attr_proc *p = *proc_slot(a, pid); p != NULL; p = p->next_pid)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void proc_destroy(struct attr *a, struct attr_proc *p)
{
	proc_desc_free(&p->d);
	free(p);
	a->n_procs--;
}

/* Drops a reference a socket held; frees an image nobody can reach. */
static void proc_unref(struct attr *a, struct attr_proc *p)
{
	if (p == NULL || --p->refs > 0)
		return;
	if (proc_find(a, p->pid) != p)
		proc_destroy(a, p);
}

static void proc_unlink(struct attr *a, struct attr_proc *p)
{
	struct attr_proc **pp = proc_slot(a, p->pid);

	for (; *pp != NULL; pp = &(*pp)->next_pid) {
		if (*pp == p) {
			*pp = p->next_pid;
			p->next_pid = NULL;
			return;
		}
	}
}

/* Frees exited images no socket refers to until under the cap. */
static void proc_evict(struct attr *a)
{
	for (uint32_t b = 0; b < PROC_BUCKETS && a->n_procs >= ATTR_MAX_PROCS; b++) {
		struct attr_proc **pp = &a->procs[b];

		while (*pp != NULL) {
			struct attr_proc *p = *pp;

			if (p->exited && p->refs == 0) {
				*pp = p->next_pid;
				proc_destroy(a, p);
				a->st.procs_evicted++;
				continue;
			}
			pp = &p->next_pid;
		}
	}
}

/* Makes p the current image of its pid (the previous one stays reachable
 * through the sockets that reference it). */
static void proc_install(struct attr *a, struct attr_proc *p)
{
	struct attr_proc *old = proc_find(a, p->pid);

	if (old != NULL) {
		proc_unlink(a, old);
		if (old->refs == 0)
			proc_destroy(a, old);
	}
	p->next_pid = *proc_slot(a, p->pid);
	*proc_slot(a, p->pid) = p;
	a->st.procs_seen++;
}

static struct attr_proc *proc_alloc(struct attr *a, uint32_t pid)
{
	struct attr_proc *p;

	if (a->n_procs >= ATTR_MAX_PROCS)
		proc_evict(a);
	if (a->n_procs >= ATTR_MAX_PROCS)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->pid = pid;
	a->n_procs++;
	return p;
}

/* Describes pid from /proc; when it is already gone, from what the event
 * said (comm, executed path). */
static void proc_describe(struct attr *a, struct attr_proc *p, const char *comm, const char *exe)
{
	if (proc_read(p->pid, a->users, &p->d) == 0) {
		if (p->d.exe == NULL && exe != NULL && exe[0] != '\0')
			p->d.exe = strdup(exe);
		return;
	}
	a->st.proc_read_failed++;
	memset(&p->d, 0, sizeof(p->d));
	p->d.pid = p->pid;
	if (comm != NULL)
		snprintf(p->d.comm, sizeof(p->d.comm), "%s", comm);
	if (exe != NULL && exe[0] != '\0') {
		p->d.exe = strdup(exe);
		p->d.cmdline = strdup(exe);
		p->d.cmdline_len = p->d.cmdline ? strlen(exe) : 0;
	}
}

/* The current image of pid, read from /proc when unknown. */
static struct attr_proc *proc_get(struct attr *a, uint32_t pid, uint32_t tid, const char *comm,
				  enum attr_how how, int64_t now_ns)
{
	struct attr_proc *p = proc_find(a, pid);

	if (p != NULL && !p->exited)
		return p;
	p = proc_alloc(a, pid);
	if (p == NULL)
		return NULL;
	proc_describe(a, p, comm, NULL);
	p->tid = tid ? tid : pid;
	p->how = how;
	p->start_ns = p->d.start_ns ? p->d.start_ns : now_ns;
	proc_install(a, p);
	return p;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = malloc(n + 1);
	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* fork: the child runs its parent's image until it calls exec. */
static void on_fork(struct attr *a, const struct attr_event *ev)
{
	struct attr_proc *parent = proc_get(a, ev->pid, ev->tid, ev->comm, ATTR_HOW_EBPF, ev->ts_ns);
	struct attr_proc *c = proc_alloc(a, ev->child_pid);

	if (c == NULL)
		return;
	c->tid = ev->child_pid;
	c->how = ATTR_HOW_EBPF;
	c->start_ns = ev->ts_ns;
	c->d.pid = ev->child_pid;
	if (parent != NULL) {
		const struct proc_desc *pd = &parent->d;

		memcpy(c->d.comm, pd->comm, sizeof(c->d.comm));
		c->d.ppid = parent->pid;
		c->d.has_ppid = true;
		c->d.uid = pd->uid;
		c->d.has_uid = pd->has_uid;
		c->d.exe = pd->exe ? strdup(pd->exe) : NULL;
		c->d.cmdline = dup_bytes(pd->cmdline, pd->cmdline_len);
		c->d.cmdline_len = c->d.cmdline ? pd->cmdline_len : 0;
		c->d.user = pd->user ? strdup(pd->user) : NULL;
		c->d.cgroup = pd->cgroup ? strdup(pd->cgroup) : NULL;
		c->d.container = pd->container ? strdup(pd->container) : NULL;
	} else {
		snprintf(c->d.comm, sizeof(c->d.comm), "%s", ev->comm);
	}
	c->d.start_ns = ev->ts_ns;
	proc_install(a, c);
}

/* exec: a new image under the same pid, described from /proc at once. */
static void on_exec(struct attr *a, const struct attr_event *ev)
{
	struct attr_proc *p = proc_alloc(a, ev->pid);

	if (p == NULL)
		return;
	proc_describe(a, p, ev->comm, ev->filename);
	p->tid = ev->tid ? ev->tid : ev->pid;
	p->how = ATTR_HOW_EBPF;
	p->start_ns = ev->ts_ns;
	if (ev->ppid != 0 && !p->d.has_ppid) {
		p->d.ppid = ev->ppid;
		p->d.has_ppid = true;
	}
	proc_install(a, p);
}

/* The kernel's copy of an exec's arguments: kept when /proc could not be
 * read (the process was already gone) or gave less. The exec's image is
 * the current one of the pid, the event comes right after its EXEC. */
static void on_argv_ev(struct attr *a, const struct attr_event *ev)
{
	struct attr_proc *p = proc_find(a, ev->pid);
	size_t n = ev->argv_len;
	char *c;

	if (p == NULL || ev->argv == NULL || n == 0)
		return;
	while (n > 0 && ev->argv[n - 1] == '\0')
		n--;   /* as /proc/PID/cmdline, without the final NUL */
	if (n == 0 || (p->d.cmdline != NULL && p->d.cmdline_len >= n))
		return;
	c = dup_bytes(ev->argv, n);
	if (c == NULL)
		return;
	free(p->d.cmdline);
	p->d.cmdline = c;
	p->d.cmdline_len = n;
}

static void on_exit_ev(struct attr *a, const struct attr_event *ev)
{
	struct attr_proc *p = proc_find(a, ev->pid);

	if (p != NULL && !p->exited) {
		p->exited = true;
		p->exit_ns = ev->ts_ns;
	}
}

/* ------------------------------------------------------------ sockets */

static void lru_unlink(struct attr *a, struct attr_sock *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else
		a->lru_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else
		a->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_front(struct attr *a, struct attr_sock *s)
{
	if (a->lru_head == s)
		return;
	if (s->lru_prev || s->lru_next || a->lru_tail == s)
		lru_unlink(a, s);
	s->lru_next = a->lru_head;
	if (a->lru_head)
		a->lru_head->lru_prev = s;
	a->lru_head = s;
	if (a->lru_tail == NULL)
		a->lru_tail = s;
}

/* Removes s from a chain linked through the member at offset off. */
static void chain_remove(struct attr_sock **head, struct attr_sock *s, size_t off)
{
	for (struct attr_sock **pp = head; *pp != NULL;
	     pp = (struct attr_sock **)((char *)*pp + off)) {
		if (*pp == s) {
			*pp = *(struct attr_sock **)((char *)s + off);
			return;
		}
	}
}

static void unindex_tuple(struct attr *a, struct attr_sock *s)
{
	struct sock_key k;

	if (s->in_tuple) {
		sock_tuple_key(s, &k);
		chain_remove(&a->by_tuple[key_bucket(&k)], s, offsetof(struct attr_sock, next_tuple));
		s->in_tuple = false;
	}
	if (s->in_local) {
		sock_local_key(s, &k);
		chain_remove(&a->by_local[key_bucket(&k)], s, offsetof(struct attr_sock, next_local));
		s->in_local = false;
	}
}

static void sock_destroy(struct attr *a, struct attr_sock *s)
{
	a->gen++;
	unindex_tuple(a, s);
	chain_remove(&a->by_cookie[cookie_bucket(s->cookie)], s,
		     offsetof(struct attr_sock, next_cookie));
	lru_unlink(a, s);
	proc_unref(a, s->owner);
	free(s);
	a->n_socks--;
}

static struct attr_sock *sock_find(struct attr *a, uint64_t cookie)
{
	for (struct attr_sock *s = a->by_cookie[cookie_bucket(cookie)]; s; s = s->next_cookie)
		if (s->cookie == cookie)
			return s;
	return NULL;
}

static struct attr_sock *sock_get(struct attr *a, uint64_t cookie, uint8_t proto)
{
	struct attr_sock *s = sock_find(a, cookie);
	uint32_t b;

	if (s != NULL) {
		lru_front(a, s);
		return s;
	}
	if (a->n_socks >= ATTR_MAX_SOCKS && a->lru_tail != NULL) {
		sock_destroy(a, a->lru_tail);
		a->st.socks_evicted++;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->cookie = cookie;
	s->ip_proto = proto;
	b = cookie_bucket(cookie);
	s->next_cookie = a->by_cookie[b];
	a->by_cookie[b] = s;
	lru_front(a, s);
	a->n_socks++;
	a->st.socks_seen++;
	return s;
}

static void sock_set_owner(struct attr *a, struct attr_sock *s, struct attr_proc *p,
			   enum attr_how how)
{
	if (p == NULL || s->owner == p)
		return;
	proc_unref(a, s->owner);
	s->owner = p;
	s->how = how;
	p->refs++;
	s->written_seq = 0;   /* the new owner needs a new socket record */
}

/* Indexes s under its addresses: the full tuple when the remote end is
 * known. A newer socket with the same key shadows an older one. */
static void sock_index(struct attr *a, struct attr_sock *s)
{
	struct sock_key k;
	uint32_t b;

	if (s->has_tuple) {
		sock_tuple_key(s, &k);
		b = key_bucket(&k);
		s->next_tuple = a->by_tuple[b];
		a->by_tuple[b] = s;
		s->in_tuple = true;
	}
	/* by local end: listeners and UDP sockets (which may receive from anyone);
	 * a connected TCP socket is found by its tuple only, so an accepted
	 * socket never shadows its listener */
	if (s->lport != 0 && (s->ip_proto != IPPROTO_TCP || !s->has_tuple)) {
		sock_local_key(s, &k);
		b = key_bucket(&k);
		s->next_local = a->by_local[b];
		a->by_local[b] = s;
		s->in_local = true;
	}
}

static void sock_set_addrs(struct attr *a, struct attr_sock *s, uint8_t family,
			   const uint8_t laddr[16], uint16_t lport, const uint8_t raddr[16],
			   uint16_t rport)
{
	uint8_t lf, rf, l[16], r[16];

	norm_addr(family, laddr, &lf, l);
	norm_addr(family, raddr, &rf, r);
	if (rport != 0 && rf != lf && memcmp(l, zero_addr, 16) != 0)
		return;   /* mixed families: not a tuple a packet can have */
	if (memcmp(l, zero_addr, 16) == 0 && rport != 0)
		lf = rf;   /* an unbound local address takes the remote's family */
	if (s->in_tuple || s->in_local) {
		if (s->family == lf && s->lport == lport && s->rport == rport &&
		    memcmp(s->laddr, l, 16) == 0 && memcmp(s->raddr, r, 16) == 0)
			return;
		unindex_tuple(a, s);
	}
	s->family = lf;
	memcpy(s->laddr, l, 16);
	memcpy(s->raddr, r, 16);
	s->lport = lport;
	s->rport = rport;
	s->has_tuple = rport != 0 && memcmp(r, zero_addr, 16) != 0;
	sock_index(a, s);
}

static struct attr_sock *find_key(struct attr_sock *head, size_t off, const struct sock_key *k,
				  bool tuple)
{
	for (struct attr_sock *s = head; s; s = *(struct attr_sock **)((char *)s + off)) {
		struct sock_key sk;

		if (tuple)
			sock_tuple_key(s, &sk);
		else
			sock_local_key(s, &sk);
		if (memcmp(&sk, k, sizeof(sk)) == 0)
			return s;
	}
	return NULL;
}

static struct attr_sock *lookup_tuple(struct attr *a, uint8_t proto, uint8_t family,
				      const uint8_t l[16], uint16_t lp, const uint8_t r[16],
				      uint16_t rp)
{
	struct sock_key k;

	make_key(&k, proto, family, l, lp, r, rp);
	return find_key(a->by_tuple[key_bucket(&k)], offsetof(struct attr_sock, next_tuple), &k,
			true);
}

/* A socket bound to l:lp, or to the wildcard address on lp. */
static struct attr_sock *lookup_local(struct attr *a, uint8_t proto, uint8_t family,
				      const uint8_t l[16], uint16_t lp)
{
	struct sock_key k;
	struct attr_sock *s;

	make_key(&k, proto, family, l, lp, NULL, 0);
	s = find_key(a->by_local[key_bucket(&k)], offsetof(struct attr_sock, next_local), &k, false);
	if (s != NULL)
		return s;
	make_key(&k, proto, family, zero_addr, lp, NULL, 0);
	return find_key(a->by_local[key_bucket(&k)], offsetof(struct attr_sock, next_local), &k,
			false);
}

/* An accepted socket belongs to whoever owns the listener on its port. */
static void inherit_listener(struct attr *a, struct attr_sock *s)
{
	struct attr_sock *l;

	if (s->owner != NULL || s->lport == 0)
		return;
	l = lookup_local(a, s->ip_proto, s->family, s->laddr, s->lport);
	if (l != NULL && l != s && l->owner != NULL)
		sock_set_owner(a, s, l->owner, l->how);
}

static void on_sock_owner(struct attr *a, const struct attr_event *ev)
{
	struct attr_sock *s = sock_get(a, ev->cookie, ev->ip_proto);
	struct attr_proc *p;

	if (s == NULL)
		return;
	if (ev->ip_proto)
		s->ip_proto = ev->ip_proto;
	p = proc_get(a, ev->pid, ev->tid, ev->comm, ATTR_HOW_EBPF, ev->ts_ns);
	/* the latest process to act on a socket owns what it sends next
	 * (a child writing to an inherited socket) */
	sock_set_owner(a, s, p, ATTR_HOW_EBPF);
	if (ev->listener)
		s->listener = true;
	if (ev->hook == ATTR_HOOK_POST_BIND && ev->lport != 0)
		sock_set_addrs(a, s, ev->family, ev->laddr, ev->lport, s->raddr, s->rport);
	else if ((ev->hook == ATTR_HOOK_CONNECT || ev->hook == ATTR_HOOK_SENDMSG) &&
		 ev->rport != 0 && s->lport != 0)
		sock_set_addrs(a, s, ev->family, s->laddr, s->lport, ev->raddr, ev->rport);
}

static void on_sock_tuple(struct attr *a, const struct attr_event *ev)
{
	struct attr_sock *s = sock_get(a, ev->cookie, ev->ip_proto);

	if (s == NULL)
		return;
	if (ev->ip_proto)
		s->ip_proto = ev->ip_proto;
	if (s->ip_proto == IPPROTO_TCP && s->listener) {
		/* a listener sees each SYN, but keeps no remote end */
		if (ev->hook != ATTR_HOOK_SOCKOPS_ACTIVE)
			return;
		s->listener = false;   /* it was a client that bound first */
	}
	sock_set_addrs(a, s, ev->family, ev->laddr, ev->lport, ev->raddr, ev->rport);
	inherit_listener(a, s);
}

void attr_event(struct attr *a, const struct attr_event *ev)
{
	a->gen++;
	a->st.events++;
	switch (ev->type) {
	case ATTR_EV_SOCK_OWNER:
		on_sock_owner(a, ev);
		break;
	case ATTR_EV_SOCK_TUPLE:
		on_sock_tuple(a, ev);
		break;
	case ATTR_EV_EXEC:
		on_exec(a, ev);
		break;
	case ATTR_EV_FORK:
		on_fork(a, ev);
		break;
	case ATTR_EV_EXIT:
		on_exit_ev(a, ev);
		break;
	case ATTR_EV_ARGV:
		on_argv_ev(a, ev);
		break;
	case ATTR_EV_ACCEPT:
		break;   /* accepted sockets inherit the listener's owner */
	}
}

void attr_snapshot(struct attr *a, const struct snap_sock *ss, size_t n, enum attr_how how,
		   int64_t now_ns)
{
	a->gen++;
	for (size_t i = 0; i < n; i++) {
		const struct snap_sock *x = &ss[i];
		struct attr_sock *s = sock_get(a, x->cookie, x->ip_proto);

		if (s == NULL)
			continue;
		if (s->owner == NULL && x->pid != 0)
			sock_set_owner(a, s, proc_get(a, x->pid, x->pid, NULL, how, now_ns), how);
		if (x->listener)
			s->listener = true;
		if (!s->has_tuple)
			sock_set_addrs(a, s, x->family, x->laddr, x->lport, x->raddr, x->rport);
	}
}

static bool found(struct attr_sock *s, bool outbound, int64_t ts_ns, struct attr *a,
		  struct attr_result *r)
{
	if (s == NULL)
		return false;
	r->sock = s;
	r->proc = s->owner;
	r->outbound = outbound;
	if (s->first_ns == 0 || ts_ns < s->first_ns)
		s->first_ns = ts_ns;
	if (ts_ns > s->last_ns)
		s->last_ns = ts_ns;
	lru_front(a, s);
	return true;
}

static bool lookup_uncached(struct attr *a, const struct ip_endpoints *ep, int64_t ts_ns,
			    struct attr_result *r);

bool attr_lookup(struct attr *a, const struct ip_endpoints *ep, int64_t ts_ns,
		 struct attr_result *r)
{
	uint8_t p = ep->proto;

	memset(r, 0, sizeof(*r));
	if (ep->version == 0 || (p != IPPROTO_TCP && p != IPPROTO_UDP))
		return false;
	if (a->cached_gen == a->gen && a->gen != 0 && memcmp(ep, &a->cached_ep, sizeof(*ep)) == 0) {
		if (!a->cached_found)
			return false;
		return found(a->cached.sock, a->cached.outbound, ts_ns, a, r);
	}
	a->cached_found = lookup_uncached(a, ep, ts_ns, r);
	a->cached = *r;
	a->cached_ep = *ep;
	a->cached_gen = a->gen;
	return a->cached_found;
}

static bool lookup_uncached(struct attr *a, const struct ip_endpoints *ep, int64_t ts_ns,
			    struct attr_result *r)
{
	uint8_t fam = ep->version == 4 ? AF_INET : AF_INET6;
	uint8_t p = ep->proto;

	/* the sender first: when both ends are local each direction is its sender's */
	if (found(lookup_tuple(a, p, fam, ep->src, ep->sport, ep->dst, ep->dport), true, ts_ns, a, r))
		return true;
	if (found(lookup_tuple(a, p, fam, ep->dst, ep->dport, ep->src, ep->sport), false, ts_ns, a,
		  r))
		return true;
	if (found(lookup_local(a, p, fam, ep->src, ep->sport), true, ts_ns, a, r))
		return true;
	return found(lookup_local(a, p, fam, ep->dst, ep->dport), false, ts_ns, a, r);
}

void attr_each_live_sock(struct attr *a, int64_t now_ns, int64_t window_ns,
			 void (*fn)(void *ctx, struct attr_sock *s), void *ctx)
{
	for (struct attr_sock *s = a->lru_head; s != NULL; s = s->lru_next) {
		bool recent = s->last_ns != 0 && now_ns - s->last_ns <= window_ns;

		if (s->owner != NULL && (recent || (!s->owner->exited && s->last_ns != 0)))
			fn(ctx, s);
	}
}

struct attr *attr_new(const struct usertab *users)
{
	struct attr *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->users = users;
	return a;
}

void attr_free(struct attr *a)
{
	if (a == NULL)
		return;
	while (a->lru_head != NULL)
		sock_destroy(a, a->lru_head);
	for (uint32_t b = 0; b < PROC_BUCKETS; b++) {
		while (a->procs[b] != NULL) {
			struct attr_proc *p = a->procs[b];

			a->procs[b] = p->next_pid;
			proc_destroy(a, p);
		}
	}
	free(a);
}

void attr_get_stats(const struct attr *a, struct attr_stats *s)
{
	*s = a->st;
}
