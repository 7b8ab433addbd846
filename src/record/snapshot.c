/* \summary: sockets that existed before recording: inet_diag plus /proc fd owners */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/sock_diag.h>

#include "record/snapshot.h"
#include "util/cur.h"
#include "util/array.h"

/* include/net/tcp_states.h */
#define TCP_STATE_ESTABLISHED 1
#define TCP_STATE_LISTEN 10
#define TCP_STATE_NEW_SYN_RECV 12

#define DIAG_RECV_BYTES 65536u        /* one netlink read; the kernel fills at most this */
#define DIAG_RECV_TIMEOUT_SEC 5
#define FD_LINK_BYTES 64u             /* "socket:[4294967295]" fits */
#define NETNS_DIR "/run/netns"
#define MIN_SOCKETS 256u              /* first size of a socket list */

/* ---- the inode -> owner table */

struct owner_slot {
	uint32_t inode;      /* 0: free (socket inodes are never 0) */
	uint32_t pid;        /* lowest pid holding it */
	uint32_t n_holders;
	uint32_t last_pid;   /* the process that last counted it, to count a process once */
};

struct sock_owners {
	struct owner_slot *slot;
	size_t size;         /* a power of two, at least twice count */
	size_t count;
	bool capped;
};

static size_t owner_hash(uint32_t inode, size_t size)
{
	return (size_t)((inode * 2654435761u) & (uint32_t)(size - 1));
}

struct sock_owners *sock_owners_new(void)
{
	struct sock_owners *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->size = 1024;
	o->slot = calloc(o->size, sizeof(o->slot[0]));
	if (o->slot == NULL) {
		free(o);
		return NULL;
	}
	return o;
}

void sock_owners_free(struct sock_owners *o)
{
	if (o == NULL)
		return;
	free(o->slot);
	free(o);
}

size_t sock_owners_count(const struct sock_owners *o)
{
	return o->count;
}

static struct owner_slot *owner_lookup(const struct sock_owners *o, uint32_t inode)
{
	size_t i = owner_hash(inode, o->size);

	while (o->slot[i].inode != 0 && o->slot[i].inode != inode)
		i = (i + 1) & (o->size - 1);
	return &o->slot[i];
}

static int owners_grow(struct sock_owners *o)
{
	struct sock_owners bigger = { .size = o->size * 2 };

	bigger.slot = calloc(bigger.size, sizeof(bigger.slot[0]));
	if (bigger.slot == NULL)
		return -1;
	for (size_t i = 0; i < o->size; i++)
		if (o->slot[i].inode != 0)
			*owner_lookup(&bigger, o->slot[i].inode) = o->slot[i];
	free(o->slot);
	o->slot = bigger.slot;
	o->size = bigger.size;
	return 0;
}

static int owners_add(struct sock_owners *o, uint32_t inode, uint32_t pid)
{
	struct owner_slot *s = owner_lookup(o, inode);

	if (s->inode == inode) {
		if (s->last_pid != pid) {
			s->n_holders++;
			s->last_pid = pid;
			if (pid < s->pid)
				s->pid = pid;
		}
		return 0;
	}
	if (o->count >= SOCK_OWNERS_MAX) {
		o->capped = true;
		return 0;
	}
	if ((o->count + 1) * 2 > o->size) {
		if (owners_grow(o) < 0)
			return -1;
		s = owner_lookup(o, inode);
	}
	*s = (struct owner_slot){ .inode = inode, .pid = pid, .n_holders = 1, .last_pid = pid };
	o->count++;
	return 0;
}

bool sock_owners_find(const struct sock_owners *o, uint32_t inode, uint32_t *pid, uint32_t *n_holders)
{
	const struct owner_slot *s;

	if (inode == 0)
		return false;
	s = owner_lookup(o, inode);
	if (s->inode != inode)
		return false;
	if (pid != NULL)
		*pid = s->pid;
	if (n_holders != NULL)
		*n_holders = s->n_holders;
	return true;
}

/* Parses a decimal name (a pid or fd number); false for anything else. */
static bool parse_dec_name(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* The inode of a "socket:[N]" link target; false for other targets. */
static bool parse_socket_link(const char *link, size_t len, uint32_t *inode)
{
	static const char prefix[] = "socket:[";
	char num[16];
	size_t digits;

	if (len < sizeof(prefix) + 1 || memcmp(link, prefix, sizeof(prefix) - 1) != 0 ||
	    link[len - 1] != ']')
		return false;
	digits = len - (sizeof(prefix) - 1) - 1;
	if (digits == 0 || digits >= sizeof(num))
		return false;
	memcpy(num, link + sizeof(prefix) - 1, digits);
	num[digits] = '\0';
	return parse_dec_name(num, inode) && *inode != 0;
}

/* Adds the sockets of one process. Unreadable fd tables are skipped. */
static int owners_scan_pid(struct sock_owners *o, int procfd, uint32_t pid)
{
	char path[32], link[FD_LINK_BYTES];
	struct dirent *de;
	DIR *dir;
	int dfd;

	snprintf(path, sizeof(path), "%" PRIu32 "/fd", pid);
	dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		uint32_t fdnum, inode;
		ssize_t len;

		if (!parse_dec_name(de->d_name, &fdnum))
			continue;
		len = readlinkat(dfd, de->d_name, link, sizeof(link));
		if (len <= 0 || (size_t)len >= sizeof(link) || !parse_socket_link(link, (size_t)len, &inode))
			continue;
		if (owners_add(o, inode, pid) < 0) {
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	return 0;
}

int sock_owners_scan(struct sock_owners *o, char *err, size_t errlen)
{
	struct dirent *de;
	DIR *proc;
	int rc = 0;

	memset(o->slot, 0, o->size * sizeof(o->slot[0]));
	o->count = 0;
	o->capped = false;
	if ((proc = opendir("/proc")) == NULL) {
		snprintf(err, errlen, "/proc: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(proc)) != NULL) {
		uint32_t pid;

		if (!parse_dec_name(de->d_name, &pid) || pid == 0)
			continue;
		if (owners_scan_pid(o, dirfd(proc), pid) < 0) {
			snprintf(err, errlen, "socket owner scan: out of memory");
			rc = -1;
			break;
		}
	}
	closedir(proc);
	if (rc == 0 && o->capped) {
		snprintf(err, errlen, "socket owner scan: more than %u sockets, some owners unknown",
			 SOCK_OWNERS_MAX);
		rc = 1;
	}
	return rc;
}

void snapshot_set_owners(struct snap_sock *s, size_t n, const struct sock_owners *o)
{
	for (size_t i = 0; i < n; i++) {
		s[i].pid = 0;
		s[i].n_holders = 0;
		sock_owners_find(o, s[i].inode, &s[i].pid, &s[i].n_holders);
	}
}

/* ---- inet_diag */

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static int list_push(struct snap_list *l, const struct inet_diag_msg *m, uint8_t proto, uint32_t netns)
{
	struct snap_sock *s;

	if (l->n >= SNAP_MAX_SOCKETS) {
		l->truncated = true;
		return 0;
	}
	if (!ARRAY_RESERVE(l->v, l->cap, l->n + 1, MIN_SOCKETS))
		return -1;
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	s->family = m->idiag_family;
	s->ip_proto = proto;
	s->tcp_state = m->idiag_state;
	memcpy(s->laddr, m->id.idiag_src, sizeof(s->laddr));
	memcpy(s->raddr, m->id.idiag_dst, sizeof(s->raddr));
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	s->inode = m->idiag_inode;
	s->uid = m->idiag_uid;
	s->netns = netns;
	if (proto == IPPROTO_TCP)
		s->listener = m->idiag_state == TCP_STATE_LISTEN;
	else
		s->listener = s->lport != 0 && s->rport == 0 && all_zero(s->raddr, sizeof(s->raddr));
	return 0;
}

/* The error message of an NLMSG_ERROR reply (its payload: struct nlmsgerr). */
static void diag_error(struct cur payload, const struct snap_diag_query *q, char *err, size_t errlen)
{
	struct nlmsgerr e;
	int code = EPROTO;

	if (cur_copy(&payload, &e, sizeof(e)) && e.error != INT_MIN)
		code = -e.error;
	snprintf(err, errlen, "inet_diag dump (family %u, protocol %u): %s",
		 q->family, q->ip_proto, strerror(code));
}

/* One netlink message of the dump. Returns 1 at the end, 0 to go on, -1 on error. */
static int diag_msg(const struct nlmsghdr *h, struct cur payload, const struct snap_diag_query *q,
		    struct snap_list *l, char *err, size_t errlen)
{
	struct inet_diag_msg m;

	if (h->nlmsg_type == NLMSG_DONE)
		return 1;
	if (h->nlmsg_type == NLMSG_ERROR) {
		diag_error(payload, q, err, errlen);
		return -1;
	}
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || !cur_copy(&payload, &m, sizeof(m)))
		return 0;
	if (m.idiag_family != q->family || m.idiag_state == TCP_STATE_NEW_SYN_RECV)
		return 0;
	if (list_push(l, &m, q->ip_proto, q->netns) < 0) {
		snprintf(err, errlen, "inet_diag dump: out of memory");
		return -1;
	}
	return 0;
}

/*
 * Messages are framed as NLMSG_OK()/NLMSG_NEXT() frame them: a header whose
 * length covers itself and fits in what is left, then padding to 4 bytes.
 */
int snapshot_diag_parse(const void *buf, size_t len, const struct snap_diag_query *q,
			struct snap_list *l, char *err, size_t errlen)
{
	struct cur c = cur_make(buf, len);
	int rc = 0;

	while (rc == 0) {
		struct nlmsghdr h;
		struct cur peek = c, msg, payload;

		if (!cur_copy(&peek, &h, sizeof(h)) || h.nlmsg_len < sizeof(h) ||
		    !cur_sub(&c, h.nlmsg_len, &msg))
			break;
		/* the last message's padding may be missing */
		if (!cur_skip(&c, NLMSG_ALIGN(h.nlmsg_len) - h.nlmsg_len))
			c = cur_make(NULL, 0);
		payload = msg;
		cur_skip(&payload, NLMSG_HDRLEN);
		if (h.nlmsg_seq == q->seq)
			rc = diag_msg(&h, payload, q, l, err, errlen);
	}
	return rc;
}

static int diag_request(int nl, uint8_t family, uint8_t proto, uint32_t seq)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = seq;
	req.r.sdiag_family = family;
	req.r.sdiag_protocol = proto;
	req.r.idiag_states = ~(1u << TCP_STATE_NEW_SYN_RECV);
	return sendto(nl, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0 ? -1 : 0;
}

/* Dumps the sockets of one (family, protocol) through the netlink socket nl into l. */
static int diag_dump(int nl, uint8_t family, uint8_t proto, uint32_t seq, uint32_t netns,
		     struct snap_list *l, char *err, size_t errlen)
{
	uint8_t buf[DIAG_RECV_BYTES];
	const struct snap_diag_query q = { .seq = seq, .family = family, .ip_proto = proto, .netns = netns };
	int rc = 0;

	if (diag_request(nl, family, proto, seq) < 0) {
		snprintf(err, errlen, "inet_diag request: %s", strerror(errno));
		return -1;
	}
	while (rc == 0) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
				      .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t got = recvmsg(nl, &msg, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || (msg.msg_flags & MSG_TRUNC)) {
			snprintf(err, errlen, "inet_diag receive: %s",
				 got < 0 ? strerror(errno) : "truncated or empty message");
			return -1;
		}
		if (from.nl_pid != 0)
			continue;               /* not from the kernel */
		rc = snapshot_diag_parse(buf, (size_t)got, &q, l, err, errlen);
	}
	return rc < 0 ? -1 : 0;
}

/* All four (family, protocol) dumps through nl. */
static int diag_dump_all(int nl, uint32_t netns, struct snap_list *l, char *err, size_t errlen)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct timeval tv = { .tv_sec = DIAG_RECV_TIMEOUT_SEC };
	uint32_t seq = 0;

	/* a kernel that never answers must not hang the recorder */
	setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (size_t f = 0; f < sizeof(families); f++)
		for (size_t p = 0; p < sizeof(protos); p++)
			if (diag_dump(nl, families[f], protos[p], ++seq, netns, l, err, errlen) < 0)
				return -1;
	return 0;
}

static int diag_socket(void)
{
	return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

struct ns_socket_job {
	int netns_fd;
	int fd;
	int error;
};

/* Runs on its own thread: enters the namespace, creates the socket, ends (the namespace goes with it). */
static void *ns_socket_thread(void *arg)
{
	struct ns_socket_job *job = arg;

	if (setns(job->netns_fd, CLONE_NEWNET) < 0) {
		job->error = errno;
		return NULL;
	}
	job->fd = diag_socket();
	if (job->fd < 0)
		job->error = errno;
	return NULL;
}

/* A sock_diag socket bound to the namespace netns_fd, or -1 with errno. */
static int diag_socket_in(int netns_fd)
{
	struct ns_socket_job job = { .netns_fd = netns_fd, .fd = -1 };
	pthread_t th;
	int e = pthread_create(&th, NULL, ns_socket_thread, &job);

	if (e != 0) {
		errno = e;
		return -1;
	}
	pthread_join(th, NULL);
	if (job.fd < 0)
		errno = job.error;
	return job.fd;
}

static uint32_t netns_inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_ino <= UINT32_MAX ? (uint32_t)st.st_ino : 0;
}

static uint32_t own_netns_inode(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) < 0 && stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return st.st_ino <= UINT32_MAX ? (uint32_t)st.st_ino : 0;
}

/* Fills in the owners and hands the list over. Returns 0, 1 (capped) or -1. */
static int snapshot_finish(struct snap_list *l, struct snap_sock **out, size_t *n, char *err, size_t errlen)
{
	struct sock_owners *o = sock_owners_new();
	int rc;

	if (o == NULL) {
		snprintf(err, errlen, "socket owner scan: out of memory");
		free(l->v);
		return -1;
	}
	rc = sock_owners_scan(o, err, errlen);
	if (rc < 0) {
		sock_owners_free(o);
		free(l->v);
		return -1;
	}
	snapshot_set_owners(l->v, l->n, o);
	sock_owners_free(o);
	*out = l->v;
	*n = l->n;
	if (l->truncated) {
		snprintf(err, errlen, "socket snapshot: more than %u sockets, the rest left out",
			 SNAP_MAX_SOCKETS);
		rc = 1;
	}
	return rc;
}

/* Dumps through nl (closed here) and finishes. */
static int snapshot_via(int nl, uint32_t netns, struct snap_sock **out, size_t *n, char *err, size_t errlen)
{
	struct snap_list l = { 0 };
	int rc = diag_dump_all(nl, netns, &l, err, errlen);

	close(nl);
	if (rc < 0) {
		free(l.v);
		return -1;
	}
	return snapshot_finish(&l, out, n, err, errlen);
}

int snapshot_sockets(struct snap_sock **out, size_t *n, char *err, size_t errlen)
{
	int nl = diag_socket();

	*out = NULL;
	*n = 0;
	if (nl < 0) {
		snprintf(err, errlen, "NETLINK_SOCK_DIAG socket: %s", strerror(errno));
		return -1;
	}
	return snapshot_via(nl, own_netns_inode(), out, n, err, errlen);
}

int snapshot_sockets_netns(int netns_fd, struct snap_sock **out, size_t *n, char *err, size_t errlen)
{
	int nl = diag_socket_in(netns_fd);

	*out = NULL;
	*n = 0;
	if (nl < 0) {
		snprintf(err, errlen, "NETLINK_SOCK_DIAG socket in a network namespace: %s", strerror(errno));
		return -1;
	}
	return snapshot_via(nl, netns_inode_of(netns_fd), out, n, err, errlen);
}

/* ---- every namespace */

struct ns_set {
	uint32_t ino[SNAP_MAX_NETNS];
	int fd[SNAP_MAX_NETNS];      /* -1 for the caller's own namespace */
	size_t n;
};

static bool ns_set_has(const struct ns_set *s, uint32_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ino[i] == ino)
			return true;
	return false;
}

/* Adds dirfd/path if it names a namespace not seen yet (checked again on the open fd: the process may move). */
static void ns_set_add(struct ns_set *s, int dirfd, const char *path)
{
	struct stat st;
	uint32_t ino;
	int fd;

	if (s->n >= SNAP_MAX_NETNS || fstatat(dirfd, path, &st, 0) < 0 || ns_set_has(s, (uint32_t)st.st_ino))
		return;
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	ino = netns_inode_of(fd);
	/* a stray file in /run/netns is no namespace (ENOTTY: kernel too old to say) */
	if (ino == 0 || ns_set_has(s, ino) ||
	    (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET && errno != ENOTTY)) {
		close(fd);
		return;
	}
	s->ino[s->n] = ino;
	s->fd[s->n++] = fd;
}

/* Every namespace of a numeric entry of dir_path + suffix (or of every entry when suffix is ""). */
static void ns_set_scan(struct ns_set *s, const char *dir_path, const char *suffix)
{
	char path[64];
	struct dirent *de;
	DIR *dir = opendir(dir_path);

	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL && s->n < SNAP_MAX_NETNS) {
		uint32_t pid;

		if (de->d_name[0] == '.')
			continue;
		if (suffix[0] != '\0' && !parse_dec_name(de->d_name, &pid))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s%s", de->d_name, suffix) >= sizeof(path))
			continue;
		ns_set_add(s, dirfd(dir), path);
	}
	closedir(dir);
}

static void ns_set_close(struct ns_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	s->n = 0;
}

/* Dumps one namespace of the set into l. Returns 0, 1 (could not enter it: skipped) or -1. */
static int dump_ns_entry(const struct ns_set *s, size_t i, struct snap_list *l, char *err, size_t errlen)
{
	int nl = s->fd[i] < 0 ? diag_socket() : diag_socket_in(s->fd[i]);
	int rc;

	if (nl < 0) {
		if (s->fd[i] >= 0)
			return 1;
		snprintf(err, errlen, "NETLINK_SOCK_DIAG socket: %s", strerror(errno));
		return -1;
	}
	rc = diag_dump_all(nl, s->ino[i], l, err, errlen);
	close(nl);
	return rc;
}

int snapshot_sockets_all(struct snap_sock **out, size_t *n, unsigned *skipped, char *err, size_t errlen)
{
	struct ns_set *s = malloc(sizeof(*s));
	struct snap_list l = { 0 };
	unsigned skips = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (s == NULL) {
		snprintf(err, errlen, "socket snapshot: out of memory");
		return -1;
	}
	s->n = 1;
	s->ino[0] = own_netns_inode();
	s->fd[0] = -1;
	ns_set_scan(s, "/proc", "/ns/net");
	ns_set_scan(s, NETNS_DIR, "");
	for (size_t i = 0; i < s->n && rc >= 0; i++) {
		rc = dump_ns_entry(s, i, &l, err, errlen);
		if (rc == 1)
			skips++;
	}
	ns_set_close(s);
	free(s);
	if (skipped != NULL)
		*skipped = skips;
	if (rc < 0) {
		free(l.v);
		return -1;
	}
	return snapshot_finish(&l, out, n, err, errlen);
}
