/* \summary: state shared by the capture-file readers (not for users of capfile.h) */
#ifndef PIDCAP_CAPFILE_INT_H
#define PIDCAP_CAPFILE_INT_H

#include "capfile/capfile.h"
#include "capfile/source.h"

/* Derived clock of an interface: how to turn its timestamp units into ns. */
struct if_clock {
	uint64_t units_per_s;      /* from if_tsresol; 0 = unusable */
	int64_t offset_ns;         /* if_tsoffset in ns */
};

enum pcap_state { PCAP_NEED_HEADER, PCAP_NEED_INTERFACE, PCAP_IN_PACKETS };

struct capfile {
	struct source *src;
	enum cap_format format;
	enum cap_status final;     /* sticky status once reading stopped */
	char err[256];
	uint64_t err_offset;
	uint64_t packets;          /* packets returned so far */

	struct cap_interface *ifs;
	struct if_clock *clocks;
	uint32_t n_ifs;
	size_t cap_ifs, cap_clocks;   /* allocated entries of ifs and clocks */

	/* classic pcap */
	enum pcap_state pcap_state;
	bool pcap_be;
	enum cap_pcap_variant pcap_variant;
	uint32_t pcap_snaplen, pcap_linktype;
	uint16_t pcap_major, pcap_minor;

	/* pcapng */
	uint32_t sections;         /* SHBs seen */
	bool sec_be;               /* byte order of the current section */
	uint32_t sec_first_if;     /* global index of the current section's first IDB */
};

/* Stops reading with a sticky status and a message; returns st. */
enum cap_status capfile_fail(struct capfile *cf, enum cap_status st, uint64_t offset,
			     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Appends an interface (zeroed, section set); NULL when the cap is reached. */
struct cap_interface *capfile_add_interface(struct capfile *cf, uint32_t *idx);

/* Fixes the clock of interface idx from its tsresol and tsoffset. */
void capfile_set_clock(struct capfile *cf, uint32_t idx);

/* Converts a timestamp in interface units to ns since 1970 (saturating). */
int64_t capfile_ts_ns(const struct capfile *cf, uint32_t iface, uint64_t units);

/* Reads the next len bytes at the current position (truncation and I/O
 * errors reported as statuses); *p points at them on CAP_OK. */
enum cap_status capfile_need(struct capfile *cf, size_t len, const uint8_t **p);

enum cap_status pcap_read_next(struct capfile *cf, struct cap_record *rec);
enum cap_status pcapng_read_next(struct capfile *cf, struct cap_record *rec);

/* Magic numbers, as read in the order they appear in the file's first 4 bytes. */
bool pcap_magic(const uint8_t m[4], bool *big_endian, enum cap_pcap_variant *variant);
bool pcapng_magic(const uint8_t m[4]);

#endif
