/* \summary: pcapng writer: whole blocks, buffered, published atomically (draft-ietf-opsawg-pcapng) */
#ifndef PIDCAP_PCAPNG_WRITER_H
#define PIDCAP_PCAPNG_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Writing model. pcapng_writer_open() creates NAME.part next to where NAME
 * will be; blocks are built whole in a buffer and written in large chunks;
 * pcapng_writer_close() syncs the file and renames it to NAME, so a reader
 * never sees a half-written file under the final name.
 *
 * Every block goes in the host byte order (the section's order), except the
 * contents of Wireshark process records, which are little-endian by
 * definition. Timestamps are ns since 1970: every interface is declared with
 * if_tsresol = 9. Negative times cannot be written (they would need
 * if_tsoffset) and are refused.
 *
 * Errors. Every write function answers 0 on success or -1 with errno set and
 * a message in pcapng_writer_error(). A bad argument (EINVAL; EMSGSIZE for a
 * block, packet or interface count over the limits of capfile.h; ENOMEM)
 * rejects that one block and leaves the writer usable. A failed write to the file (ENOSPC, EFBIG, EIO...) is
 * sticky: the file is cut back to the end of the last block written whole,
 * and every later call fails with the same errno.
 */

/* Bytes buffered before a write to the file. */
#define PCAPNG_WRITER_BUF_BYTES (256u * 1024)

/* Longest option value (the option length field is 16 bits). */
#define PCAPNG_OPT_MAX_VALUE 0xFFFFu

struct pcapng_writer;

/* One custom option: code 2988 (string) or 2989 (binary), copyable, or
 * 19372/19373, which rewriters drop. value_len excludes the PEN. */
struct pcapng_custom_opt {
	uint16_t code;
	uint32_t pen;
	const void *value;
	size_t value_len;
};

/* Options of an Enhanced Packet Block; zero-initialise for none. */
struct pcapng_epb_opts {
	bool has_flags;
	uint32_t flags;                        /* epb_flags, PCAPNG_EPB_DIR_* etc. */
	bool has_pid;
	uint32_t pid, tid;                     /* epb_processid_threadid */
	bool has_darwin_pib;
	uint32_t darwin_pib_index;             /* Apple's 0x8001: index of a pcapng_write_darwin_process block */
	const char *const *comments;           /* opt_comment, n_comments of them */
	size_t n_comments;
	const struct pcapng_custom_opt *custom;
	size_t n_custom;
};

/* Interface Statistics Block options; each written only when its has_ flag is set. */
struct pcapng_isb {
	bool has_starttime, has_endtime;
	int64_t starttime_ns, endtime_ns;      /* isb_starttime, isb_endtime */
	bool has_ifrecv, has_ifdrop, has_filteraccept, has_osdrop, has_usrdeliv;
	uint64_t ifrecv, ifdrop, filteraccept, osdrop, usrdeliv;
};

/* One process, as a Wireshark Process Information entry. NULL strings and
 * cleared has_ flags leave the option out. */
struct pcapng_process {
	uint32_t pid;
	const char *name;                      /* pib_name (comm) */
	const char *path;                      /* pib_path (executable) */
	const char *user;                      /* pib_user */
	const void *cmdline;                   /* pib_cmdline: argv joined by NUL bytes */
	size_t cmdline_len;                    /* 0 = absent */
	bool has_ppid, has_uid, has_starttime;
	uint32_t ppid, uid;
	uint64_t starttime_ns;                 /* pib_starttime, ns since 1970 */
	const char *const *comments;           /* opt_comment, n_comments of them */
	size_t n_comments;
	const struct pcapng_custom_opt *custom; /* copyable ones survive rewriting */
	size_t n_custom;
};

/*
 * Creates NAME.part in the directory dirfd (AT_FDCWD or a descriptor opened
 * O_RDONLY|O_DIRECTORY, which the writer duplicates, so the caller may close
 * it). name must be a plain file name without '/'. NAME.part must not exist
 * (O_EXCL) and is never a symbolic link followed (O_NOFOLLOW). Returns NULL
 * with errno set and a message in err (errlen bytes) on failure.
 */
struct pcapng_writer *pcapng_writer_open(int dirfd, const char *name, char *err, size_t errlen);

/*
 * Starts a section: Section Header Block, version 1.0, length unknown (-1),
 * with shb_hardware, shb_os and shb_userappl (each may be NULL). Must be
 * the first block; a later one starts a new section with no interfaces.
 */
int pcapng_write_shb(struct pcapng_writer *w, const char *hardware, const char *os,
		     const char *userappl);

/*
 * Declares an interface: IDB with if_tsresol = 9 (ns) and the options given
 * (NULL = absent; if_filter is written in its string form). snaplen 0 means
 * unlimited. *iface_id receives the interface's id within the section.
 */
int pcapng_write_idb(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen,
		     const char *if_name, const char *if_filter, const char *if_os,
		     uint32_t *iface_id);

/*
 * Writes an Enhanced Packet Block of caplen bytes of data (origlen on the
 * wire) on interface iface at ts_ns. Needs caplen <= origlen, caplen <=
 * CAP_MAX_PACKET_BYTES and, for a snaplen other than 0, caplen <= snaplen.
 * o may be NULL (no options).
 */
int pcapng_write_epb(struct pcapng_writer *w, uint32_t iface, int64_t ts_ns, const void *data,
		     uint32_t caplen, uint32_t origlen, const struct pcapng_epb_opts *o);

/* Writes an Interface Statistics Block for iface at ts_ns; s may be NULL. */
int pcapng_write_isb(struct pcapng_writer *w, uint32_t iface, int64_t ts_ns,
		     const struct pcapng_isb *s);

/*
 * Writes a Custom Block: type 0x00000BAD when copyable, else 0x40000BAD
 * (which rewriters such as editcap drop), the PEN and len bytes of data,
 * without options.
 */
int pcapng_write_custom(struct pcapng_writer *w, bool copyable, uint32_t pen, const void *data,
			size_t len);

/*
 * Writes a process record: copyable Custom Block, PEN 32622, entry type 3
 * (Wireshark's Process Information), all little-endian (custom option PENs
 * included, as the entry is copied unchanged between byte orders). A command line
 * longer than PCAPNG_OPT_MAX_VALUE keeps only its whole leading arguments
 * that fit (or its first PCAPNG_OPT_MAX_VALUE bytes when the first argument
 * alone is longer); every other over-long value rejects the record.
 */
int pcapng_write_process(struct pcapng_writer *w, const struct pcapng_process *p);

/*
 * Writes Apple's Process Information Block (0x80000001: pid, name), the
 * form macOS tcpdump -k writes and released Wireshark shows; *index gets
 * its index within the section (0-based count of such blocks), which EPBs
 * refer to with darwin_pib_index. Local-use block code: for --compat only.
 */
int pcapng_write_darwin_process(struct pcapng_writer *w, uint32_t pid, const char *name,
				 uint32_t *index);

/* Bytes of the file so far, including those still buffered. */
uint64_t pcapng_writer_bytes(const struct pcapng_writer *w);

/* Message of the last failure ("" if none). Valid until the next call. */
const char *pcapng_writer_error(const struct pcapng_writer *w);

/*
 * Writes what is buffered, syncs the file, closes it, renames NAME.part to
 * NAME (replacing NAME) and syncs the directory; frees w (NULL accepted).
 * After a write error the file, cut back to whole blocks, is still
 * published. Returns 0 only when every block accepted was written and the
 * file is published; else -1 with errno set and a message in err.
 */
int pcapng_writer_close(struct pcapng_writer *w, char *err, size_t errlen);

/* Closes and removes NAME.part; frees w (NULL accepted). */
void pcapng_writer_abort(struct pcapng_writer *w);

#endif
