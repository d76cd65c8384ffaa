/*
 * fw_route.c - the policy routing that tproxy needs, over rtnetlink:
 *   ip rule add fwmark MARK lookup TABLE
 *   ip route add local 0.0.0.0/0 dev lo table TABLE
 * so that packets marked by the divert chain are delivered locally (to the
 * daemon's transparent socket) instead of being forwarded.
 *
 * fw_route_add() first removes what an earlier run may have left (every
 * matching rule, the route), fw_route_del() removes both; a missing rule or
 * route is not an error.  One short-lived NETLINK_ROUTE socket per call.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "daemon/fw_int.h"

/* Enough to remove duplicates that repeated crashes could have left. */
#define FW_RULE_DEL_MAX 64

/* `ip rule {add,del} fwmark MARK lookup TABLE` */
static int rt_rule(struct mnl_socket *nl, const struct fw_config *c, uint16_t type,
		   uint32_t seq)
{
	char buf[FW_NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWRULE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = c->route_table < 256 ? (uint8_t)c->route_table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_FWMARK, c->mark);
	mnl_attr_put_u32(nlh, FRA_TABLE, c->route_table);
	return fw_nl_talk(nl, nlh, NULL, NULL); /* the ack: 0 or -errno */
}

/* `ip route {add,del} local 0.0.0.0/0 dev lo table TABLE` */
static int rt_route(struct mnl_socket *nl, const struct fw_config *c, uint16_t type,
		    uint32_t seq)
{
	char buf[FW_NL_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned lo = if_nametoindex("lo");
	struct rtmsg *rtm;

	if (!lo)
		return -errno;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWROUTE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = c->route_table < 256 ? (uint8_t)c->route_table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_HOST;
	rtm->rtm_type = RTN_LOCAL;
	mnl_attr_put_u32(nlh, RTA_TABLE, c->route_table);
	mnl_attr_put_u32(nlh, RTA_OIF, lo);
	return fw_nl_talk(nl, nlh, NULL, NULL); /* the ack: 0 or -errno */
}

static struct mnl_socket *rt_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		nl = NULL;
	}
	return nl;
}

/* Removes every matching rule and the route; ENOENT/ESRCH end the loop. */
static void rt_clear(struct mnl_socket *nl, const struct fw_config *c, uint32_t *seq)
{
	int i;

	for (i = 0; i < FW_RULE_DEL_MAX; i++)
		if (rt_rule(nl, c, RTM_DELRULE, (*seq)++) < 0)
			break;
	rt_route(nl, c, RTM_DELROUTE, (*seq)++);
}

int fw_route_add(struct fw *fw)
{
	struct mnl_socket *nl = rt_open();
	uint32_t seq = (uint32_t)time(NULL);
	int err;

	if (!nl)
		return -errno;
	rt_clear(nl, &fw->cfg, &seq);
	err = rt_route(nl, &fw->cfg, RTM_NEWROUTE, seq++);
	if (!err)
		err = rt_rule(nl, &fw->cfg, RTM_NEWRULE, seq++);
	if (err) {
		fw_log(fw, LOG_ERR, "event=fw_error op=policy_routing table=%u err=%s",
		       fw->cfg.route_table, strerror(-err));
		rt_clear(nl, &fw->cfg, &seq);
	} else {
		fw->route_up = 1;
	}
	mnl_socket_close(nl);
	return err;
}

void fw_route_del(struct fw *fw)
{
	struct mnl_socket *nl;
	uint32_t seq = (uint32_t)time(NULL);

	if (!fw->route_up)
		return;
	nl = rt_open();
	if (!nl)
		return;
	rt_clear(nl, &fw->cfg, &seq);
	fw->route_up = 0;
	mnl_socket_close(nl);
}
