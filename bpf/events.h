/* \summary: the event record that bpf/pidcap.bpf.c sends to user space through its ring buffer */
#ifndef PIDCAP_BPF_EVENTS_H
#define PIDCAP_BPF_EVENTS_H

/*
 * Shared by the kernel programs (which include vmlinux.h first) and by
 * src/record/bpf_attr.c (which includes <linux/types.h>). Fixed-width types
 * only, explicit padding, so both sides agree on every offset.
 */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* What an event says (pidcap_event.type). */
#define PIDCAP_EV_SOCK_OWNER	1	/* a process owns / uses a socket */
#define PIDCAP_EV_SOCK_TUPLE	2	/* socket cookie <-> addresses and ports */
#define PIDCAP_EV_ACCEPT	3	/* accept4()/accept() returned fd */
#define PIDCAP_EV_EXEC		4
#define PIDCAP_EV_FORK		5
#define PIDCAP_EV_EXIT		6
#define PIDCAP_EV_ARGV		7	/* struct pidcap_argv_event, right after its EXEC */

/* Which kernel hook produced it (pidcap_event.hook); same values as enum attr_hook. */
#define PIDCAP_HOOK_SOCK_CREATE		1
#define PIDCAP_HOOK_CONNECT		2
#define PIDCAP_HOOK_SENDMSG		3
#define PIDCAP_HOOK_RECVMSG		4
#define PIDCAP_HOOK_POST_BIND		5
#define PIDCAP_HOOK_SOCKOPS_ACTIVE	6
#define PIDCAP_HOOK_SOCKOPS_PASSIVE	7
#define PIDCAP_HOOK_SKB_EGRESS		8
#define PIDCAP_HOOK_SKB_INGRESS		9
#define PIDCAP_HOOK_ACCEPT		10
#define PIDCAP_HOOK_EXEC		11
#define PIDCAP_HOOK_FORK		12
#define PIDCAP_HOOK_EXIT		13
#define PIDCAP_HOOK_FENTRY_SEND		14
#define PIDCAP_HOOK_FENTRY_CONNECT	15
#define PIDCAP_HOOK_FENTRY_ACCEPT	16

#define PIDCAP_COMM_LEN		16
#define PIDCAP_FILENAME_LEN	256
#define PIDCAP_ARGV_LEN		1024	/* a power of two: the program masks lengths with it */

/* Ring buffer size in bytes (a power of two, a multiple of the page size). */
#define PIDCAP_RINGBUF_BYTES	(4u << 20)

/*
 * One event. Addresses are in network byte order as the kernel holds them
 * (IPv4 in the first 4 bytes), ports in host order; 0 means unknown.
 * filename is NUL-terminated when set (EXEC only).
 */
struct pidcap_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cookie;		/* socket cookie, 0 = none */
	__u32 type;		/* PIDCAP_EV_* */
	__u32 hook;		/* PIDCAP_HOOK_* */
	__u32 pid;		/* thread-group id, 0 = unknown (softirq hooks) */
	__u32 tid;
	__u32 uid;
	__u32 ppid;		/* EXEC: parent if readable; FORK: the parent */
	__u32 child_pid;	/* FORK */
	__u32 ctx_pid;		/* SKB_EGRESS: current task, untrusted */
	__s32 fd;		/* ACCEPT: returned fd */
	__u8 family;		/* AF_INET / AF_INET6, 0 = none */
	__u8 ip_proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	__u8 listener;		/* POST_BIND of a TCP socket */
	__u8 pad0;
	__u8 laddr[16];
	__u8 raddr[16];
	__u16 lport;
	__u16 rport;
	char comm[PIDCAP_COMM_LEN];
	char filename[PIDCAP_FILENAME_LEN];
};

/*
 * The arguments of an exec, copied by the kernel program from the new
 * process' memory (mm->arg_start..arg_end: NUL-separated, as
 * /proc/PID/cmdline), so that a process that is gone before user space
 * reads /proc is still described. Shares its first fields with
 * pidcap_event; len bytes of argv are valid; truncated when longer.
 */
struct pidcap_argv_event {
	__u64 ts_ns;
	__u64 pad0;
	__u32 type;		/* PIDCAP_EV_ARGV */
	__u32 hook;		/* PIDCAP_HOOK_EXEC */
	__u32 pid;
	__u32 len;
	__u32 truncated;
	__u32 pad1;
	char argv[PIDCAP_ARGV_LEN];
};

#endif
