#include "tools/bench/nn_targets.h"

#include <filesystem>

#include "client/file_system.h"
#include "namenode/namenode.h"
#include "namenode/ops/ops.h"

namespace cairn::bench {

namespace {

namespace hh = ::hadoop::hdfs;

class ClientTarget : public NnTarget {
 public:
  ClientTarget(std::vector<std::unique_ptr<client::FileSystem>> clients, std::string door)
      : clients_(std::move(clients)), door_(std::move(door)) {}

  Status Do(NnOp op, int t, const std::string& path) override {
    client::FileSystem& fs = *clients_[static_cast<size_t>(t)];
    switch (op) {
      case NnOp::kCreate: {
        client::CreateOptions opts;
        opts.overwrite = false;
        opts.create_parent = false;
        ASSIGN_OR_RETURN(auto out, fs.Create(path, opts));
        return out->Close();
      }
      case NnOp::kMkdirs: return fs.Mkdirs(path);
      case NnOp::kGetFileInfo: return fs.Stat(path).status();
      case NnOp::kDelete: {
        ASSIGN_OR_RETURN(bool deleted, fs.Delete(path, false));
        return deleted ? Status::OK() : NotFound("{} was not there to delete", path);
      }
      case NnOp::kListing: return fs.ListPage(path, "").status();
    }
    return Internal("unknown op");
  }
  Status Mkdirs(int t, const std::string& dir) override { return clients_[static_cast<size_t>(t)]->Mkdirs(dir); }
  Status RemoveTree(const std::string& dir) override { return clients_[0]->Delete(dir, true).status(); }
  std::string Describe() const override { return door_; }

 private:
  std::vector<std::unique_ptr<client::FileSystem>> clients_;
  const std::string door_;  // "ipc" or "grpc"
};

class InProcessTarget : public NnTarget {
 public:
  InProcessTarget(std::string dir, std::unique_ptr<namenode::Namenode> node)
      : dir_(std::move(dir)), node_(std::move(node)) {
    caller_.user = node_->settings().superuser;
    caller_.groups = node_->groups().GroupsFor(caller_.user);
    caller_.client_address = "127.0.0.1";
  }
  ~InProcessTarget() override {
    node_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Status Do(NnOp op, int t, const std::string& path) override {
    namenode::NameSystem& nn = node_->name_system();
    switch (op) {
      case NnOp::kCreate: {
        hh::CreateRequestProto create;
        create.set_src(path);
        create.mutable_masked()->set_perm(0644);
        create.set_clientname(fmt::format("bench-{}", t));
        create.set_createflag(hh::CREATE);
        create.set_createparent(false);
        create.set_replication(static_cast<uint32_t>(nn.settings.default_replication));
        create.set_blocksize(nn.settings.default_block_size.bytes);
        hh::CreateResponseProto created;
        RETURN_IF_ERROR(namenode::Create(nn, caller_, create, &created));
        hh::CompleteRequestProto complete;
        complete.set_src(path);
        complete.set_clientname(create.clientname());
        complete.set_fileid(created.fs().fileid());
        hh::CompleteResponseProto completed;
        RETURN_IF_ERROR(namenode::Complete(nn, caller_, complete, &completed));
        return completed.result() ? Status::OK() : Internal("complete of {} answered false", path);
      }
      case NnOp::kMkdirs: return Mkdirs(t, path);
      case NnOp::kGetFileInfo: {
        hh::GetFileInfoRequestProto req;
        req.set_src(path);
        hh::GetFileInfoResponseProto resp;
        RETURN_IF_ERROR(namenode::GetFileInfo(nn, caller_, req, &resp));
        return resp.has_fs() ? Status::OK() : NotFound("{} not found", path);
      }
      case NnOp::kDelete: {
        hh::DeleteRequestProto req;
        req.set_src(path);
        req.set_recursive(false);
        hh::DeleteResponseProto resp;
        RETURN_IF_ERROR(namenode::Delete(nn, caller_, req, &resp));
        return resp.result() ? Status::OK() : NotFound("{} was not there to delete", path);
      }
      case NnOp::kListing: {
        hh::GetListingRequestProto req;
        req.set_src(path);
        req.set_startafter("");
        req.set_needlocation(false);
        hh::GetListingResponseProto resp;
        RETURN_IF_ERROR(namenode::GetListing(nn, caller_, req, &resp));
        return resp.has_dirlist() ? Status::OK() : NotFound("{} not found", path);
      }
    }
    return Internal("unknown op");
  }
  Status Mkdirs(int, const std::string& dir) override {
    hh::MkdirsRequestProto req;
    req.set_src(dir);
    req.mutable_masked()->set_perm(0755);
    req.set_createparent(true);
    hh::MkdirsResponseProto resp;
    return namenode::Mkdirs(node_->name_system(), caller_, req, &resp);
  }
  Status RemoveTree(const std::string& dir) override {
    hh::DeleteRequestProto req;
    req.set_src(dir);
    req.set_recursive(true);
    hh::DeleteResponseProto resp;
    return namenode::Delete(node_->name_system(), caller_, req, &resp);
  }
  std::string Describe() const override { return "in-process"; }
  Status Restart() override {
    const namenode::NamenodeSettings settings = node_->settings();
    node_.reset();
    ASSIGN_OR_RETURN(node_, namenode::Namenode::Create(settings));
    return Status::OK();
  }

 private:
  const std::string dir_;
  std::unique_ptr<namenode::Namenode> node_;
  namenode::CallContext caller_;
};

}  // namespace

Result<std::unique_ptr<NnTarget>> ConnectClientTarget(const CommonArgs& common, int threads) {
  std::vector<std::unique_ptr<client::FileSystem>> clients;
  for (int t = 0; t < threads; ++t) {
    ASSIGN_OR_RETURN(auto fs, common.Connect());
    clients.push_back(std::move(fs));
  }
  const bool ipc = clients.front()->options().namenode.rfind("hdfs://", 0) == 0;
  return std::unique_ptr<NnTarget>(std::make_unique<ClientTarget>(std::move(clients), ipc ? "ipc" : "grpc"));
}

Result<std::unique_ptr<NnTarget>> OpenInProcessTarget(const std::string& dir) {
  namenode::NamenodeSettings settings;
  settings.name_dir = dir + "/name";
  settings.safemode_threshold = 0;  // a fresh namespace has no blocks to wait for
  settings.ipc_port = -1;
  RETURN_IF_ERROR(namenode::FinalizeNamenodeSettings(&settings));
  ASSIGN_OR_RETURN(std::unique_ptr<namenode::Namenode> node, namenode::Namenode::Create(settings));
  return std::unique_ptr<NnTarget>(std::make_unique<InProcessTarget>(dir, std::move(node)));
}

}  // namespace cairn::bench
