/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * sslv: SSL-visibility bump-in-the-wire for Linux bridges.
 *
 * This header is the whole kernel/user ABI. It is a generic netlink family
 * named SSLV_GENL_NAME, version SSLV_GENL_VERSION, valid in every network
 * namespace. Every command requires CAP_NET_ADMIN in the user namespace that
 * owns the network namespace (GENL_UNS_ADMIN_PERM), reads included. Attribute
 * validation is strict: unknown attributes, wrong lengths and stray header
 * bytes are refused with EINVAL and an extended ack message naming the
 * attribute.
 *
 * SSLV_CMD_MODE_GET / SSLV_CMD_MODE_SET
 *   SSLV_A_MODE (u8, enum sslv_mode) and, for SSLV_MODE_PASSIVE_TAP only,
 *   SSLV_A_IFINDEX (u32): the mirror device, which must not be a bridge port.
 *   Inline modes take the bridge PRE_ROUTING path and may transmit; the tap
 *   mode reads copies from the mirror device and never transmits a frame.
 *   If the mirror device goes away the mode stays passive-tap, MODE_GET
 *   carries no SSLV_A_IFINDEX, and sslv sees nothing until the mode is set
 *   again. Changing the mode or the device flushes the flow table.
 *
 * SSLV_CMD_CONFIG_GET / SSLV_CMD_CONFIG_SET
 *   SSLV_A_MAX_FLOWS (u32), SSLV_A_TIMEOUT_* (u32, seconds). Any subset may
 *   be set; a zero is refused. SSLV_A_CLIENT_CERT is the action taken on a
 *   flow no rule decided whose server asks for a client certificate
 *   (undecryptable: sslv cannot stand in for the client's key); it is
 *   SSLV_ACT_REJECT by default. SSLV_A_HS_BYTES (read only) is the memory
 *   the namespace's handshake reading holds now; SSLV_A_HS_MEM (bytes,
 *   SSLV_HS_MEM_MIN .. SSLV_HS_MEM_MAX, default SSLV_HS_MEM_DEFAULT) bounds
 *   it, under the module's bound for all namespaces (parameter hs_mem_max).
 *   SSLV_A_HS_TIMEOUT (seconds, 1 .. SSLV_HS_TIMEOUT_MAX, default
 *   SSLV_HS_TIMEOUT_DEFAULT) is how long a flow's handshake may be read,
 *   see below. A value out of bounds is refused and nothing is changed.
 *   SSLV_A_RST_RATE (1 ..
 *   SSLV_RST_RATE_MAX, default SSLV_RST_RATE_DEFAULT) bounds the RSTs the
 *   namespace sends a second. SSLV_A_CLIENT_CERT is cut, reject or drop.
 *   SSLV_A_DECRYPT_UNAVAILABLE (cut or reject, default cut) is the action
 *   a decrypt rule's flow gets while no sslvd is registered (reason
 *   SSLV_R_DECRYPT_UNAVAILABLE). SSLV_A_UPSTREAM_INVALID (enum
 *   sslv_upstream_invalid, default untrusted) is kept for sslvd, which
 *   applies it. SSLV_A_DECRYPT_PORTID (read only) is the registered
 *   sslvd's netlink port, 0 when none. SSLV_A_IPS_FAIL (enum
 *   sslv_ips_fail, default open) is the action of a decrypt rule's flow
 *   while the attached IPS is down, see SSLV_CMD_IPS_STATE.
 *
 * SSLV_CMD_RULE_ADD
 *   One or more SSLV_A_RULE nests (enum sslv_rule_attr). Without
 *   SSLV_A_STAGE the rules are appended to the live ruleset, which is then
 *   swapped in as a whole. With SSLV_A_STAGE they are appended to the
 *   staging ruleset of the socket that sends them (its netlink portid), and
 *   SSLV_CMD_RULE_COMMIT from the same socket swaps them in atomically,
 *   replacing the live ruleset (this is how a large ruleset is replaced
 *   without a window in which it is half loaded). Each socket stages apart:
 *   two loads at once never mix, and what a socket staged is dropped when
 *   it closes. At most SSLV_STAGES_MAX sockets of a namespace stage at once.
 *   The reply carries the assigned SSLV_RULE_ID of each rule (SSLV_A_RULE).
 *   A live add may say where its rules go instead of the end, with one of
 *   SSLV_A_RULE_INDEX (u32: the first rule's place in evaluation order, 0
 *   the head, the number of rules the end), SSLV_A_RULE_BEFORE or
 *   SSLV_A_RULE_AFTER (u32: the id of a live rule); the rules keep the
 *   order of the message there, the others keep their ids, order and hit
 *   counters. A position that does not exist is refused (ERANGE for an
 *   index past the end, ENOENT for an id no rule has; the extended ack
 *   points at the attribute) and nothing changes; a position with
 *   SSLV_A_STAGE, or two positions, is refused with EINVAL.
 * SSLV_CMD_RULE_DEL     SSLV_A_RULE_ID (u32).
 * SSLV_CMD_RULE_GET     dump: one message per rule, SSLV_A_RULE nest.
 * SSLV_CMD_RULE_FLUSH   removes every live rule, and the rules the caller
 *                       staged; with SSLV_A_STAGE only the latter. This is
 *                       how the ruleset is emptied.
 * SSLV_CMD_RULE_COMMIT  see above. ENODATA when the socket staged no rule:
 *                       a commit never empties the ruleset by accident.
 *
 * SSLV_CMD_DOMSET_ADD   SSLV_A_DOMSET_NAME and any number of SSLV_A_DOMAIN:
 *                       appends names to the domain set the calling socket
 *                       stages. SSLV_A_STAGE starts it afresh, under this
 *                       name; without it the socket's staged set must have
 *                       this name (EBUSY otherwise), or the socket stages
 *                       none yet. Names are matched ASCII case-insensitively,
 *                       a trailing dot ignored; "*.suffix" matches any name
 *                       below suffix. A bad name is refused (EINVAL, the
 *                       extended ack points at it) and the staged set is
 *                       dropped.
 * SSLV_CMD_DOMSET_COMMIT SSLV_A_DOMSET_NAME: builds the set the same socket
 *                       staged under that name (an ADD without names stages
 *                       an empty set) and makes it the live set of that
 *                       name, replacing one of the same name whole (rules
 *                       using it switch at once). ENODATA when the socket
 *                       staged no set of that name.
 * SSLV_CMD_DOMSET_DEL   SSLV_A_DOMSET_NAME; EBUSY while a rule uses it.
 * SSLV_CMD_DOMSET_GET   dump: SSLV_A_DOMSET_NAME, SSLV_A_DOMSET_SIZE per set.
 *                       With SSLV_A_DOMSET_NAME in the request, the names
 *                       of that set instead: messages each carrying
 *                       SSLV_A_DOMSET_NAME and SSLV_A_DOMAIN attributes,
 *                       each name once, lowercased, without a trailing
 *                       dot, in the order first given. ENOENT when there
 *                       is no such set; EAGAIN when it was replaced or
 *                       deleted while the dump ran (start again).
 *
 * SSLV_CMD_FLOW_GET     dump: one message per flow, SSLV_A_FLOW nest. Optional
 *                       filters in the request: SSLV_A_FLOW nest with
 *                       SSLV_FLOW_FAMILY / _SADDR / _DADDR / _SPORT / _DPORT /
 *                       _VLAN / _STATE (exact matches).
 * SSLV_CMD_FLOW_REJECT  SSLV_A_FLOW_ID (u32): reject a live flow now, as a
 *                       reject rule would (RST to both ends, tombstone).
 *                       A flow diverted to sslvd gets no RST from the
 *                       module while sslvd is registered: sslvd, on the
 *                       SSLV_EV_FLOW_REJECTED event, resets both ends from
 *                       its sockets (the client alone when the flow had
 *                       no server leg yet) and reports a decided session
 *                       with SSLV_CLOSE_REJECTED. Those RSTs count in
 *                       T_ssl_policy_reject as they leave, as the RSTs of
 *                       a reject rule at the hello do; what sslvd sends
 *                       for a flow a drop rule decided never leaves.
 *
 * SSLV_CMD_DECRYPT_REGISTER
 *   SSLV_A_DECRYPT_PORT (u16, required, not 0): sslvd's transparent
 *   (IP_TRANSPARENT) listener, the same port for IPv4 and IPv6;
 *   SSLV_A_DECRYPT_MARK (u32, required, not 0): the mark diverted frames
 *   carry up to the box's stack, which sslvd routes to its sockets (ip rule
 *   fwmark MARK lookup a table with a local default route). The sending
 *   socket becomes the namespace's decrypt daemon until it closes; one per
 *   namespace: another socket gets EBUSY (the extended ack names the
 *   registered port), the same socket may register again with new values.
 *   While one is registered, a flow whose SYN some decrypt rule's
 *   addresses, ports and interface select (its TLS attributes are not
 *   looked at then) is diverted for its whole life: its frames from both
 *   ends go up to the bridge device with SSLV_A_DECRYPT_MARK, the client's
 *   SYN to the listener (as nft's tproxy does), the server's frames to the
 *   socket bound to the client's address and port; what the box sends for
 *   it leaves by each end's own bridge port with the ends' MACs. The
 *   module reads the client's handshake as for any flow and decides it by
 *   the same rules; sslvd asks SSLV_CMD_FLOW_GET for SSLV_FLOW_ACTION.
 *   IPv4 and IPv6 flows are diverted, untagged or in an 802.1Q VLAN (on a
 *   bridge with or without vlan_filtering): their frames go up untagged,
 *   and what the box sends for them leaves each port tagged as the port's
 *   egress policy says. sslvd's sockets know a flow by its addresses and
 *   ports, so a flow whose are those of a diverted flow in another VLAN is
 *   not diverted (SSLV_A_DECRYPT_UNAVAILABLE, counted decrypt_tuple_busy);
 *   nor are flows entering by a locked port or an 802.1ad bridge. When the
 *   socket closes the registration
 *   ends: diverted flows are left to idle out, new ones are not diverted.
 * SSLV_CMD_DECRYPT_SESSION
 *   From the registered socket only (EPERM otherwise): the end of one
 *   flow's session in sslvd. SSLV_A_FLOW_ID (required), SSLV_A_FLOW (the
 *   flow's FAMILY, SADDR, DADDR, SPORT, DPORT and VLAN as FLOW_GET gave
 *   them: required), SSLV_A_SESSION (optional: SSLV_SESS_VERSION, _CIPHER,
 *   _SNI, _ALPN, _CLIENT_VERSION, _ACTION (default decrypt) and sslvd's
 *   _VERIFY .. _CLOSE, _IPS_RSTS, _IPS). The module counts it (decrypt_*
 *   and ips_* counters) and emits the flow's SSLV_EV_SESSION event with
 *   reason SSLV_R_DECRYPTED; the module sends none of its own for a flow
 *   it decided to decrypt. A report closed SSLV_CLOSE_IPS_DROP,
 *   SSLV_CLOSE_IPS_RESET or SSLV_CLOSE_UPSTREAM_INVALID is sent before
 *   sslvd aborts the flow's two legs: the RSTs its sockets send for that
 *   flow then count in ips_rsts_sent (the IPS's) or T_ssl_policy_reject
 *   (upstream-invalid reject: the flow is rejected from then on), those
 *   for a rejected flow in T_ssl_policy_reject, those for any other
 *   diverted flow in T_tcp_reject.
 *
 * SSLV_CMD_IPS_SET
 *   The attached IPS: decrypted plaintext is carried by sslvd as a
 *   generated TCP connection through an inline IPS attached as two
 *   interfaces (see enum sslv_ips_attr). One SSLV_A_IPS nest with
 *   SSLV_IPS_OUT and SSLV_IPS_IN (interface names, required, different),
 *   SSLV_IPS_COPY (a name, optional: passive-inline's copy port) and
 *   SSLV_IPS_FEEDBACK_TIMEOUT (ms, SSLV_IPS_FEEDBACK_MIN ..
 *   SSLV_IPS_FEEDBACK_MAX, default SSLV_IPS_FEEDBACK_DEFAULT). The names are
 *   kept as names: sslvd creates the interfaces, they need not exist. A
 *   name that is empty, longer than IFNAMSIZ - 1 bytes, ".", "..", or holds
 *   '/', ':' or whitespace, a repeated name, SSLV_IPS_STATE or a timeout
 *   out of bounds is refused with EINVAL (ERANGE for the timeout) and an
 *   extended ack naming the attribute; nothing changes. A set replaces the
 *   whole IPS (an absent COPY or timeout is none, or the default). A new
 *   IPS starts UP: sslvd carries every decrypted flow through it, so no
 *   flow goes uninspected before sslvd has reported.
 * SSLV_CMD_IPS_DEL      no attributes; ENOENT when no IPS is set.
 * SSLV_CMD_IPS_GET      the SSLV_A_IPS nest as set, with SSLV_IPS_STATE;
 *                       no nest when no IPS is set (state UNSET).
 *                       Every successful IPS_SET and IPS_DEL is multicast
 *                       as SSLV_EV_IPS (see SSLV_CMD_EVENT) with the new
 *                       nest, none after a DEL.
 * SSLV_CMD_IPS_STATE
 *   From the registered sslvd only (EPERM otherwise): SSLV_A_IPS nest with
 *   SSLV_IPS_STATE alone, DOWN or UP (ENOENT when no IPS is set). While
 *   it is DOWN and the mode is active-inline, a flow the rules decide to
 *   decrypt gets SSLV_A_IPS_FAIL instead (reason SSLV_R_IPS_FAIL): open
 *   cuts it (relayed untouched), closed rejects it. Each change is counted
 *   (ips_down, ips_up) and logged; a report of the same state changes
 *   nothing. The state is kept when sslvd's registration ends.
 *
 * SSLV_CMD_STATS_GET    a list of SSLV_A_STAT nests, each a name and a u64
 *                       value, in /proc/net/sslv_stats order.
 * SSLV_CMD_STATS_RESET  zeroes every counter except gauges (flows_current).
 *
 * SSLV_CMD_EVENT        sent only, on the SSLV_MCGRP_EVENTS multicast group,
 *                       which only CAP_NET_ADMIN may join: SSLV_A_EVENT
 *                       (u8, enum sslv_event), SSLV_A_FLOW nest, SSLV_A_REASON
 *                       (u8, enum sslv_reason), SSLV_A_RULE_ID when a rule
 *                       decided it. SSLV_EV_RST events carry an SSLV_A_RST
 *                       nest explaining one RST; they are rate-limited to
 *                       SSLV_RST_EVENTS_PER_SEC per namespace (the rest are
 *                       counted in rst_events_suppressed). For an RST of no
 *                       known flow, the SSLV_A_FLOW nest has SSLV_FLOW_ID 0
 *                       and the RST's sender as the client.
 *                       SSLV_EV_SESSION is the session log: one event per flow
 *                       whose client opened with a TLS handshake (or, on
 *                       a flow a rule inspected, with anything else), sent
 *                       when its policy is final: SSLV_A_FLOW, SSLV_A_SESSION,
 *                       SSLV_A_REASON and SSLV_A_RULE_ID as above.
 *                       Every event carries SSLV_A_EVENT_SEQ, a per-namespace
 *                       number that grows by one per event: a listener that
 *                       sees a gap of N has lost N events, because its
 *                       receive buffer was full or memory ran out; such
 *                       losses are counted in events_lost (a full buffer
 *                       only for a listener that sets
 *                       NETLINK_BROADCAST_ERROR). That is the
 *                       event budget: a listener holds as many events as its
 *                       receive buffer takes (each message is sized to its
 *                       content, a few hundred bytes), RST events are capped
 *                       as above, and nothing else is held back, so no
 *                       session record is lost without a gap to show it.
 */
#ifndef _UAPI_LINUX_SSLV_H
#define _UAPI_LINUX_SSLV_H

#define SSLV_GENL_NAME		"sslv"
#define SSLV_GENL_VERSION	1
#define SSLV_MCGRP_EVENTS	"events"

enum sslv_cmd {
	SSLV_CMD_UNSPEC,
	SSLV_CMD_MODE_GET,
	SSLV_CMD_MODE_SET,
	SSLV_CMD_CONFIG_GET,
	SSLV_CMD_CONFIG_SET,
	SSLV_CMD_RULE_ADD,
	SSLV_CMD_RULE_DEL,
	SSLV_CMD_RULE_GET,
	SSLV_CMD_RULE_FLUSH,
	SSLV_CMD_RULE_COMMIT,
	SSLV_CMD_FLOW_GET,
	SSLV_CMD_FLOW_REJECT,
	SSLV_CMD_STATS_GET,
	SSLV_CMD_STATS_RESET,
	SSLV_CMD_EVENT,
	SSLV_CMD_DOMSET_ADD,
	SSLV_CMD_DOMSET_COMMIT,
	SSLV_CMD_DOMSET_DEL,
	SSLV_CMD_DOMSET_GET,
	SSLV_CMD_DECRYPT_REGISTER,
	SSLV_CMD_DECRYPT_SESSION,
	SSLV_CMD_IPS_SET,
	SSLV_CMD_IPS_DEL,
	SSLV_CMD_IPS_GET,
	SSLV_CMD_IPS_STATE,
	__SSLV_CMD_MAX
};
#define SSLV_CMD_MAX (__SSLV_CMD_MAX - 1)

enum sslv_attr {
	SSLV_A_UNSPEC,
	SSLV_A_MODE,		/* u8, enum sslv_mode */
	SSLV_A_IFINDEX,		/* u32 */
	SSLV_A_MAX_FLOWS,	/* u32 */
	SSLV_A_TIMEOUT_HANDSHAKE, /* u32 s: SYN seen, handshake not complete */
	SSLV_A_TIMEOUT_ESTABLISHED, /* u32 s */
	SSLV_A_TIMEOUT_CLOSING,	/* u32 s: a FIN seen */
	SSLV_A_TIMEOUT_CLOSED,	/* u32 s: an RST seen, or both FINs acked */
	SSLV_A_TIMEOUT_REJECTED, /* u32 s: tombstone lifetime */
	SSLV_A_RULE,		/* nest, enum sslv_rule_attr */
	SSLV_A_RULE_ID,		/* u32 */
	SSLV_A_STAGE,		/* flag */
	SSLV_A_FLOW,		/* nest, enum sslv_flow_attr */
	SSLV_A_FLOW_ID,		/* u32 */
	SSLV_A_STAT,		/* nest, enum sslv_stat_attr */
	SSLV_A_EVENT,		/* u8, enum sslv_event */
	SSLV_A_REASON,		/* u8, enum sslv_reason */
	SSLV_A_FLOWS_CURRENT,	/* u32, CONFIG_GET only */
	SSLV_A_PAD,
	SSLV_A_RST,		/* nest, enum sslv_rst_attr: SSLV_EV_RST only */
	SSLV_A_RST_IDLE_MS,	/* u32 ms, CONFIG_*: the RST "idle" cause */
	SSLV_A_CLIENT_CERT,	/* u8, enum sslv_action, CONFIG_*: see below */
	SSLV_A_DOMSET_NAME,	/* string, 1..SSLV_DOMSET_NAME_MAX bytes */
	SSLV_A_DOMAIN,		/* string: a name or "*.suffix" */
	SSLV_A_DOMSET_SIZE,	/* u32: names in a set (DOMSET_GET) */
	SSLV_A_SESSION,		/* nest, enum sslv_sess_attr: SSLV_EV_SESSION only */
	SSLV_A_HS_BYTES,	/* u32, CONFIG_GET: handshake buffers now */
	SSLV_A_RST_RATE,	/* u32, CONFIG_*: RSTs a second, see below */
	SSLV_A_EVENT_SEQ,	/* u32: SSLV_CMD_EVENT's number, see above */
	SSLV_A_HS_MEM,		/* u32 bytes, CONFIG_*: bound on SSLV_A_HS_BYTES */
	SSLV_A_HS_TIMEOUT,	/* u32 s, CONFIG_*: handshake read deadline */
	SSLV_A_DECRYPT_PORT,	/* u16, DECRYPT_REGISTER: sslvd's listener */
	SSLV_A_DECRYPT_MARK,	/* u32, DECRYPT_REGISTER: diverted frames' mark */
	SSLV_A_DECRYPT_PORTID,	/* u32, CONFIG_GET: sslvd's netlink port, 0 none */
	SSLV_A_DECRYPT_UNAVAILABLE, /* u8, enum sslv_action, CONFIG_*: see below */
	SSLV_A_UPSTREAM_INVALID, /* u8, enum sslv_upstream_invalid, CONFIG_* */
	SSLV_A_RULE_INDEX,	/* u32, RULE_ADD: insert at this place */
	SSLV_A_RULE_BEFORE,	/* u32, RULE_ADD: insert before this rule id */
	SSLV_A_RULE_AFTER,	/* u32, RULE_ADD: insert after this rule id */
	SSLV_A_IPS,		/* nest, enum sslv_ips_attr: IPS_*, SSLV_EV_IPS */
	SSLV_A_IPS_FAIL,	/* u8, enum sslv_ips_fail, CONFIG_* */
	__SSLV_A_MAX
};
#define SSLV_A_MAX (__SSLV_A_MAX - 1)

enum sslv_mode {
	SSLV_MODE_ACTIVE_INLINE,	/* default */
	SSLV_MODE_PASSIVE_INLINE,
	SSLV_MODE_PASSIVE_TAP,
	__SSLV_MODE_MAX
};

enum sslv_action {
	SSLV_ACT_CUT,		/* forward untouched (also: no rule matched) */
	SSLV_ACT_REJECT,	/* reset both ends, tombstone */
	SSLV_ACT_DROP,		/* drop every packet of the flow silently */
	SSLV_ACT_DECRYPT,	/* terminate TLS in sslvd (see DECRYPT_REGISTER) */
	__SSLV_ACT_MAX
};

/*
 * SSLV_A_UPSTREAM_INVALID: what sslvd does with a decrypted flow whose
 * server's certificate does not verify. The module keeps the value; sslvd
 * reads it (CONFIG_GET) and applies it.
 */
enum sslv_upstream_invalid {
	SSLV_UPSTREAM_REJECT,	/* reset both ends */
	SSLV_UPSTREAM_UNTRUSTED, /* default: a leaf from the untrusted CA */
	SSLV_UPSTREAM_CUT,	/* relay the TLS bytes untouched */
	__SSLV_UPSTREAM_MAX
};

/*
 * The attached IPS (SSLV_CMD_IPS_*, SSLV_A_IPS). In active-inline mode
 * sslvd carries each decrypted flow's plaintext as a generated TCP
 * connection with the flow's addresses and ports out of interface OUT, and
 * takes it back at IN after the IPS (and the reverse direction the other
 * way); in passive-inline mode the generated connection runs without
 * waiting for the IPS and a copy of it is written to COPY. sslvd creates
 * the interfaces (veth pairs whose peers live in private namespaces).
 * Bytes the IPS holds back longer than FEEDBACK_TIMEOUT end the flow
 * (SSLV_CLOSE_IPS_DROP), an RST it sends ends it too (SSLV_CLOSE_IPS_RESET):
 * sslvd resets both of the flow's real ends.
 */
enum sslv_ips_attr {
	SSLV_IPS_UNSPEC,
	SSLV_IPS_OUT,		/* string: interface name, < IFNAMSIZ */
	SSLV_IPS_IN,		/* string: interface name, != OUT */
	SSLV_IPS_COPY,		/* string: interface name, optional */
	SSLV_IPS_FEEDBACK_TIMEOUT, /* u32 ms */
	SSLV_IPS_STATE,		/* u8, enum sslv_ips_state: GET, IPS_STATE */
	__SSLV_IPS_MAX
};
#define SSLV_IPS_MAX (__SSLV_IPS_MAX - 1)

#define SSLV_IPS_FEEDBACK_DEFAULT	1000
#define SSLV_IPS_FEEDBACK_MIN		100
#define SSLV_IPS_FEEDBACK_MAX		60000

/* The IPS as sslvd last reported it (SSLV_CMD_IPS_STATE). */
enum sslv_ips_state {
	SSLV_IPS_STATE_UNSET,	/* no IPS is set */
	SSLV_IPS_STATE_DOWN,	/* a link is down, or no probe got through */
	SSLV_IPS_STATE_UP,
	__SSLV_IPS_STATE_MAX
};

/* SSLV_A_IPS_FAIL: a decrypt flow's action while the IPS is DOWN. */
enum sslv_ips_fail {
	SSLV_IPS_FAIL_OPEN,	/* default: cut, relayed uninspected */
	SSLV_IPS_FAIL_CLOSED,	/* reject: reset both ends */
	__SSLV_IPS_FAIL_MAX
};

/* SSLV_SESS_IPS: how a decrypted session's plaintext was inspected. */
enum sslv_sess_ips {
	SSLV_SESS_IPS_NONE,	/* no IPS set, or the flow was not carried */
	SSLV_SESS_IPS_ACTIVE,	/* through the IPS, active-inline */
	SSLV_SESS_IPS_PASSIVE,	/* copied to COPY, passive-inline */
	__SSLV_SESS_IPS_MAX
};

/*
 * A rule matches when every attribute it carries matches. Absent means
 * "any". Prefixes are in network order, 4 bytes for AF_INET, 16 for
 * AF_INET6; a rule with a prefix carries SSLV_RULE_FAMILY and only matches
 * flows of that family. Ports are in host order, inclusive ranges. Rules are
 * evaluated in order; the first match decides. Unmatched flows are cut.
 *
 * TLS attributes (SNI to UNDECRYPTABLE) look into the handshake. A flow
 * whose addresses and ports match a rule carrying them is forwarded while
 * its handshake is read, and decided when the rule can be: at the client's
 * hello for SNI, DOMSET, ALPN, NONTLS and the client-side classes, at the
 * server's first flight for TLS_VER_* and SSLV_UD_CLIENT_CERT. A reject that
 * comes then resets both ends like any other. SSLV_RULE_NONTLS carries no
 * other TLS attribute. A TLS 1.3 server's CertificateRequest is encrypted:
 * SSLV_UD_CLIENT_CERT sees it only on TLS <= 1.2.
 */
enum sslv_rule_attr {
	SSLV_RULE_UNSPEC,
	SSLV_RULE_ID,		/* u32, assigned by the kernel */
	SSLV_RULE_FAMILY,	/* u8, AF_INET or AF_INET6 */
	SSLV_RULE_SRC,		/* binary, 4 or 16 bytes */
	SSLV_RULE_SRC_LEN,	/* u8 */
	SSLV_RULE_DST,		/* binary, 4 or 16 bytes */
	SSLV_RULE_DST_LEN,	/* u8 */
	SSLV_RULE_SPORT_MIN,	/* u16 */
	SSLV_RULE_SPORT_MAX,	/* u16 */
	SSLV_RULE_DPORT_MIN,	/* u16 */
	SSLV_RULE_DPORT_MAX,	/* u16 */
	SSLV_RULE_VLAN,		/* u16, 0..4094; 0 means untagged. The VLAN
				 * the bridge forwards the flow in: on a
				 * vlan_filtering bridge an untagged frame's
				 * is its ingress port's PVID */
	SSLV_RULE_IIF,		/* u32, ifindex of the ingress bridge port */
	SSLV_RULE_ACTION,	/* u8, enum sslv_action; required */
	SSLV_RULE_HITS,		/* u64, dumps only */
	SSLV_RULE_PAD,
	SSLV_RULE_SNI,		/* string: server name or "*.suffix", <= 253 */
	SSLV_RULE_DOMSET,	/* string: a domain set's name */
	SSLV_RULE_ALPN,		/* string: an ALPN protocol the client offers */
	SSLV_RULE_TLS_VER_MIN,	/* u16: negotiated version, wire value */
	SSLV_RULE_TLS_VER_MAX,	/* u16 */
	SSLV_RULE_NONTLS,	/* flag: the client did not open with TLS */
	SSLV_RULE_UNDECRYPTABLE, /* u32: SSLV_UD_* bits, any of them */
	SSLV_RULE_COMMENT,	/* string, see SSLV_RULE_COMMENT_MAX */
	__SSLV_RULE_MAX
};
#define SSLV_RULE_MAX (__SSLV_RULE_MAX - 1)

/*
 * SSLV_RULE_COMMENT: the operator's note on a rule, 1 to
 * SSLV_RULE_COMMENT_MAX bytes, a NUL after them allowed, none among them.
 * The module neither reads nor validates them as UTF-8; it keeps them with
 * the rule (charged like the rule, so a namespace's comments take at most
 * SSLV_RULES_MAX times as many bytes, live and staged each) and dumps them
 * as given, NUL-terminated. An empty comment, a longer one or one with a
 * NUL inside is refused (EINVAL, ERANGE), naming the attribute.
 */
#define SSLV_RULE_COMMENT_MAX	128

/* Undecryptable classes (SSLV_RULE_UNDECRYPTABLE, SSLV_SESS_CLASSES). */
#define SSLV_UD_CLIENT_CERT	(1U << 0) /* the server asks for a client certificate */
#define SSLV_UD_LEGACY_SSL	(1U << 1) /* the client offers nothing above SSLv3 */
#define SSLV_UD_COMPRESSION	(1U << 2) /* the client offers TLS compression */
#define SSLV_UD_NO_CIPHER	(1U << 3) /* the client offers no modern suite */
#define SSLV_UD_ECH		(1U << 4) /* encrypted ClientHello or ESNI */
#define SSLV_UD_ALL		0x1f

/*
 * Limits, per network namespace. Everything they bound is charged to the
 * memory cgroup of the process whose request allocated it. A request that
 * would pass one is refused (ENOSPC, or EFBIG for the bytes of domain
 * sets) with an extended ack naming the limit, and changes nothing.
 */
#define SSLV_RULES_MAX		(1U << 18) /* live rules; staged rules, all sockets */
#define SSLV_STAGES_MAX		16	/* sockets staging rules or a set at once */
#define SSLV_DOMSET_NAME_MAX	31	/* bytes of a set's name */
#define SSLV_DOMSET_MAX		16	/* live domain sets */
#define SSLV_DOMSET_NAMES_MAX	(1U << 20) /* names in one set */
#define SSLV_DOMSET_BYTES_MAX	(1U << 26) /* names of all sets, live and
					    * staged: each name's length + 1 */

enum sslv_flow_state {
	SSLV_FS_SYN_SENT,	/* client SYN seen */
	SSLV_FS_SYN_RECV,	/* server SYN-ACK seen */
	SSLV_FS_ESTABLISHED,	/* handshake done, or picked up mid-stream */
	SSLV_FS_CLOSING,	/* one side sent FIN */
	SSLV_FS_CLOSED,		/* both FINs acked, or an RST passed */
	SSLV_FS_REJECTED,	/* tombstone: every packet draws an RST */
	SSLV_FS_DROPPED,	/* drop verdict: every packet is dropped */
	__SSLV_FS_MAX
};

/* SSLV_FLOW_FLAGS bits */
#define SSLV_FLOW_F_MIDSTREAM	(1U << 0) /* picked up without its SYN */
#define SSLV_FLOW_F_TAP		(1U << 1) /* seen through the tap */
#define SSLV_FLOW_F_DIVERTED	(1U << 2) /* diverted to sslvd at its SYN */

/* Per-flow attributes. "orig" is the client (SYN sender), "reply" the server. */
enum sslv_flow_attr {
	SSLV_FLOW_UNSPEC,
	SSLV_FLOW_ID,		/* u32 */
	SSLV_FLOW_FAMILY,	/* u8 */
	SSLV_FLOW_SADDR,	/* binary 4/16: client */
	SSLV_FLOW_DADDR,	/* binary 4/16: server */
	SSLV_FLOW_SPORT,	/* u16 */
	SSLV_FLOW_DPORT,	/* u16 */
	SSLV_FLOW_VLAN,		/* u16: as SSLV_RULE_VLAN */
	SSLV_FLOW_STATE,	/* u8, enum sslv_flow_state */
	SSLV_FLOW_FLAGS,	/* u32, SSLV_FLOW_F_* */
	SSLV_FLOW_AGE_MS,	/* u32: since the last packet */
	SSLV_FLOW_ORIG_IFINDEX,	/* u32: bridge port behind which the client is */
	SSLV_FLOW_REPLY_IFINDEX, /* u32 */
	SSLV_FLOW_ORIG_TTL,	/* u8: TTL / hop limit of the client's packets */
	SSLV_FLOW_REPLY_TTL,	/* u8 */
	SSLV_FLOW_ORIG_SEQ,	/* u32: client's next sequence number */
	SSLV_FLOW_REPLY_SEQ,	/* u32 */
	SSLV_FLOW_ACTION,	/* u8, enum sslv_action: absent while a TLS
				 * rule may still decide */
	__SSLV_FLOW_MAX
};
#define SSLV_FLOW_MAX (__SSLV_FLOW_MAX - 1)

enum sslv_stat_attr {
	SSLV_STAT_UNSPEC,
	SSLV_STAT_NAME,		/* string */
	SSLV_STAT_VALUE,	/* u64 */
	SSLV_STAT_PAD,
	__SSLV_STAT_MAX
};
#define SSLV_STAT_MAX (__SSLV_STAT_MAX - 1)

enum sslv_event {
	SSLV_EV_UNSPEC,
	SSLV_EV_FLOW_REJECTED,	/* RSTs sent (or, in tap mode, would be) */
	SSLV_EV_FLOW_ENDED,	/* removed from the table */
	SSLV_EV_RST,		/* an RST crossed the bridge, or sslv sent one */
	SSLV_EV_SESSION,	/* session log: a handshake's policy is final */
	SSLV_EV_IPS,		/* the IPS was set or deleted: SSLV_A_IPS */
	__SSLV_EV_MAX
};

enum sslv_reason {
	SSLV_R_NONE,
	SSLV_R_RULE,		/* a reject rule matched */
	SSLV_R_OPERATOR,	/* SSLV_CMD_FLOW_REJECT */
	SSLV_R_TIMEOUT,		/* FLOW_ENDED: idle timeout */
	SSLV_R_EVICTED,		/* FLOW_ENDED: table full */
	SSLV_R_FLUSH,		/* FLOW_ENDED: namespace or module going away */
	SSLV_R_CLIENT_CERT,	/* the SSLV_A_CLIENT_CERT default decided */
	SSLV_R_REOPENED,	/* FLOW_ENDED: a new connection took its ports */
	SSLV_R_CONFLICT,	/* a retransmission changed handshake bytes */
	SSLV_R_DECRYPT_UNAVAILABLE, /* a decrypt rule, no sslvd: see below */
	SSLV_R_DECRYPTED,	/* SSLV_EV_SESSION: sslvd's report */
	SSLV_R_IPS_FAIL,	/* a decrypt rule, the IPS down: SSLV_A_IPS_FAIL */
	__SSLV_R_MAX
};

#define SSLV_RST_EVENTS_PER_SEC	1000

/*
 * SSLV_A_RST_RATE: the RSTs a second a namespace may send (policy resets,
 * turnarounds and rejected SYNs alike), in bursts of up to one second's
 * worth. The RSTs over it are not sent, and are counted in rst_ratelimited.
 */
#define SSLV_RST_RATE_DEFAULT	1000
#define SSLV_RST_RATE_MAX	1000000

/*
 * SSLV_A_HS_MEM: the bytes a namespace's handshake reading may hold at once
 * (SSLV_A_HS_BYTES: buffers and per-flow state, as allocated). A flow whose
 * reading would take more ends it with SSLV_SESS_E_LIMIT (counter
 * tls_limit_netns), as at the module's bound for all namespaces
 * (tls_limit_global). Lowering it frees nothing: it bounds what is taken
 * next. At least one flow's worth.
 */
#define SSLV_HS_MEM_DEFAULT	(4U << 20)
#define SSLV_HS_MEM_MIN		(32U << 10)
#define SSLV_HS_MEM_MAX		(1U << 30)

/*
 * SSLV_A_HS_TIMEOUT: a flow's handshake is read for at most this long from
 * its first payload byte. Then the reading ends, whether or not the flow
 * sends anything more: pending TLS rules decide with what was read (as at
 * SSLV_SESS_E_LIMIT), the session is logged with SSLV_SESS_E_TIMEOUT and
 * the memory is freed (counter tls_hs_timeout). A reject is carried out at
 * once, both ways, as an operator's (SSLV_CMD_FLOW_REJECT); a drop drops
 * the flow's next segments.
 */
#define SSLV_HS_TIMEOUT_DEFAULT	10
#define SSLV_HS_TIMEOUT_MAX	3600

/*
 * One RST, explained (SSLV_EV_RST). The values of PHASE, SENDER, KIND, TTL,
 * SEQ_FIT and CAUSES are the enums of kmod/lib/rst.h and kmod/lib/tcp.h,
 * compiled from the same source by the module and by userspace (sslvctl,
 * tools/rstscope), where each label is documented with its Wireshark check.
 */
enum sslv_rst_attr {
	SSLV_RST_UNSPEC,
	SSLV_RST_PHASE,		/* u8, enum sslv_rst_phase */
	SSLV_RST_SENDER,	/* u8, enum sslv_rst_sender */
	SSLV_RST_KIND,		/* u8, enum sslv_rst_kind */
	SSLV_RST_TTL,		/* u8, enum sslv_rst_ttl */
	SSLV_RST_TTL_SEEN,	/* u8 */
	SSLV_RST_TTL_EXPECTED,	/* u8 */
	SSLV_RST_SEQ_FIT,	/* u8, enum sslv_seq_fit */
	SSLV_RST_CAUSES,	/* u8, SSLV_RST_C_* bits */
	SSLV_RST_REASON,	/* u8, enum sslv_reason: sslv sent it */
	SSLV_RST_REXMIT,	/* u8 */
	SSLV_RST_FLOW_FLAGS,	/* u8, the flow's SSLV_TCP_F_* before it */
	SSLV_RST_IDLE_MS,	/* u32: silence before it */
	SSLV_RST_SEQ,		/* u32 */
	SSLV_RST_ACK,		/* u32 */
	__SSLV_RST_MAX
};
#define SSLV_RST_MAX (__SSLV_RST_MAX - 1)

/* What ended the reading of a handshake before it was complete. */
enum sslv_sess_error {
	SSLV_SESS_E_NONE,
	SSLV_SESS_E_NONTLS,	/* the client's first bytes are no TLS hello */
	SSLV_SESS_E_MALFORMED,	/* a TLS length or field is impossible */
	SSLV_SESS_E_SERVER,	/* the server's reply is no TLS, or malformed */
	SSLV_SESS_E_LIMIT,	/* the handshake outgrew its buffer bound */
	SSLV_SESS_E_INCOMPLETE,	/* the flow ended or idled out before */
	SSLV_SESS_E_CONFLICT,	/* a retransmission changed bytes read */
	SSLV_SESS_E_TIMEOUT,	/* not read within SSLV_A_HS_TIMEOUT */
	__SSLV_SESS_E_MAX
};

/*
 * One TLS session, as the session log reports it (SSLV_EV_SESSION). Versions
 * and suites are wire values; absent fields were not seen.
 */
enum sslv_sess_attr {
	SSLV_SESS_UNSPEC,
	SSLV_SESS_VERSION,	/* u16: negotiated (ServerHello) */
	SSLV_SESS_CLIENT_VERSION, /* u16: highest the client offers */
	SSLV_SESS_CIPHER,	/* u16: suite the server chose */
	SSLV_SESS_SNI,		/* binary: server_name as sent */
	SSLV_SESS_ALPN,		/* binary: the client's first ALPN name */
	SSLV_SESS_CLASSES,	/* u32: SSLV_UD_* seen */
	SSLV_SESS_ACTION,	/* u8: enum sslv_action taken */
	SSLV_SESS_ERROR,		/* u8: enum sslv_sess_error */
	SSLV_SESS_CLIENT_FLAGS,	/* u32: kmod/lib/tls.h SSLV_TLS_C_* */
	SSLV_SESS_SERVER_FLAGS,	/* u32: kmod/lib/tls.h SSLV_TLS_S_* */
	/* sslvd's report (SSLV_CMD_DECRYPT_SESSION) of a decrypted flow: */
	SSLV_SESS_VERIFY,	/* u32: X509_V_* of the upstream chain, 0 ok */
	SSLV_SESS_VERIFIED,	/* u8: 1 the upstream verified (name too) */
	SSLV_SESS_CACHE_HIT,	/* u8: 1 the forged leaf came from the cache */
	SSLV_SESS_KTLS,		/* u8: SSLV_KTLS_* directions on kernel TLS */
	SSLV_SESS_BYTES_ORIG,	/* u64: plaintext bytes client -> server */
	SSLV_SESS_BYTES_REPLY,	/* u64: plaintext bytes server -> client */
	SSLV_SESS_CLOSE,	/* u8: enum sslv_close, how it ended */
	SSLV_SESS_PAD,
	SSLV_SESS_IPS_RSTS,	/* u32: RSTs the IPS sent on the generated
				 * connection, counted on the wire by sslvd */
	SSLV_SESS_IPS,		/* u8: enum sslv_sess_ips */
	__SSLV_SESS_MAX
};
#define SSLV_SESS_MAX (__SSLV_SESS_MAX - 1)

/* SSLV_SESS_KTLS bits: the legs' directions that ran on kernel TLS. */
#define SSLV_KTLS_CLIENT_TX	(1U << 0)
#define SSLV_KTLS_CLIENT_RX	(1U << 1)
#define SSLV_KTLS_SERVER_TX	(1U << 2)
#define SSLV_KTLS_SERVER_RX	(1U << 3)
#define SSLV_KTLS_ALL		0xf

/* SSLV_SESS_CLOSE: how sslvd's session ended. */
enum sslv_close {
	SSLV_CLOSE_DONE,	/* both directions ended (close_notify or FIN) */
	SSLV_CLOSE_CLIENT_RESET, /* the client reset or aborted */
	SSLV_CLOSE_SERVER_RESET, /* the server reset or aborted */
	SSLV_CLOSE_UPSTREAM_REFUSED, /* the server refused the connection */
	SSLV_CLOSE_UPSTREAM_INVALID, /* rejected by SSLV_A_UPSTREAM_INVALID */
	SSLV_CLOSE_HANDSHAKE,	/* a TLS handshake failed, either leg */
	SSLV_CLOSE_PROTO,	/* fatal alert, bad record, unexpected message */
	SSLV_CLOSE_KEYUPDATE,	/* a KeyUpdate kTLS cannot follow */
	SSLV_CLOSE_IDLE,	/* nothing moved within sslvd's idle window */
	SSLV_CLOSE_ERROR,	/* any other error */
	SSLV_CLOSE_IPS_DROP,	/* the IPS held bytes past its feedback timeout */
	SSLV_CLOSE_IPS_RESET,	/* the IPS reset the generated connection */
	SSLV_CLOSE_REJECTED,	/* the module rejected the flow (flow reject) */
	SSLV_CLOSE_UPSTREAM_UNREACHABLE, /* the server did not answer (or ICMP) */
	__SSLV_CLOSE_MAX
};

#endif /* _UAPI_LINUX_SSLV_H */
