/* \summary: BSD loopback encapsulation: LINKTYPE_NULL (0, host byte order) and
 * LINKTYPE_LOOP (108, network byte order), https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html */
#include "config.h"

#include "decode/decode_int.h"

#define NULL_HDR_BYTES  4
/* Address families as the capturing OS numbered them. */
#define BSD_AF_INET          2
#define BSD_AF_INET6_LINUX   10
#define BSD_AF_INET6_WIN     23
#define BSD_AF_INET6_BSD     24   /* NetBSD, OpenBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD 28   /* FreeBSD, DragonFly */
#define BSD_AF_INET6_DARWIN  30
/* A host-order value above 16 bits was written by a host of the other byte order. */
#define NULL_FAMILY_MAX      0xffffu

void decode_null(struct dstate *st, struct layer l, bool network_order)
{
	uint32_t family;

	if (!cur_u32_e(&l.c, network_order, &family)) {
		decode_anomaly(st, "null_analyzer_failed");
		return;
	}
	l.wire -= NULL_HDR_BYTES;
	if (!network_order && family > NULL_FAMILY_MAX)
		family = (family >> 24) | ((family >> 8) & 0xff00u) |
			 ((family << 8) & 0xff0000u) | (family << 24);
	switch (family) {
	case BSD_AF_INET:
	case BSD_AF_INET6_LINUX:
	case BSD_AF_INET6_WIN:
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		decode_ip(st, l);
		break;
	default:
		break;
	}
}
