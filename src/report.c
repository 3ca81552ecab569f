/* SPDX-License-Identifier: MIT */
/* placeholder: being written */
#include "autoconf.h"
