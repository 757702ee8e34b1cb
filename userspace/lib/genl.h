/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small generic netlink client on libmnl, shared by sslvctl and sslvd.
 *
 * One struct genl is a socket talking to one family, resolved by name with
 * CTRL_CMD_GETFAMILY when it is opened. Requests go one at a time:
 * genl_request() sends a message and reads every answer up to the kernel's
 * ack, or up to the end of a dump, handing each data message to a callback.
 * A failure comes back as -errno; the kernel's extended ack message and
 * attribute offset, when it sent them, are left in ext_msg and ext_off.
 *
 * Attributes are read with genl_parse(), which checks each one against a
 * table of libmnl types so that no accessor reads past an attribute.
 */
#ifndef SSLV_GENL_H
#define SSLV_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#define GENL_RECV_SIZE	65536	/* larger than any dump skb the kernel builds */
#define GENL_MAX_GROUPS	8

struct genl_group {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

struct genl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint8_t version;
	unsigned int ngroups;
	struct genl_group groups[GENL_MAX_GROUPS];
	char ext_msg[256];	/* extended ack message of the last error, or "" */
	uint32_t ext_off;	/* offset of the attribute it blames, or 0 */
	char *buf;		/* GENL_RECV_SIZE bytes */
};

/*
 * Opens a socket and resolves @family, whose commands will carry @version.
 * Returns 0, -ENOENT when the kernel has no such family, or -errno.
 */
int genl_open(struct genl *g, const char *family, uint8_t version);
void genl_close(struct genl *g);

/*
 * Starts a request for @cmd in @buf (MNL_SOCKET_BUFFER_SIZE bytes, zeroed
 * here: Debian 12's libmnl leaves attribute padding as it finds it, and the
 * padding goes to the kernel with the message). NLM_F_REQUEST is always set.
 */
struct nlmsghdr *genl_msg(struct genl *g, void *buf, uint8_t cmd,
			  uint16_t flags);

/*
 * Sends @nlh and reads the answers: each data message goes to @cb (may be
 * NULL), which returns MNL_CB_OK, MNL_CB_STOP or MNL_CB_ERROR (with errno
 * set, else EPROTO is assumed). A request without NLM_F_DUMP gets NLM_F_ACK
 * added so that the kernel's ack ends it. Returns 0 or -errno.
 */
int genl_request(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data);

/* Joins the multicast group @name of the family: 0, -ENOENT or -errno. */
int genl_join(struct genl *g, const char *name);

/*
 * Reads multicast messages and hands each to @cb until @cb stops or fails.
 * Returns 0 when @cb stopped, -ENOBUFS when the socket overflowed (messages
 * were lost; calling again goes on), or -errno.
 */
int genl_listen(struct genl *g, mnl_cb_t cb, void *data);

/*
 * Fills @tb[0..@max] with the attributes found after the genl header of
 * @nlh (genl_parse) or inside @nest (genl_parse_nest). An attribute whose
 * type is above @max is ignored; one that does not match @types[type]
 * (MNL_TYPE_UNSPEC: anything) fails the whole parse with -EPROTO.
 */
int genl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	       unsigned int max, const uint8_t *types);
int genl_parse_nest(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max, const uint8_t *types);

#endif /* SSLV_GENL_H */
