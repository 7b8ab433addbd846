/* \summary: the /proc poller: a separate, minimally privileged process that feeds socket owners to the recorder */
#ifndef PIDCAP_RECORD_POLLER_H
#define PIDCAP_RECORD_POLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record/snapshot.h"
#include "util/units.h"

/*
 * Privilege separation for attribution by /proc polling (--no-bpf, or a
 * kernel without BPF), in the manner of OpenBSD's and OpenSSH's privsep.
 *
 * Polling needs what the sandboxed recorder has given up: a
 * NETLINK_SOCK_DIAG socket (seccomp says EACCES to socket()), setns() into
 * other network namespaces (seccomp kills), and other processes'
 * /proc/PID/fd and /proc/PID/ns/net (ptrace-mode checks, which Landlock
 * refuses for processes outside its domain, and which need
 * CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH for other users' processes).
 *
 * So the recorder forks, before it sandboxes itself, a poller process that
 * keeps only CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH and CAP_SYS_ADMIN (setns
 * into a network namespace needs it; nothing narrower does) of the ones it
 * had, empties its bounding and ambient sets, locks root's special
 * treatment off (securebits), sets no-new-privs, closes every inherited
 * descriptor (capture handle, output directory) but its end of a pipe and
 * stderr, and dies with its parent (PR_SET_PDEATHSIG) or on SIGTERM.
 * Landlock is not applied to it: its domain would forbid exactly the
 * ptrace-mode checks it exists to pass.
 *
 * Every POLLER_INTERVAL_NS it runs snapshot_sockets_all() and writes the
 * result as one frame, in little-endian fixed-width fields:
 *
 *   header  (POLLER_HEADER_BYTES): magic u32 "PLR1", generation u32
 *           (1, 2, 3, ...), count u32 (<= POLLER_MAX_RECORDS), skipped
 *           namespaces u32, flags u32 (POLLER_FLAG_*)
 *   records (count x POLLER_RECORD_BYTES): cookie u64, family u8,
 *           ip_proto u8, tcp_state u8, listener u8, laddr[16], raddr[16],
 *           lport u16, rport u16, inode u32, uid u32, pid u32,
 *           n_holders u32, netns u32
 *
 * The recorder treats these bytes as untrusted: each field is checked
 * (magic, generation = previous + 1, count under the cap, family 4 or 6
 * with IPv4 padding zero, protocol TCP or UDP, flags and booleans, state
 * range, pid range, cookie non-zero); the first bad byte ends the stream
 * (the pipe is closed, the poller then exits). Records already delivered
 * stay delivered: each one is valid on its own.
 *
 * When the recorder closes the pipe the poller notices at once (POLLERR on
 * its end while it waits, EPIPE while it writes) and exits; the recorder
 * then reaps it.
 */

#define POLLER_INTERVAL_NS (250 * NS_PER_MSEC)
#define POLLER_MAX_RECORDS SNAP_MAX_SOCKETS   /* sockets per round */
#define POLLER_HEADER_BYTES 20u
#define POLLER_RECORD_BYTES 68u
#define POLLER_MAGIC 0x31524c50u              /* "PLR1" little-endian */
#define POLLER_FLAG_CAPPED 1u                 /* the round hit a cap: sockets left out */
#define POLLER_FLAGS_KNOWN POLLER_FLAG_CAPPED

struct poller;

/*
 * Forks the poller. The caller is single-threaded, not yet sandboxed, and
 * has installed no signal handlers it wants the poller to keep. The poller
 * keeps whichever of its three capabilities the caller holds in its
 * permitted set (none when not root: it then sees only the caller's own
 * user's processes and namespaces). Returns the handle, or NULL with a
 * message in err (nothing to clean up then).
 */
struct poller *poller_start(char *err, size_t errlen);

/* The pipe's read end (non-blocking), for poll(); -1 once closed. */
int poller_fd(const struct poller *p);

/* The poller's pid. */
pid_t poller_pid(const struct poller *p);

/* The capabilities it keeps, e.g. "cap_dac_read_search, cap_sys_ptrace,
 * cap_sys_admin", or "none". Valid until poller_free(). */
const char *poller_caps(const struct poller *p);

/* Called with validated sockets, a batch at a time, in stream order. */
typedef void (*poller_sockets_fn)(void *ctx, const struct snap_sock *s, size_t n);

/*
 * Reads what the pipe holds (at most a bounded number of bytes per call, so
 * a busy poller cannot starve the capture), validates it and hands every
 * complete record to fn. Never blocks. Returns 0 (call again when the fd
 * is readable); 1 when the poller closed its end (it exited); -1 with a
 * message in err when the stream broke the protocol or read() failed.
 * After 1 or -1 the pipe is closed and further calls return 1.
 */
int poller_read(struct poller *p, poller_sockets_fn fn, void *ctx, char *err, size_t errlen);

struct poller_stats {
	uint64_t rounds;            /* complete frames read */
	uint64_t sockets;           /* records delivered */
	uint64_t capped_rounds;     /* frames flagged POLLER_FLAG_CAPPED */
	uint32_t skipped_ns;        /* namespaces the last round could not enter */
};

void poller_get_stats(const struct poller *p, struct poller_stats *s);

/*
 * Closes the pipe (the poller exits when it sees that) and reaps it,
 * waiting at most about two seconds; a poller still alive then is left to
 * PR_SET_PDEATHSIG. Frees p; p may be NULL. Needs only close, wait4 and
 * nanosleep, so it works inside the recorder's sandbox.
 */
void poller_free(struct poller *p);

#endif
