#include "compute/runtime/plugin.h"

#include <dlfcn.h>

#include "common/path.h"
#include "compute/runtime/job_program.h"

namespace cairn::compute {

Result<std::shared_ptr<PluginLibrary>> PluginLibrary::Load(const std::string& path) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* err = ::dlerror();
    return InvalidArgument("cannot load plugin {}: {}", path, err != nullptr ? err : "unknown error");
  }
  std::shared_ptr<PluginLibrary> lib(new PluginLibrary());
  lib->handle_ = handle;
  lib->path_ = path;
  auto version = reinterpret_cast<int (*)()>(::dlsym(handle, "cairn_mr_abi_version"));
  if (version == nullptr)
    return InvalidArgument("{} is not a Cairn MapReduce plugin (no cairn_mr_abi_version; use CAIRN_MAPREDUCE_PLUGIN)",
                           path);
  if (version() != mr::kPluginAbiVersion)
    return InvalidArgument("plugin {} was built for API version {}, this Cairn speaks {}", path, version(),
                           mr::kPluginAbiVersion);
  lib->create_mapper_ = reinterpret_cast<mr::Mapper* (*)()>(::dlsym(handle, "cairn_mr_create_mapper"));
  lib->create_reducer_ = reinterpret_cast<mr::Reducer* (*)()>(::dlsym(handle, "cairn_mr_create_reducer"));
  lib->create_combiner_ = reinterpret_cast<mr::Reducer* (*)()>(::dlsym(handle, "cairn_mr_create_combiner"));
  if (lib->create_mapper_ == nullptr || lib->create_reducer_ == nullptr)
    return InvalidArgument("plugin {} lacks cairn_mr_create_mapper or cairn_mr_create_reducer", path);
  if (lib->create_combiner_ != nullptr) {
    std::unique_ptr<mr::Reducer> probe(lib->create_combiner_());
    lib->has_combiner_ = probe != nullptr;
  }
  return lib;
}

PluginLibrary::~PluginLibrary() {
  if (handle_ != nullptr) ::dlclose(handle_);
}

Result<std::unique_ptr<mr::Mapper>> PluginLibrary::CreateMapper() const {
  std::unique_ptr<mr::Mapper> m(create_mapper_());
  if (!m) return InvalidArgument("plugin {} made no mapper", path_);
  return m;
}

Result<std::unique_ptr<mr::Reducer>> PluginLibrary::CreateReducer() const {
  std::unique_ptr<mr::Reducer> r(create_reducer_());
  if (!r) return InvalidArgument("plugin {} made no reducer", path_);
  return r;
}

std::unique_ptr<mr::Reducer> PluginLibrary::CreateCombiner() const {
  return std::unique_ptr<mr::Reducer>(create_combiner_ != nullptr ? create_combiner_() : nullptr);
}

bool PluginLibrary::has_combiner() const { return has_combiner_; }

Result<JobProgram> MakePluginProgram(const JobSpec& spec, const TaskEnvironment& env) {
  std::string local = env.working_dir + "/" + std::string(BaseName(spec.plugin_path()));
  ASSIGN_OR_RETURN(std::shared_ptr<PluginLibrary> lib, PluginLibrary::Load(local));
  JobProgram p;
  p.plugin = lib;
  PluginLibrary* raw = lib.get();
  p.mapper = [raw] { return raw->CreateMapper(); };
  p.reducer = [raw] { return raw->CreateReducer(); };
  if (lib->has_combiner()) {
    p.combiner = [raw]() -> Result<std::unique_ptr<mr::Reducer>> {
      auto c = raw->CreateCombiner();
      if (!c) return Internal("plugin combiner vanished");
      return c;
    };
  }
  return p;
}

}  // namespace cairn::compute
