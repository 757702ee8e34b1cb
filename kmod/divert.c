// SPDX-License-Identifier: GPL-2.0
/*
 * action decrypt: the namespace's decrypting daemon (sslvd) and what the
 * module does for it.
 *
 * One netlink socket per namespace registers as sslvd
 * (SSLV_CMD_DECRYPT_REGISTER); the registration ends when that socket
 * closes (netlink.c's NETLINK_URELEASE notifier). While none is
 * registered, a decrypt rule's flow gets SSLV_A_DECRYPT_UNAVAILABLE (cut by
 * default, or reject), counted in decrypt_unavailable.
 */
#include "sslv.h"

void sslv_decrypt_resolve(struct sslv_net *sn, bool diverted,
			  struct sslv_decision *d)
{
	if (d->action != SSLV_ACT_DECRYPT || diverted)
		return;
	sslv_inc(sn, decrypt_unavailable);
	d->action = READ_ONCE(sn->dec.unavailable);
	d->reason = SSLV_R_DECRYPT_UNAVAILABLE;
}

/* Under sslv_cfg_mutex. -EBUSY when another socket is registered. */
int sslv_decrypt_register(struct sslv_net *sn, u32 portid, u16 port, u32 mark)
{
	struct sslv_decrypt *dec = &sn->dec;

	lockdep_assert_held(&sslv_cfg_mutex);
	if (dec->portid && dec->portid != portid)
		return -EBUSY;
	WRITE_ONCE(dec->port, port);
	WRITE_ONCE(dec->mark, mark);
	WRITE_ONCE(dec->portid, portid);
	return 0;
}

static void sslv_decrypt_end(struct sslv_net *sn)
{
	lockdep_assert_held(&sslv_cfg_mutex);
	WRITE_ONCE(sn->dec.portid, 0);
}

/* @portid's socket is closing: if it was sslvd, the registration ends. */
void sslv_decrypt_release(struct sslv_net *sn, u32 portid)
{
	if (READ_ONCE(sn->dec.portid) != portid)
		return;
	mutex_lock(&sslv_cfg_mutex);
	if (sn->dec.portid == portid)
		sslv_decrypt_end(sn);
	mutex_unlock(&sslv_cfg_mutex);
}

/* From .pre_exit, before the core's grace period. */
void sslv_decrypt_exit(struct sslv_net *sn)
{
	mutex_lock(&sslv_cfg_mutex);
	sslv_decrypt_end(sn);
	mutex_unlock(&sslv_cfg_mutex);
}
