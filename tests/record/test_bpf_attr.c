/* \summary: eBPF attribution: a workload of child processes must be seen by pid, cookie and tuple */
/*
 * Needs root and a kernel that loads the cgroup/sockops/tracepoint programs;
 * skips otherwise. Phase 1: a TCP client child, a UDP sender child, an exec of
 * /bin/true and a thread, all checked against what they report themselves
 * through a pipe. Phase 2: every capability dropped and bpf() forbidden by
 * seccomp, then another client child must still be seen.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/bpf_attr.h"
#include "../tap.h"
#include "util/units.h"

#define EV_CAP		200000	/* events kept; the machine may be busy */
#define LOOPBACK	htonl(INADDR_LOOPBACK)

struct evlog {
	struct attr_event *ev;
	size_t n;
	char true_argv[64];          /* ARGV of /bin/true's exec (run_true) */
	size_t true_argv_len;
	uint32_t true_pid;
};

static void collect(void *ctx, const struct attr_event *ev)
{
	struct evlog *l = ctx;

	/* argv is valid during the call only */
	if (ev->type == ATTR_EV_ARGV && ev->pid == l->true_pid && ev->argv_len <= sizeof(l->true_argv)) {
		memcpy(l->true_argv, ev->argv, ev->argv_len);
		l->true_argv_len = ev->argv_len;
	}
	if (l->n < EV_CAP)
		l->ev[l->n++] = *ev;
}

/* Polls until the ring stays empty for a while. */
static void drain(struct bpf_attr *b)
{
	int quiet = 0, i;

	for (i = 0; i < 100 && quiet < 3; i++)
		quiet = bpf_attr_poll(b, 100) > 0 ? 0 : quiet + 1;
}

/* What to look for; 0 (or NULL) fields match anything. */
struct match {
	enum attr_ev_type type;
	enum attr_hook hook;
	uint32_t pid, child_pid;
	uint64_t cookie;
	uint16_t lport, rport;
	const char *comm;
};

static const struct attr_event *find_ev(const struct evlog *l, const struct match *m)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct attr_event *e = &l->ev[i];

		if (e->type != m->type || (m->hook && e->hook != m->hook) ||
		    (m->pid && e->pid != m->pid) || (m->child_pid && e->child_pid != m->child_pid) ||
		    (m->cookie && e->cookie != m->cookie) || (m->lport && e->lport != m->lport) ||
		    (m->rport && e->rport != m->rport) || (m->comm && strcmp(e->comm, m->comm) != 0))
			continue;
		return e;
	}
	return NULL;
}

static int is_loopback4(const uint8_t *a)
{
	uint32_t v;

	memcpy(&v, a, 4);
	return v == LOOPBACK;
}

static int64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return 0;
	return ntohs(sa.sin_port);
}

static int bind_loopback(int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = LOOPBACK };
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	if (type == SOCK_STREAM && listen(fd, 8) < 0)
		return -1;
	return fd;
}

/* Child: connects to port (or sends one datagram to it), tells its local port. */
static void child_client(const char *name, int type, uint16_t port, int pipe_wr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = LOOPBACK,
				  .sin_port = htons(port) };
	uint16_t lport;
	int fd;

	prctl(PR_SET_NAME, name, 0, 0, 0);
	fd = socket(AF_INET, type, 0);
	if (fd < 0)
		_exit(1);
	if (type == SOCK_STREAM) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || write(fd, "hello", 5) != 5)
			_exit(1);
	} else if (sendto(fd, "hello", 5, 0, (struct sockaddr *)&sa, sizeof(sa)) != 5) {
		_exit(1);
	}
	lport = bound_port(fd);
	if (write(pipe_wr, &lport, sizeof(lport)) != sizeof(lport))
		_exit(1);
	close(fd);
	_exit(0);
}

/* Runs child_client in a child; returns its pid and local port, and (TCP)
 * the fd the listener accepted. */
static pid_t run_client(const char *name, int type, int server, uint16_t port,
			uint16_t *lport, int *accepted)
{
	int p[2], st;
	pid_t pid;
	char buf[16];

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		child_client(name, type, port, p[1]);
	close(p[1]);
	if (type == SOCK_STREAM) {
		*accepted = accept4(server, NULL, NULL, SOCK_CLOEXEC);
		while (*accepted >= 0 && read(*accepted, buf, sizeof(buf)) > 0)
			;
	} else {
		/* with a source address asked for: recvmsg4 runs only then */
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);

		if (recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen) < 0)
			pid = -1;
	}
	if (read(p[0], lport, sizeof(*lport)) != sizeof(*lport))
		pid = -1;
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return pid;
}

static pid_t run_true(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		/* on the (written, so mapped) stack: the sys_enter_execve fallback
		 * cannot fault in a read-only page of a fresh fork */
		char path[] = "/bin/true", arg0[] = "true", arg1[] = "pidcap-argv";

		execl(path, arg0, arg1, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return pid;
}

static void *thread_main(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return NULL;
}

/* The client's socket: owner (sock_create, connect) and tuple (sockops, skb). */
static void check_tcp_client(const struct evlog *l, pid_t pid, uint16_t lport, uint16_t port)
{
	const struct attr_event *own, *con, *act, *skb;
	struct match m = { ATTR_EV_SOCK_OWNER, ATTR_HOOK_SOCK_CREATE, (uint32_t)pid, 0, 0, 0, 0,
			   "bpfat_tcp" };

	own = find_ev(l, &m);
	tap_ok(own && own->cookie && own->ip_proto == IPPROTO_TCP && own->family == AF_INET,
	       "sock_create: client pid %d, comm, cookie, TCP", (int)pid);
	m.hook = ATTR_HOOK_CONNECT;
	m.rport = port;
	con = find_ev(l, &m);
	tap_ok(con && own && con->cookie == own->cookie && is_loopback4(con->raddr),
	       "connect4: same cookie, remote 127.0.0.1:%u", port);
	if (!own)
		return;
	m = (struct match){ ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SOCKOPS_ACTIVE, 0, 0, own->cookie,
			    lport, port, NULL };
	act = find_ev(l, &m);
	tap_ok(act && act->pid == 0 && is_loopback4(act->laddr) && is_loopback4(act->raddr),
	       "sockops active: cookie has tuple 127.0.0.1:%u -> 127.0.0.1:%u", lport, port);
	m.hook = ATTR_HOOK_SKB_EGRESS;
	skb = find_ev(l, &m);
	if (!skb) {
		m.hook = ATTR_HOOK_SKB_INGRESS;
		skb = find_ev(l, &m);
	}
	tap_ok(skb && skb->ip_proto == IPPROTO_TCP && skb->family == AF_INET,
	       "cgroup_skb: same cookie, same tuple");
	tap_ok(own->ts_ns > now_real_ns() - 60 * NS_PER_SEC && own->ts_ns <= now_real_ns(),
	       "timestamps are CLOCK_REALTIME");
}

/* The listener and the accepted socket. */
static void check_tcp_server(const struct evlog *l, uint16_t lport, uint16_t port, int afd)
{
	const struct attr_event *e;
	struct match m = { ATTR_EV_SOCK_OWNER, ATTR_HOOK_POST_BIND, (uint32_t)getpid(), 0, 0,
			   port, 0, NULL };

	e = find_ev(l, &m);
	tap_ok(e && e->listener && is_loopback4(e->laddr), "post_bind4: listener on port %u", port);
	m = (struct match){ ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SOCKOPS_PASSIVE, 0, 0, 0, port, lport,
			    NULL };
	e = find_ev(l, &m);
	tap_ok(e && e->cookie && is_loopback4(e->raddr), "sockops passive: accepted socket's tuple");
	m = (struct match){ ATTR_EV_ACCEPT, ATTR_HOOK_ACCEPT, (uint32_t)getpid(), 0, 0, 0, 0, NULL };
	e = find_ev(l, &m);
	tap_ok(e && e->fd == afd, "accept4: our pid and fd %d", afd);
}

static void check_udp(const struct evlog *l, pid_t pid, uint16_t lport, uint16_t port)
{
	const struct attr_event *snd, *skb, *rcv;
	struct match m = { ATTR_EV_SOCK_OWNER, ATTR_HOOK_SENDMSG, (uint32_t)pid, 0, 0, 0, port,
			   "bpfat_udp" };

	snd = find_ev(l, &m);
	tap_ok(snd && snd->cookie && snd->ip_proto == IPPROTO_UDP && is_loopback4(snd->raddr),
	       "sendmsg4: sender pid %d, comm, cookie, destination", (int)pid);
	m = (struct match){ ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SKB_EGRESS, 0, 0,
			    snd ? snd->cookie : 1, lport, port, NULL };
	skb = find_ev(l, &m);
	tap_ok(skb && skb->ip_proto == IPPROTO_UDP, "cgroup_skb egress: UDP socket tuple");
	tap_ok(skb && skb->ctx_pid == (uint32_t)pid, "cgroup_skb egress: ctx_pid is the sender");
	m = (struct match){ ATTR_EV_SOCK_OWNER, ATTR_HOOK_RECVMSG, (uint32_t)getpid(), 0, 0, 0,
			    lport, NULL };
	rcv = find_ev(l, &m);
	tap_ok(rcv && is_loopback4(rcv->raddr), "recvmsg4: receiver pid, source port %u", lport);
}

static void check_exec(const struct evlog *l, const struct bpf_attr *b, pid_t pid, pid_t tid)
{
	const struct attr_event *e;
	struct match m = { ATTR_EV_EXEC, ATTR_HOOK_EXEC, (uint32_t)pid, 0, 0, 0, 0, "true" };

	e = find_ev(l, &m);
	if (!tap_ok(e && strcmp(e->filename, "/bin/true") == 0, "exec: pid %d, filename /bin/true",
		    (int)pid))
		tap_diag("exec event: %s, filename \"%s\"", e ? "found" : "missing",
			 e ? e->filename : "");
	if (e && e->ppid == 0 && strstr(bpf_attr_hooks(b), "exec parent unreadable"))
		tap_diag("exec ppid not readable on this kernel");
	else
		tap_ok(e && e->ppid == (uint32_t)getpid(), "exec: ppid is the test");
	m = (struct match){ ATTR_EV_FORK, ATTR_HOOK_FORK, (uint32_t)getpid(), (uint32_t)pid, 0, 0,
			    0, NULL };
	e = find_ev(l, &m);
	tap_ok(e && e->ppid == (uint32_t)getpid(), "fork: parent and child");
	m = (struct match){ ATTR_EV_EXIT, ATTR_HOOK_EXIT, (uint32_t)pid, 0, 0, 0, 0, NULL };
	tap_ok(find_ev(l, &m) != NULL, "exit of the child");
	if (strstr(bpf_attr_hooks(b), "exec parent unreadable"))
		tap_diag("exec arguments not readable on this kernel (no BTF task pointer)");
	else if (!tap_ok(l->true_argv_len == sizeof("true\0pidcap-argv") &&
			 memcmp(l->true_argv, "true\0pidcap-argv", sizeof("true\0pidcap-argv")) == 0,
			 "exec: the kernel's copy of argv is \"true\", \"pidcap-argv\""))
		tap_diag("argv: %zu bytes", l->true_argv_len);
	m = (struct match){ ATTR_EV_FORK, 0, 0, (uint32_t)tid, 0, 0, 0, NULL };
	tap_ok(tid > 0 && find_ev(l, &m) == NULL, "a new thread is not reported as a fork");
}

/* IPv6: a child connects to [::1]:port of a listener of ours and reports its
 * local port; connect6, sockops and cgroup_skb must give the same socket. */
static void check_tcp6(struct bpf_attr *b, struct evlog *l)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(sa);
	const struct attr_event *con, *tup;
	uint16_t port, lport = 0;
	int srv, p[2], afd, st;
	pid_t pid;

	srv = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(srv, 4) < 0 ||
	    getsockname(srv, (struct sockaddr *)&sa, &len) < 0 || pipe(p) < 0) {
		tap_diag("no IPv6 loopback: %s", strerror(errno));
		return;
	}
	port = ntohs(sa.sin6_port);
	pid = fork();
	if (pid == 0) {
		int fd = socket(AF_INET6, SOCK_STREAM, 0);

		prctl(PR_SET_NAME, "bpfat_tcp6", 0, 0, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
			_exit(1);
		lport = ntohs(sa.sin6_port);
		_exit(write(p[1], &lport, sizeof(lport)) == sizeof(lport) ? 0 : 1);
	}
	close(p[1]);
	afd = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	if (read(p[0], &lport, sizeof(lport)) != sizeof(lport))
		lport = 0;
	waitpid(pid, &st, 0);
	close(p[0]);
	drain(b);
	{
		struct match m = { ATTR_EV_SOCK_OWNER, ATTR_HOOK_CONNECT, (uint32_t)pid, 0, 0, 0,
				   port, "bpfat_tcp6" };

		con = find_ev(l, &m);
		tap_ok(con && con->family == AF_INET6 && con->cookie &&
		       memcmp(con->raddr, &in6addr_loopback, 16) == 0,
		       "connect6: pid, cookie, remote [::1]:%u", port);
		m = (struct match){ ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SOCKOPS_ACTIVE, 0, 0,
				    con ? con->cookie : 1, lport, port, NULL };
		tup = find_ev(l, &m);
		tap_ok(tup && tup->family == AF_INET6 &&
		       memcmp(tup->laddr, &in6addr_loopback, 16) == 0,
		       "sockops active (IPv6): same cookie, local port %u", lport);
		m.hook = ATTR_HOOK_SKB_EGRESS;
		tup = find_ev(l, &m);
		tap_ok(tup && tup->family == AF_INET6 && tup->ip_proto == IPPROTO_TCP,
		       "cgroup_skb egress (IPv6): same cookie and tuple");
	}
	if (afd >= 0)
		close(afd);
	close(srv);
}

/* Drops every capability (bounding set too) and forbids bpf() (EPERM). */
static int drop_privileges(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	scmp_filter_ctx sc;
	int cap, rc;

	for (cap = 0; prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0; cap++)
		;
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		return -1;
	sc = seccomp_init(SCMP_ACT_ALLOW);
	if (!sc)
		return -1;
	rc = seccomp_rule_add(sc, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(bpf), 0);
	if (rc == 0)
		rc = seccomp_load(sc);
	seccomp_release(sc);
	return rc == 0 ? 0 : -1;
}

static int cap_eff_zero(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int zero = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "CapEff:", 7) == 0)
			zero = strtoull(line + 7, NULL, 16) == 0;
	fclose(f);
	return zero;
}

static void phase_unprivileged(struct bpf_attr *b, struct evlog *l, int server, uint16_t port)
{
	uint16_t lport = 0;
	int afd = -1;
	pid_t pid;
	struct match m = { ATTR_EV_SOCK_OWNER, ATTR_HOOK_CONNECT, 0, 0, 0, 0, 0, "bpfat_tcp2" };

	if (!tap_ok(drop_privileges() == 0, "all capabilities dropped, bpf() forbidden"))
		return;
	tap_ok(cap_eff_zero(), "CapEff is 0");
	errno = 0;
	tap_ok(syscall(SYS_bpf, 0, NULL, 0) < 0 && errno == EPERM, "bpf() fails with EPERM");
	l->n = 0;
	pid = run_client("bpfat_tcp2", SOCK_STREAM, server, port, &lport, &afd);
	drain(b);
	m.pid = (uint32_t)pid;
	tap_ok(pid > 0 && find_ev(l, &m) != NULL, "unprivileged: connect of child %d seen",
	       (int)pid);
	m = (struct match){ ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SOCKOPS_ACTIVE, 0, 0, 0, lport, port,
			    NULL };
	tap_ok(find_ev(l, &m) != NULL, "unprivileged: its tuple seen");
	TAP_EQ_U(bpf_attr_lost(b), 0, "unprivileged: lost counter readable, 0");
	if (afd >= 0)
		close(afd);
}

int main(void)
{
	struct evlog log = { .ev = calloc(EV_CAP, sizeof(struct attr_event)) };
	struct bpf_attr *b;
	char err[512];
	uint16_t tport, uport, tcp_lport = 0, udp_lport = 0;
	int tsrv, usrv, afd = -1, unused_fd = -1;
	pid_t tcp_pid, udp_pid, true_pid, tid = 0;
	pthread_t th;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	b = bpf_attr_open(collect, &log, err, sizeof(err));
	if (!b) {
		printf("1..0 # SKIP eBPF unusable: %s\n", err);
		return 0;
	}
	tap_diag("hooks: %s", bpf_attr_hooks(b));
	tap_ok(bpf_attr_fd(b) >= 0, "epoll fd");
	tsrv = bind_loopback(SOCK_STREAM);
	usrv = bind_loopback(SOCK_DGRAM);
	if (!tap_ok(tsrv >= 0 && usrv >= 0 && log.ev, "test sockets"))
		return tap_done();
	tport = bound_port(tsrv);
	uport = bound_port(usrv);

	tcp_pid = run_client("bpfat_tcp", SOCK_STREAM, tsrv, tport, &tcp_lport, &afd);
	udp_pid = run_client("bpfat_udp", SOCK_DGRAM, usrv, uport, &udp_lport, &unused_fd);
	true_pid = run_true();
	log.true_pid = (uint32_t)true_pid;
	if (pthread_create(&th, NULL, thread_main, &tid) == 0)
		pthread_join(th, NULL);
	tap_ok(tcp_pid > 0 && udp_pid > 0 && true_pid > 0, "workload ran");
	drain(b);
	tap_diag("%zu events", log.n);

	check_tcp_client(&log, tcp_pid, tcp_lport, tport);
	check_tcp_server(&log, tcp_lport, tport, afd);
	check_udp(&log, udp_pid, udp_lport, uport);
	check_exec(&log, b, true_pid, tid);
	check_tcp6(b, &log);
	TAP_EQ_U(bpf_attr_lost(b), 0, "no event lost");
	if (afd >= 0)
		close(afd);

	phase_unprivileged(b, &log, tsrv, tport);
	bpf_attr_close(b);
	free(log.ev);
	return tap_done();
}
