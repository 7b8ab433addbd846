/* \summary: sockets that existed before recording: inet_diag plus /proc fd owners */
#ifndef PIDCAP_RECORD_SNAPSHOT_H
#define PIDCAP_RECORD_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_MAX_SOCKETS 262144u     /* sockets kept per snapshot (all namespaces together) */
#define SNAP_MAX_NETNS 4096u         /* network namespaces visited by snapshot_sockets_all() */
#define SOCK_OWNERS_MAX (1u << 20)   /* socket inodes kept by one owner scan */

struct snap_sock {
	uint64_t cookie;           /* inet_diag idiag_cookie (the same value bpf_get_socket_cookie gives) */
	uint8_t family, ip_proto, tcp_state;   /* AF_INET/AF_INET6, IPPROTO_TCP/UDP, TCP_* (UDP: 1 connected, 7 not) */
	bool listener;             /* TCP LISTEN, or UDP bound to a port with no remote */
	uint8_t laddr[16], raddr[16];  /* network order, IPv4 in the first 4 bytes */
	uint16_t lport, rport;     /* host order */
	uint32_t inode, uid;       /* inode 0: no file (TIME-WAIT, orphaned) */
	uint32_t pid;              /* a process holding it (the lowest pid); 0 none found */
	uint32_t n_holders;        /* how many processes hold it */
	uint32_t netns;            /* inode of its network namespace (as in "net:[inode]"), 0 unknown */
};

/*
 * All TCP and UDP sockets, IPv4 and IPv6, of the current network namespace,
 * dumped with NETLINK_SOCK_DIAG (inet_diag, SOCK_DIAG_BY_FAMILY), in every
 * state except TCP_NEW_SYN_RECV (request socks, whose cookie is not the one
 * of the accepted socket); owners from one sock_owners_scan(). *out is
 * malloc'ed (caller frees; NULL when *n is 0). Returns 0; 1 when the
 * SNAP_MAX_SOCKETS cap cut the list (err says so, *out holds the first
 * ones); -1 with a message in err (nothing to free).
 */
int snapshot_sockets(struct snap_sock **out, size_t *n, char *err, size_t errlen);

/*
 * The same for the network namespace netns_fd (an open /proc/PID/ns/net or
 * /run/netns/NAME): the netlink socket is created by a short-lived thread
 * that setns()es into it, so the caller's namespace never changes. Needs
 * CAP_SYS_ADMIN over that namespace. Owners still come from the global
 * /proc scan. Same returns as snapshot_sockets().
 */
int snapshot_sockets_netns(int netns_fd, struct snap_sock **out, size_t *n, char *err, size_t errlen);

/*
 * The same over every network namespace it can find: the caller's, those of
 * /proc/[0-9]* /ns/net (one per distinct namespace inode, processes' main
 * threads only) and the bind mounts in /run/netns. A namespace kept alive
 * only by a socket or by a thread is missed. Namespaces that cannot be
 * entered (no privilege, the process left) are skipped; *skipped (may be
 * NULL) counts them. Each socket carries its namespace in ->netns. Same
 * returns as snapshot_sockets().
 */
int snapshot_sockets_all(struct snap_sock **out, size_t *n, unsigned *skipped, char *err, size_t errlen);

/* A growing list of sockets (free v when done). */
struct snap_list {
	struct snap_sock *v;
	size_t n, cap;
	bool truncated;            /* SNAP_MAX_SOCKETS reached: later sockets were dropped */
};

/* Which dump a reply belongs to, and what its sockets are tagged with. */
struct snap_diag_query {
	uint32_t seq;              /* messages with another nlmsg_seq are skipped */
	uint8_t family, ip_proto;  /* AF_INET/AF_INET6; IPPROTO_TCP/UDP */
	uint32_t netns;            /* copied into each socket's ->netns */
};

/*
 * Parses one received datagram of an inet_diag dump (NETLINK_SOCK_DIAG,
 * SOCK_DIAG_BY_FAMILY): the nlmsghdr-framed messages in [buf, buf + len),
 * any alignment. Appends each inet_diag_msg of family q->family (except
 * TCP_NEW_SYN_RECV) to l, at most SNAP_MAX_SOCKETS (then sets
 * l->truncated). Framing stops at the first header that is short or longer
 * than what is left, as NLMSG_OK() does; payloads too short for their type
 * are skipped. Returns 1 at NLMSG_DONE, 0 when the dump goes on in the next
 * datagram, -1 with a message in err for NLMSG_ERROR or out of memory (l
 * keeps what it had; the caller frees l->v in every case).
 */
int snapshot_diag_parse(const void *buf, size_t len, const struct snap_diag_query *q,
			struct snap_list *l, char *err, size_t errlen);

/*
 * Owner scan, reusable for the --no-bpf polling fallback: socket inode ->
 * (lowest pid holding it, number of processes holding it), from one pass
 * over /proc/[0-9]* /fd ("socket:[inode]" links; a process holding a
 * socket twice counts once). Processes whose fds cannot be read (gone,
 * not permitted) are skipped.
 */
struct sock_owners;

/* An empty table, or NULL when out of memory. */
struct sock_owners *sock_owners_new(void);

/*
 * Empties o and refills it from /proc (the table's memory is reused, so it
 * can run every few ms). Keeps at most SOCK_OWNERS_MAX inodes. Returns 0;
 * 1 when the cap dropped inodes (err says so); -1 with a message in err.
 */
int sock_owners_scan(struct sock_owners *o, char *err, size_t errlen);

/* Looks inode up; false if no scanned process holds it. pid/n_holders may be NULL. */
bool sock_owners_find(const struct sock_owners *o, uint32_t inode, uint32_t *pid, uint32_t *n_holders);

/* Number of distinct socket inodes found by the last scan. */
size_t sock_owners_count(const struct sock_owners *o);

/* Frees o; o may be NULL. */
void sock_owners_free(struct sock_owners *o);

/* Sets pid and n_holders of each of the n sockets from o (0 when not found). */
void snapshot_set_owners(struct snap_sock *s, size_t n, const struct sock_owners *o);

#endif
