// Crash safety of the real cairn-namenode binary: clients create directories and empty
// files over gRPC while the process is SIGKILLed; after a restart on the same name dir,
// every operation that was acknowledged before the kill is there.
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "cairn/namenode.grpc.pb.h"
#include "common/clock.h"
#include "common/grpc_status.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace cairn::namenode {
namespace {

namespace hh = ::hadoop::hdfs;
using cairn::testing::Subprocess;

// Polls the --port_file until rpc_port appears.
Result<int> WaitForRpcPort(const std::string& path, int timeout_ms) {
  const int64_t deadline = MonotonicMillis() + timeout_ms;
  while (MonotonicMillis() < deadline) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("rpc_port=", 0) == 0) return std::stoi(line.substr(9));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return TimedOut("no rpc_port in {} after {} ms", path, timeout_ms);
}

class NamenodeCrashTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = cairn::testing::MakeTempDir("nn-crash"); }
  void TearDown() override {
    process_.Kill();
    if (!HasFailure()) cairn::testing::RemoveTree(dir_);
    else std::fprintf(stderr, "namenode dir kept: %s\n", dir_.c_str());
  }

  void StartNamenode() {
    std::string ports = dir_ + "/ports";
    std::remove(ports.c_str());
    auto p = Subprocess::Start({std::string(CAIRN_BIN_DIR) + "/cairn-namenode", "--namenode_name_dir=" + dir_ + "/name",
                                "--namenode_bind_host=127.0.0.1", "--namenode_rpc_port=0", "--port_file=" + ports,
                                "--namenode_superuser=tester"},
                               dir_ + "/namenode.log");
    ASSERT_OK(p.status());
    process_ = std::move(p).value();
    ASSERT_OK_AND_ASSIGN(int port, WaitForRpcPort(ports, 30000));
    stub_ = ClientNamenode::NewStub(
        grpc::CreateChannel(fmt::format("127.0.0.1:{}", port), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata(kUserMetadataKey, "tester");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    return ctx;
  }

  std::string dir_;
  Subprocess process_;
  std::unique_ptr<ClientNamenode::Stub> stub_;
};

TEST_F(NamenodeCrashTest, AcknowledgedOperationsSurviveSigkill) {
  StartNamenode();
  std::mutex mu;
  std::vector<std::string> acked_dirs, acked_files;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        std::string d = fmt::format("/w{}/d{}", t, i);
        hh::MkdirsRequestProto mk;
        mk.set_src(d);
        mk.mutable_masked()->set_perm(0755);
        mk.set_createparent(true);
        hh::MkdirsResponseProto mr;
        if (!stub_->Mkdirs(Ctx().get(), mk, &mr).ok() || !mr.result()) return;
        {
          std::lock_guard lock(mu);
          acked_dirs.push_back(d);
        }
        hh::CreateRequestProto cr;
        cr.set_src(d + "/f");
        cr.mutable_masked()->set_perm(0644);
        cr.set_clientname(fmt::format("writer-{}", t));
        cr.set_createflag(hh::CREATE);
        cr.set_createparent(false);
        cr.set_replication(1);
        cr.set_blocksize(1 << 20);
        hh::CreateResponseProto cresp;
        if (!stub_->Create(Ctx().get(), cr, &cresp).ok()) return;
        hh::CompleteRequestProto cp;
        cp.set_src(d + "/f");
        cp.set_clientname(cr.clientname());
        hh::CompleteResponseProto cpr;
        if (!stub_->Complete(Ctx().get(), cp, &cpr).ok() || !cpr.result()) return;
        std::lock_guard lock(mu);
        acked_files.push_back(d + "/f");
      }
    });
  }
  // Let some work be acknowledged, then kill the process mid-stream.
  const int64_t deadline = MonotonicMillis() + 20000;
  while (MonotonicMillis() < deadline) {
    {
      std::lock_guard lock(mu);
      if (acked_files.size() >= 200) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int64_t killed_at = MonotonicMillis();
  ASSERT_OK(process_.Signal(SIGKILL));
  ASSERT_OK(process_.Wait(10000).status());
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_GE(acked_files.size(), 50u) << "too little work acknowledged before the kill";
  std::fprintf(stderr, "killed after %zu directories and %zu files were acknowledged (%lld ms to collect)\n",
               acked_dirs.size(), acked_files.size(),
               static_cast<long long>(killed_at - (deadline - 20000)));

  StartNamenode();
  size_t checked = 0;
  auto exists = [&](const std::string& path, hh::HdfsFileStatusProto::FileType type) {
    hh::GetFileInfoRequestProto gi;
    gi.set_src(path);
    hh::GetFileInfoResponseProto gr;
    grpc::Status st = stub_->GetFileInfo(Ctx().get(), gi, &gr);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_TRUE(gr.has_fs()) << path << " was acknowledged but is gone after the crash";
    EXPECT_EQ(gr.fs().filetype(), type) << path;
    ++checked;
  };
  for (const auto& d : acked_dirs) exists(d, hh::HdfsFileStatusProto::IS_DIR);
  for (const auto& f : acked_files) {
    exists(f, hh::HdfsFileStatusProto::IS_FILE);
    hh::IsFileClosedRequestProto ic;
    ic.set_src(f);
    hh::IsFileClosedResponseProto icr;
    ASSERT_TRUE(stub_->IsFileClosed(Ctx().get(), ic, &icr).ok());
    EXPECT_TRUE(icr.result()) << f << " was closed before the crash";
  }
  EXPECT_EQ(checked, acked_dirs.size() + acked_files.size());
  // And a clean shutdown works too.
  const int64_t term_at = MonotonicMillis();
  ASSERT_OK(process_.Signal(SIGTERM));
  ASSERT_OK_AND_ASSIGN(int code, process_.Wait(15000));
  EXPECT_EQ(code, 0);
  std::fprintf(stderr, "SIGTERM shutdown took %lld ms\n", static_cast<long long>(MonotonicMillis() - term_at));
}

}  // namespace
}  // namespace cairn::namenode
