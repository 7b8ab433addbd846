/* \summary: the process and socket records the recorder puts in its files */
#ifndef PIDCAP_RECORD_RECORDS_H
#define PIDCAP_RECORD_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "capfile/pcapng_writer.h"
#include "record/attr.h"

/*
 * Each file describes every process lifetime once, before its first packet
 * (Wireshark's process record: copyable Custom Block, PEN 32622, entry type
 * 3, with pidcap's attribution, thread, cgroup and container as copyable
 * custom string options), and every socket once with its owner (pidcap's
 * socket record), so attribution survives rewriters that drop option 8.
 * written_seq on the process and the socket remembers which file has them.
 */

/* Writes p's record unless file seq already has it. 0, or -1 (writer error). */
int records_write_proc(struct pcapng_writer *w, uint64_t seq, struct attr_proc *p);

/* Writes s's record (and its owner's first) unless file seq already has it. */
int records_write_sock(struct pcapng_writer *w, uint64_t seq, struct attr_sock *s);

/* Writes p's Apple process block (--compat darwin) unless file seq already
 * has it; p->darwin_index is then the index packets refer to. */
int records_write_darwin(struct pcapng_writer *w, uint64_t seq, struct attr_proc *p);

/* ptcpdump's per-packet comment ("PID: ...\nCmd: ...\nArgs: ..."), for
 * --compat comment; returns the length written into buf (cap bytes). */
size_t records_comment(const struct attr_proc *p, char *buf, size_t cap);

#endif
