/* \summary: builds pcap and pcapng bytes in memory, in either byte order, for tests */
#ifndef PIDCAP_TESTS_BUILD_H
#define PIDCAP_TESTS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capfile/capfile.h"

/*
 * A growing byte buffer. Every multi-byte value is appended in the byte
 * order b->be, which tb_shb_begin() and tb_pcap_header() set, so a test can
 * switch orders between pcapng sections. Allocation failure aborts: these
 * are tests. Block builders come in pairs: *_begin() writes the fixed part
 * and answers the block's start offset; the test may append options; then
 * tb_block_end() pads, writes the trailer and patches the length.
 */
struct tb {
	uint8_t *p;
	size_t len, cap;
	bool be;
};

/* Classic pcap magics as the writer's host would store them. */
#define TB_PCAP_MAGIC_USEC      0xa1b2c3d4u
#define TB_PCAP_MAGIC_NSEC      0xa1b23c4du
#define TB_PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u
#define TB_PCAP_HEADER_BYTES    24u
#define TB_PCAP_RECORD_BYTES    16u
#define TB_PCAP_KZ_RECORD_BYTES 24u

/* Link types used by the tests (LINKTYPE_* of the tcpdump.org registry). */
#define TB_LINKTYPE_ETHERNET 1u
#define TB_LINKTYPE_RAW      101u
#define TB_LINKTYPE_SLL      113u
#define TB_LINKTYPE_SLL2     276u
#define TB_LINKTYPE_NULL     0u
#define TB_LINKTYPE_PKTAP    258u

void tb_init(struct tb *b, bool big_endian);
void tb_free(struct tb *b);
void tb_bytes(struct tb *b, const void *data, size_t n);
void tb_zeros(struct tb *b, size_t n);
void tb_u8(struct tb *b, uint8_t v);
void tb_u16(struct tb *b, uint16_t v);
void tb_u32(struct tb *b, uint32_t v);
void tb_u64(struct tb *b, uint64_t v);
void tb_le32(struct tb *b, uint32_t v);            /* little-endian whatever b->be */
void tb_set_u32(struct tb *b, size_t off, uint32_t v); /* overwrite in b->be */
void tb_pad4(struct tb *b);

/* Writes the bytes to path (gzip-compressed when gzip); false on error. */
bool tb_write_file(const struct tb *b, const char *path, bool gzip);

/* Answers an exact-size heap copy (so ASan sees any over-read); free() it. */
uint8_t *tb_dup(const void *p, size_t n);

/* ---- classic pcap ---- */
void tb_pcap_header(struct tb *b, bool big_endian, uint32_t magic, uint32_t snaplen,
		    uint32_t linktype);
/* frac is µs or ns according to the magic */
void tb_pcap_record(struct tb *b, uint32_t sec, uint32_t frac, const void *data,
		    uint32_t caplen, uint32_t origlen);
void tb_pcap_record_kz(struct tb *b, uint32_t sec, uint32_t frac, const void *data,
		       uint32_t caplen, uint32_t origlen, uint32_t ifindex, uint16_t protocol,
		       uint8_t pkt_type);

/* ---- pcapng ---- */
size_t tb_block_begin(struct tb *b, uint32_t type);
void tb_block_end(struct tb *b, size_t start);
/* A whole block of any type with an opaque body (padded). */
void tb_block(struct tb *b, uint32_t type, const void *body, size_t len);

void tb_opt(struct tb *b, uint16_t code, const void *val, uint16_t len);
void tb_opt_u8(struct tb *b, uint16_t code, uint8_t v);
void tb_opt_u32(struct tb *b, uint16_t code, uint32_t v);
void tb_opt_u64(struct tb *b, uint16_t code, uint64_t v);
void tb_opt_str(struct tb *b, uint16_t code, const char *s);
void tb_opt_custom(struct tb *b, uint16_t code, uint32_t pen, const void *data, uint16_t len);
void tb_opt_end(struct tb *b);

/* SHB: sets b->be for everything that follows. */
size_t tb_shb_begin(struct tb *b, bool big_endian, uint16_t major, uint16_t minor,
		    int64_t section_length);
void tb_shb(struct tb *b, bool big_endian);         /* 1.0, length -1, no options */
size_t tb_idb_begin(struct tb *b, uint16_t linktype, uint32_t snaplen);
void tb_idb(struct tb *b, uint16_t linktype, uint32_t snaplen);
/* An IDB with if_tsresol and (when tsoffset_s != 0) if_tsoffset. */
void tb_idb_clock(struct tb *b, uint16_t linktype, uint8_t tsresol, int64_t tsoffset_s);
size_t tb_epb_begin(struct tb *b, uint32_t iface, uint64_t ts, const void *data,
		    uint32_t caplen, uint32_t origlen);
void tb_epb(struct tb *b, uint32_t iface, uint64_t ts, const void *data, uint32_t caplen);
size_t tb_pb_begin(struct tb *b, uint16_t iface, uint16_t drops, uint64_t ts, const void *data,
		   uint32_t caplen, uint32_t origlen);
void tb_spb(struct tb *b, uint32_t origlen, const void *data, uint32_t datalen);
size_t tb_isb_begin(struct tb *b, uint32_t iface, uint64_t ts);
size_t tb_nrb_begin(struct tb *b);
void tb_nrb_ipv4(struct tb *b, const uint8_t addr[4], const char *name);
void tb_nrb_end_records(struct tb *b);
size_t tb_dsb_begin(struct tb *b, uint32_t type, const void *data, uint32_t len);
size_t tb_cb_begin(struct tb *b, bool copyable, uint32_t pen, const void *data, size_t len);
size_t tb_dpib_begin(struct tb *b, uint32_t pid);

/* Wireshark's custom data: u32 entry_type (LE), u32 entry_length (LE), the
 * entry, padding to 4. The entry's own bytes must already be little-endian. */
void tb_ws_entry(struct tb *cbdata, uint32_t entry_type, const struct tb *entry);

/* ---- reading back ---- */

/* What reading a whole capture gave. */
struct tb_result {
	bool opened;
	bool not_capture;
	enum cap_status status;     /* final status; CAP_END when complete */
	uint32_t records;           /* CAP_OK answers */
	uint32_t packets;
	uint32_t bad_blocks;
	uint32_t options_bad;       /* records with options_bad */
	uint32_t sections;          /* CAP_REC_SECTION records */
	uint32_t interfaces;        /* capfile_interface_count() at the end */
	uint64_t last_end;          /* offset + length of the last record */
	uint64_t err_offset;
	char err[256];
};

/* Reads everything through capfile_open_mem() on an exact-size copy. */
void tb_read_mem(const void *buf, size_t len, struct tb_result *r);
/* Reads everything through capfile_open(path). */
void tb_read_path(const char *path, struct tb_result *r);
/* Reads an already-open capfile to its end. */
void tb_read_all(struct capfile *cf, struct tb_result *r);

/* The source tree: $SRCDIR, else the configure-time PIDCAP_SRCDIR. */
const char *tb_srcdir(void);

#endif
