/* \summary: LINKTYPE_* names, from libpcap's table so they match tcpdump */
#include "config.h"

#include <pcap/pcap.h>

#include "capfile/linktype.h"

/* Link types and DLT values differ for a few historical values
 * (pcap-common.c); map the ones that do before asking libpcap. */
static int linktype_to_dlt(uint32_t linktype)
{
	switch (linktype) {
	case 101: return DLT_RAW;
	case 100: return DLT_ATM_RFC1483;
	case 102: return DLT_SLIP_BSDOS;
	case 103: return DLT_PPP_BSDOS;
	case 104: return DLT_C_HDLC;
	case 106: return DLT_ATM_CLIP;
	case 50: return DLT_PPP_SERIAL;
	case 51: return DLT_PPP_ETHER;
	default: return (int)linktype;
	}
}

const char *linktype_name(uint32_t linktype)
{
	if (linktype > 0xFFFF)
		return NULL;
	return pcap_datalink_val_to_name(linktype_to_dlt(linktype));
}

const char *linktype_description(uint32_t linktype)
{
	const char *d = linktype > 0xFFFF ? NULL :
			pcap_datalink_val_to_description(linktype_to_dlt(linktype));

	return d ? d : "unknown";
}
