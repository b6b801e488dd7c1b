// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* mtu.c - wire MTU limits of the XDP program and AF_XDP (see mtu.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include "mtu.h"

/* Linux 6.6 uapi/linux/if_xdp.h; Debian 12's 6.1 headers lack it. */
#ifndef XDP_USE_SG
#define XDP_USE_SG		(1 << 4)
#endif

int bf_if_mtu(const char *ifname)
{
	struct ifreq ifr;
	int fd, ret;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ret = ioctl(fd, SIOCGIFMTU, &ifr) ? -errno : ifr.ifr_mtu;
	close(fd);
	return ret;
}

int bf_probe_xsk_sg(void)
{
	struct sockaddr_xdp sxdp;
	int fd, ret;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno == EAFNOSUPPORT ? -EOPNOTSUPP : -errno;
	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = 0;
	sxdp.sxdp_flags = XDP_USE_SG | XDP_COPY;
	ret = bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? errno : 0;
	close(fd);
	if (ret == ENODEV)
		return 0;
	return ret == EINVAL ? -EOPNOTSUPP : -(ret ? ret : EIO);
}

int bf_mtu_check(const char *ifname, int mtu, uint32_t frame_size,
		 char *err, size_t errlen)
{
	int ret;

	if (mtu > BF_MAX_WIRE_MTU) {
		snprintf(err, errlen, "%s: MTU %d is above the largest Bifrost serves (%d); "
			 "lower it (ip link set %s mtu %d)", ifname, mtu,
			 BF_MAX_WIRE_MTU, ifname, BF_MAX_WIRE_MTU);
		return -ERANGE;
	}
	if (!bf_mtu_needs_sg(mtu, frame_size))
		return 0;
	ret = bf_probe_xsk_sg();
	if (ret == -EOPNOTSUPP) {
		snprintf(err, errlen, "%s: MTU %d needs multi-buffer AF_XDP (XDP_USE_SG, "
			 "Linux >= 6.6), which this kernel lacks: the largest MTU it can serve is %d",
			 ifname, mtu, bf_mtu_max_without_sg(frame_size));
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "%s: MTU %d needs multi-buffer AF_XDP, and probing "
			 "for it failed: %s", ifname, mtu, strerror(-ret));
		return ret;
	}
	return 0;
}
