/* \summary: names of LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) */
#ifndef PIDCAP_LINKTYPE_H
#define PIDCAP_LINKTYPE_H

#include <stdint.h>

#define LINKTYPE_NULL          0
#define LINKTYPE_ETHERNET      1
#define LINKTYPE_PPP           9
#define LINKTYPE_RAW           101
#define LINKTYPE_LOOP          108
#define LINKTYPE_LINUX_SLL     113
#define LINKTYPE_IPV4          228
#define LINKTYPE_IPV6          229
#define LINKTYPE_PKTAP         258
#define LINKTYPE_LINUX_SLL2    276

/* Short name as libpcap's pcap_datalink_val_to_name() spells it ("EN10MB"),
 * or NULL if unknown. */
const char *linktype_name(uint32_t linktype);

/* Description ("Ethernet"), or "unknown". */
const char *linktype_description(uint32_t linktype);

#endif
