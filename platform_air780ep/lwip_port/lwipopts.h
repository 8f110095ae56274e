/* lwIP options of the simulated Air780EP's TCP/IP stack (lwIP 2.1.3).
 *
 * One thread, no OS (NO_SYS=1): the device's event loop feeds frames in and runs lwIP's timers;
 * only the raw (callback) API is used, as LuatOS's own lwIP adapter does. IPv4 over a point to point
 * link (Ethernet framed for libslirp, no ARP: docs/network.md), TCP, UDP and the DNS client; no DHCP (the address is static), no
 * sockets or netconn layer, no IPv6.
 *
 * Sizing: the module shares 8 socket channels. Each TCP connection gets a 128 KiB receive window
 * (window scaling on): four times the MQTT client's default 32 KiB buffer, so the client can parse
 * one buffer while more is in flight, and enough for the bench's local transfers (64 KiB gave 0.48x
 * of the host path's download rate, 128 KiB 0.55x). The send buffer is 64 KiB: uploads are bounded
 * by slirp (one host send() per 1460-byte segment), not by it. Received data is copied out of
 * lwIP's pbufs at once by the stream and the window is reopened only as its owner reads, so unread
 * data holds the peer back without pinning lwIP buffers; worst case 8 x 128 KiB held by streams.
 *
 * Memory comes from the C library (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC): AddressSanitizer then sees
 * every lwIP allocation, and the byte counts per connection are real figures in lwIP's stats.
 * Per-connection memory is bounded by the windows above, not by pool sizes. */
#ifndef LUAT_LWIPOPTS_H
#define LUAT_LWIPOPTS_H

/* ---- system ---- */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1
#define LWIP_TIMERS_CUSTOM 1 /* lwip_timers.cpp: lwIP's timers, woken up for only when they have work */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1

/* ---- memory ---- */
#define MEM_ALIGNMENT 8
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_SIZE (1024 * 1024) /* unused with MEM_LIBC_MALLOC; kept for the sanity checks */
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_RAW_PCB 1
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 16 /* 8 channels + connections lingering in TIME_WAIT */
#define MEMP_NUM_TCP_PCB_LISTEN 8 /* socket.listen servers */
#define SO_REUSE 1                /* a server listens again on its port while old connections linger */
#define MEMP_NUM_TCP_SEG (8 * TCP_SND_QUEUELEN)
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE 512

/* ---- link ---- */
/* The cellular bearer is point to point: no ARP (whose 3-packet queue dropped the SYNs of clients
 * that connected together); lwip_stack.cpp frames IP for slirp itself. Ethernet stays for that. */
#define LWIP_ARP 0
#define LWIP_ETHERNET 1
#define ETH_PAD_SIZE 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 1

/* ---- IP ---- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_IGMP 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0

/* ---- UDP / DNS ---- */
#define LWIP_UDP 1
#define LWIP_DNS 1
/* Lookups that may wait for an answer at once (DNS_MAX_REQUESTS follows DNS_TABLE_SIZE; a larger
 * DNS_MAX_REQUESTS overruns dns_table in lwIP 2.1.3's dns_call_found). The link answers with TTL 0, so
 * nothing is cached and every socket channel may be resolving the same name at the same moment: one
 * slot per channel (luatos --channels allows up to 255, the most a u8_t counts). Lookups of one name
 * share a table entry; the unused entries are zero .bss, never resident. */
#define DNS_TABLE_SIZE 255
#define DNS_MAX_NAME_LENGTH 256
#define DNS_MAX_SERVERS 1
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0

/* ---- TCP ---- */
#define LWIP_TCP 1
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (128 * 1024)
#define TCP_SND_BUF (64 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_TCP_KEEPALIVE 0
#define LWIP_CALLBACK_API 1
#define LWIP_ALTCP 0

/* ---- checksums ----
 * Generated on output (slirp verifies them), summed while copying the data in (one pass).
 * Not verified on input: the simulated link drops frames but never corrupts one (slirp and the
 * link's DNS responder generate correct sums), so checking would only cost time. */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define LWIP_CHECKSUM_ON_COPY 1
#define CHECKSUM_CHECK_IP 0
#define CHECKSUM_CHECK_UDP 0
#define CHECKSUM_CHECK_TCP 0
#define CHECKSUM_CHECK_ICMP 0
/* Ours (lwip_port/lwip_checksum.cpp): 8 bytes a step instead of lwIP's 2, and the copy into a
 * segment sums as it copies. */
#ifdef __cplusplus
extern "C" {
#endif
unsigned short luat_lwip_chksum(const void *dataptr, int len);
unsigned short luat_lwip_chksum_copy(void *dst, const void *src, unsigned short len);
#ifdef __cplusplus
}
#endif
#define LWIP_CHKSUM luat_lwip_chksum
#define LWIP_CHKSUM_COPY(dst, src, len) luat_lwip_chksum_copy(dst, src, len)

/* ---- statistics (read by the bench and the memory report) ---- */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define LINK_STATS 1
#define ETHARP_STATS 0
#define IP_STATS 1
#define ICMP_STATS 0
#define UDP_STATS 1
#define TCP_STATS 1
#define MEM_STATS 1
#define MEMP_STATS 1
#define SYS_STATS 0

#endif /* LUAT_LWIPOPTS_H */
