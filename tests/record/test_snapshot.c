/* \summary: socket snapshot (inet_diag + /proc owners) against sockets the test opens itself */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include "record/snapshot.h"
#include "../tap.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#define TCP_STATE_ESTABLISHED 1
#define TCP_STATE_CLOSE 7
#define TCP_STATE_LISTEN 10

/* What a child reports about the socket it holds. */
struct child_report {
	uint64_t cookie;
	uint16_t lport;
	int ok;
};

struct child {
	pid_t pid;
	int hold_fd;        /* closing it lets the child exit */
	struct child_report r;
};

static uint64_t sock_cookie(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	return getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) == 0 ? c : 0;
}

static uint32_t sock_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int bound_socket(int family, int type, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_to(int fd, const char *addr, uint16_t port)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, addr, &s4.sin_addr);
	return connect(fd, (struct sockaddr *)&s4, sizeof(s4));
}

/*
 * Forks a child that closes every fd but keep_fd (-1: none), runs fn (which
 * fills a report and returns an fd to hold), reports over a pipe, then
 * waits until the parent closes hold_fd.
 */
static int start_child(struct child *c, int (*fn)(void *, struct child_report *), void *arg, int keep_fd)
{
	int rep[2], hold[2];
	char x;

	memset(c, 0, sizeof(*c));
	if (pipe2(rep, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		return -1;
	c->pid = fork();
	if (c->pid == 0) {
		struct child_report r = { 0 };

		/* hold only the pipes and keep_fd, so the owner counts are known */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != rep[1] && fd != hold[0] && fd != keep_fd)
				close(fd);
		r.ok = fn(arg, &r) >= 0;
		if (write(rep[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		while (read(hold[0], &x, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(rep[1]);
	close(hold[0]);
	c->hold_fd = hold[1];
	if (c->pid < 0 || read(rep[0], &c->r, sizeof(c->r)) != (ssize_t)sizeof(c->r))
		c->r.ok = 0;
	close(rep[0]);
	return c->r.ok ? 0 : -1;
}

static void stop_child(struct child *c)
{
	if (c->pid <= 0)
		return;
	close(c->hold_fd);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

/* The first socket matching protocol, local port and (if nonzero) remote port, in netns (0: any). */
static const struct snap_sock *find(const struct snap_sock *s, size_t n, uint8_t proto, uint8_t family,
				    uint16_t lport, uint16_t rport, uint32_t netns)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].ip_proto == proto && s[i].family == family && s[i].lport == lport &&
		    (rport == 0 || s[i].rport == rport) && (netns == 0 || s[i].netns == netns))
			return &s[i];
	return NULL;
}

static const struct snap_sock *find_cookie(const struct snap_sock *s, size_t n, uint64_t cookie)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].cookie == cookie)
			return &s[i];
	return NULL;
}

static bool is_v4(const uint8_t *a, const char *want)
{
	struct in_addr w;

	inet_pton(AF_INET, want, &w);
	return memcmp(a, &w, 4) == 0;
}

/* ---- the child that connects to the test's listener */

static int connect_child(void *arg, struct child_report *r)
{
	uint16_t port = *(uint16_t *)arg;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect_to(fd, "127.0.0.1", port) < 0)
		return -1;
	r->cookie = sock_cookie(fd);
	r->lport = local_port(fd);
	return fd;
}

/* ---- the child that listens inside a network namespace */

static int netns_child(void *arg, struct child_report *r)
{
	const char *name = arg;
	char path[128];
	int nsfd, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
		return -1;
	fd = bound_socket(AF_INET, SOCK_STREAM, "0.0.0.0", 0);
	if (fd < 0)
		return -1;
	r->cookie = sock_cookie(fd);
	r->lport = local_port(fd);
	return fd;
}

/* ss(8) as an independent oracle: cookie ("sk:HEX"), lowest pid and holders of the listener on port. */
static bool ss_listener(uint16_t port, uint64_t *cookie, long *pid, unsigned *holders)
{
	char cmd[128], line[1024];
	bool found = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ss -Htlnpe 'sport = :%u' 2>/dev/null", port);
	if ((p = popen(cmd, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), p) != NULL) {
		char *sk = strstr(line, " sk:"), *pp = line;

		if (sk == NULL)
			continue;
		*cookie = strtoull(sk + 4, NULL, 16);
		*pid = 0;
		*holders = 0;
		/* users:(("name",pid=N,fd=M),...) in no particular order */
		while ((pp = strstr(pp, "pid=")) != NULL) {
			long v = strtol(pp + 4, &pp, 10);

			if (*pid == 0 || v < *pid)
				*pid = v;
			++*holders;
		}
		found = *holders > 0;
	}
	pclose(p);
	return found;
}

struct fixture {
	int listen_fd, accepted_fd, udp_fd, udp_conn_fd, udp6_fd;
	uint16_t tcp_port, udp_port, udp6_port;
	struct child client;
};

static void check_listener(const struct fixture *f, const struct snap_sock *s, size_t n)
{
	const struct snap_sock *l = find(s, n, IPPROTO_TCP, AF_INET, f->tcp_port, 0, 0);
	uint64_t ss_cookie = 0;
	long ss_pid = 0;
	unsigned ss_holders = 0;

	if (!tap_ok(l != NULL, "TCP listener 127.0.0.1:%u found", f->tcp_port))
		return;
	tap_ok(l->listener && l->tcp_state == TCP_STATE_LISTEN, "listener flag and LISTEN state");
	tap_ok(is_v4(l->laddr, "127.0.0.1") && l->rport == 0, "listener local address 127.0.0.1");
	tap_ok(l->cookie != 0, "listener cookie nonzero");
	TAP_EQ_U(l->cookie, sock_cookie(f->listen_fd), "listener cookie = SO_COOKIE");
	TAP_EQ_U(l->inode, sock_inode(f->listen_fd), "listener inode = fstat");
	TAP_EQ_U(l->uid, geteuid(), "listener uid");
	TAP_EQ_U(l->pid, getpid(), "listener owner is the test");
	TAP_EQ_U(l->n_holders, 1, "listener held by one process");
	if (ss_listener(f->tcp_port, &ss_cookie, &ss_pid, &ss_holders)) {
		TAP_EQ_U(l->cookie, ss_cookie, "listener cookie = ss sk:");
		TAP_EQ_U(l->pid, ss_pid, "listener owner = lowest ss pid=");
		TAP_EQ_U(l->n_holders, ss_holders, "listener holders = ss users");
	} else {
		tap_diag("ss -tlnpe unavailable, its cross-check left out");
	}
}

static void check_connection(const struct fixture *f, const struct snap_sock *s, size_t n)
{
	const struct snap_sock *c = find(s, n, IPPROTO_TCP, AF_INET, f->client.r.lport, f->tcp_port, 0);
	const struct snap_sock *a = find(s, n, IPPROTO_TCP, AF_INET, f->tcp_port, f->client.r.lport, 0);

	if (tap_ok(c != NULL, "client 127.0.0.1:%u -> :%u found", f->client.r.lport, f->tcp_port)) {
		tap_ok(!c->listener && c->tcp_state == TCP_STATE_ESTABLISHED, "client established, no listener");
		tap_ok(is_v4(c->raddr, "127.0.0.1"), "client remote address");
		tap_ok(c->cookie != 0, "client cookie nonzero");
		TAP_EQ_U(c->cookie, f->client.r.cookie, "client cookie = the child's SO_COOKIE");
		TAP_EQ_U(c->pid, f->client.pid, "client owner is the child");
		TAP_EQ_U(c->n_holders, 1, "client held by one process");
	}
	if (tap_ok(a != NULL, "accepted socket found")) {
		tap_ok(!a->listener, "accepted socket is no listener");
		TAP_EQ_U(a->cookie, sock_cookie(f->accepted_fd), "accepted cookie = SO_COOKIE");
		TAP_EQ_U(a->pid, getpid(), "accepted socket owner is the test");
	}
}

static void check_udp(const struct fixture *f, const struct snap_sock *s, size_t n)
{
	const struct snap_sock *u = find(s, n, IPPROTO_UDP, AF_INET, f->udp_port, 0, 0);
	const struct snap_sock *uc = find_cookie(s, n, sock_cookie(f->udp_conn_fd));

	if (tap_ok(u != NULL, "UDP 127.0.0.1:%u found", f->udp_port)) {
		tap_ok(u->listener && u->tcp_state == TCP_STATE_CLOSE, "bound UDP is a listener");
		tap_ok(is_v4(u->laddr, "127.0.0.1"), "UDP local address");
		TAP_EQ_U(u->cookie, sock_cookie(f->udp_fd), "UDP cookie = SO_COOKIE");
		/* created before the fork: both hold it, the lower pid is the test */
		TAP_EQ_U(u->n_holders, 2, "UDP held by the test and the child");
		TAP_EQ_U(u->pid, getpid(), "UDP owner is the test (lowest pid)");
	}
	if (tap_ok(uc != NULL, "connected UDP found by cookie")) {
		tap_ok(!uc->listener && uc->rport == f->udp_port && uc->lport == local_port(f->udp_conn_fd),
		       "connected UDP: no listener, ports :%u -> :%u", uc->lport, uc->rport);
		TAP_EQ_U(uc->tcp_state, TCP_STATE_ESTABLISHED, "connected UDP state");
	}
	if (f->udp6_fd < 0) {
		tap_ok(1, "# SKIP no IPv6 loopback");
		return;
	}
	u = find(s, n, IPPROTO_UDP, AF_INET6, f->udp6_port, 0, 0);
	if (tap_ok(u != NULL, "UDP [::1]:%u found", f->udp6_port)) {
		struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;

		tap_ok(memcmp(u->laddr, &lo, 16) == 0, "UDP6 local address ::1");
		TAP_EQ_U(u->cookie, sock_cookie(f->udp6_fd), "UDP6 cookie = SO_COOKIE");
		TAP_EQ_U(u->pid, getpid(), "UDP6 owner is the test");
	}
}

static void check_owners(const struct fixture *f)
{
	struct sock_owners *o = sock_owners_new();
	char err[256];
	uint32_t pid = 0, holders = 0;
	int rc;

	if (!tap_ok(o != NULL, "sock_owners_new"))
		return;
	for (int round = 0; round < 2; round++) {
		rc = sock_owners_scan(o, err, sizeof(err));
		TAP_EQ_I(rc, 0, "sock_owners_scan round %d", round);
		tap_ok(sock_owners_find(o, sock_inode(f->listen_fd), &pid, &holders) && pid == (uint32_t)getpid() &&
		       holders == 1, "round %d: listener inode -> the test", round);
		tap_ok(sock_owners_find(o, sock_inode(f->udp_fd), &pid, &holders) && holders == 2,
		       "round %d: shared UDP inode held twice", round);
	}
	tap_ok(!sock_owners_find(o, 0, NULL, NULL), "inode 0 not found");
	tap_ok(sock_owners_count(o) >= 5, "at least the test's 5 sockets (%zu)", sock_owners_count(o));
	sock_owners_free(o);
}

static int fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->listen_fd = bound_socket(AF_INET, SOCK_STREAM, "127.0.0.1", 0);
	f->udp_fd = bound_socket(AF_INET, SOCK_DGRAM, "127.0.0.1", 0);
	if (f->listen_fd < 0 || f->udp_fd < 0)
		return -1;
	f->tcp_port = local_port(f->listen_fd);
	f->udp_port = local_port(f->udp_fd);
	if (start_child(&f->client, connect_child, &f->tcp_port, f->udp_fd) < 0)
		return -1;
	f->accepted_fd = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	f->udp_conn_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f->accepted_fd < 0 || f->udp_conn_fd < 0 || connect_to(f->udp_conn_fd, "127.0.0.1", f->udp_port) < 0)
		return -1;
	f->udp6_fd = bound_socket(AF_INET6, SOCK_DGRAM, "::1", 0);
	f->udp6_port = f->udp6_fd >= 0 ? local_port(f->udp6_fd) : 0;
	return 0;
}

/* ---- another network namespace (root and ip(8) only) */

static void check_netns_sockets(const struct fixture *f, const struct child *c, const char *name)
{
	char path[128], err[256];
	struct snap_sock *s = NULL;
	struct stat st;
	unsigned skipped = 99;
	size_t n = 0;
	int rc, nsfd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (!tap_ok(nsfd >= 0 && fstat(nsfd, &st) == 0, "open %s", path))
		return;
	rc = snapshot_sockets(&s, &n, err, sizeof(err));
	tap_ok(rc == 0 && find_cookie(s, n, c->r.cookie) == NULL, "own namespace: the netns socket absent");
	free(s);

	rc = snapshot_sockets_all(&s, &n, &skipped, err, sizeof(err));
	if (TAP_EQ_I(rc, 0, "snapshot_sockets_all: %s", rc ? err : "ok")) {
		const struct snap_sock *in = find(s, n, IPPROTO_TCP, AF_INET, c->r.lport, 0, (uint32_t)st.st_ino);
		const struct snap_sock *out = find_cookie(s, n, sock_cookie(f->listen_fd));

		TAP_EQ_U(skipped, 0, "no namespace skipped");
		if (tap_ok(in != NULL, "listener :%u inside the namespace found", c->r.lport)) {
			TAP_EQ_U(in->cookie, c->r.cookie, "its cookie = the child's SO_COOKIE");
			TAP_EQ_U(in->pid, c->pid, "its owner is the child");
			tap_ok(in->listener, "it is a listener");
		}
		tap_ok(out != NULL && out->netns != (uint32_t)st.st_ino && out->pid == (uint32_t)getpid(),
		       "the test's own listener is there too, in its own namespace");
	}
	free(s);

	rc = snapshot_sockets_netns(nsfd, &s, &n, err, sizeof(err));
	if (TAP_EQ_I(rc, 0, "snapshot_sockets_netns: %s", rc ? err : "ok")) {
		tap_ok(find_cookie(s, n, c->r.cookie) != NULL, "netns dump has the child's listener");
		tap_ok(find_cookie(s, n, sock_cookie(f->listen_fd)) == NULL, "netns dump lacks the test's listener");
		tap_ok(n > 0 && s[0].netns == (uint32_t)st.st_ino, "sockets carry the namespace inode");
	}
	free(s);
	close(nsfd);
}

static void check_netns(const struct fixture *f)
{
	char name[64], cmd[160];
	struct child c;

	if (geteuid() != 0) {
		tap_ok(1, "# SKIP network namespace part needs root");
		return;
	}
	snprintf(name, sizeof(name), "pidcap-snap-%ld", (long)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s 2>/dev/null", name);
	if (system(cmd) != 0) {
		tap_ok(1, "# SKIP ip netns add failed");
		return;
	}
	if (tap_ok(start_child(&c, netns_child, name, -1) == 0, "child listening inside netns %s", name))
		check_netns_sockets(f, &c, name);
	stop_child(&c);
	snprintf(cmd, sizeof(cmd), "ip netns del %s", name);
	tap_ok(system(cmd) == 0, "netns %s removed", name);
}

int main(void)
{
	struct fixture f;
	struct snap_sock *s = NULL;
	char err[256] = "";
	size_t n = 0;
	int rc;

	if (!tap_ok(fixture_open(&f) == 0, "sockets and client child set up"))
		return tap_done();
	rc = snapshot_sockets(&s, &n, err, sizeof(err));
	if (TAP_EQ_I(rc, 0, "snapshot_sockets: %s", rc ? err : "ok")) {
		tap_diag("%zu sockets", n);
		check_listener(&f, s, n);
		check_connection(&f, s, n);
		check_udp(&f, s, n);
	}
	free(s);
	check_owners(&f);
	check_netns(&f);
	stop_child(&f.client);
	return tap_done();
}
