// PluginLibrary: a job's plugin shared library, loaded into the task process with dlopen
// (RTLD_NOW | RTLD_LOCAL) and checked for the ABI version of compute/include/cairn/
// mapreduce.h before anything in it runs. The library stays loaded while this object
// lives; the mappers and reducers it makes must be destroyed first.
//
// Thread-safety: immutable once loaded.
#pragma once

#include <memory>
#include <string>

#include "compute/include/cairn/mapreduce.h"
#include "common/status.h"

namespace cairn::compute {

class PluginLibrary {
 public:
  static Result<std::shared_ptr<PluginLibrary>> Load(const std::string& path);
  ~PluginLibrary();

  Result<std::unique_ptr<mr::Mapper>> CreateMapper() const;
  Result<std::unique_ptr<mr::Reducer>> CreateReducer() const;
  // Null when the plugin has no combiner.
  std::unique_ptr<mr::Reducer> CreateCombiner() const;
  bool has_combiner() const;

 private:
  PluginLibrary() = default;
  void* handle_ = nullptr;
  std::string path_;
  mr::Mapper* (*create_mapper_)() = nullptr;
  mr::Reducer* (*create_reducer_)() = nullptr;
  mr::Reducer* (*create_combiner_)() = nullptr;
  bool has_combiner_ = false;
};

}  // namespace cairn::compute
