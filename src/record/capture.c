/* \summary: live capture with libpcap: handles, packets, 64-bit statistics */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capfile/linktype.h"
#include "record/capture.h"
#include "util/units.h"

#define ERR_BYTES    (PCAP_ERRBUF_SIZE + 256)
#define ANY_IFACE    "any"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* libpcap's DLT_ and the file's LINKTYPE_ agree from here on (pcap-common.c). */
#define DLT_MATCHING_FIRST 104
#define DLT_MATCHING_LAST  299

struct capture {
	pcap_t *p;
	char *iface, *filter;
	uint32_t snaplen;
	int linktype;
	bool nano;                        /* header times are ns, else µs */
	uint32_t last_recv, last_drop, last_ifdrop;   /* raw 32-bit values last read */
	struct capture_stats totals;
	capture_packet_fn fn;             /* of the capture_dispatch() running */
	void *fn_ctx;
	char err[ERR_BYTES];
	char warn[ERR_BYTES];
};

static void set_msg(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Adds a warning, keeping the earlier ones. */
static void add_warning(struct capture *c, const char *what, const char *detail)
{
	size_t used = strlen(c->warn);

	snprintf(c->warn + used, sizeof(c->warn) - used, "%s%s: %s", used ? "; " : "", what, detail);
}

/* DLT_ values that differ from their LINKTYPE_ (pcap-common.c's map). */
static const struct {
	int dlt, linktype;
} dlt_map[] = {
#ifdef DLT_ATM_RFC1483
	{ DLT_ATM_RFC1483, 100 },
#endif
	{ DLT_RAW, LINKTYPE_RAW },
#ifdef DLT_SLIP_BSDOS
	{ DLT_SLIP_BSDOS, 102 },
#endif
#ifdef DLT_PPP_BSDOS
	{ DLT_PPP_BSDOS, 103 },
#endif
#ifdef DLT_ATM_CLIP
	{ DLT_ATM_CLIP, 106 },
#endif
#ifdef DLT_PPP_SERIAL
	{ DLT_PPP_SERIAL, 50 },
#endif
#ifdef DLT_PPP_ETHER
	{ DLT_PPP_ETHER, 51 },
#endif
#ifdef DLT_PFSYNC
	{ DLT_PFSYNC, 246 },
#endif
};

/* LINKTYPE_ value of a DLT_ value, or -1 when it has none. */
static int dlt_to_linktype(int dlt)
{
	for (size_t i = 0; i < sizeof(dlt_map) / sizeof(dlt_map[0]); i++)
		if (dlt_map[i].dlt == dlt)
			return dlt_map[i].linktype;
	/* DLT_NULL .. DLT_IEEE802 / DLT_ARCNET share their numbers with LINKTYPE_. */
	if ((dlt >= 0 && dlt <= 10) || (dlt >= DLT_MATCHING_FIRST && dlt <= DLT_MATCHING_LAST))
		return dlt;
	return -1;
}

/* Settings before activation; libpcap refuses them only on a handle already active. */
static int configure(struct capture *c, char *err, size_t errlen)
{
	if (pcap_set_snaplen(c->p, (int)c->snaplen) != 0 || pcap_set_promisc(c->p, 0) != 0 ||
	    pcap_set_timeout(c->p, CAPTURE_TIMEOUT_MS) != 0 ||
	    pcap_set_buffer_size(c->p, CAPTURE_BUFFER_BYTES) != 0) {
		set_msg(err, errlen, "%s: cannot configure the capture: %s", c->iface, pcap_geterr(c->p));
		return -1;
	}
	c->nano = pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO) == 0;
	if (!c->nano)
		add_warning(c, c->iface, "nanosecond timestamps not supported, using microseconds");
	return 0;
}

/* Appends what to do to an error message, as far as it fits. */
static void add_hint(char *err, size_t errlen, const char *hint)
{
	size_t n = strnlen(err, errlen);

	if (n + 1 < errlen)
		snprintf(err + n, errlen - n, "%s", hint);
}

/* pcap_activate(), with its warnings kept and its errors explained. */
static int activate(struct capture *c, char *err, size_t errlen)
{
	int r = pcap_activate(c->p);

	if (r == 0)
		return 0;
	if (r > 0) {
		add_warning(c, c->iface, r == PCAP_WARNING ? pcap_geterr(c->p) : pcap_statustostr(r));
		return 0;
	}
	/* PCAP_ERROR has only libpcap's text; the others a status, maybe with details. */
	if (r == PCAP_ERROR)
		set_msg(err, errlen, "%s: %s", c->iface, pcap_geterr(c->p));
	else if (pcap_geterr(c->p)[0] != '\0' && strcmp(pcap_geterr(c->p), pcap_statustostr(r)) != 0)
		set_msg(err, errlen, "%s: %s (%s)", c->iface, pcap_statustostr(r), pcap_geterr(c->p));
	else
		set_msg(err, errlen, "%s: %s", c->iface, pcap_statustostr(r));
	if (r == PCAP_ERROR_PERM_DENIED)
		add_hint(err, errlen, "; run as root, or with CAP_NET_RAW (and CAP_BPF, CAP_PERFMON, "
			 "CAP_NET_ADMIN, CAP_SYS_ADMIN for eBPF attribution)");
	else if (r == PCAP_ERROR_NO_SUCH_DEVICE)
		add_hint(err, errlen, "; `ip link` lists the interfaces, or use -i any");
	return -1;
}

/* On "any", LINUX_SLL2 keeps the interface index of every packet. */
static void prefer_sll2(struct capture *c)
{
	int *dlts = NULL, n;

	if (strcmp(c->iface, ANY_IFACE) != 0 || pcap_datalink(c->p) == DLT_LINUX_SLL2)
		return;
	n = pcap_list_datalinks(c->p, &dlts);
	for (int i = 0; i < n; i++) {
		if (dlts[i] != DLT_LINUX_SLL2)
			continue;
		if (pcap_set_datalink(c->p, DLT_LINUX_SLL2) != 0)
			add_warning(c, c->iface, pcap_geterr(c->p));
		break;
	}
	if (n >= 0)
		pcap_free_datalinks(dlts);
}

static int set_filter(struct capture *c, char *err, size_t errlen)
{
	struct bpf_program prog;
	int r;

	if (c->filter[0] == '\0')
		return 0;
	if (pcap_compile(c->p, &prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		set_msg(err, errlen, "bad filter \"%s\": %s", c->filter, pcap_geterr(c->p));
		return -1;
	}
	r = pcap_setfilter(c->p, &prog);
	pcap_freecode(&prog);
	if (r != 0) {
		set_msg(err, errlen, "%s: cannot set the filter: %s", c->iface, pcap_geterr(c->p));
		return -1;
	}
	return 0;
}

/* After activation: link type, filter, non-blocking mode. */
static int finish_open(struct capture *c, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int dlt, snap;

	prefer_sll2(c);
	dlt = pcap_datalink(c->p);
	c->linktype = dlt_to_linktype(dlt);
	if (c->linktype < 0) {
		set_msg(err, errlen, "%s: link type %s (DLT %d) has no pcapng LINKTYPE value",
			c->iface, pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?",
			dlt);
		return -1;
	}
	snap = pcap_snapshot(c->p);
	if (snap > 0)
		c->snaplen = (uint32_t)snap;
	if (set_filter(c, err, errlen) < 0)
		return -1;
	if (pcap_setnonblock(c->p, 1, ebuf) != 0) {
		set_msg(err, errlen, "%s: cannot make the capture non-blocking: %s", c->iface, ebuf);
		return -1;
	}
	if (pcap_get_selectable_fd(c->p) < 0) {
		set_msg(err, errlen, "%s: the capture has no descriptor to poll", c->iface);
		return -1;
	}
	return 0;
}

struct capture *capture_open(const char *iface, uint32_t snaplen, const char *filter, char *err,
			     size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;

	if (iface == NULL || iface[0] == '\0') {
		set_msg(err, errlen, "no interface given");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->iface = strdup(iface)) == NULL ||
	    (c->filter = strdup(filter ? filter : "")) == NULL) {
		set_msg(err, errlen, "out of memory");
		goto fail;
	}
	c->snaplen = snaplen ? snaplen : CAPTURE_DEFAULT_SNAPLEN;
	if (c->snaplen > INT_MAX)
		c->snaplen = CAPTURE_DEFAULT_SNAPLEN;
	c->p = pcap_create(iface, ebuf);
	if (c->p == NULL) {
		set_msg(err, errlen, "%s: %s", iface, ebuf);
		goto fail;
	}
	if (configure(c, err, errlen) < 0 || activate(c, err, errlen) < 0 ||
	    finish_open(c, err, errlen) < 0)
		goto fail;
	return c;
fail:
	capture_close(c);
	return NULL;
}

int capture_fd(const struct capture *c)
{
	return pcap_get_selectable_fd(c->p);
}

int capture_linktype(const struct capture *c)
{
	return c->linktype;
}

uint32_t capture_snaplen(const struct capture *c)
{
	return c->snaplen;
}

const char *capture_iface(const struct capture *c)
{
	return c->iface;
}

const char *capture_filter(const struct capture *c)
{
	return c->filter;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)user;
	int64_t frac = (int64_t)h->ts.tv_usec * (c->nano ? 1 : NS_PER_USEC);

	c->fn(c->fn_ctx, (int64_t)h->ts.tv_sec * NS_PER_SEC + frac, bytes, h->caplen, h->len);
}

int capture_dispatch(struct capture *c, int max_packets, capture_packet_fn fn, void *ctx)
{
	int n;

	c->fn = fn;
	c->fn_ctx = ctx;
	n = pcap_dispatch(c->p, max_packets > 0 ? max_packets : -1, on_packet, (u_char *)c);
	if (n == PCAP_ERROR_BREAK)
		return 0;
	if (n < 0) {
		set_msg(c->err, sizeof(c->err), "%s: %s", c->iface, pcap_geterr(c->p));
		return -1;
	}
	return n;
}

int capture_stats(struct capture *c, struct capture_stats *s)
{
	struct pcap_stat ps;

	if (pcap_stats(c->p, &ps) != 0) {
		set_msg(c->err, sizeof(c->err), "%s: cannot read the statistics: %s", c->iface,
			pcap_geterr(c->p));
		*s = c->totals;
		return -1;
	}
	/* Unsigned differences stay right across one wrap of the 32-bit counters. */
	c->totals.recv += (uint32_t)(ps.ps_recv - c->last_recv);
	c->totals.drop += (uint32_t)(ps.ps_drop - c->last_drop);
	c->totals.ifdrop += (uint32_t)(ps.ps_ifdrop - c->last_ifdrop);
	c->last_recv = ps.ps_recv;
	c->last_drop = ps.ps_drop;
	c->last_ifdrop = ps.ps_ifdrop;
	*s = c->totals;
	return 0;
}

const char *capture_error(const struct capture *c)
{
	return c->err;
}

const char *capture_warning(const struct capture *c)
{
	return c->warn;
}

void capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->p != NULL)
		pcap_close(c->p);
	free(c->iface);
	free(c->filter);
	free(c);
}
