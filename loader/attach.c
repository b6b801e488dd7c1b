// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * attach.c - load, attach, replace and detach the XDP program.
 *
 * The program is attached through a BPF link pinned at
 * BF_PIN_ROOT/<ifname>/link. A link gives atomic program replacement
 * (bpf_link_update), cannot be replaced by accident by another tool, and
 * stays attached after bifrostctl exits because it is pinned. Maps are
 * pinned by name in the same directory (LIBBPF_PIN_BY_NAME + pin_root_path),
 * so a replacement program loads against the very same maps.
 *
 * The wire MTU decides the program's flavour (mtu.h): above
 * BF_XDP_LINEAR_MTU it is loaded frags-aware (BPF_F_XDP_HAS_FRAGS), at or
 * below it exactly as for a 1500-byte wire. An MTU Bifrost or the kernel
 * cannot serve is refused with one line before anything is loaded.
 *
 * The optional kernel features (kernel_features.h) are probed on the running
 * kernel before each load and set as the program's load-time constants
 * (bf_cfg_* in .rodata), so a path the kernel refuses is dead code the
 * verifier never walks; attach prints one line per feature.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/btf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bfctl.h"
#include "kernel_features.h"
#include "log.h"
#include "mtu.h"
#include "reload_status.h"
#include "bifrost_xdp.skel.h"

static int check_perm(void)
{
	FILE *f;
	char line[256];
	unsigned long long cap = 0;

	if (geteuid() == 0)
		return 0;
	f = fopen("/proc/self/status", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &cap) == 1)
			break;
	fclose(f);
	/* CAP_NET_ADMIN (12) and CAP_BPF (39), or CAP_SYS_ADMIN (21). */
	if ((cap & (1ULL << 12)) && (cap & ((1ULL << 39) | (1ULL << 21))))
		return 0;
	return -EPERM;
}

/* Privileges and bpffs; 0 or a bf_exit code. */
static int prepare_bpf(void)
{
	int err;

	if (check_perm())
		return bf_fail(BF_EXIT_PERM,
			       "must run as root (or with CAP_BPF and CAP_NET_ADMIN)");
	err = bf_ensure_bpffs();
	if (err)
		return bf_fail(BF_EXIT_ERROR, "cannot mount bpffs on /sys/fs/bpf: %s",
			       strerror(-err));
	return BF_EXIT_OK;
}

/* Common preamble: privileges, bpffs and ifname's *ifindex; an exit code. */
static int prepare(const char *ifname, int *ifindex)
{
	int ret;

	ret = prepare_bpf();
	if (ret)
		return ret;
	*ifindex = (int)if_nametoindex(ifname);
	if (!*ifindex)
		return bf_fail(BF_EXIT_NO_IFACE, "no such interface: %s", ifname);
	return BF_EXIT_OK;
}

/* The guests of ifname in cfgfile (none without a file). */
static int load_config(const char *cfgfile, const char *ifname, struct bf_config *cfg)
{
	char err[512];

	memset(cfg, 0, sizeof(*cfg));
	if (cfgfile && bf_config_parse_file(cfgfile, cfg, err, sizeof(err)))
		return bf_fail(BF_EXIT_CONFIG, "bad config: %s", err);
	bf_config_select_iface(cfg, ifname);
	return 0;
}

/* Is pid a running bifrost-host? (A pidfile left by a killed backend may
 * name a pid the kernel has since given to another program.) */
static bool pid_is_backend(long pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strcmp(comm, "bifrost-host\n");
}

/* How long `reload` waits for the backend's answer (reload_status.h). */
#define BF_RELOAD_WAIT_MS	10000

/*
 * Waits (at most BF_RELOAD_WAIT_MS) for the answer of the backend pid to
 * the reload after seq, and says it: BF_EXIT_OK when it reloaded,
 * BF_EXIT_BACKEND when it failed, exited or did not answer.
 */
static int await_backend(const char *ifname, long pid, uint64_t seq)
{
	struct bf_reload_status st;
	int waited;

	for (waited = 0; waited < BF_RELOAD_WAIT_MS; waited += 20) {
		if (!bf_reload_status_read(ifname, &st) && st.seq > seq)
			break;
		if (!pid_is_backend(pid))
			return bf_fail(BF_EXIT_BACKEND, "bifrost-host (pid %ld) of %s exited "
				       "during the reload", pid, ifname);
		usleep(20000);
	}
	if (waited >= BF_RELOAD_WAIT_MS)
		return bf_fail(BF_EXIT_BACKEND, "bifrost-host (pid %ld) of %s did not answer the "
			       "reload within %d s", pid, ifname, BF_RELOAD_WAIT_MS / 1000);
	if (!st.ok)
		return bf_fail(BF_EXIT_BACKEND, "bifrost-host (pid %ld) reload %llu failed: %s",
			       pid, (unsigned long long)st.seq, st.msg);
	printf("bifrost-host (pid %ld) reload %llu done: %s\n", pid,
	       (unsigned long long)st.seq, st.msg);
	return BF_EXIT_OK;
}

/*
 * Sends SIGHUP to the bifrost-host serving ifname from a config file (its
 * pidfile, BF_PIDFILE_FMT), so it re-reads its guests, and waits for its
 * answer (await_backend). A stale pidfile whose pid is not a bifrost-host
 * is not signalled; no backend, one that cannot be signalled, or one that
 * gives no reload status (an older build), is said and not an error (the
 * policy maps are written by then).
 */
static int signal_backend(const char *ifname)
{
	struct bf_reload_status st0;
	char path[256];
	bool answers;
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), BF_PIDFILE_FMT, ifname);
	f = fopen(path, "r");
	if (!f)
		return BF_EXIT_OK;	/* no backend started with --config */
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(f);
	if (pid && !pid_is_backend(pid)) {
		bf_warn("backend of %s not signalled (%s: pid %ld is not a running bifrost-host)",
			ifname, path, pid);
		return BF_EXIT_OK;
	}
	/* a backend of this build answers from its start (reload 0) on */
	answers = !bf_reload_status_read(ifname, &st0);
	if (!pid || kill((pid_t)pid, SIGHUP)) {
		bf_warn("backend of %s not signalled (%s: %s)",
			ifname, path, pid ? strerror(errno) : "no pid");
		return BF_EXIT_OK;
	}
	printf("signalled bifrost-host (pid %ld) to reload its guests\n", pid);
	if (!answers) {
		bf_warn("bifrost-host (pid %ld) of %s gives no reload status (started by an "
			"older build?): its reload's outcome is in its log", pid, ifname);
		return BF_EXIT_OK;
	}
	return await_backend(ifname, pid, st0.seq);
}

/* Removes everything pinned for ifname; ignores what is already gone. */
static void unpin_all(const char *ifname)
{
	char dir[256], path[512];
	struct dirent *de;
	DIR *d;

	bf_pin_dir(ifname, dir, sizeof(dir));
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	rmdir(BF_PIN_ROOT);	/* only succeeds when no interface is left */
}

static int apply_config(const char *ifname, const struct bf_config *cfg,
			int64_t *gen)
{
	struct bf_maps m;
	int err = bf_maps_open(ifname, &m);

	if (err)
		return err;
	*gen = bf_policy_apply(&m, cfg);
	bf_maps_close(&m);
	return *gen < 0 ? (int)*gen : 0;
}

static struct bpf_program *xdp_prog_of(struct bpf_object *obj)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj)
		if (bpf_program__type(p) == BPF_PROG_TYPE_XDP)
			return p;
	return NULL;
}

/* The wire MTU of ifname into *mtu; BF_EXIT_OK if Bifrost can serve it,
 * else an exit code (the reason logged as one line). */
static int wire_mtu(const char *ifname, int *mtu)
{
	char err[256];

	*mtu = bf_if_mtu(ifname);
	if (*mtu < 0)
		return bf_fail(BF_EXIT_ERROR, "cannot read the MTU of %s: %s", ifname,
			       strerror(-*mtu));
	if (bf_mtu_check(ifname, *mtu, BF_DEFAULT_FRAME_SIZE, err, sizeof(err)))
		return bf_fail(BF_EXIT_NO_XDP, "%s", err);
	return BF_EXIT_OK;
}

/* Marks prog frags-aware when the MTU needs it; call before loading. */
static void set_frags(struct bpf_program *prog, int mtu)
{
	if (bf_mtu_needs_frags(mtu))
		bpf_program__set_flags(prog, bpf_program__flags(prog) | BPF_F_XDP_HAS_FRAGS);
}

/*
 * Sets the bool load-time constant var (a `const volatile bool` in the
 * object's .rodata) to val; call between open and load. 0, or -ENOENT when
 * the object has no such variable.
 */
static int set_rodata_bool(struct bpf_object *obj, const char *var, bool val)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec, *t;
	struct bpf_map *map = NULL, *m;
	struct btf *btf = bpf_object__btf(obj);
	size_t size = 0;
	char *data;
	int id, i;

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t n = strlen(name);

		if (bpf_map__is_internal(m) && n >= 7 && !strcmp(name + n - 7, ".rodata"))
			map = m;
	}
	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	if (!map || id < 0)
		return -ENOENT;
	/* libbpf 1.1 returns it const; it is the writable image until load. */
	data = (char *)bpf_map__initial_value(map, &size);
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; data && i < btf_vlen(sec); i++, vs++) {
		t = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, t->name_off), var))
			continue;
		if (vs->size != 1 || vs->offset >= size)
			return -ENOENT;
		data[vs->offset] = val;
		return 0;
	}
	return -ENOENT;
}

/* The program's load-time constant of each feature it has a path for. */
static const struct {
	enum bf_feature f;
	const char *var;
} prog_features[] = {
	{ BF_FEAT_XDP_META, "bf_cfg_xdp_meta" },
	{ BF_FEAT_XDP_BUFF_LEN, "bf_cfg_buff_len" },
};

/* Sets obj's feature constants from ft; -ENOENT for an object without them. */
static int set_prog_features(struct bpf_object *obj, const struct bf_features *ft)
{
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(prog_features) / sizeof(prog_features[0]); i++) {
		err = set_rodata_bool(obj, prog_features[i].var,
				      bf_feature_on(ft, prog_features[i].f));
		if (err)
			return err;
	}
	return 0;
}

/* Prints ft, one line per feature, indented under attach's line. */
static void print_features(const struct bf_features *ft)
{
	char line[256];
	int f;

	for (f = 0; f < BF_FEAT_COUNT; f++) {
		bf_feature_describe(ft, f, line, sizeof(line));
		printf("  %s\n", line);
	}
}

/* Records this build's ABI and the features ft in the bf_info map fd. */
static int write_info(int fd, const struct bf_features *ft)
{
	struct bf_info info;
	__u32 zero = 0;

	bf_info_init(&info);
	bf_features_to_info(ft, &info);
	return bpf_map_update_elem(fd, &zero, &info, BPF_ANY) ? -errno : 0;
}

/* Refuses --without xdp_buff_len on a wire whose frames span frags. */
static int check_without(const char *ifname, int mtu, unsigned int without)
{
	if (!(without & (1U << BF_FEAT_XDP_BUFF_LEN)) || !bf_mtu_needs_frags(mtu))
		return BF_EXIT_OK;
	return bf_fail(BF_EXIT_USAGE, "%s: --without xdp_buff_len cannot serve MTU %d: frames "
		       "above MTU %d span XDP frags, whose length only bpf_xdp_get_buff_len "
		       "gives", ifname, mtu, BF_XDP_LINEAR_MTU);
}

/* One line for a failed load: a kernel without XDP frags is named as such. */
static int load_failed(const char *ifname, const char *what, int mtu, int code)
{
	int e = errno;

	if (e == EPERM)
		return bf_fail(BF_EXIT_PERM, "kernel refused to load BPF (EPERM): missing CAP_BPF?");
	if (bf_mtu_needs_frags(mtu))
		return bf_fail(BF_EXIT_NO_XDP, "%s: MTU %d needs a frags-aware XDP program "
			       "(Linux >= 5.18), which this kernel refused (%s): the largest "
			       "MTU it can serve is %d", ifname, mtu, strerror(e),
			       BF_XDP_LINEAR_MTU);
	return bf_fail(code, "cannot load %s: %s (BIFROST_DEBUG=1 shows the libbpf log)",
		       what, strerror(e));
}

/* One line for a refused attach or replacement (link create/update). */
static int link_failed(const char *ifname, bool generic, int mtu)
{
	int e = errno;

	if (e == EBUSY || e == EEXIST)
		return bf_fail(BF_EXIT_ATTACHED, "%s: another XDP program is attached", ifname);
	if (e == ERANGE)
		return bf_fail(BF_EXIT_NO_XDP, "%s: the driver cannot take frames of MTU %d "
			       "(or of its link peer's MTU) in %s XDP with a program %s frags "
			       "support: give both ends of the link the same MTU (at most %d)",
			       ifname, mtu, generic ? "generic" : "native",
			       bf_mtu_needs_frags(mtu) ? "with" : "without", BF_MAX_WIRE_MTU);
	return bf_fail(BF_EXIT_NO_XDP, "%s: %s XDP not supported: %s", ifname,
		       generic ? "generic" : "native", strerror(e));
}

/* Refuses an interface Bifrost or another XDP program is attached to. */
static int check_not_attached(const char *ifname, int ifindex)
{
	__u32 cur_prog = 0;

	if (bf_is_attached(ifname) && !bf_link_alive(ifname)) {
		/* the interface it was attached to is gone: only pins are left */
		unpin_all(ifname);
		printf("removed the pins left by an earlier %s\n", ifname);
	}
	if (bf_is_attached(ifname))
		return bf_fail(BF_EXIT_ATTACHED, "already attached to %s (see 'bifrostctl status %s')",
			       ifname, ifname);
	if (bpf_xdp_query_id(ifindex, 0, &cur_prog) == 0 && cur_prog)
		return bf_fail(BF_EXIT_ATTACHED,
			       "%s already has an XDP program (id %u) that is not Bifrost's",
			       ifname, cur_prog);
	return BF_EXIT_OK;
}

/* Attaches the loaded program to ifindex and pins its link in dir. */
static int link_and_pin(const char *ifname, struct bifrost_xdp *skel, int ifindex,
			bool generic, int mtu, const char *dir)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts);
	char path[300];
	int link_fd;

	lopts.flags = generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	link_fd = bpf_link_create(bpf_program__fd(skel->progs.bifrost_xdp), ifindex,
				  BPF_XDP, &lopts);
	if (link_fd < 0)
		return link_failed(ifname, generic, mtu);
	snprintf(path, sizeof(path), "%s/%s", dir, BF_PIN_LINK);
	if (bpf_obj_pin(link_fd, path)) {
		close(link_fd);
		return bf_fail(BF_EXIT_ERROR, "cannot pin link at %s: %s", path, strerror(errno));
	}
	close(link_fd);
	return BF_EXIT_OK;
}

/* What attach loads: the skeleton, its pins under dir, its link on ifindex. */
struct attach_ctx {
	const char *ifname, *dir;
	int ifindex, mtu;
	bool generic;
	unsigned int without;		/* --without: 1 << enum bf_feature */
	struct bf_features ft;		/* out: what the program uses */
	int64_t gen;			/* out: the policy generation written */
};

/* Opens, sets up, loads and links the program with cfg's policy; an exit
 * code (the caller removes the pins on an error). */
static int load_and_link(struct attach_ctx *a, struct bf_config *cfg)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .pin_root_path = a->dir);
	struct bifrost_xdp *skel;
	int ret, err;

	skel = bifrost_xdp__open_opts(&oopts);
	if (!skel)
		return bf_fail(BF_EXIT_ERROR, "cannot open BPF object: %s", strerror(errno));
	bf_features_probe(&a->ft, a->mtu, BF_DEFAULT_FRAME_SIZE, a->without);
	set_frags(skel->progs.bifrost_xdp, a->mtu);
	if (set_prog_features(skel->obj, &a->ft))
		ret = bf_fail(BF_EXIT_ERROR, "BPF object without its feature constants");
	else if (bifrost_xdp__load(skel))
		ret = load_failed(a->ifname, "BPF program", a->mtu, BF_EXIT_ERROR);
	else if ((err = write_info(bpf_map__fd(skel->maps.bf_info), &a->ft)))
		ret = bf_fail(BF_EXIT_ERROR, "cannot write the ABI record: %s", strerror(-err));
	else if ((err = apply_config(a->ifname, cfg, &a->gen)))
		ret = bf_fail(BF_EXIT_ERROR, "cannot write policy maps: %s", strerror(-err));
	else
		ret = link_and_pin(a->ifname, skel, a->ifindex, a->generic, a->mtu, a->dir);
	bifrost_xdp__destroy(skel);
	return ret;
}

int bf_cmd_attach(const char *ifname, const char *cfgfile, bool generic,
		  unsigned int without)
{
	struct attach_ctx a = { .ifname = ifname, .generic = generic, .without = without };
	struct bf_config cfg;
	char dir[256];
	int ifindex, ret, mtu;

	ret = prepare(ifname, &ifindex);
	if (ret)
		return ret;
	ret = load_config(cfgfile, ifname, &cfg);
	if (ret)
		return ret;
	mtu = bf_if_mtu(ifname);
	ret = mtu > 0 ? check_without(ifname, mtu, without) : 0;
	if (ret)
		return ret;
	ret = wire_mtu(ifname, &mtu);
	if (ret)
		return ret;
	ret = check_not_attached(ifname, ifindex);
	if (ret)
		return ret;
	unpin_all(ifname);	/* leftovers of a crashed attach */
	bf_pin_dir(ifname, dir, sizeof(dir));
	if ((mkdir(BF_PIN_ROOT, 0700) && errno != EEXIST) ||
	    (mkdir(dir, 0700) && errno != EEXIST))
		return bf_fail(BF_EXIT_ERROR, "cannot create %s: %s", dir, strerror(errno));
	a.dir = dir;
	a.ifindex = ifindex;
	a.mtu = mtu;
	ret = load_and_link(&a, &cfg);
	if (ret) {
		unpin_all(ifname);
		return ret;
	}
	printf("attached to %s (%s mode), %u guest(s), policy generation %lld\n",
	       ifname, generic ? "generic" : "native", cfg.n, (long long)a.gen);
	print_features(&a.ft);
	return BF_EXIT_OK;
}

/*
 * Detaches from ifname. An interface that has vanished took its XDP program
 * with it; what is left is its pin directory, which is removed, so a new
 * interface of that name can be attached.
 */
int bf_cmd_detach(const char *ifname)
{
	char dir[256];
	int link_fd, ret;

	ret = prepare_bpf();
	if (ret)
		return ret;
	if (!if_nametoindex(ifname)) {
		bf_pin_dir(ifname, dir, sizeof(dir));
		if (access(dir, F_OK))
			return bf_fail(BF_EXIT_NO_IFACE, "no such interface: %s", ifname);
		unpin_all(ifname);
		printf("removed the pins of %s (the interface is gone)\n", ifname);
		return BF_EXIT_OK;
	}
	if (!bf_is_attached(ifname))
		return bf_fail(BF_EXIT_NOT_ATTACHED, "not attached to %s", ifname);
	link_fd = bf_pin_open(ifname, BF_PIN_LINK);
	if (link_fd < 0)
		return bf_fail(BF_EXIT_ERROR, "cannot open pinned link: %s", strerror(-link_fd));
	if (bpf_link_detach(link_fd) && errno != ENOLINK)
		bf_warn("link detach: %s", strerror(errno));
	close(link_fd);
	unpin_all(ifname);
	printf("detached from %s\n", ifname);
	return BF_EXIT_OK;
}

/* A replacement must be a Bifrost program: it uses every pinned map. */
static const char *missing_map(struct bpf_object *obj)
{
	const char *name;
	unsigned int i;

	for (i = 0; (name = bf_map_pin_name(i)); i++)
		if (!bpf_object__find_map_by_name(obj, name))
			return name;
	return NULL;
}

/* The features of ifname's record, probed afresh on this kernel with the
 * operator's --without kept; 0 or -errno. */
static int reprobe_features(const char *ifname, int mtu, struct bf_features *ft)
{
	struct bf_features old;
	struct bf_info info;
	int fd, ret;

	fd = bf_pin_open(ifname, BF_PIN_INFO);
	if (fd < 0)
		return fd;
	ret = bf_info_read(fd, &info);
	close(fd);
	if (ret)
		return ret;
	bf_features_from_info(&old, &info);
	bf_features_probe(ft, mtu, BF_DEFAULT_FRAME_SIZE,
			  bf_features_disabled(&old) & BF_FEAT_WITHOUT_OK);
	/* AF_XDP multi-buffer is the backend's: keep what bifrost-host recorded */
	ft->state[BF_FEAT_XSK_SG] = old.state[BF_FEAT_XSK_SG];
	ft->err[BF_FEAT_XSK_SG] = old.err[BF_FEAT_XSK_SG];
	return 0;
}

/* Swaps the loaded prog in on ifname's pinned link and records its
 * features ft; an exit code. */
static int swap_in(const char *ifname, struct bpf_program *prog, int mtu,
		   const struct bf_features *ft)
{
	int fd, ret = BF_EXIT_OK;

	fd = bf_pin_open(ifname, BF_PIN_LINK);
	if (fd < 0)
		return bf_fail(BF_EXIT_ERROR, "cannot open pinned link: %s", strerror(-fd));
	if (bpf_link_update(fd, bpf_program__fd(prog), NULL))
		ret = errno == ERANGE ? link_failed(ifname, false, mtu) :
		      bf_fail(BF_EXIT_ERROR, "program replacement failed: %s", strerror(errno));
	close(fd);
	fd = ret ? -1 : bf_pin_open(ifname, BF_PIN_INFO);
	if (fd >= 0) {
		int err = write_info(fd, ft);

		if (err)
			bf_warn("%s: cannot record the new program's features: %s", ifname,
				strerror(-err));
		close(fd);
	}
	return ret;
}

/* Loads OBJ against the pinned maps and swaps it in with bpf_link_update. */
static int replace_prog(const char *ifname, const char *objpath)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts);
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bf_features ft;
	char dir[256], what[300];
	int ret = BF_EXIT_OK, mtu;

	ret = wire_mtu(ifname, &mtu);
	if (ret)
		return ret;
	bf_pin_dir(ifname, dir, sizeof(dir));
	oopts.pin_root_path = dir;
	obj = bpf_object__open_file(objpath, &oopts);
	if (!obj)
		return bf_fail(BF_EXIT_BAD_PROG, "cannot open %s: %s", objpath, strerror(errno));
	prog = xdp_prog_of(obj);
	if (!prog) {
		ret = bf_fail(BF_EXIT_BAD_PROG, "%s has no XDP program", objpath);
		goto out;
	}
	if (missing_map(obj)) {
		ret = bf_fail(BF_EXIT_BAD_PROG, "%s is not a Bifrost program (no map %s)",
			      objpath, missing_map(obj));
		goto out;
	}
	if (reprobe_features(ifname, mtu, &ft)) {
		ret = bf_fail(BF_EXIT_ERROR, "%s: cannot read the ABI record", ifname);
		goto out;
	}
	ret = check_without(ifname, mtu, bf_features_disabled(&ft));
	if (ret)
		goto out;
	if (set_prog_features(obj, &ft)) {
		ret = bf_fail(BF_EXIT_BAD_PROG, "%s is not a Bifrost program of this version "
			      "(no load-time feature constants)", objpath);
		goto out;
	}
	set_frags(prog, mtu);
	if (bpf_object__load(obj)) {
		snprintf(what, sizeof(what), "%s against the pinned maps", objpath);
		ret = load_failed(ifname, what, mtu, BF_EXIT_BAD_PROG);
		goto out;
	}
	ret = swap_in(ifname, prog, mtu, &ft);
out:
	bpf_object__close(obj);
	return ret;
}

/* Refuses maps of another ABI with bf_maps_strerror's line. */
static int check_abi(const char *ifname)
{
	struct bf_maps m;
	char err[512];
	int ret = bf_maps_open(ifname, &m);

	if (!ret) {
		bf_maps_close(&m);
		return BF_EXIT_OK;
	}
	bf_maps_strerror(ifname, ret, err, sizeof(err));
	return bf_fail(ret == -EPROTO ? BF_EXIT_ABI : BF_EXIT_ERROR, "%s", err);
}

int bf_cmd_reload(const char *ifname, const char *cfgfile, const char *prog)
{
	struct bf_config cfg;
	int64_t gen = 0;
	int ifindex, ret;

	ret = prepare(ifname, &ifindex);
	if (ret)
		return ret;
	ret = load_config(cfgfile, ifname, &cfg);
	if (ret)
		return ret;	/* live policy untouched */
	if (!bf_is_attached(ifname))
		return bf_fail(BF_EXIT_NOT_ATTACHED, "not attached to %s", ifname);
	if (!bf_link_alive(ifname))
		return bf_fail(BF_EXIT_NOT_ATTACHED, "not attached to %s: the program went with an "
			       "earlier interface of that name ('bifrostctl detach %s' removes "
			       "its pins)", ifname, ifname);
	ret = check_abi(ifname);
	if (ret)
		return ret;
	if (prog) {
		ret = replace_prog(ifname, prog);
		if (ret)
			return ret;
	}
	if (cfgfile) {
		ret = apply_config(ifname, &cfg, &gen);
		if (ret)
			return bf_fail(BF_EXIT_ERROR, "cannot write policy maps: %s",
				       strerror(-ret));
	}
	printf("reloaded %s:%s%s", ifname, prog ? " program replaced" : "",
	       cfgfile ? "" : "\n");
	if (cfgfile)
		printf(" %u guest(s), policy generation %lld\n", cfg.n, (long long)gen);
	return cfgfile ? signal_backend(ifname) : BF_EXIT_OK;
}
