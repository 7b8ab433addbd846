/* \summary: builders and expectations of the malformed-capture corpus (see malformed_cases.h) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "capfile/pcapng_const.h"
#include "malformed_cases.h"

#define SNAPLEN 65535u
#define MANY_IDBS 100000u
#define BLOCK_IRIG  0x00000007u
#define BLOCK_LOCAL 0x80000099u
#define PEN_TEST    32473u
#define BAD_BOM     0x11223344u
/* Offsets inside a pcapng block and a pcap file header. */
#define BLOCK_LEN_OFFSET 4u
#define SHB_BOM_OFFSET   8u
#define PCAP_VERSION_OFFSET 4u

static const uint8_t PAYLOAD[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";

/* ---------------------------------------------------------------- helpers */

static void pcap_two_packets(struct tb *b, bool be, uint32_t magic, uint32_t snaplen)
{
	tb_pcap_header(b, be, magic, snaplen, TB_LINKTYPE_ETHERNET);
	tb_pcap_record(b, 1700000000u, 1, PAYLOAD, 60, 60);
	tb_pcap_record(b, 1700000001u, 2, PAYLOAD, 42, 42);
}

/* SHB, IDB and two EPBs; answers where the next block starts. */
static size_t ng_two_packets(struct tb *b, bool be)
{
	tb_shb(b, be);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 1700000000000000ull, PAYLOAD, 60);
	tb_epb(b, 0, 1700000000000001ull, PAYLOAD, 42);
	return b->len;
}

/* ---------------------------------------------------------------- row 1: not a capture */

static size_t build_empty(struct tb *b) { (void)b; return 0; }

static size_t build_bad_magic(struct tb *b)
{
	tb_bytes(b, "this is not a capture!!\n", 24);
	return 0;
}

static size_t build_short_magic(struct tb *b)
{
	tb_bytes(b, "\xd4\xc3\xb2", 3);
	return 0;
}

static size_t build_pcap_header_truncated(struct tb *b)
{
	tb_pcap_header(b, false, TB_PCAP_MAGIC_USEC, SNAPLEN, TB_LINKTYPE_ETHERNET);
	b->len = 20;
	return 0;
}

static size_t build_pcap_version_1(struct tb *b)
{
	pcap_two_packets(b, false, TB_PCAP_MAGIC_USEC, SNAPLEN);
	tb_set_u32(b, PCAP_VERSION_OFFSET, 1);  /* major 1, minor 0 */
	return 0;
}

static size_t build_pcapng_shb_truncated(struct tb *b)
{
	tb_shb(b, false);
	b->len = 20;
	return 0;
}

static size_t build_pcapng_bad_bom(struct tb *b)
{
	ng_two_packets(b, false);
	tb_set_u32(b, SHB_BOM_OFFSET, BAD_BOM);
	return 0;
}

static size_t build_pcapng_shb_too_short(struct tb *b)
{
	/* 24 bytes: room for the magic and version, not the section length */
	tb_block(b, PCAPNG_BT_SHB, "\x4d\x3c\x2b\x1a\x01\x00\x00\x00\xff\xff\xff\xff", 12);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	return 0;
}

static size_t build_pcapng_major_2(struct tb *b)
{
	tb_block_end(b, tb_shb_begin(b, true, 2, 0, -1));
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return 0;
}

static size_t build_block_before_shb(struct tb *b)
{
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return 0;
}

/* ---------------------------------------------------------------- row 2: pcap lengths */

static size_t build_pcap_caplen_huge(struct tb *b)
{
	size_t bad;

	pcap_two_packets(b, false, TB_PCAP_MAGIC_USEC, SNAPLEN);
	bad = b->len;
	tb_pcap_record(b, 1700000002u, 3, NULL, 0xFFFFFFF0u, 0xFFFFFFF0u);
	tb_bytes(b, PAYLOAD, 32);
	return bad;
}

static size_t build_pcap_caplen_over_max(struct tb *b)
{
	size_t bad;

	pcap_two_packets(b, true, TB_PCAP_MAGIC_NSEC, 0);
	bad = b->len;
	tb_pcap_record(b, 1700000002u, 3, NULL, CAP_MAX_PACKET_BYTES + 1, CAP_MAX_PACKET_BYTES + 1);
	tb_bytes(b, PAYLOAD, 32);
	return bad;
}

static size_t build_pcap_caplen_gt_snaplen(struct tb *b)
{
	pcap_two_packets(b, false, TB_PCAP_MAGIC_USEC, 32);
	return 0;
}

static size_t build_pcap_caplen_gt_len(struct tb *b)
{
	tb_pcap_header(b, true, TB_PCAP_MAGIC_USEC, SNAPLEN, TB_LINKTYPE_ETHERNET);
	tb_pcap_record(b, 1, 0, PAYLOAD, 60, 20);
	return 0;
}

static size_t build_pcap_snaplen_zero(struct tb *b)
{
	pcap_two_packets(b, false, TB_PCAP_MAGIC_NSEC, 0);
	return 0;
}

static size_t build_pcap_usec_overflow(struct tb *b)
{
	tb_pcap_header(b, false, TB_PCAP_MAGIC_USEC, SNAPLEN, TB_LINKTYPE_ETHERNET);
	tb_pcap_record(b, 1700000000u, 1500000u, PAYLOAD, 60, 60);
	return 0;
}

static size_t build_pcap_cut_mid_record(struct tb *b)
{
	size_t cut;

	pcap_two_packets(b, false, TB_PCAP_MAGIC_USEC, SNAPLEN);
	cut = b->len;
	tb_pcap_record(b, 1700000002u, 3, PAYLOAD, 60, 60);
	b->len -= 30;
	return cut;
}

static size_t build_pcap_cut_mid_header(struct tb *b)
{
	size_t cut;

	pcap_two_packets(b, true, TB_PCAP_MAGIC_NSEC, SNAPLEN);
	cut = b->len;
	tb_pcap_record(b, 1700000002u, 3, PAYLOAD, 60, 60);
	b->len = cut + 10;
	return cut;
}

static size_t build_pcap_kuznetzov_cut(struct tb *b)
{
	size_t cut;

	tb_pcap_header(b, false, TB_PCAP_MAGIC_KUZNETZOV, SNAPLEN, TB_LINKTYPE_ETHERNET);
	tb_pcap_record_kz(b, 1, 0, PAYLOAD, 60, 60, 2, 0x0800, 0);
	cut = b->len;
	tb_pcap_record_kz(b, 2, 0, PAYLOAD, 60, 60, 2, 0x0800, 4);
	b->len = cut + 20;  /* inside the 24-byte modified header */
	return cut;
}

/* ---------------------------------------------------------------- row 3: pcapng lengths */

static size_t build_block_len_8(struct tb *b)
{
	size_t bad = ng_two_packets(b, false);

	tb_u32(b, PCAPNG_BT_EPB);
	tb_u32(b, 8);
	tb_zeros(b, 8);
	return bad;
}

static size_t build_block_len_13(struct tb *b)
{
	size_t bad = ng_two_packets(b, true);

	tb_u32(b, PCAPNG_BT_EPB);
	tb_u32(b, 13);
	tb_zeros(b, 16);
	return bad;
}

static size_t build_block_len_2g(struct tb *b)
{
	size_t bad = ng_two_packets(b, false);

	tb_u32(b, PCAPNG_BT_EPB);
	tb_u32(b, 0x80000000u);
	tb_zeros(b, 64);
	return bad;
}

static size_t build_trailer_mismatch(struct tb *b)
{
	size_t bad = ng_two_packets(b, true);

	tb_epb(b, 0, 3, PAYLOAD, 20);
	tb_set_u32(b, b->len - 4, 999);
	tb_epb(b, 0, 4, PAYLOAD, 20);  /* never reached */
	return bad;
}

static size_t build_second_shb_major_2(struct tb *b)
{
	size_t bad;

	tb_shb(b, false);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	bad = b->len;
	tb_block_end(b, tb_shb_begin(b, false, 2, 0, -1));
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 2, PAYLOAD, 60);
	return bad;
}

/* ---------------------------------------------------------------- row 4: structure */

static size_t build_bom_flip(struct tb *b)
{
	ng_two_packets(b, false);
	ng_two_packets(b, true);
	return 0;
}

static size_t build_multi_linktype(struct tb *b)
{
	static const uint16_t lts[] = {
		TB_LINKTYPE_ETHERNET, TB_LINKTYPE_RAW, TB_LINKTYPE_SLL2, TB_LINKTYPE_NULL,
	};

	tb_shb(b, false);
	for (size_t i = 0; i < 4; i++)
		tb_idb(b, lts[i], (uint32_t)(64 * (i + 1)));
	for (uint32_t i = 0; i < 4; i++)
		tb_epb(b, 3 - i, i, PAYLOAD, 20 + i);
	return 0;
}

static size_t build_iface_out_of_range(struct tb *b)
{
	tb_shb(b, true);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	tb_epb(b, 1, 2, PAYLOAD, 60);
	tb_epb(b, 0, 3, PAYLOAD, 60);
	return 0;
}

static size_t build_skip_blocks(struct tb *b)
{
	static const uint8_t addr[4] = { 192, 0, 2, 1 };
	size_t s;

	tb_shb(b, false);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	tb_block(b, BLOCK_IRIG, PAYLOAD, 16);
	tb_block(b, BLOCK_LOCAL, PAYLOAD, 5);
	tb_block_end(b, tb_cb_begin(b, true, PEN_TEST, PAYLOAD, 7));
	tb_block_end(b, tb_cb_begin(b, false, PEN_TEST, PAYLOAD, 0));
	tb_block_end(b, tb_dsb_begin(b, PCAPNG_DSB_TLS_KEYLOG, "CLIENT_RANDOM 00 11\n", 20));
	s = tb_nrb_begin(b);
	tb_nrb_ipv4(b, addr, "example.test");
	tb_nrb_end_records(b);
	tb_block_end(b, s);
	tb_block_end(b, tb_isb_begin(b, 0, 2));
	tb_epb(b, 0, 3, PAYLOAD, 60);
	return 0;
}

static size_t build_spb_before_idb(struct tb *b)
{
	tb_shb(b, false);
	tb_spb(b, 60, PAYLOAD, 60);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 32);
	tb_spb(b, 60, PAYLOAD, 60);
	return 0;
}

static size_t build_spb_short(struct tb *b)
{
	tb_shb(b, true);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_spb(b, 100, PAYLOAD, 10);  /* 10 bytes (and 2 of padding) of a 100-byte packet */
	tb_spb(b, 10, PAYLOAD, 10);
	return 0;
}

static size_t build_idb_short(struct tb *b)
{
	tb_shb(b, false);
	tb_block(b, PCAPNG_BT_IDB, "\x01\x00\x00\x00", 4);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return 0;
}

static size_t build_dsb_overrun(struct tb *b)
{
	size_t s;

	tb_shb(b, true);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	s = tb_block_begin(b, PCAPNG_BT_DSB);
	tb_u32(b, PCAPNG_DSB_TLS_KEYLOG);
	tb_u32(b, 1000);
	tb_bytes(b, PAYLOAD, 8);
	tb_block_end(b, s);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return 0;
}

static size_t build_nrb_unterminated(struct tb *b)
{
	size_t s;

	tb_shb(b, false);
	s = tb_nrb_begin(b);
	tb_u16(b, PCAPNG_NRB_IPV4);
	tb_u16(b, 12);
	tb_bytes(b, "\xc0\x00\x02\x01no-nul!!", 12);  /* a name without its NUL, no end record */
	tb_block_end(b, s);
	return 0;
}

static size_t build_section_length_lie(struct tb *b)
{
	tb_block_end(b, tb_shb_begin(b, false, 1, 0, 12));
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return 0;
}

static size_t build_negative_tsoffset(struct tb *b)
{
	tb_shb(b, true);
	tb_idb_clock(b, TB_LINKTYPE_ETHERNET, 9, -2000000000ll);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return 0;
}

static size_t build_many_idbs(struct tb *b)
{
	size_t bad = 0;

	tb_shb(b, false);
	for (uint32_t i = 0; i < MANY_IDBS; i++) {
		if (i == CAP_MAX_INTERFACES)
			bad = b->len;
		tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	}
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return bad;
}

/* ---------------------------------------------------------------- row 5: cut short */

static size_t build_cut_mid_epb(struct tb *b)
{
	size_t cut = ng_two_packets(b, false);

	tb_epb(b, 0, 3, PAYLOAD, 60);
	b->len -= 40;
	return cut;
}

static size_t build_cut_mid_block_header(struct tb *b)
{
	size_t cut = ng_two_packets(b, true);

	tb_epb(b, 0, 3, PAYLOAD, 60);
	b->len = cut + 6;
	return cut;
}

/* ---------------------------------------------------------------- options */

static size_t build_options_overrun(struct tb *b)
{
	size_t s;

	tb_shb(b, false);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	s = tb_epb_begin(b, 0, 1, PAYLOAD, 60, 60);
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "fine");
	tb_u16(b, PCAPNG_OPT_COMMENT);
	tb_u16(b, 0xFFFF);
	tb_bytes(b, "not 65535 bytes", 16);
	tb_block_end(b, s);
	return 0;
}

static size_t build_no_endofopt(struct tb *b)
{
	size_t s;

	tb_shb(b, true);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	s = tb_epb_begin(b, 0, 1, PAYLOAD, 60, 60);
	tb_opt_u32(b, PCAPNG_EPB_FLAGS, PCAPNG_EPB_DIR_IN);
	tb_u16(b, PCAPNG_OPT_COMMENT);
	tb_u16(b, 3);
	tb_bytes(b, "odd", 3);  /* and no padding, no opt_endofopt */
	tb_block_end(b, s);
	return 0;
}

static size_t build_tsresol_ff(struct tb *b)
{
	tb_shb(b, false);
	tb_idb_clock(b, TB_LINKTYPE_ETHERNET, 0xFF, 0);
	tb_epb(b, 0, 1, PAYLOAD, 60);
	return 0;
}

static size_t build_caplen_gt_block(struct tb *b)
{
	size_t s;

	tb_shb(b, true);
	tb_idb(b, TB_LINKTYPE_ETHERNET, 0);
	s = tb_block_begin(b, PCAPNG_BT_EPB);
	tb_u32(b, 0);
	tb_u32(b, 0);
	tb_u32(b, 1);
	tb_u32(b, 1000);  /* caplen */
	tb_u32(b, 1000);
	tb_bytes(b, PAYLOAD, 20);
	tb_block_end(b, s);
	tb_epb(b, 0, 2, PAYLOAD, 60);
	return 0;
}

/* ---------------------------------------------------------------- valid controls */

/* One section of everything pidcap reads process data from. */
static void every_option_section(struct tb *b, bool be, uint32_t pid)
{
	struct tb entry, cbdata;
	size_t s;

	tb_init(&entry, false);             /* Wireshark's entry is always little-endian */
	tb_u32(&entry, pid);
	tb_opt_str(&entry, PCAPNG_PIB_NAME, "curl");
	tb_opt(&entry, PCAPNG_PIB_CMDLINE, "curl\0https://example.test/", 26);
	tb_opt_u32(&entry, PCAPNG_PIB_PPID, 1);
	tb_opt_u64(&entry, PCAPNG_PIB_STARTTIME, 1700000000000000000ull);
	tb_opt_end(&entry);
	tb_init(&cbdata, false);
	tb_ws_entry(&cbdata, PCAPNG_WS_ENTRY_PROCESS, &entry);

	s = tb_shb_begin(b, be, 1, 0, -1);
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "every option");
	tb_opt_end(b);
	tb_block_end(b, s);
	s = tb_idb_begin(b, TB_LINKTYPE_ETHERNET, 0);
	tb_opt_str(b, PCAPNG_IF_NAME, "eth0");
	tb_opt_u8(b, PCAPNG_IF_TSRESOL, 9);
	tb_opt_end(b);
	tb_block_end(b, s);
	tb_block_end(b, tb_cb_begin(b, true, PCAPNG_PEN_WIRESHARK, cbdata.p, cbdata.len));
	s = tb_dpib_begin(b, pid);
	tb_opt_str(b, PCAPNG_DARWIN_PIB_NAME, "curl");
	tb_opt_end(b);
	tb_block_end(b, s);
	s = tb_epb_begin(b, 0, 1700000000123456789ull, PAYLOAD, 60, 60);
	tb_opt_u32(b, PCAPNG_EPB_FLAGS, PCAPNG_EPB_DIR_OUT);
	tb_opt_u64(b, PCAPNG_EPB_DROPCOUNT, 0);
	tb_opt_u64(b, PCAPNG_EPB_PACKETID, 1);
	tb_opt(b, PCAPNG_EPB_PID_TID, be ? "\0\0\0\x07\0\0\0\x08" : "\x07\0\0\0\x08\0\0\0", 8);
	tb_opt_str(b, PCAPNG_OPT_COMMENT, "PID: 7");
	tb_opt_custom(b, PCAPNG_OPT_CUSTOM_BIN_COPY, PEN_TEST, "pid", 3);
	tb_opt_u32(b, PCAPNG_DARWIN_EPB_PIB_INDEX, 0);
	tb_opt_u32(b, PCAPNG_DARWIN_EPB_E_PIB_INDEX, 0);
	tb_opt_end(b);
	tb_block_end(b, s);
	tb_block_end(b, tb_isb_begin(b, 0, 1700000001000000000ull));
	tb_free(&cbdata);
	tb_free(&entry);
}

static size_t build_every_option(struct tb *b)
{
	every_option_section(b, false, 7);
	every_option_section(b, true, 7);
	return 0;
}

/* ---------------------------------------------------------------- the table */

#define C(name, gz, why, fn, st, pk, bb, bo, ex, ist) \
	{ name, gz, why, fn, st, pk, bb, bo, ex, ist }

const struct malformed_case MALFORMED_CASES[] = {
	C("empty.pcap", false, "a 0-byte file", build_empty,
	  "not-a-capture", 0, 0, 0, 2, "not-a-capture"),
	C("bad_magic.pcap", false, "text, no known magic", build_bad_magic,
	  "not-a-capture", 0, 0, 0, 2, "not-a-capture"),
	C("short_magic.pcap", false, "3 bytes: shorter than any magic", build_short_magic,
	  "not-a-capture", 0, 0, 0, 2, "not-a-capture"),
	C("pcap_header_truncated.pcap", false, "pcap magic, file header cut at 20 of 24 bytes",
	  build_pcap_header_truncated, "truncated", 0, 0, 0, 2, "not-a-capture"),
	C("pcap_version_1.pcap", false, "pcap version 1.0 (only 2.x exists)", build_pcap_version_1,
	  "corrupt", 0, 0, 0, 2, "not-a-capture"),
	C("pcapng_shb_truncated.pcapng", false, "SHB cut at 20 bytes", build_pcapng_shb_truncated,
	  "truncated", 0, 0, 0, 2, "not-a-capture"),
	C("pcapng_bad_bom.pcapng", false, "SHB byte-order magic 0x11223344", build_pcapng_bad_bom,
	  "corrupt", 0, 0, 0, 2, "not-a-capture"),
	C("pcapng_shb_too_short.pcapng", false, "SHB of 24 bytes: no section length",
	  build_pcapng_shb_too_short, "corrupt", 0, 0, 0, 2, "not-a-capture"),
	C("pcapng_major_2.pcapng", false, "SHB major version 2", build_pcapng_major_2,
	  "corrupt", 0, 0, 0, 2, "not-a-capture"),
	C("block_before_shb.pcapng", false, "an IDB first: no pcapng magic", build_block_before_shb,
	  "not-a-capture", 0, 0, 0, 2, "not-a-capture"),

	C("pcap_caplen_huge.pcap", false, "3rd record claims caplen 0xFFFFFFF0 (allocation bomb)",
	  build_pcap_caplen_huge, "corrupt", 2, 0, 0, 1, "corrupt"),
	C("pcap_caplen_over_max.pcap", false, "3rd record caplen CAP_MAX_PACKET_BYTES + 1",
	  build_pcap_caplen_over_max, "corrupt", 2, 0, 0, 1, "corrupt"),
	C("pcap_caplen_gt_snaplen.pcap", false, "caplen 60 and 42 > snaplen 32: read as framed",
	  build_pcap_caplen_gt_snaplen, "complete", 2, 0, 0, 0, "complete"),
	C("pcap_caplen_gt_len.pcap", false, "caplen 60 > len 20: read as framed",
	  build_pcap_caplen_gt_len, "complete", 1, 0, 0, 0, "complete"),
	C("pcap_snaplen_zero.pcap", false, "snaplen 0", build_pcap_snaplen_zero,
	  "complete", 2, 0, 0, 0, "complete"),
	C("pcap_usec_overflow.pcap", false, "ts_usec 1500000: carried into the seconds",
	  build_pcap_usec_overflow, "complete", 1, 0, 0, 0, "complete"),
	C("pcap_cut_mid_record.pcap", false, "file ends inside the 3rd record's data",
	  build_pcap_cut_mid_record, "truncated", 2, 0, 0, 1, "truncated"),
	C("pcap_cut_mid_header.pcap", false, "file ends inside the 3rd record header",
	  build_pcap_cut_mid_header, "truncated", 2, 0, 0, 1, "truncated"),
	C("pcap_kuznetzov_cut.pcap", false, "modified pcap cut inside a 24-byte record header",
	  build_pcap_kuznetzov_cut, "truncated", 1, 0, 0, 1, "truncated"),

	C("pcapng_block_len_8.pcapng", false, "block length 8 (< 12) after 2 packets",
	  build_block_len_8, "corrupt", 2, 0, 0, 1, "corrupt"),
	C("pcapng_block_len_13.pcapng", false, "block length 13 (not a multiple of 4), big-endian",
	  build_block_len_13, "corrupt", 2, 0, 0, 1, "corrupt"),
	C("pcapng_block_len_2g.pcapng", false, "block length 2^31 (> 16 MiB limit)",
	  build_block_len_2g, "corrupt", 2, 0, 0, 1, "corrupt"),
	C("pcapng_trailer_mismatch.pcapng", false, "3rd EPB's trailing length 999",
	  build_trailer_mismatch, "corrupt", 2, 0, 0, 1, "corrupt"),
	C("pcapng_second_shb_major_2.pcapng", false, "a second section of version 2.0",
	  build_second_shb_major_2, "corrupt", 1, 0, 0, 1, "corrupt"),

	C("pcapng_bom_flip.pcapng", false, "little-endian section then big-endian section",
	  build_bom_flip, "complete", 4, 0, 0, 0, "complete"),
	C("pcapng_multi_linktype.pcapng", false, "4 IDBs of different link types",
	  build_multi_linktype, "complete", 4, 0, 0, 0, "complete"),
	C("pcapng_iface_out_of_range.pcapng", false, "EPB interface 1 with one IDB: bad block, go on",
	  build_iface_out_of_range, "complete", 2, 1, 0, 1, "complete"),
	C("pcapng_skip_blocks.pcapng", false, "IRIG, local, CB, DCB, DSB, NRB, ISB between packets",
	  build_skip_blocks, "complete", 2, 0, 0, 0, "complete"),
	C("pcapng_spb_before_idb.pcapng", false, "SPB before any IDB: bad block; SPB after: packet",
	  build_spb_before_idb, "complete", 1, 1, 0, 1, "complete"),
	C("pcapng_spb_short.pcapng", false, "SPB of a 100-byte packet holding 10 bytes: bad block",
	  build_spb_short, "complete", 1, 1, 0, 1, "complete"),
	C("pcapng_idb_short.pcapng", false, "IDB body of 4 bytes, then an EPB on it",
	  build_idb_short, "complete", 0, 2, 0, 1, "complete"),
	C("pcapng_dsb_overrun.pcapng", false, "DSB secrets length 1000 in 8 bytes",
	  build_dsb_overrun, "complete", 1, 1, 0, 1, "complete"),
	C("pcapng_nrb_unterminated.pcapng", false, "NRB name without NUL, no end record",
	  build_nrb_unterminated, "complete", 0, 0, 0, 0, "complete"),
	C("pcapng_section_length_lie.pcapng", false, "SHB section length 12 (a lie; ignored)",
	  build_section_length_lie, "complete", 1, 0, 0, 0, "complete"),
	C("pcapng_negative_tsoffset.pcapng", false, "if_tsoffset -2e9 s", build_negative_tsoffset,
	  "complete", 1, 0, 0, 0, "complete"),
	C("pcapng_many_idbs.pcapng.gz", true, "100000 IDBs: stops at CAP_MAX_INTERFACES",
	  build_many_idbs, "corrupt", 0, 0, 0, 1, "corrupt"),

	C("pcapng_cut_mid_epb.pcapng", false, "file ends inside the 3rd EPB", build_cut_mid_epb,
	  "truncated", 2, 0, 0, 1, "truncated"),
	C("pcapng_cut_mid_block_header.pcapng", false, "file ends 6 bytes into a block header",
	  build_cut_mid_block_header, "truncated", 2, 0, 0, 1, "truncated"),

	C("pcapng_options_overrun.pcapng", false, "EPB option of length 65535 overruns the block",
	  build_options_overrun, "complete", 1, 0, 1, 1, "complete"),
	C("pcapng_no_endofopt.pcapng", false, "last option unpadded, no opt_endofopt (allowed)",
	  build_no_endofopt, "complete", 1, 0, 0, 0, "complete"),
	C("pcapng_tsresol_ff.pcapng", false, "if_tsresol 0xFF: bad option, microseconds used",
	  build_tsresol_ff, "complete", 1, 0, 1, 1, "complete"),
	C("pcapng_caplen_gt_block.pcapng", false, "EPB caplen 1000 in a 20-byte body",
	  build_caplen_gt_block, "complete", 1, 1, 0, 1, "complete"),

	C("pcapng_every_option.pcapng", false, "valid control: process blocks and EPB options, 2 orders",
	  build_every_option, "complete", 2, 0, 0, 0, "complete"),
};

const size_t N_MALFORMED_CASES = sizeof(MALFORMED_CASES) / sizeof(MALFORMED_CASES[0]);

const char *malformed_status_word(const struct tb_result *r)
{
	if (!r->opened)
		return r->not_capture ? "not-a-capture" : "unreadable";
	switch (r->status) {
	case CAP_END: return "complete";
	case CAP_TRUNCATED: return "truncated";
	case CAP_CORRUPT: return "corrupt";
	case CAP_IO_ERROR: return "read-error";
	case CAP_OK: break;
	}
	return "unknown";
}

bool malformed_write_expected(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return false;
	fprintf(f,
		"# What pidcap gives on each file of testdata/malformed/.\n"
		"# Made by tests/capfile/gen_malformed from tests/capfile/malformed_cases.c;\n"
		"# checked by tests/capfile/test_malformed and tests/capfile/malformed_info.sh.\n"
		"# status: not-a-capture (capfile_open refuses it), or the reader's last status:\n"
		"#   complete, truncated, corrupt. packets: packets read before it stops.\n"
		"# bad_blocks: CAP_REC_BAD_BLOCK records; bad_options: records with options_bad.\n"
		"# info_exit, info_status: `pidcap info --json` exit code and \"status\" ('-' = ' ').\n"
		"#\n"
		"# name status packets bad_blocks bad_options info_exit info_status\n");
	for (size_t i = 0; i < N_MALFORMED_CASES; i++) {
		const struct malformed_case *c = &MALFORMED_CASES[i];

		fprintf(f, "# %s\n%s %s %u %u %u %d %s\n", c->why, c->name, c->status, c->packets,
			c->bad_blocks, c->bad_options, c->info_exit, c->info_status);
	}
	return fclose(f) == 0;
}
