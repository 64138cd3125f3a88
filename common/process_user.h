// ProcessUserName: the name of the account this process runs as (its effective uid), as
// the namenode's default superuser, the job master's and libcairn's default user. Looked up
// with getpwuid_r, so any thread may ask at any time (getpwuid's static buffer is shared).
//
// Thread-safety: thread-safe.
#pragma once

#include <string>

namespace cairn {

// The effective uid's login name, or the uid in decimal when it has no passwd entry.
std::string ProcessUserName();

}  // namespace cairn
