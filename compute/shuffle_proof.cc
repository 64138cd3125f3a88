#include "compute/shuffle_proof.h"

#include <fmt/format.h>

#include "common/hmac.h"

namespace cairn::compute {

std::string MapOutputProof(const std::string& secret, const std::string& job_id, const std::string& attempt_id,
                           int partition) {
  return HmacSha256(secret, fmt::format("{}\n{}\n{}", job_id, attempt_id, partition));
}

Status CheckMapOutputProof(const std::string& secret, const std::string& job_id, const std::string& attempt_id,
                           int partition, const std::string& proof) {
  if (secret.empty()) return PermissionDenied("no task of job {} ran on this executor", job_id);
  if (proof.empty()) return PermissionDenied("a map output request of {} without the job's proof", job_id);
  if (!ConstantTimeEquals(proof, MapOutputProof(secret, job_id, attempt_id, partition)))
    return PermissionDenied("the proof of this map output request of {} is not the job's", job_id);
  return Status::OK();
}

}  // namespace cairn::compute
