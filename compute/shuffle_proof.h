// Map output proofs: what keeps one job's intermediate data from anyone but that job's
// reducers (MapReduce's shuffle secret). The job master gives every job a random secret,
// which reaches the job's tasks in their TaskSpec (never the job's submitter or other
// jobs); a reducer proves each FetchMapOutput with an HMAC-SHA256 of the request under
// it, and the serving executor, which learnt the secret from the job's map tasks it ran,
// checks the proof before it reads a byte.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "common/status.h"

namespace cairn::compute {

inline constexpr size_t kShuffleSecretBytes = 32;

std::string MapOutputProof(const std::string& secret, const std::string& job_id, const std::string& attempt_id,
                           int partition);
// OK when proof is the request's proof under secret; kPermissionDenied otherwise.
Status CheckMapOutputProof(const std::string& secret, const std::string& job_id, const std::string& attempt_id,
                           int partition, const std::string& proof);

}  // namespace cairn::compute
