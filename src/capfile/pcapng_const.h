/* \summary: pcapng block types and option codes (draft-ietf-opsawg-pcapng; Apple pcap-ng.h) */
#ifndef PIDCAP_PCAPNG_CONST_H
#define PIDCAP_PCAPNG_CONST_H

/* Block types (draft-ietf-opsawg-pcapng §10.1). */
#define PCAPNG_BT_SHB        0x0A0D0D0Au
#define PCAPNG_BT_IDB        0x00000001u
#define PCAPNG_BT_PB         0x00000002u   /* obsolete Packet Block */
#define PCAPNG_BT_SPB        0x00000003u
#define PCAPNG_BT_NRB        0x00000004u
#define PCAPNG_BT_ISB        0x00000005u
#define PCAPNG_BT_EPB        0x00000006u
#define PCAPNG_BT_DSB        0x0000000Au
#define PCAPNG_BT_CB_COPY    0x00000BADu
#define PCAPNG_BT_CB_NOCOPY  0x40000BADu
#define PCAPNG_BT_DARWIN_PIB 0x80000001u   /* Apple Process Information Block */
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du

/* Every block: type, total length, body, total length again. */
#define PCAPNG_BLOCK_OVERHEAD 12u

/* Options common to all blocks. */
#define PCAPNG_OPT_ENDOFOPT   0
#define PCAPNG_OPT_COMMENT    1
#define PCAPNG_OPT_CUSTOM_STR_COPY    2988
#define PCAPNG_OPT_CUSTOM_BIN_COPY    2989
#define PCAPNG_OPT_CUSTOM_STR_NOCOPY  19372
#define PCAPNG_OPT_CUSTOM_BIN_NOCOPY  19373
/* True for the four custom option codes above. */
#define PCAPNG_OPT_IS_CUSTOM(code) \
	((code) == PCAPNG_OPT_CUSTOM_STR_COPY || (code) == PCAPNG_OPT_CUSTOM_BIN_COPY || \
	 (code) == PCAPNG_OPT_CUSTOM_STR_NOCOPY || (code) == PCAPNG_OPT_CUSTOM_BIN_NOCOPY)

/* SHB options. */
#define PCAPNG_SHB_HARDWARE  2
#define PCAPNG_SHB_OS        3
#define PCAPNG_SHB_USERAPPL  4

/* IDB options. */
#define PCAPNG_IF_NAME        2
#define PCAPNG_IF_DESCRIPTION 3
#define PCAPNG_IF_IPV4ADDR    4
#define PCAPNG_IF_IPV6ADDR    5
#define PCAPNG_IF_MACADDR     6
#define PCAPNG_IF_EUIADDR     7
#define PCAPNG_IF_SPEED       8
#define PCAPNG_IF_TSRESOL     9
#define PCAPNG_IF_TZONE       10
#define PCAPNG_IF_FILTER      11
#define PCAPNG_IF_OS          12
#define PCAPNG_IF_FCSLEN      13
#define PCAPNG_IF_TSOFFSET    14
#define PCAPNG_IF_HARDWARE    15

/* EPB options. */
#define PCAPNG_EPB_FLAGS      2
#define PCAPNG_EPB_HASH       3
#define PCAPNG_EPB_DROPCOUNT  4
#define PCAPNG_EPB_PACKETID   5
#define PCAPNG_EPB_QUEUE      6
#define PCAPNG_EPB_VERDICT    7
#define PCAPNG_EPB_PID_TID    8     /* epb_processid_threadid: u32 pid, u32 tid */

/* EPB direction bits of epb_flags. */
#define PCAPNG_EPB_DIR_MASK   0x3u
#define PCAPNG_EPB_DIR_IN     1u
#define PCAPNG_EPB_DIR_OUT    2u

/* ISB options. */
#define PCAPNG_ISB_STARTTIME    2
#define PCAPNG_ISB_ENDTIME      3
#define PCAPNG_ISB_IFRECV       4
#define PCAPNG_ISB_IFDROP       5
#define PCAPNG_ISB_FILTERACCEPT 6
#define PCAPNG_ISB_OSDROP       7
#define PCAPNG_ISB_USRDELIV     8

/* NRB record types. */
#define PCAPNG_NRB_END   0
#define PCAPNG_NRB_IPV4  1
#define PCAPNG_NRB_IPV6  2

/* DSB secrets types. */
#define PCAPNG_DSB_TLS_KEYLOG 0x544c534bu

/* Apple local EPB options (libpcap/pcap/pcap-ng.h of Apple's libpcap). */
#define PCAPNG_DARWIN_EPB_PIB_INDEX   0x8001
#define PCAPNG_DARWIN_EPB_SVC         0x8002
#define PCAPNG_DARWIN_EPB_E_PIB_INDEX 0x8003
#define PCAPNG_DARWIN_EPB_PMD_FLAGS   0x8004
#define PCAPNG_DARWIN_EPB_FLOW_ID     0x8005
#define PCAPNG_DARWIN_EPB_TRACE_TAG   0x8006
#define PCAPNG_DARWIN_EPB_DROP_REASON 0x8007
#define PCAPNG_DARWIN_EPB_DROP_LINE   0x8008
#define PCAPNG_DARWIN_EPB_DROP_FUNC   0x8009
#define PCAPNG_DARWIN_EPB_COMP_GENCNT 0x800A
/* Apple Process Information Block options. */
#define PCAPNG_DARWIN_PIB_NAME 2
#define PCAPNG_DARWIN_PIB_PATH 3
#define PCAPNG_DARWIN_PIB_UUID 4

/* Wireshark's process records: Custom Block under PEN 32622, entry type 3. */
#define PCAPNG_PEN_WIRESHARK   32622u
#define PCAPNG_WS_ENTRY_PROCESS 3u
#define PCAPNG_PIB_NAME      2
#define PCAPNG_PIB_PATH      3
#define PCAPNG_PIB_CMDLINE   4
#define PCAPNG_PIB_PPID      5
#define PCAPNG_PIB_UID       6
#define PCAPNG_PIB_USER      7
#define PCAPNG_PIB_UUID      8
#define PCAPNG_PIB_STARTTIME 9

#endif
