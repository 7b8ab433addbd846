/* \summary: joining captured packets to sockets and processes (socket cookie, tuple) */
#ifndef PIDCAP_RECORD_ATTR_H
#define PIDCAP_RECORD_ATTR_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "record/bpf_attr.h"
#include "record/proc_read.h"
#include "record/snapshot.h"

/*
 * The recorder's picture of the machine: process lifetimes and the sockets
 * they own, fed by eBPF events, the start-up snapshot or /proc polling, and
 * asked for the owner of each captured packet.
 *
 * A process lifetime ("image") is a pid plus the time its program started:
 * fork gives a child the parent's image, exec starts a new one, so `sh -c
 * curl` shows as the shell until the exec and as curl afterwards. Sockets
 * are identified by their cookie (the kernel's socket id, the same in every
 * hook and in inet_diag) and indexed by their tuple; a packet's owner is the
 * local socket that sent it (source address and port), else the one that
 * received it. When both ends are local (loopback, veth between
 * namespaces) each direction belongs to its sender.
 *
 * Every table has a cap: over it, the least recently used socket and the
 * longest-exited process go first.
 */

#define ATTR_MAX_PROCS 65536u
#define ATTR_MAX_SOCKS 262144u

enum attr_how { ATTR_HOW_EBPF = 1, ATTR_HOW_SNAPSHOT = 2, ATTR_HOW_PROCFS = 3 };

/* One process lifetime, as recorded in the file's process records. */
struct attr_proc {
	uint32_t pid, tid;          /* tid: the thread seen first (socket creator) */
	int64_t start_ns;           /* start of this image: fork or exec time, else /proc start time */
	struct proc_desc d;         /* comm, exe, cmdline, ppid, uid, user, cgroup, container */
	enum attr_how how;
	bool exited;
	int64_t exit_ns;
	uint64_t written_seq;       /* output file that already holds its record (0 none) */
	uint64_t darwin_seq;        /* same for its Apple block (--compat darwin) */
	uint32_t darwin_index;      /* that block's index in the file */
	/* owned by attr.c */
	uint32_t refs;
	struct attr_proc *next_pid;
};

/* One socket. Addresses in network order (IPv4 in the first 4 bytes). */
struct attr_sock {
	uint64_t cookie;
	uint8_t family, ip_proto;   /* AF_INET/AF_INET6; IPPROTO_TCP/UDP */
	bool listener;
	bool has_tuple;             /* local and remote both known */
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	struct attr_proc *owner;    /* NULL: not known (yet) */
	enum attr_how how;
	int64_t first_ns, last_ns;  /* packets seen */
	uint64_t written_seq;       /* output file that already holds its record (0 none) */
	/* owned by attr.c */
	struct attr_sock *next_cookie, *next_tuple, *next_local;
	struct attr_sock *lru_prev, *lru_next;
	bool in_tuple, in_local;
};

/* The owner of one packet. */
struct attr_result {
	struct attr_sock *sock;     /* NULL: no local socket matched */
	struct attr_proc *proc;     /* NULL: the socket's owner is not known */
	bool outbound;              /* the socket sent it (else it received it) */
};

struct attr;

/* New, empty state; users (may be NULL) names uids. NULL on out of memory. */
struct attr *attr_new(const struct usertab *users);
void attr_free(struct attr *a);

/* Takes one eBPF event (in the order delivered). Reads /proc/PID for new
 * images at once, so short-lived processes are described while alive. */
void attr_event(struct attr *a, const struct attr_event *ev);

/* Takes sockets found by a snapshot (at start, how = SNAPSHOT) or by /proc
 * polling (how = PROCFS); sockets already known keep their owner. */
void attr_snapshot(struct attr *a, const struct snap_sock *s, size_t n, enum attr_how how,
		   int64_t now_ns);

/* Finds the owner of a packet between ep's endpoints at ts_ns; false (and
 * r cleared) when no local socket matches. Updates the socket's times. */
bool attr_lookup(struct attr *a, const struct ip_endpoints *ep, int64_t ts_ns,
		 struct attr_result *r);

/* Calls fn for every socket whose owner is alive or that saw a packet in
 * the last window_ns before now_ns (records repeated after a rotation). */
void attr_each_live_sock(struct attr *a, int64_t now_ns, int64_t window_ns,
			 void (*fn)(void *ctx, struct attr_sock *s), void *ctx);

/* Totals for the status line and the summary. */
struct attr_stats {
	uint64_t procs_seen, socks_seen, events, procs_evicted, socks_evicted;
	uint64_t proc_read_failed;  /* /proc gone before it was read: name and path from the event */
};
void attr_get_stats(const struct attr *a, struct attr_stats *s);

/* "ebpf", "snapshot" or "procfs". */
const char *attr_how_name(enum attr_how how);

#endif
