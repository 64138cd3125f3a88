// Cairn MapReduce plugin API: the one header a job's shared library needs.
//
// A plugin is a shared library (.so) built against this header alone; it is uploaded to
// Cairn (`cairn job submit --plugin libmine.so ...` does that) and every task of the job
// loads it with dlopen. It exports the factory functions declared at the bottom, most
// simply through CAIRN_MAPREDUCE_PLUGIN(MyMapper, MyReducer):
//
//   class MyMapper : public cairn::mr::Mapper {
//    public:
//     void Map(std::string_view key, std::string_view value, cairn::mr::Emitter& out) override {
//       out.Emit(value.substr(0, 1), "1");
//     }
//   };
//   class MyReducer : public cairn::mr::Reducer { ... };
//   CAIRN_MAPREDUCE_PLUGIN(MyMapper, MyReducer)
//
// Records: for text input the value is one line (without its line break) and the key is
// empty; for fixed-size records the value is one record. Map output keys are sorted as
// byte strings; each reducer gets its keys in that order with all their values.
// Reduce output is written as `key<TAB>value` lines (`key` alone when the value is empty);
// in a map-only job (--reducers 0) map output is written the same way.
//
// Threads: each task calls its objects from one thread. Errors: call context.Fail(message)
// (the task stops after the current call and the attempt fails with that message), or
// throw a std::exception (caught at the plugin boundary, same effect). The plugin must be
// built with the same C++ standard library as Cairn (the classes cross the boundary).
#pragma once

#include <cstdint>
#include <string_view>

namespace cairn::mr {

// Version of this interface; a plugin built against another one is refused.
inline constexpr int kPluginAbiVersion = 1;

// Where map and reduce output goes. The bytes are copied before Emit returns.
class Emitter {
 public:
  virtual ~Emitter() = default;
  virtual void Emit(std::string_view key, std::string_view value) = 0;
};

// The values of one reduce key, in no particular order. Each view stays valid until the
// next call to Next.
class ValueIterator {
 public:
  virtual ~ValueIterator() = default;
  virtual bool Next(std::string_view* value) = 0;
};

// What a task knows about itself, and how it reports back.
class TaskContext {
 public:
  virtual ~TaskContext() = default;
  // A job parameter given with --param name=value; empty when absent.
  virtual std::string_view Param(std::string_view name) const = 0;
  virtual std::string_view JobId() const = 0;
  virtual std::string_view TaskAttemptId() const = 0;
  // Maps: the Cairn path of the input file; reduces: empty.
  virtual std::string_view InputFile() const = 0;
  // The task's index among the job's maps or reduces.
  virtual int TaskIndex() const = 0;
  virtual int NumReducers() const = 0;
  virtual void IncrementCounter(std::string_view group, std::string_view name, int64_t amount) = 0;
  virtual void SetStatus(std::string_view status) = 0;
  // Fails the attempt with `message` once the current call returns.
  virtual void Fail(std::string_view message) = 0;
};

class Mapper {
 public:
  virtual ~Mapper() = default;
  virtual void Setup(TaskContext& context) {}
  virtual void Map(std::string_view key, std::string_view value, Emitter& out) = 0;
  // After the last record; may emit (e.g. what an in-mapper combiner aggregated).
  virtual void Cleanup(Emitter& out) {}
};

class Reducer {
 public:
  virtual ~Reducer() = default;
  virtual void Setup(TaskContext& context) {}
  virtual void Reduce(std::string_view key, ValueIterator& values, Emitter& out) = 0;
  virtual void Cleanup(Emitter& out) {}
};

}  // namespace cairn::mr

// The symbols a plugin exports. cairn_mr_create_combiner may return null (no combiner);
// a combiner is a Reducer run on sorted map output before the shuffle, so its output
// keys must be its input keys.
extern "C" {
int cairn_mr_abi_version();
cairn::mr::Mapper* cairn_mr_create_mapper();
cairn::mr::Reducer* cairn_mr_create_reducer();
cairn::mr::Reducer* cairn_mr_create_combiner();
}

#define CAIRN_MAPREDUCE_PLUGIN_COMMON_(MapperClass, ReducerClass)                           \
  extern "C" int cairn_mr_abi_version() { return ::cairn::mr::kPluginAbiVersion; }          \
  extern "C" ::cairn::mr::Mapper* cairn_mr_create_mapper() { return new MapperClass(); }    \
  extern "C" ::cairn::mr::Reducer* cairn_mr_create_reducer() { return new ReducerClass(); }

// A plugin without a combiner.
#define CAIRN_MAPREDUCE_PLUGIN(MapperClass, ReducerClass)   \
  CAIRN_MAPREDUCE_PLUGIN_COMMON_(MapperClass, ReducerClass) \
  extern "C" ::cairn::mr::Reducer* cairn_mr_create_combiner() { return nullptr; }

// A plugin whose map output is combined by CombinerClass (often the reducer class itself).
#define CAIRN_MAPREDUCE_PLUGIN_WITH_COMBINER(MapperClass, ReducerClass, CombinerClass) \
  CAIRN_MAPREDUCE_PLUGIN_COMMON_(MapperClass, ReducerClass)                           \
  extern "C" ::cairn::mr::Reducer* cairn_mr_create_combiner() { return new CombinerClass(); }
