/* \summary: eBPF process attribution for pidcap record: load the kernel programs, deliver their events */
#ifndef PIDCAP_RECORD_BPF_ATTR_H
#define PIDCAP_RECORD_BPF_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an event says. */
enum attr_ev_type {
	ATTR_EV_SOCK_OWNER = 1,	/* pid (and comm) owns or uses the socket `cookie` */
	ATTR_EV_SOCK_TUPLE,	/* socket `cookie` has these addresses and ports (no pid) */
	ATTR_EV_ACCEPT,		/* pid accepted a connection as fd */
	ATTR_EV_EXEC,
	ATTR_EV_FORK,
	ATTR_EV_EXIT,		/* the whole process ended */
	ATTR_EV_ARGV		/* the arguments of the EXEC just before (argv, argv_len) */
};

/* Which kernel hook reported it. */
enum attr_hook {
	ATTR_HOOK_SOCK_CREATE = 1, ATTR_HOOK_CONNECT, ATTR_HOOK_SENDMSG, ATTR_HOOK_RECVMSG,
	ATTR_HOOK_POST_BIND, ATTR_HOOK_SOCKOPS_ACTIVE, ATTR_HOOK_SOCKOPS_PASSIVE,
	ATTR_HOOK_SKB_EGRESS, ATTR_HOOK_SKB_INGRESS, ATTR_HOOK_ACCEPT, ATTR_HOOK_EXEC,
	ATTR_HOOK_FORK, ATTR_HOOK_EXIT, ATTR_HOOK_FENTRY_SEND, ATTR_HOOK_FENTRY_CONNECT,
	ATTR_HOOK_FENTRY_ACCEPT
};

struct attr_event {
	enum attr_ev_type type;
	enum attr_hook hook;
	int64_t ts_ns;			/* CLOCK_REALTIME, ns since 1970 */
	uint32_t pid, tid, uid;		/* pid = thread-group id; 0 = not known (softirq hooks) */
	uint32_t ppid;			/* EXEC when known; FORK: the parent */
	uint32_t child_pid;		/* FORK */
	uint32_t ctx_pid;		/* SKB_EGRESS: current task, untrusted */
	int32_t fd;			/* ACCEPT: returned fd */
	char comm[16];			/* NUL-terminated, "" for softirq hooks */
	uint64_t cookie;		/* socket cookie, 0 = none */
	uint8_t family;			/* AF_INET / AF_INET6, 0 = none */
	uint8_t ip_proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	bool listener;			/* POST_BIND on a TCP socket */
	uint8_t laddr[16], raddr[16];	/* network order; IPv4 in the first 4 bytes */
	uint16_t lport, rport;		/* host order, 0 = unknown */
	char filename[256];		/* EXEC: the executed path, NUL-terminated, "" if unknown */
	const char *argv;		/* ARGV: NUL-separated arguments, argv_len bytes, valid
					 * during the callback only; NULL otherwise */
	uint32_t argv_len;
	bool argv_truncated;		/* the kernel copied only the first 1 KiB */
};

/* Called once per event from bpf_attr_poll(); ev is valid during the call only. */
typedef void (*attr_event_fn)(void *ctx, const struct attr_event *ev);

/* Note: <linux/bpf.h> declares `union bpf_attr`; a file that includes it
 * must rename it before including this header (see bpf_attr.c). */
struct bpf_attr;

/*
 * Loads and attaches every kernel program (needs CAP_BPF, CAP_PERFMON,
 * CAP_NET_ADMIN or CAP_SYS_ADMIN; mounts tracefs on /sys/kernel/tracing if
 * absent; attaches the cgroup hooks to the cgroup v2 root found in
 * /proc/self/mountinfo). fentry/fexit programs are tried and dropped cleanly
 * when the kernel refuses them (bpf_attr_hooks() says so).
 * Returns NULL with a message in err when BPF is unusable (or pidcap was built
 * without it). After it returns, capabilities may be dropped and a seccomp
 * filter without bpf() applied: poll, fd, lost and close keep working.
 */
struct bpf_attr *bpf_attr_open(attr_event_fn fn, void *ctx, char *err, size_t errlen);

/* The epoll fd that becomes readable when events are pending. */
int bpf_attr_fd(const struct bpf_attr *b);

/*
 * Delivers pending events to fn, waiting up to timeout_ms (0 = do not wait,
 * -1 = forever) for the first one. Returns the number delivered, 0 on timeout
 * or EINTR, -1 on error.
 */
int bpf_attr_poll(struct bpf_attr *b, int timeout_ms);

/* Events the kernel could not queue (ring buffer full); read from shared memory, no syscall. */
uint64_t bpf_attr_lost(const struct bpf_attr *b);

/* What is attached and what was refused, for the user, e.g.
 * "cgroup sock+sockops+cgroup_skb+tracepoints (fentry refused: Operation not permitted)". */
const char *bpf_attr_hooks(const struct bpf_attr *b);

/* Detaches everything and frees b (NULL is fine). Needs no capability. */
void bpf_attr_close(struct bpf_attr *b);

#endif
