#include "namenode/store/sync_fault_env.h"

#include <sys/stat.h>

#include <rocksdb/file_system.h>

namespace cairn::namenode {
namespace {

using rocksdb::FileOptions;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

bool Tripped(const std::string& trigger) {
  struct stat st{};
  return ::stat(trigger.c_str(), &st) == 0;
}

class SyncFailingFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  SyncFailingFile(std::unique_ptr<FSWritableFile>&& file, std::string trigger)
      : FSWritableFileOwnerWrapper(std::move(file)), trigger_(std::move(trigger)) {}
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    if (Tripped(trigger_)) return IOStatus::IOError("injected sync failure (" + trigger_ + " exists)");
    return target()->Sync(options, dbg);
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    if (Tripped(trigger_)) return IOStatus::IOError("injected fsync failure (" + trigger_ + " exists)");
    return target()->Fsync(options, dbg);
  }

 private:
  const std::string trigger_;
};

class SyncFaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  SyncFaultFileSystem(std::shared_ptr<rocksdb::FileSystem> base, std::string trigger)
      : FileSystemWrapper(std::move(base)), trigger_(std::move(trigger)) {}
  const char* Name() const override { return "CairnSyncFaultFileSystem"; }
  IOStatus NewWritableFile(const std::string& name, const FileOptions& options, std::unique_ptr<FSWritableFile>* out,
                           IODebugContext* dbg) override {
    IOStatus s = target()->NewWritableFile(name, options, out, dbg);
    if (s.ok()) *out = std::make_unique<SyncFailingFile>(std::move(*out), trigger_);
    return s;
  }
  IOStatus ReopenWritableFile(const std::string& name, const FileOptions& options,
                              std::unique_ptr<FSWritableFile>* out, IODebugContext* dbg) override {
    IOStatus s = target()->ReopenWritableFile(name, options, out, dbg);
    if (s.ok()) *out = std::make_unique<SyncFailingFile>(std::move(*out), trigger_);
    return s;
  }

 private:
  const std::string trigger_;
};

}  // namespace

std::unique_ptr<rocksdb::Env> NewSyncFaultEnv(const std::string& trigger_file) {
  return rocksdb::NewCompositeEnv(
      std::make_shared<SyncFaultFileSystem>(rocksdb::FileSystem::Default(), trigger_file));
}

}  // namespace cairn::namenode
