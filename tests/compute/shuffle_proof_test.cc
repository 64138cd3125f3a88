// The shuffle service serves a map output only to requests that prove its job's secret:
// no proof, another job's secret, or a proof for another partition read nothing; the
// job's own proof reads the partition; a map output that is a symbolic link is not followed.
#include "compute/shuffle_proof.h"

#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "cairn/compute.grpc.pb.h"
#include "compute/executor/shuffle_service.h"
#include "compute/local_files.h"
#include "compute/segment.h"
#include "tests/support/test_util.h"

namespace cairn::compute {
namespace {

TEST(ShuffleProofTest, OnlyTheJobsOwnReducersReadItsMapOutput) {
  const std::string work = testing::MakeTempDir("shuffle");
  const std::string dir = MapOutputDir(work, "job_1_0001", "attempt_1_0001_m_000000_0");
  ASSERT_OK(MakeDirectories(dir));
  ASSERT_OK(WriteFileAtomically(dir + "/file.out", "partition zero|partition one", false));
  ASSERT_OK(WriteIndexFile(dir + "/file.out.index", {{0, 14, 1}, {15, 13, 1}}));
  const std::string secret = "secret of job_1_0001, 32 bytes..";
  const std::string other = "secret of job_1_0002, 32 bytes..";
  ShuffleServer server(work, [&](const std::string& job) { return job == "job_1_0001" ? secret : std::string(); });
  ASSERT_OK(server.Start("127.0.0.1", 0, 2, grpc::InsecureServerCredentials()));
  auto stub = Shuffle::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port()),
                                                   grpc::InsecureChannelCredentials()));
  auto fetch = [&](const std::string& job, int partition, const std::string& proof, std::string* data) {
    grpc::ClientContext ctx;
    FetchMapOutputRequest req;
    req.set_job_id(job);
    req.set_attempt_id("attempt_1_0001_m_000000_0");
    req.set_partition(partition);
    if (!proof.empty()) req.set_proof(proof);
    auto reader = stub->FetchMapOutput(&ctx, req);
    MapOutputChunk chunk;
    while (reader->Read(&chunk)) *data += chunk.data();
    return reader->Finish();
  };
  const std::string attempt = "attempt_1_0001_m_000000_0";
  std::string got;
  EXPECT_EQ(fetch("job_1_0001", 1, "", &got).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(fetch("job_1_0001", 1, MapOutputProof(other, "job_1_0001", attempt, 1), &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(fetch("job_1_0001", 1, MapOutputProof(secret, "job_1_0001", attempt, 0), &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // a proof for partition 0 does not open partition 1
  // A job that never ran here has no secret: even its "proof" reads nothing.
  EXPECT_EQ(fetch("job_1_0002", 1, MapOutputProof(other, "job_1_0002", attempt, 1), &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(got.empty()) << got;
  grpc::Status ok = fetch("job_1_0001", 1, MapOutputProof(secret, "job_1_0001", attempt, 1), &got);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(got, "partition one");
  // The attempt dir is the map task's: a task that swaps its output for a link to a file it
  // may not read (a block file) gets an error from its own reducer, not the file.
  ASSERT_OK(WriteFileAtomically(work + "/block", "someone else's block data", false));
  ASSERT_EQ(::unlink((dir + "/file.out").c_str()), 0);
  ASSERT_EQ(::symlink((work + "/block").c_str(), (dir + "/file.out").c_str()), 0);
  got.clear();
  grpc::Status linked = fetch("job_1_0001", 0, MapOutputProof(secret, "job_1_0001", attempt, 0), &got);
  EXPECT_EQ(linked.error_code(), grpc::StatusCode::PERMISSION_DENIED) << linked.error_message();
  EXPECT_TRUE(got.empty()) << got;
  server.Stop();
  testing::RemoveTree(work);
}

}  // namespace
}  // namespace cairn::compute
