/* \summary: output files of pidcap record: one pcapng file or a rotating set, each complete */
#ifndef PIDCAP_RECORD_OUTPUT_H
#define PIDCAP_RECORD_OUTPUT_H

#include <stdint.h>

#include "capfile/pcapng_writer.h"

/*
 * Output model. Every file is written by the pcapng writer as NAME.part and
 * published as NAME (fsync of the file, rename, fsync of the directory) when
 * it is closed, so each file is complete on its own: SHB, one IDB (the
 * capture's link type and snaplen, if_tsresol = 9), the records the caller
 * repeats through new_file_fn (live processes and sockets), packets, and an
 * ISB when it is closed.
 *
 * Names. Without rotation (max_bytes and max_ns both 0) the file is exactly
 * cfg->name. With rotation every file is named as dumpcap names ring files:
 * the stem of cfg->name, "_NNNNN_YYYYmmddHHMMSS", then its extension
 * ("out.pcapng" -> "out_00001_20261129170102.pcapng"): NNNNN is the file's
 * sequence number, the time the local time of its opening (for a file
 * opened by rotation before a packet, that packet's time).
 *
 * Rotation happens before a packet when the file already holds at least one
 * packet and either its size, plus the packet's block, plus the ISB still to
 * come, would exceed max_bytes, or the packet's time is max_ns or more after
 * the file's start. A file's start is the time it was opened, except that
 * its first packet moves it to the packet's time when that time lies outside
 * [start, start + max_ns) (a clock that differs from the packets', or
 * replayed times). A closed file thus stays within max_bytes unless its one
 * packet alone exceeds it.
 *
 * Statistics. At each close output calls stats_fn for the capture's
 * cumulative counters since the start (ifrecv, ifdrop, osdrop; has_ flags
 * for those it knows; dumpcap's mapping: ps_recv -> ifrecv, ps_drop ->
 * osdrop, ps_ifdrop -> ifdrop) and writes each file's own share: the
 * difference from the totals at the previous close. isb_starttime is the
 * file's start, isb_endtime the close (never before the last packet), and
 * isb_usrdeliv the packets written to that file.
 *
 * Errors. A failed write (ENOSPC, EDQUOT, EFBIG, EIO) is sticky: the file is
 * cut back to its last whole block by the writer, every later call fails with
 * the same message ("disk full: NAME: No space left on device"), and
 * output_close() still publishes what was kept (a file that kept nothing at
 * all, not even its SHB, is removed instead: an empty file is no capture). Note that the writer buffers
 * PCAPNG_WRITER_BUF_BYTES, so the failure shows on the call that flushes,
 * and the packets of the buffer that did not fit are not in the file. A
 * packet the writer refuses (EINVAL, EMSGSIZE: e.g. caplen over the snaplen)
 * fails alone and leaves the output usable.
 *
 * Local time needs the time zone: output_open() loads it (tzset), so it must
 * run before a sandbox hides /etc/localtime.
 */

struct output;

struct output_config {
	int dirfd;                  /* directory (O_RDONLY|O_DIRECTORY), opened before the sandbox; output duplicates it */
	const char *name;           /* file name as given with -w, without '/' (the caller split dir and name) */
	uint64_t max_bytes;         /* -C: rotate before a file would exceed it (0 = no limit) */
	int64_t max_ns;             /* -G: rotate when a packet's time is >= file start + max_ns (0 = never) */
	uint32_t max_files;         /* -W: keep at most this many files, unlinking the oldest (0 = keep all); needs -C or -G */
	uint16_t linktype;          /* LINKTYPE_ value of every packet */
	uint32_t snaplen;           /* 0 = unlimited */
	const char *if_name, *if_filter, *if_os;   /* IDB options; NULL = absent */
	const char *userappl;       /* shb_userappl; NULL = "pidcap VERSION" */
	/* Fills the ISB counters at each close with cumulative totals (see above); may be NULL. */
	void (*stats_fn)(void *ctx, struct pcapng_isb *isb);
	/* Called after the SHB and IDB of every file but the first, to repeat the
	 * records of live processes and sockets through output_writer(o). Returns
	 * 0, or -1 on a write error (which stops the output). May be NULL. */
	int (*new_file_fn)(void *ctx, struct output *o);
	void *ctx;
};

/*
 * Opens the first file and writes its SHB and IDB. Strings of cfg are copied;
 * cfg->dirfd is duplicated. Returns NULL with a message in err (errlen bytes)
 * for a bad configuration (a name with '/', max_files without max_bytes or
 * max_ns) or when the file cannot be created (e.g. NAME.part exists).
 */
struct output *output_open(const struct output_config *cfg, char *err, size_t errlen);

/* The current file's writer, for the process and socket records the caller
 * writes before the packets that need them. NULL only once the output has
 * failed to open a new file (every call then fails). */
struct pcapng_writer *output_writer(struct output *o);

/* Sequence number of the current file: 1 for the first, +1 at each new
 * file. A caller keeps, per record, the sequence number of the file it was
 * last written to, and writes it again when this differs. */
uint64_t output_file_seq(const struct output *o);

/*
 * Rotates now if a packet of caplen bytes at ts_ns with opts would make
 * output_packet() rotate, so that records written next land in the file the
 * packet will go to. Optional: output_packet() does the same check. Records
 * written after this call are not counted in the size decision, so the file
 * may exceed max_bytes by their size. Returns 0, or -1 with a message.
 */
int output_prepare_packet(struct output *o, int64_t ts_ns, uint32_t caplen,
			  const struct pcapng_epb_opts *opts);

/* Writes one packet as an EPB (rotating first when needed; see above). opts
 * may be NULL. Returns 0, or -1 with a message in output_error(). */
int output_packet(struct output *o, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
		  uint32_t origlen, const struct pcapng_epb_opts *opts);

/* Closes the current file and starts the next one now (SIGHUP), named
 * after now_ns. Without rotation configured it does nothing (the single
 * file keeps its name). Returns 0, or -1 with a message. */
int output_rotate(struct output *o, int64_t now_ns);

/*
 * Writes the ISB, closes and publishes the current file, and frees o (NULL
 * accepted). (The oldest files beyond max_files go as each new file opens.) Returns 0, or -1 with a
 * message in err: a write error now or earlier (the file was still published,
 * cut back to its last whole block) or a failed sync or rename.
 */
int output_close(struct output *o, char *err, size_t errlen);

/* Message of the last failure ("" if none). */
const char *output_error(const struct output *o);

/* Name (final, without ".part") of the current file. */
const char *output_current_name(const struct output *o);

/* Files closed and published so far (the current one not included). */
uint64_t output_files_written(const struct output *o);

#endif
