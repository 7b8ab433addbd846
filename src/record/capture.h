/* \summary: live capture with libpcap: one handle, packets with ns timestamps, 64-bit statistics */
#ifndef PIDCAP_RECORD_CAPTURE_H
#define PIDCAP_RECORD_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Capture model. capture_open() makes a libpcap handle the way tcpdump does
 * for writing files: no immediate mode but a 100 ms buffer timeout, so the
 * kernel hands packets over in blocks (one wake-up per block, not per
 * packet) and at most 100 ms late; a 32 MiB ring; nanosecond timestamps; the
 * handle non-blocking, so the caller polls capture_fd() together with its
 * other descriptors and calls capture_dispatch() until it answers 0.
 * Timestamps are given in ns since 1970 whatever precision libpcap offers.
 *
 * Nothing here prints: errors come back as messages (err, or
 * capture_error()), and what libpcap only warned about in capture_warning().
 */

/* Defaults: snaplen 0 means this; libpcap's own maximum for most links. */
#define CAPTURE_DEFAULT_SNAPLEN  262144u
#define CAPTURE_BUFFER_BYTES     (32 * 1024 * 1024)
#define CAPTURE_TIMEOUT_MS       100

struct capture;

/* 64-bit totals since capture_open(), built from libpcap's wrapping 32-bit
 * counters: recv = ps_recv (packets that passed the filter, dropped ones
 * included), drop = ps_drop (kernel ring full), ifdrop = ps_ifdrop (the
 * interface; on Linux only in promiscuous mode, so usually 0). */
struct capture_stats {
	uint64_t recv, drop, ifdrop;
};

/*
 * Opens iface ("any" for all interfaces) for capture: pcap_create with
 * snaplen (0 = CAPTURE_DEFAULT_SNAPLEN), promiscuous mode off, buffer
 * timeout CAPTURE_TIMEOUT_MS, buffer CAPTURE_BUFFER_BYTES, nanosecond
 * timestamps when available; activates it; on "any" switches to
 * DLT_LINUX_SLL2 when offered (it carries the interface index); compiles and
 * sets filter (NULL or "" = everything); makes the handle non-blocking.
 * Returns NULL with a message in err (errlen bytes) on failure, e.g. no such
 * interface, no permission (CAP_NET_RAW), a bad filter, or a link type with
 * no LINKTYPE_ value. Warnings that did not stop it: capture_warning().
 */
struct capture *capture_open(const char *iface, uint32_t snaplen, const char *filter, char *err,
			     size_t errlen);

/* Descriptor to poll for readability (pcap_get_selectable_fd), non-blocking. */
int capture_fd(const struct capture *c);

/* LINKTYPE_ value of the packets, for the file (libpcap speaks DLT_ values,
 * which differ for a few links such as DLT_RAW). */
int capture_linktype(const struct capture *c);

/* The snapshot length in force (what libpcap accepted). */
uint32_t capture_snaplen(const struct capture *c);

/* The interface name as given to capture_open(). */
const char *capture_iface(const struct capture *c);

/* The filter expression in force ("" for none). */
const char *capture_filter(const struct capture *c);

/* Receives one packet: ts_ns since 1970, caplen bytes of data (valid only
 * during the call), origlen bytes on the wire. */
typedef void (*capture_packet_fn)(void *ctx, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
				  uint32_t origlen);

/*
 * Hands the packets waiting now to fn, at most max_packets of them (<= 0
 * for one ring block's worth, libpcap's -1). Never blocks. Returns the
 * number handed over; 0 when none was waiting; -1 on an error (e.g. the
 * interface went away), message in capture_error().
 */
int capture_dispatch(struct capture *c, int max_packets, capture_packet_fn fn, void *ctx);

/*
 * Reads libpcap's counters into 64-bit totals in *s. libpcap's are 32-bit
 * and wrap, so call this at least every few seconds (each wrap between two
 * calls would be lost). Returns 0, or -1 with a message in capture_error()
 * (*s then keeps the totals of the last successful call).
 */
int capture_stats(struct capture *c, struct capture_stats *s);

/* Message of the last failure ("" if none). */
const char *capture_error(const struct capture *c);

/* What libpcap warned about at opening, or about a fallback taken
 * (e.g. microsecond timestamps only); "" if nothing. */
const char *capture_warning(const struct capture *c);

/* Closes the handle and frees c (NULL accepted). */
void capture_close(struct capture *c);

#endif
