/* \summary: the attribution join (src/record/attr.c) on synthetic events: no kernel needed */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "record/attr.h"
#include "../tap.h"

/* pids far above pid_max (4194304), so /proc never describes them */
#define PID_CURL   4999001u
#define PID_SERVER 4999002u
#define PID_GONE   4999003u
#define T0         1700000000000000000LL

static struct attr_event ev(enum attr_ev_type type, enum attr_hook hook, uint32_t pid,
			    uint64_t cookie)
{
	struct attr_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.hook = hook;
	e.pid = e.tid = pid;
	e.cookie = cookie;
	e.ts_ns = T0;
	return e;
}

static void v4(uint8_t a[16], const char *s)
{
	memset(a, 0, 16);
	inet_pton(AF_INET, s, a);
}

static void tuple(struct attr_event *e, const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	e->family = AF_INET;
	e->ip_proto = IPPROTO_TCP;
	v4(e->laddr, l);
	v4(e->raddr, r);
	e->lport = lp;
	e->rport = rp;
}

static struct ip_endpoints pkt(const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
	struct ip_endpoints p;

	memset(&p, 0, sizeof(p));
	p.version = 4;
	p.proto = IPPROTO_TCP;
	v4(p.src, src);
	v4(p.dst, dst);
	p.sport = sp;
	p.dport = dp;
	return p;
}

/* exec of a process already gone: /proc says nothing, the kernel's argv does */
static void exec_then_argv(struct attr *a)
{
	static const char argv[] = "curl\0-s\0http://10.0.0.2:8080/";
	struct attr_event e = ev(ATTR_EV_EXEC, ATTR_HOOK_EXEC, PID_GONE, 0);
	struct attr_event s = ev(ATTR_EV_SOCK_OWNER, ATTR_HOOK_CONNECT, PID_GONE, 77);
	struct attr_event t = ev(ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SOCKOPS_ACTIVE, 0, 77);
	struct ip_endpoints p = pkt("10.0.0.1", 40000, "10.0.0.2", 8080);
	struct attr_result r;

	snprintf(e.comm, sizeof(e.comm), "curl");
	snprintf(e.filename, sizeof(e.filename), "/usr/bin/curl");
	attr_event(a, &e);
	e = ev(ATTR_EV_ARGV, ATTR_HOOK_EXEC, PID_GONE, 0);
	e.argv = argv;
	e.argv_len = sizeof(argv);   /* with the final NUL, as the kernel copies it */
	attr_event(a, &e);
	attr_event(a, &s);
	tuple(&t, "10.0.0.1", 40000, "10.0.0.2", 8080);
	attr_event(a, &t);
	tap_ok(attr_lookup(a, &p, T0 + 1, &r) && r.proc && r.proc->pid == PID_GONE && r.outbound,
	       "a gone process's packet is found by its socket's tuple, outbound");
	tap_ok(r.proc && r.proc->d.cmdline_len == sizeof(argv) - 1 &&
	       memcmp(r.proc->d.cmdline, argv, sizeof(argv) - 1) == 0,
	       "its command line is the kernel's argv (without the final NUL)");
	tap_ok(r.proc && r.proc->d.exe && strcmp(r.proc->d.exe, "/usr/bin/curl") == 0 &&
	       strcmp(r.proc->d.comm, "curl") == 0, "its name and path come from the exec event");
}

/* a listener's owner owns what it accepts; each direction belongs to its sender */
static void server_side(struct attr *a)
{
	struct attr_event b = ev(ATTR_EV_SOCK_OWNER, ATTR_HOOK_POST_BIND, PID_SERVER, 10);
	struct attr_event syn = ev(ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SKB_INGRESS, 0, 10);
	struct attr_event acc = ev(ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SOCKOPS_PASSIVE, 0, 11);
	struct attr_event cli = ev(ATTR_EV_SOCK_OWNER, ATTR_HOOK_CONNECT, PID_CURL, 12);
	struct attr_event ct = ev(ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SOCKOPS_ACTIVE, 0, 12);
	struct ip_endpoints req = pkt("10.0.0.1", 50000, "10.0.0.2", 80);
	struct ip_endpoints rsp = pkt("10.0.0.2", 80, "10.0.0.1", 50000);
	struct attr_result r;

	tuple(&b, "10.0.0.2", 80, "0.0.0.0", 0);
	b.listener = true;
	attr_event(a, &b);
	/* the listener sees the SYN: it must keep no remote end */
	tuple(&syn, "10.0.0.2", 80, "10.0.0.1", 50000);
	attr_event(a, &syn);
	tuple(&acc, "10.0.0.2", 80, "10.0.0.1", 50000);
	attr_event(a, &acc);
	tap_ok(attr_lookup(a, &rsp, T0 + 2, &r) && r.proc && r.proc->pid == PID_SERVER && r.outbound &&
	       r.sock && r.sock->cookie == 11,
	       "the accepted socket belongs to the listener's owner (and sends the reply)");
	tap_ok(attr_lookup(a, &req, T0 + 2, &r) && r.proc && r.proc->pid == PID_SERVER && !r.outbound,
	       "with only the server local, the request is the server's, inbound");
	attr_event(a, &cli);
	tuple(&ct, "10.0.0.1", 50000, "10.0.0.2", 80);
	attr_event(a, &ct);
	tap_ok(attr_lookup(a, &req, T0 + 3, &r) && r.proc && r.proc->pid == PID_CURL && r.outbound,
	       "with both ends local, the request belongs to its sender");
	tap_ok(attr_lookup(a, &rsp, T0 + 3, &r) && r.proc && r.proc->pid == PID_SERVER && r.outbound,
	       "... and the reply to its sender");
}

/* fork gives the child the parent's image; exec replaces it */
static void fork_exec(struct attr *a)
{
	struct attr_event f = ev(ATTR_EV_FORK, ATTR_HOOK_FORK, PID_SERVER, 0);
	struct attr_event s = ev(ATTR_EV_SOCK_OWNER, ATTR_HOOK_SENDMSG, PID_SERVER + 10, 20);
	struct attr_event t = ev(ATTR_EV_SOCK_TUPLE, ATTR_HOOK_SKB_EGRESS, 0, 20);
	struct ip_endpoints p = pkt("10.0.0.2", 5353, "10.0.0.9", 53);
	struct attr_result r;

	f.child_pid = PID_SERVER + 10;
	attr_event(a, &f);
	attr_event(a, &s);
	t.ip_proto = IPPROTO_UDP;
	tuple(&t, "10.0.0.2", 5353, "10.0.0.9", 53);
	t.ip_proto = IPPROTO_UDP;
	attr_event(a, &t);
	p.proto = IPPROTO_UDP;
	tap_ok(attr_lookup(a, &p, T0 + 4, &r) && r.proc && r.proc->pid == PID_SERVER + 10 &&
	       r.proc->d.has_ppid && r.proc->d.ppid == PID_SERVER,
	       "a forked child sending on its socket owns the packets, its parent recorded");
	p.sport = 5354;
	tap_ok(!attr_lookup(a, &p, T0 + 4, &r) && r.proc == NULL, "an unknown port matches nothing");
}

int main(void)
{
	struct attr *a = attr_new(NULL);
	struct attr_stats st;

	if (!tap_ok(a != NULL, "attr_new"))
		return tap_done();
	exec_then_argv(a);
	server_side(a);
	fork_exec(a);
	attr_get_stats(a, &st);
	tap_ok(st.proc_read_failed > 0, "reading /proc of the synthetic pids failed, as it must");
	attr_free(a);
	return tap_done();
}
