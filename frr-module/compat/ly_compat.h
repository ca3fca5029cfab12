// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What differs between libyang 2 and 3 for both the northbound agent and
 * frr-netconfd, chosen by the major the build passes (-DLIBYANG_MAJOR=N).
 */

#ifndef _FRR_LY_COMPAT_H
#define _FRR_LY_COMPAT_H

#include <libyang/libyang.h>

#ifndef LIBYANG_MAJOR
#error "build with -DLIBYANG_MAJOR=N"
#endif

/*
 * Where a libyang error is, or NULL: libyang 2 has one path, a sentence
 * such as 'Data location "/a:b".'; libyang 3 has a bare data path or
 * schema path.
 */
static inline const char *rs_ly_err_path(const struct ly_err_item *e)
{
#if LIBYANG_MAJOR >= 3
	return e->data_path ? e->data_path : e->schema_path;
#else
	return e->path;
#endif
}

#endif /* _FRR_LY_COMPAT_H */
