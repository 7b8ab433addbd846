/* \summary: dropping capabilities (effective, permitted, inheritable, ambient, bounding) and root */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

#define CAP_BITS_MAX 64   /* capability numbers are bit positions of a u64 in the kernel */

void sandbox_nobody_ids(uid_t *uid, gid_t *gid)
{
	static bool looked_up;
	static uid_t nobody_uid = SANDBOX_NOBODY_ID;
	static gid_t nobody_gid = SANDBOX_NOBODY_ID;
	const struct passwd *pw;

	if (!looked_up) {
		/* getpwnam loads NSS modules and reads files: never after the sandbox */
		pw = getpwnam("nobody");
		if (pw != NULL && pw->pw_uid != 0) {
			nobody_uid = pw->pw_uid;
			nobody_gid = pw->pw_gid;
		}
		looked_up = true;
	}
	*uid = nobody_uid;
	*gid = nobody_gid;
}

/* Root keeps no special powers across execve or uid changes from here on,
 * and nothing can raise ambient capabilities again. Needs CAP_SETPCAP;
 * without it there is nothing for these bits to take away. */
static void lock_securebits(void)
{
	int bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		   SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

	(void)prctl(PR_SET_SECUREBITS, bits, 0, 0, 0);
}

static int change_to_nobody(char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;

	sandbox_nobody_ids(&uid, &gid);
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
		snprintf(err, errlen, "cannot change to user %u: %s", (unsigned)uid, strerror(errno));
		return -1;
	}
	/* a real drop cannot be undone */
	if (setresuid(0, 0, 0) == 0 || getuid() != uid || geteuid() != uid) {
		snprintf(err, errlen, "the change to user %u did not stick", (unsigned)uid);
		return -1;
	}
	return 0;
}

static bool bounding_set_empty(void)
{
	for (int i = 0; i < CAP_BITS_MAX; i++) {
		int rc = prctl(PR_CAPBSET_READ, i, 0, 0, 0);

		if (rc < 0)
			break;   /* EINVAL: past the last capability this kernel knows */
		if (rc > 0)
			return false;
	}
	return true;
}

static bool ambient_set_empty(void)
{
	for (int i = 0; i < CAP_BITS_MAX; i++) {
		int rc = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0);

		if (rc < 0)
			return errno == EINVAL;   /* past the last one; or no ambient support at all */
		if (rc > 0)
			return false;
	}
	return true;
}

static bool process_sets_empty(void)
{
	cap_t now = cap_get_proc(), none = cap_init();
	bool empty = now != NULL && none != NULL && cap_compare(now, none) == 0;

	cap_free(now);
	cap_free(none);
	return empty;
}

/* The bounding set first: dropping from it needs CAP_SETPCAP, which the
 * caller's cap_set_proc removes afterwards. */
static void clear_bounding_ambient(void)
{
	for (int i = 0; i < cap_max_bits(); i++)
		(void)cap_drop_bound((cap_value_t)i);
	(void)cap_reset_ambient();
}

/* Leaves caps[0..n) permitted and effective, nothing else. */
static void set_only(const int *caps, int n)
{
	cap_t c = cap_init();

	if (c == NULL)
		return;
	for (int i = 0; i < n; i++) {
		cap_value_t v = (cap_value_t)caps[i];

		(void)cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
		(void)cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
	}
	(void)cap_set_proc(c);
	cap_free(c);
}

void sandbox_caps_keep(const int *caps, int n)
{
	clear_bounding_ambient();
	set_only(caps, n);
}

int sandbox_caps_drop(bool drop_uid, struct sandbox_report *r, char *err, size_t errlen)
{
	bool was_root = geteuid() == 0;
	int rc = 0;

	lock_securebits();
	clear_bounding_ambient();
	if (drop_uid && was_root)
		rc = change_to_nobody(err, errlen);
	if (rc == 0)
		set_only(NULL, 0);
	r->bounding_cleared = bounding_set_empty();
	r->ambient_cleared = ambient_set_empty();
	r->caps_dropped = process_sets_empty();
	r->uid_dropped = rc == 0 && drop_uid && was_root;
	return rc;
}
