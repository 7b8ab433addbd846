/* \summary: one reader for classic pcap and pcapng capture files, plain or gzip */
#ifndef PIDCAP_CAPFILE_H
#define PIDCAP_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/cur.h"

/*
 * Reading model. capfile_open() detects the format from the magic number
 * (never the name), then capfile_next() returns the file's records one at a
 * time in file order: sections, interfaces, packets, statistics, names,
 * secrets, custom blocks and anything else the file holds. Every byte comes
 * from the file and is treated as hostile: blocks and packets have size
 * limits, every length is checked, and a file cut short returns every
 * complete record before CAP_TRUNCATED.
 *
 * Pointers inside a record (packet data, option cursors, strings) stay valid
 * only until the next capfile_next() or capfile_close().
 */

/* Limits. A block or packet larger than these ends reading as corrupt. */
#define CAP_MAX_BLOCK_BYTES  (16u * 1024 * 1024)  /* libpcap's pcapng limit */
#define CAP_MAX_PACKET_BYTES (256u * 1024)        /* Wireshark's standard maximum */
#define CAP_MAX_INTERFACES   65536u               /* per file, all sections */
#define CAP_MAX_STRING_BYTES 1024u                /* interface names and the like */

enum cap_format {
	CAP_FORMAT_PCAP = 1,      /* classic libpcap format, any magic */
	CAP_FORMAT_PCAPNG = 2,
};

enum cap_pcap_variant {
	CAP_PCAP_USEC = 0,         /* 0xa1b2c3d4 */
	CAP_PCAP_NSEC = 1,         /* 0xa1b23c4d */
	CAP_PCAP_KUZNETZOV = 2,    /* 0xa1b2cd34, "modified" records of 24 bytes */
};

/* What capfile_next() answers. */
enum cap_status {
	CAP_OK = 0,          /* *rec holds the next record */
	CAP_END = 1,         /* clean end of file */
	CAP_TRUNCATED = 2,   /* the file ends inside a record (see capfile_error) */
	CAP_CORRUPT = 3,     /* a structural error stops reading (see capfile_error) */
	CAP_IO_ERROR = 4,    /* read or decompression error */
};

enum cap_rec_kind {
	CAP_REC_SECTION = 1,     /* pcapng SHB, or the header of a classic pcap */
	CAP_REC_INTERFACE,       /* pcapng IDB, or a classic pcap's one interface */
	CAP_REC_PACKET,          /* EPB, SPB, obsolete PB, or a classic record */
	CAP_REC_STATS,           /* ISB */
	CAP_REC_NAMES,           /* NRB */
	CAP_REC_SECRETS,         /* DSB */
	CAP_REC_CUSTOM,          /* Custom Block 0x00000BAD / 0x40000BAD */
	CAP_REC_DARWIN_PROCESS,  /* Apple's Process Information Block 0x80000001 */
	CAP_REC_OTHER,           /* any other block, skipped by its length */
	CAP_REC_BAD_BLOCK,       /* a block framed correctly whose body is invalid */
};

/* One interface, as declared by an IDB (or implied by a pcap header). */
struct cap_interface {
	uint32_t section;          /* 0-based section that declared it */
	uint32_t linktype;         /* LINKTYPE_* value */
	uint32_t snaplen;          /* 0 = unlimited (pcapng) */
	uint8_t tsresol;           /* raw if_tsresol byte (6 = µs default) */
	bool tsresol_set;          /* if_tsresol option present */
	int64_t tsoffset_s;        /* if_tsoffset, seconds */
	uint8_t fcslen;            /* if_fcslen, or FCS bits of a pcap linktype */
	bool fcslen_set;
	uint64_t speed_bps;        /* if_speed, 0 if absent */
	char *name;                /* if_name, NULL if absent; NUL-terminated, capped */
	char *description;         /* if_description */
	char *filter;              /* if_filter (string form only) */
	char *os;                  /* if_os */
	char *hardware;            /* if_hardware */
};

/* An option as stored: code and value bytes (without padding). */
struct cap_opt {
	uint16_t code;
	struct cur val;
};

struct cap_packet {
	uint64_t number;           /* 1-based packet number within the file */
	uint32_t iface;            /* index into the file's interface table */
	bool has_ts;               /* false for SPB */
	int64_t ts_ns;             /* ns since 1970, tsresol and tsoffset applied */
	bool ts_invalid;           /* pcap fraction of a second >= 1 s (carried into seconds) */
	uint32_t caplen;
	uint32_t origlen;
	const uint8_t *data;       /* caplen bytes */
	/* Options decoded when present (pcapng EPB/PB; pcap has none). */
	bool has_flags;
	uint32_t flags;            /* epb_flags: bits 0-1 direction (1 in, 2 out) */
	bool has_dropcount;
	uint64_t dropcount;        /* epb_dropcount */
	bool has_packetid;
	uint64_t packetid;         /* epb_packetid */
	bool has_pid;
	uint32_t pid, tid;         /* epb_processid_threadid (option 8) */
	uint32_t n_comments;       /* opt_comment count */
	uint32_t n_custom_opts;    /* options 2988/2989/19372/19373 */
	bool has_darwin_pib;
	uint32_t darwin_pib;       /* Apple 0x8001: index of the process block */
	bool has_darwin_epib;
	uint32_t darwin_epib;      /* Apple 0x8003: effective process block */
	uint32_t n_darwin_opts;    /* Apple local options 0x8001-0x800A */
	/* Kuznetzov pcap extras. */
	bool has_kuznetzov;
	uint32_t kz_ifindex;
	uint16_t kz_protocol;
	uint8_t kz_pkt_type;
};

struct cap_stats {             /* ISB */
	uint32_t iface;
	int64_t ts_ns;
};

struct cap_secrets {           /* DSB */
	uint32_t type;             /* e.g. 0x544c534b "TLSK" */
	struct cur data;
};

struct cap_custom {            /* Custom Block */
	bool copyable;             /* 0x00000BAD (true) or 0x40000BAD */
	uint32_t pen;              /* Private Enterprise Number */
	struct cur data;           /* custom data and any options, unparsed */
};

struct cap_section {
	bool big_endian;
	uint16_t major, minor;
	int64_t section_length;    /* -1 = unknown */
	enum cap_pcap_variant pcap_variant;  /* classic pcap only */
};

struct cap_record {
	enum cap_rec_kind kind;
	uint32_t block_type;       /* pcapng block type; 0 for classic pcap */
	uint64_t offset;           /* byte offset of the record in the (decompressed) file */
	uint32_t length;           /* bytes the record occupies in the file */
	uint32_t section;          /* 0-based section */
	bool big_endian;           /* byte order of the section */
	struct cur body;           /* pcapng block body (between length and trailer) */
	struct cur options;        /* the block's options area, possibly empty */
	bool options_bad;          /* an option overran the block; the rest was ignored */
	const char *bad_reason;    /* CAP_REC_BAD_BLOCK: what was wrong */
	union {
		struct cap_section section;
		const struct cap_interface *iface;
		struct cap_packet pkt;
		struct cap_stats stats;
		struct cap_secrets secrets;
		struct cap_custom custom;
		uint32_t darwin_pid;   /* CAP_REC_DARWIN_PROCESS */
	} u;
};

struct capfile;

/*
 * Opens path for reading ("-" = standard input). Everything is streamed
 * through a bounded window (plain reads, or zlib for gzip); a file that
 * shrinks while it is read ends with CAP_IO_ERROR "truncated while reading"
 * after every record read before. Returns NULL and writes a message
 * for the user into err (errlen bytes) when the file cannot be opened or is
 * not a pcap or pcapng capture; *not_capture is then set true for the latter.
 */
struct capfile *capfile_open(const char *path, char *err, size_t errlen, bool *not_capture);

/*
 * Like capfile_open() but reads an already-open descriptor, which the
 * capfile then owns (closes). Used after sandboxing, when paths are gone.
 */
struct capfile *capfile_open_fd(int fd, const char *display_name, char *err, size_t errlen,
				bool *not_capture);

struct stat;
/*
 * As capfile_open_fd() with fd's fstat() already taken by the caller (st),
 * for a parser whose sandbox refuses fstat (glibc makes it the path-taking
 * newfstatat); st NULL: taken here.
 */
struct capfile *capfile_open_fd_stat(int fd, const struct stat *st, const char *display_name,
				     char *err, size_t errlen, bool *not_capture);

/* As capfile_open() on a memory buffer that the caller keeps alive (fuzzing, tests). */
struct capfile *capfile_open_mem(const void *buf, size_t len, char *err, size_t errlen,
				 bool *not_capture);

/* Returns the next record; see enum cap_status. After a status other than
 * CAP_OK every further call returns the same status. */
enum cap_status capfile_next(struct capfile *cf, struct cap_record *rec);

/* Frees everything. NULL is accepted. */
void capfile_close(struct capfile *cf);

enum cap_format capfile_format(const struct capfile *cf);
bool capfile_gzipped(const struct capfile *cf);

/* The message and file offset of the last non-OK status ("" and 0 otherwise). */
const char *capfile_error(const struct capfile *cf);
uint64_t capfile_error_offset(const struct capfile *cf);

/* Bytes consumed so far in the (decompressed) stream; for progress bars. */
uint64_t capfile_offset(const struct capfile *cf);

/* Size of the file on disk (compressed size for gzip); 0 if unknown (pipe). */
uint64_t capfile_size(const struct capfile *cf);

/* The interface table: every interface of every section seen so far. */
uint32_t capfile_interface_count(const struct capfile *cf);
const struct cap_interface *capfile_interface(const struct capfile *cf, uint32_t idx);

/*
 * Iterates over an options area in the given byte order. Returns true with
 * *opt filled, false at opt_endofopt or the end. Sets *bad when an option
 * would overrun the area (the iteration then stops).
 */
bool cap_opt_next(struct cur *opts, bool big_endian, struct cap_opt *opt, bool *bad);

/* Copies a string option value to a NUL-terminated buffer, stopping at a NUL
 * byte, and answers out. Bytes are copied as they are (not validated). */
char *cap_opt_str(const struct cap_opt *opt, char *out, size_t outlen);

/* Custom options (2988, 2989, 19372, 19373): PEN and the data after it. */
bool cap_opt_custom(const struct cap_opt *opt, bool big_endian, uint32_t *pen, struct cur *data);

/* Interface timestamp resolution as units per second; 0 if unusable. */
uint64_t cap_tsresol_units(uint8_t tsresol);

/* Short name of a block type ("EPB", "SHB", ...) or NULL if not standard. */
const char *cap_block_name(uint32_t block_type);

/* Human text of a status. */
const char *cap_status_name(enum cap_status st);

#endif
