/* \summary: kernel side of process attribution: socket owners, socket tuples, accept, exec/fork/exit */
/*
 * Every program reports into one ring buffer (`events`) as struct pidcap_event
 * (events.h). Failed reservations are counted in `lost_events` (.bss), which
 * user space reads through the skeleton's mmapped bss, without bpf().
 *
 * Packets are joined to processes through the socket cookie: the cgroup sock
 * hooks run in process context (cookie -> pid, comm); sockops and cgroup_skb
 * give cookie <-> tuple and must not trust the current task (softirq).
 * The fentry/fexit programs at the end load only where the kernel allows the
 * `tracing` program type; user space switches their autoload off otherwise.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "events.h"

/* Constants that vmlinux.h (BTF) cannot carry. */
#define AF_INET		2
#define AF_INET6	10
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define IP_OFFSET_MASK	0x1fff		/* RFC 791: fragment offset bits */
#define CLONE_THREAD	0x00010000
#define SKB_ALLOW	1		/* cgroup hooks: let the operation proceed */
#define SEEN_ENTRIES	65536		/* cap of the per-cookie dedup maps */

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PIDCAP_RINGBUF_BYTES);
} events SEC(".maps");

/* Last remote endpoint reported by cgroup_skb for a socket. */
struct seen_remote {
	__u8 addr[16];
	__u16 port;
	__u8 family;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SEEN_ENTRIES);
	__type(key, __u64);
	__type(value, struct seen_remote);
} skb_seen SEC(".maps");

/* Thread ids created with CLONE_THREAD (task_newtask), so that
 * sched_process_fork reports processes only. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} new_threads SEC(".maps");

/* fentry send hooks: last thread group seen sending on a socket. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SEEN_ENTRIES);
	__type(key, __u64);
	__type(value, __u32);
} send_seen SEC(".maps");

/* Ring-buffer reservations that failed (read by user space via mmap). */
__u64 lost_events = 0;

static __always_inline struct pidcap_event *ev_reserve(__u32 type, __u32 hook)
{
	struct pidcap_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_events, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->type = type;
	e->hook = hook;
	return e;
}

/* Only for hooks that run in the context of the process concerned. */
static __always_inline void ev_fill_task(struct pidcap_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void put_ip4(__u8 *dst, __u32 addr_be)
{
	*(__u32 *)dst = addr_be;
}

static __always_inline void put_ip6(__u8 *dst, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u32 *d = (__u32 *)dst;

	d[0] = w0;
	d[1] = w1;
	d[2] = w2;
	d[3] = w3;
}

/* ------------------------------------------------------------ cgroup sock */

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	struct pidcap_event *e;

	e = ev_reserve(PIDCAP_EV_SOCK_OWNER, PIDCAP_HOOK_SOCK_CREATE);
	if (!e)
		return SKB_ALLOW;
	ev_fill_task(e);
	e->cookie = bpf_get_socket_cookie(sk);
	e->family = sk->family;
	e->ip_proto = sk->protocol;
	bpf_ringbuf_submit(e, 0);
	return SKB_ALLOW;
}

/* connect, sendmsg and recvmsg: the remote end is in user_ip4/6, user_port. */
static __always_inline void sock_addr_event(struct bpf_sock_addr *ctx, __u32 hook, int v6)
{
	struct pidcap_event *e;

	e = ev_reserve(PIDCAP_EV_SOCK_OWNER, hook);
	if (!e)
		return;
	ev_fill_task(e);
	e->cookie = bpf_get_socket_cookie(ctx);
	e->family = v6 ? AF_INET6 : AF_INET;
	e->ip_proto = ctx->protocol;
	if (v6)
		put_ip6(e->raddr, ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			ctx->user_ip6[3]);
	else
		put_ip4(e->raddr, ctx->user_ip4);
	e->rport = bpf_ntohs((__u16)ctx->user_port);
	bpf_ringbuf_submit(e, 0);
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	sock_addr_event(ctx, PIDCAP_HOOK_CONNECT, 0);
	return SKB_ALLOW;
}

SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx)
{
	sock_addr_event(ctx, PIDCAP_HOOK_CONNECT, 1);
	return SKB_ALLOW;
}

SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx)
{
	sock_addr_event(ctx, PIDCAP_HOOK_SENDMSG, 0);
	return SKB_ALLOW;
}

SEC("cgroup/sendmsg6")
int sendmsg6(struct bpf_sock_addr *ctx)
{
	sock_addr_event(ctx, PIDCAP_HOOK_SENDMSG, 1);
	return SKB_ALLOW;
}

SEC("cgroup/recvmsg4")
int recvmsg4(struct bpf_sock_addr *ctx)
{
	sock_addr_event(ctx, PIDCAP_HOOK_RECVMSG, 0);
	return SKB_ALLOW;
}

SEC("cgroup/recvmsg6")
int recvmsg6(struct bpf_sock_addr *ctx)
{
	sock_addr_event(ctx, PIDCAP_HOOK_RECVMSG, 1);
	return SKB_ALLOW;
}

static __always_inline void post_bind_event(struct bpf_sock *sk, int v6)
{
	struct pidcap_event *e;

	e = ev_reserve(PIDCAP_EV_SOCK_OWNER, PIDCAP_HOOK_POST_BIND);
	if (!e)
		return;
	ev_fill_task(e);
	e->cookie = bpf_get_socket_cookie(sk);
	e->family = v6 ? AF_INET6 : AF_INET;
	e->ip_proto = sk->protocol;
	e->listener = sk->protocol == IPPROTO_TCP;
	if (v6)
		put_ip6(e->laddr, sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2], sk->src_ip6[3]);
	else
		put_ip4(e->laddr, sk->src_ip4);
	e->lport = (__u16)sk->src_port;
	bpf_ringbuf_submit(e, 0);
}

SEC("cgroup/post_bind4")
int post_bind4(struct bpf_sock *sk)
{
	post_bind_event(sk, 0);
	return SKB_ALLOW;
}

SEC("cgroup/post_bind6")
int post_bind6(struct bpf_sock *sk)
{
	post_bind_event(sk, 1);
	return SKB_ALLOW;
}

/* ------------------------------------------------------------ sockops */

/* Runs in softirq for both ends of a new TCP connection: no pid. */
SEC("sockops")
int sockops_established(struct bpf_sock_ops *ops)
{
	struct pidcap_event *e;
	__u32 op = ops->op, hook, family;

	if (op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
		hook = PIDCAP_HOOK_SOCKOPS_ACTIVE;
	else if (op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		hook = PIDCAP_HOOK_SOCKOPS_PASSIVE;
	else
		return 1;
	family = ops->family;
	if (family != AF_INET && family != AF_INET6)
		return 1;
	e = ev_reserve(PIDCAP_EV_SOCK_TUPLE, hook);
	if (!e)
		return 1;
	e->cookie = bpf_get_socket_cookie(ops);
	e->family = family;
	e->ip_proto = IPPROTO_TCP;
	if (family == AF_INET) {
		put_ip4(e->laddr, ops->local_ip4);
		put_ip4(e->raddr, ops->remote_ip4);
	} else {
		put_ip6(e->laddr, ops->local_ip6[0], ops->local_ip6[1], ops->local_ip6[2],
			ops->local_ip6[3]);
		put_ip6(e->raddr, ops->remote_ip6[0], ops->remote_ip6[1], ops->remote_ip6[2],
			ops->remote_ip6[3]);
	}
	/* local_port is host order; remote_port is the network-order port
	 * in the upper half of a network-order word. */
	e->lport = (__u16)ops->local_port;
	e->rport = (__u16)bpf_ntohl(ops->remote_port);
	bpf_ringbuf_submit(e, 0);
	return 1;
}

/* ------------------------------------------------------------ cgroup_skb */

/* A packet's endpoints as its socket sees them (local/remote). */
struct skb_tuple {
	__u8 laddr[16], raddr[16];
	__u16 lport, rport;
	__u8 family, ip_proto;
};

/* Fills t from the packet headers (network header at offset 0 in
 * cgroup_skb). Returns 0 when parsed. */
static __always_inline int skb_parse(struct __sk_buff *skb, struct skb_tuple *t, int egress)
{
	__u16 ports[2];
	__u32 l4off;
	__u8 *src, *dst;

	src = egress ? t->laddr : t->raddr;
	dst = egress ? t->raddr : t->laddr;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
			return -1;
		put_ip4(src, ip.saddr);
		put_ip4(dst, ip.daddr);
		t->family = AF_INET;
		t->ip_proto = ip.protocol;
		if (ip.frag_off & bpf_htons(IP_OFFSET_MASK))
			return 0;	/* no L4 header in later fragments */
		l4off = (__u32)ip.ihl * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			return -1;
		__builtin_memcpy(src, &ip6.saddr, 16);
		__builtin_memcpy(dst, &ip6.daddr, 16);
		t->family = AF_INET6;
		t->ip_proto = ip6.nexthdr;	/* extension headers: ports stay unknown */
		l4off = sizeof(ip6);
	} else {
		return -1;
	}
	if (t->ip_proto != IPPROTO_TCP && t->ip_proto != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, l4off, ports, sizeof(ports)) < 0)
		return 0;
	t->lport = bpf_ntohs(egress ? ports[0] : ports[1]);
	t->rport = bpf_ntohs(egress ? ports[1] : ports[0]);
	return 0;
}

static __always_inline int seen_same(const struct seen_remote *a, const struct seen_remote *b)
{
	const __u32 *wa = (const __u32 *)a->addr, *wb = (const __u32 *)b->addr;

	return wa[0] == wb[0] && wa[1] == wb[1] && wa[2] == wb[2] && wa[3] == wb[3] &&
	       a->port == b->port && a->family == b->family;
}

/* Reports cookie <-> tuple once per socket and again when the remote end
 * changes. Runs for every packet: the ring is touched only for news (a
 * reserve-then-discard per packet would fill it with dead records). */
static __always_inline void skb_event(struct __sk_buff *skb, int egress)
{
	struct seen_remote now = {}, *old;
	struct skb_tuple t = {};
	struct pidcap_event *e;
	struct bpf_sock *sk;
	__u64 cookie;

	sk = skb->sk;
	if (!sk)
		return;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return;
	if (sk->protocol != IPPROTO_TCP && sk->protocol != IPPROTO_UDP)
		return;
	cookie = bpf_get_socket_cookie(skb);
	if (!cookie)
		return;
	if (skb_parse(skb, &t, egress) < 0)
		return;
	__builtin_memcpy(now.addr, t.raddr, sizeof(now.addr));
	now.port = t.rport;
	now.family = t.family;
	old = bpf_map_lookup_elem(&skb_seen, &cookie);
	if (old && seen_same(old, &now))
		return;
	e = ev_reserve(PIDCAP_EV_SOCK_TUPLE,
		       egress ? PIDCAP_HOOK_SKB_EGRESS : PIDCAP_HOOK_SKB_INGRESS);
	if (!e)
		return;		/* counted as lost; the next packet tries again */
	bpf_map_update_elem(&skb_seen, &cookie, &now, BPF_ANY);
	__builtin_memcpy(e->laddr, t.laddr, sizeof(e->laddr));
	__builtin_memcpy(e->raddr, t.raddr, sizeof(e->raddr));
	e->lport = t.lport;
	e->rport = t.rport;
	e->family = t.family;
	e->ip_proto = t.ip_proto;
	e->cookie = cookie;
	if (egress)
		e->ctx_pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(e, 0);
}

SEC("cgroup_skb/egress")
int skb_egress(struct __sk_buff *skb)
{
	skb_event(skb, 1);
	return SKB_ALLOW;
}

SEC("cgroup_skb/ingress")
int skb_ingress(struct __sk_buff *skb)
{
	skb_event(skb, 0);
	return SKB_ALLOW;
}

/* ------------------------------------------------------------ tracepoints */

static __always_inline void accept_event(struct trace_event_raw_sys_exit *ctx)
{
	struct pidcap_event *e;
	long ret = ctx->ret;

	if (ret < 0)
		return;
	e = ev_reserve(PIDCAP_EV_ACCEPT, PIDCAP_HOOK_ACCEPT);
	if (!e)
		return;
	ev_fill_task(e);
	e->fd = (__s32)ret;
	bpf_ringbuf_submit(e, 0);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	accept_event(ctx);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	accept_event(ctx);
	return 0;
}

/*
 * The path given to execve(). sched_process_exec carries it as a __data_loc
 * string, but the kernel refuses to attach a program that reads ctx past the
 * fixed fields (EACCES), and lockdown refuses bpf_probe_read_kernel().
 * Best: the kernel copied it to the top of the new process' stack, right after
 * the environment strings (mm->env_end, what AT_EXECFN points to): freshly
 * written user memory, read with bpf_probe_read_user_str(). Fallback (no BTF
 * task pointer): copy it from the caller at sys_enter_execve(at), which fails
 * with EFAULT when the string's page is not yet mapped (e.g. a literal in a
 * freshly forked child).
 */
struct exec_name {
	char name[PIDCAP_FILENAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct exec_name);
} exec_names SEC(".maps");

/* Per-CPU scratch: struct exec_name is too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_name);
} exec_scratch SEC(".maps");

static __always_inline void exec_name_save(const char *user_path)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct exec_name *n = bpf_map_lookup_elem(&exec_scratch, &zero);

	if (!n)
		return;
	if (bpf_probe_read_user_str(n->name, sizeof(n->name), user_path) <= 0)
		n->name[0] = '\0';
	bpf_map_update_elem(&exec_names, &tgid, n, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	exec_name_save((const char *)ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	exec_name_save((const char *)ctx->args[1]);	/* may be relative to the dirfd */
	return 0;
}

/* user_fn: address of the path in the new process, 0 if unknown. Bytes
 * after the NUL may be stale (scratch reuse): user space stops at it. */
static __always_inline void exec_filename(struct pidcap_event *e, __u64 user_fn)
{
	__u32 tgid = e->pid;
	struct exec_name *n = bpf_map_lookup_elem(&exec_names, &tgid);

	if (user_fn && bpf_probe_read_user_str(e->filename, sizeof(e->filename),
					       (const void *)user_fn) > 0)
		n = NULL;
	else if (n)
		__builtin_memcpy(e->filename, n->name, sizeof(e->filename) - 1);
	if (n || user_fn)
		bpf_map_delete_elem(&exec_names, &tgid);
}

static __always_inline void exec_event(__u32 ppid, __u64 user_fn)
{
	struct pidcap_event *e;

	e = ev_reserve(PIDCAP_EV_EXEC, PIDCAP_HOOK_EXEC);
	if (!e)
		return;
	ev_fill_task(e);
	e->ppid = ppid;
	exec_filename(e, user_fn);
	bpf_ringbuf_submit(e, 0);
}

/* The new program's arguments (user memory of the current process). */
static __always_inline void argv_event(__u64 start, __u64 end)
{
	struct pidcap_argv_event *a;
	__u64 len = end > start ? end - start : 0;

	if (len == 0)
		return;
	a = bpf_ringbuf_reserve(&events, sizeof(*a), 0);
	if (!a) {
		__sync_fetch_and_add(&lost_events, 1);
		return;
	}
	a->ts_ns = bpf_ktime_get_ns();
	a->pad0 = 0;
	a->type = PIDCAP_EV_ARGV;
	a->hook = PIDCAP_HOOK_EXEC;
	a->pid = bpf_get_current_pid_tgid() >> 32;
	a->truncated = len > PIDCAP_ARGV_LEN;
	a->pad1 = 0;
	if (len > PIDCAP_ARGV_LEN)
		len = PIDCAP_ARGV_LEN;
	len &= PIDCAP_ARGV_LEN * 2 - 1;	/* for the verifier: 0..2047 */
	if (len > PIDCAP_ARGV_LEN || bpf_probe_read_user(a->argv, len, (const void *)start) < 0)
		len = 0;
	a->len = (__u32)len;
	bpf_ringbuf_submit(a, 0);
}

/* Variant without the parent (kernels that refuse BTF task pointers here). */
SEC("tracepoint/sched/sched_process_exec")
int sched_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	exec_event(0, 0);
	return 0;
}

/* Variant reading the parent and the path's address through
 * bpf_get_current_task_btf() (BTF pointers, no probe_read_kernel). */
SEC("tracepoint/sched/sched_process_exec")
int sched_exec_btf(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	exec_event(task->real_parent->tgid, task->mm->env_end);
	argv_event(task->mm->arg_start, task->mm->arg_end);
	return 0;
}

SEC("tracepoint/task/task_newtask")
int task_newtask(struct trace_event_raw_task_newtask *ctx)
{
	__u32 tid = ctx->pid;
	__u8 one = 1;

	if (ctx->clone_flags & CLONE_THREAD)
		bpf_map_update_elem(&new_threads, &tid, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int sched_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	struct pidcap_event *e;
	__u32 child = ctx->child_pid;

	if (bpf_map_lookup_elem(&new_threads, &child)) {
		bpf_map_delete_elem(&new_threads, &child);
		return 0;	/* a thread, not a process */
	}
	e = ev_reserve(PIDCAP_EV_FORK, PIDCAP_HOOK_FORK);
	if (!e)
		return 0;
	ev_fill_task(e);
	e->ppid = e->pid;
	e->child_pid = child;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int sched_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	struct pidcap_event *e;
	__u64 id = bpf_get_current_pid_tgid();
	int last;

	/* The whole process ends: group_dead where the kernel reports it,
	 * otherwise the thread-group leader's exit. */
	if (bpf_core_field_exists(ctx->group_dead))
		last = ctx->group_dead;
	else
		last = (__u32)id == (__u32)(id >> 32);
	if (!last)
		return 0;
	e = ev_reserve(PIDCAP_EV_EXIT, PIDCAP_HOOK_EXIT);
	if (!e)
		return 0;
	ev_fill_task(e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* ------------------------------------------------------------ fentry (optional) */

static __always_inline void fentry_owner(struct sock *sk, __u32 hook)
{
	struct pidcap_event *e;

	e = ev_reserve(PIDCAP_EV_SOCK_OWNER, hook);
	if (!e)
		return;
	ev_fill_task(e);
	e->cookie = bpf_get_socket_cookie(sk);
	e->family = sk->__sk_common.skc_family;
	e->ip_proto = sk->sk_protocol;
	bpf_ringbuf_submit(e, 0);
}

/* Every sender, but one event per (socket, process) change: a forked child
 * writing to an inherited socket shows up, a bulk sender does not flood. */
static __always_inline void fentry_send(struct sock *sk)
{
	__u64 cookie = bpf_get_socket_cookie(sk);
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 *last;

	last = bpf_map_lookup_elem(&send_seen, &cookie);
	if (last && *last == tgid)
		return;
	bpf_map_update_elem(&send_seen, &cookie, &tgid, BPF_ANY);
	fentry_owner(sk, PIDCAP_HOOK_FENTRY_SEND);
}

SEC("fentry/tcp_sendmsg")
int BPF_PROG(fentry_tcp_sendmsg, struct sock *sk)
{
	fentry_send(sk);
	return 0;
}

SEC("fentry/udp_sendmsg")
int BPF_PROG(fentry_udp_sendmsg, struct sock *sk)
{
	fentry_send(sk);
	return 0;
}

SEC("fentry/tcp_connect")
int BPF_PROG(fentry_tcp_connect, struct sock *sk)
{
	fentry_owner(sk, PIDCAP_HOOK_FENTRY_CONNECT);
	return 0;
}

/* inet_csk_accept's arguments differ between kernels: take only the return value. */
SEC("fexit/inet_csk_accept")
int fexit_inet_csk_accept(void *ctx)
{
	struct pidcap_event *e;
	struct sock *sk;
	__u64 ret = 0;

	if (bpf_get_func_ret(ctx, &ret) < 0 || !ret)
		return 0;
	sk = (struct sock *)ret;
	e = ev_reserve(PIDCAP_EV_SOCK_OWNER, PIDCAP_HOOK_FENTRY_ACCEPT);
	if (!e)
		return 0;
	ev_fill_task(e);
	e->cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->ip_proto = BPF_CORE_READ(sk, sk_protocol);
	if (e->family == AF_INET) {
		put_ip4(e->laddr, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
		put_ip4(e->raddr, BPF_CORE_READ(sk, __sk_common.skc_daddr));
	} else {
		BPF_CORE_READ_INTO(e->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(e->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
