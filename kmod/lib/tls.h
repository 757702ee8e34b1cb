/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TLS handshake parser: what a policy needs from the cleartext opening of a
 * TLS connection. Pure C shared by the module and userspace, see types.h.
 *
 * Each parser takes the first @len bytes of ONE direction of a TCP stream,
 * contiguous and in order, and never reads past @len. It keeps no state
 * between calls: the module buffers a flow's opening bytes and calls the
 * parser again on the grown buffer until it stops answering SSLV_TLS_MORE.
 * Nothing is copied but the few fields of @out and nothing is allocated.
 *
 * Records and handshake messages are independent layers: a handshake
 * message may be fragmented over several records and a record may carry
 * several messages; the parser reads the handshake stream through the
 * record layer. A record of another type inside a fragmented message is
 * malformed (RFC 8446 5.1), as is a handshake record that is empty or longer
 * than 2^14 bytes.
 *
 * Versions are the wire values: 0x0300 SSLv3, 0x0301..0x0304 TLS 1.0..1.3,
 * and SSLV_TLS_VER_SSL2 for a hello in the SSLv2 record format.
 */
#ifndef SSLV_LIB_TLS_H
#define SSLV_LIB_TLS_H

#include "types.h"

enum sslv_tls_res {
	SSLV_TLS_MORE,		/* plausible so far, need more bytes */
	SSLV_TLS_DONE,		/* parsed: @out is complete */
	SSLV_TLS_NOT_TLS,	/* the first bytes are no TLS handshake */
	SSLV_TLS_MALFORMED,	/* TLS, but a length or field is impossible */
};

#define SSLV_TLS_VER_SSL2	0x0002
#define SSLV_TLS_VER_SSL3	0x0300
#define SSLV_TLS_VER_TLS10	0x0301
#define SSLV_TLS_VER_TLS11	0x0302
#define SSLV_TLS_VER_TLS12	0x0303
#define SSLV_TLS_VER_TLS13	0x0304

#define SSLV_TLS_SNI_MAX	255	/* bytes of server name kept */
#define SSLV_TLS_ALPN_MAX	4	/* ALPN protocol names kept */
#define SSLV_TLS_ALPN_NAME_MAX	32	/* bytes kept of each */
#define SSLV_TLS_VERSIONS_MAX	8	/* supported_versions entries kept */

/* sslv_tls_client.flags */
#define SSLV_TLS_C_SSL2_FORMAT	(1U << 0)  /* SSLv2-format CLIENT-HELLO */
#define SSLV_TLS_C_SNI		(1U << 1)  /* server_name with a host_name */
#define SSLV_TLS_C_SNI_LONG	(1U << 2)  /* host_name cut to SSLV_TLS_SNI_MAX */
#define SSLV_TLS_C_ALPN		(1U << 3)  /* application_layer_protocol_negotiation */
#define SSLV_TLS_C_ALPN_LONG	(1U << 4)  /* a name cut to SSLV_TLS_ALPN_NAME_MAX */
#define SSLV_TLS_C_VERSIONS	(1U << 5)  /* supported_versions extension */
#define SSLV_TLS_C_MODERN_CIPHER (1U << 6) /* a suite of sslv_tls_cipher_modern() */
#define SSLV_TLS_C_COMPRESSION	(1U << 7)  /* a compression method other than null */
#define SSLV_TLS_C_ECH		(1U << 8)  /* encrypted_client_hello (0xfe0d), GREASE too */
#define SSLV_TLS_C_ESNI		(1U << 9)  /* encrypted_server_name draft (0xffce) */
#define SSLV_TLS_C_PQ_SHARE	(1U << 10) /* key_share carries a PQ hybrid */
#define SSLV_TLS_C_PQ_GROUP	(1U << 11) /* supported_groups lists a PQ hybrid */

struct sslv_tls_alpn {
	u8 len;				/* bytes kept in name */
	u8 name[SSLV_TLS_ALPN_NAME_MAX];
};

struct sslv_tls_client {
	u32 flags;		/* SSLV_TLS_C_* */
	u16 record_version;	/* of the first record; SSLV_TLS_VER_SSL2 */
	u16 legacy_version;	/* ClientHello.legacy_version */
	u16 max_version;	/* highest offered: see below */
	u16 n_ciphers;		/* cipher suites offered, SCSVs and GREASE included */
	u16 n_alpn;		/* ALPN names offered; alpn[] keeps the first ones */
	u8 n_versions;		/* entries kept in versions[] */
	u8 sni_len;		/* bytes kept in sni */
	u16 versions[SSLV_TLS_VERSIONS_MAX]; /* supported_versions, no GREASE */
	u8 sni[SSLV_TLS_SNI_MAX];	/* host_name as sent, not terminated */
	struct sslv_tls_alpn alpn[SSLV_TLS_ALPN_MAX];
};

/*
 * max_version is the highest non-GREASE entry of supported_versions when the
 * extension is there (0 when it has none), else legacy_version. For an SSLv2-format hello,
 * record_version is SSLV_TLS_VER_SSL2 and legacy_version the version the
 * hello announces: SSLV_TLS_VER_SSL2 from a pure SSLv2 client, 0x03xx from a
 * client that only wraps a newer hello in the old format.
 *
 * SSLV_TLS_C_PQ_* recognise the post-quantum hybrid groups X25519MLKEM768
 * (0x11ec), SecP256r1MLKEM768 (0x11eb), SecP384r1MLKEM1024 (0x11ed),
 * X25519Kyber768Draft00 (0x6399) and SecP256r1Kyber768Draft00 (0x639a).
 *
 * Extensions that are parsed must not repeat (RFC 8446 4.2), nor may a
 * server_name list hold two host_names: either is MALFORMED, so a policy and
 * the server cannot read different names from one hello.
 */
enum sslv_tls_res sslv_tls_parse_client(const u8 *buf, u32 len,
					struct sslv_tls_client *out);

/*
 * The whole ALPN protocol_name_list of a ClientHello in its wire format
 * (each name after a one-byte length, the form SSL_set_alpn_protos takes),
 * for a caller that offers a server the list the client offered. The
 * caller owns @buf and its size @cap; the parser fills len. Names are kept
 * whole and in order: a name that does not fit in what is left of @buf is
 * left out with every later one and sets cut. A @cap of 65536 never cuts
 * (the extension is at most 2^16 - 1 bytes).
 */
struct sslv_tls_alpn_wire {
	u8 *buf;
	u32 cap;
	u32 len;		/* bytes of buf used */
	bool cut;		/* a name did not fit */
};

/*
 * sslv_tls_parse_client that also fills @alpn (when not NULL) with the
 * whole ALPN list; @out is filled exactly as by sslv_tls_parse_client. An
 * SSLv2-format hello has no extensions: @alpn stays empty.
 */
enum sslv_tls_res sslv_tls_parse_client_alpn(const u8 *buf, u32 len,
					     struct sslv_tls_client *out,
					     struct sslv_tls_alpn_wire *alpn);

/* sslv_tls_server.flags */
#define SSLV_TLS_S_HELLO	(1U << 0)  /* ServerHello parsed */
#define SSLV_TLS_S_HRR		(1U << 1)  /* ... and it is a HelloRetryRequest */
#define SSLV_TLS_S_VERSIONS	(1U << 2)  /* supported_versions extension */
#define SSLV_TLS_S_MODERN_CIPHER (1U << 3) /* cipher is sslv_tls_cipher_modern() */
#define SSLV_TLS_S_PQ		(1U << 4)  /* group is a PQ hybrid (see above) */
#define SSLV_TLS_S_CERT		(1U << 5)  /* Certificate seen (TLS <= 1.2) */
#define SSLV_TLS_S_CERT_REQ	(1U << 6)  /* CertificateRequest seen (TLS <= 1.2) */
#define SSLV_TLS_S_HELLO_DONE	(1U << 7)  /* ServerHelloDone seen */
#define SSLV_TLS_S_RESUMED	(1U << 8)  /* ChangeCipherSpec before ServerHelloDone */
#define SSLV_TLS_S_ALERT	(1U << 9)  /* a plaintext alert ended the flight */

struct sslv_tls_server {
	u32 flags;		/* SSLV_TLS_S_* */
	u16 record_version;	/* of the first record */
	u16 legacy_version;	/* ServerHello.legacy_version */
	u16 version;		/* negotiated: see below */
	u16 cipher;		/* cipher suite chosen */
	u16 group;		/* key_share group (TLS 1.3), 0 when absent */
	u8 compression;		/* compression method chosen */
	u8 alert;		/* alert description with SSLV_TLS_S_ALERT */
};

/*
 * Parses the server's first flight. version is the selected_version of
 * supported_versions when the extension is there (TLS 1.3), else
 * legacy_version.
 *
 * For TLS 1.3, and for a HelloRetryRequest (a ServerHello carrying the
 * special random of RFC 8446 4.1.3, whose real ServerHello only follows the
 * client's second hello), the parse is DONE right after the ServerHello:
 * everything after it is encrypted, CertificateRequest included, so only a
 * decrypting path can see whether a TLS 1.3 server asks for a client
 * certificate.
 *
 * For older versions the parse goes on through Certificate,
 * ServerKeyExchange, CertificateRequest and so on, and is DONE at
 * ServerHelloDone, or at a ChangeCipherSpec (an abbreviated, resumed
 * handshake), or at a plaintext alert, which may also stand first in the
 * flight when the server refuses the hello. Fields already parsed stay
 * valid on SSLV_TLS_MORE: a caller that gives up waiting still knows the
 * version and cipher once SSLV_TLS_S_HELLO is set. An SSLv2 SERVER-HELLO is
 * NOT_TLS.
 */
enum sslv_tls_res sslv_tls_parse_server(const u8 *buf, u32 len,
					struct sslv_tls_server *out);

/*
 * When to parse again. The parsers are stateless and read the whole
 * buffer, so a caller that ran one at every arriving byte would pay for the
 * buffer again each time: quadratic in the hello. The walker follows the
 * record and handshake message headers of the stream as it grows, once per
 * byte at most, and says when a parse may answer something new:
 *
 *   - while the first record header and message header are not all in
 *     (the first 9 bytes: a parse may tell "not TLS" early);
 *   - when a handshake message is complete;
 *   - at the header of a record of another type, and when it is complete;
 *   - when a record header is impossible (a parse says what is wrong);
 *   - for the SSLv2 record format, when its one record is complete.
 *
 * A ClientHello is one message, so the client's side is parsed a bounded
 * number of times however it is cut; the server's first flight once per
 * message. A zeroed struct sslv_tls_walk has walked nothing. Feed it the
 * same stream, growing: @len never below the previous call's.
 */
struct sslv_tls_walk {
	u32 pos;		/* stream bytes walked */
	u32 rec_left;		/* payload bytes of the current record left */
	u32 msg_left;		/* body bytes of the current message left */
	u8 rec_type;		/* of the current record */
	u8 hdr_got;		/* bytes of the current message header walked */
	bool stuck;		/* an impossible header: parse at every call */
};

bool sslv_tls_walk(struct sslv_tls_walk *w, const u8 *buf, u32 len);

/*
 * The "modern" suites, those a current TLS stack negotiates: the TLS 1.3
 * suites 0x1301..0x1305 and the forward-secret AEAD suites of TLS 1.2,
 * ECDHE-ECDSA/ECDHE-RSA with AES-GCM (0xc02b, 0xc02c, 0xc02f, 0xc030) or
 * ChaCha20-Poly1305 (0xcca8, 0xcca9), and DHE-RSA with AES-GCM (0x009e,
 * 0x009f) or ChaCha20-Poly1305 (0xccaa). A hello offering none of them
 * would be refused by a modern server.
 */
bool sslv_tls_cipher_modern(u16 suite);

/*
 * Server name matching, ASCII case-insensitive. @pattern is either a name,
 * matched exactly, or "*." followed by a suffix, which matches any name
 * ending in ".suffix" with at least one non-empty label before it:
 * "*.example.com" matches "www.example.com" and "a.b.example.com" but not
 * "example.com". Only a leading "*." followed by at least one byte is
 * special. One trailing dot on @name
 * (a fully qualified "example.com.") is ignored. An empty pattern or name
 * matches nothing.
 */
bool sslv_sni_match(const char *pattern, u32 plen, const u8 *name, u32 nlen);

#endif /* SSLV_LIB_TLS_H */
