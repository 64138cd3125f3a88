#include "compute/runtime/streaming.h"

#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "compute/runtime/reporter_line.h"

namespace cairn::compute {

namespace {
constexpr size_t kInputBufferBytes = 1 << 20;
constexpr size_t kReadBufferBytes = 1 << 20;
constexpr size_t kStderrTailBytes = 4096;

// Calls fn(line) for each '\n'-terminated line read from fd (and a last unterminated one).
template <typename F>
Status ForEachLine(int fd, F&& fn) {
  std::vector<char> buf(kReadBufferBytes);
  size_t begin = 0, end = 0;
  for (;;) {
    if (end == buf.size()) {
      if (begin > 0) {
        std::memmove(buf.data(), buf.data() + begin, end - begin);
        end -= begin;
        begin = 0;
      } else {
        buf.resize(buf.size() * 2);
      }
    }
    ssize_t n = ::read(fd, buf.data() + end, buf.size() - end);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "read from the command");
    if (n == 0) break;
    size_t scan = end;
    end += static_cast<size_t>(n);
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + scan, '\n', end - scan));
      if (nl == nullptr) break;
      size_t len = static_cast<size_t>(nl - (buf.data() + begin));
      fn(std::string_view(buf.data() + begin, len));
      begin += len + 1;
      scan = begin;
    }
    if (begin == end) begin = end = 0;
  }
  if (end > begin) fn(std::string_view(buf.data() + begin, end - begin));
  return Status::OK();
}
}  // namespace

StreamingCommand::StreamingCommand(std::string role, std::string command, const TaskEnvironment& env,
                                   mr::TaskContext* context)
    : role_(std::move(role)), command_(std::move(command)), env_(env), context_(context) {}

StreamingCommand::~StreamingCommand() {
  if (child_) {
    child_.reset();  // kills the command, which ends both reader threads
  }
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
}

Status StreamingCommand::Start(mr::Emitter* out) {
  out_ = out;
  ASSIGN_OR_RETURN(child_, ChildProcess::Spawn(command_, env_.working_dir, env_.variables));
  in_buf_.resize(kInputBufferBytes);
  out_thread_ = std::thread([this] { ReadOutput(); });
  err_thread_ = std::thread([this] { ReadErrors(); });
  return Status::OK();
}

void StreamingCommand::ReadOutput() {
  read_status_ = ForEachLine(child_->stdout_fd(), [this](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) out_->Emit(line, {});
    else out_->Emit(line.substr(0, tab), line.substr(tab + 1));
  });
}

void StreamingCommand::ReadErrors() {
  (void)ForEachLine(child_->stderr_fd(), [this](std::string_view line) {
    if (const auto report = ParseReporterLine(line)) {
      if (report->kind == ReporterLine::Kind::kCounter) {
        context_->IncrementCounter(report->group, report->name, report->amount);
      } else {
        context_->SetStatus(report->status);
      }
      return;
    }
    std::string copy(line);
    copy += '\n';
    (void)WriteAllToFd(2, copy.data(), copy.size());
    std::lock_guard lock(tail_mu_);
    stderr_tail_ += copy;
    if (stderr_tail_.size() > 2 * kStderrTailBytes) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
  });
}

std::string StreamingCommand::StderrTail() const {
  std::lock_guard lock(tail_mu_);
  std::string tail = stderr_tail_.size() > kStderrTailBytes ? stderr_tail_.substr(stderr_tail_.size() - kStderrTailBytes)
                                                            : stderr_tail_;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return tail;
}

Status StreamingCommand::FlushInput() {
  if (in_used_ == 0) return Status::OK();
  Status st = WriteAllToFd(child_->stdin_fd(), in_buf_.data(), in_used_);
  in_used_ = 0;
  return st;
}

Status StreamingCommand::Append(std::string_view a, char sep, std::string_view b, bool with_b) {
  size_t need = a.size() + (with_b ? 1 + b.size() : 0) + 1;
  if (in_used_ + need > in_buf_.size()) {
    RETURN_IF_ERROR(FlushInput());
    if (need > in_buf_.size()) in_buf_.resize(need);
  }
  char* p = in_buf_.data() + in_used_;
  std::memcpy(p, a.data(), a.size());
  p += a.size();
  if (with_b) {
    *p++ = sep;
    std::memcpy(p, b.data(), b.size());
    p += b.size();
  }
  *p = '\n';
  in_used_ += need;
  return Status::OK();
}

Status StreamingCommand::WriteValue(std::string_view value) { return Append(value, 0, {}, false); }

Status StreamingCommand::WriteKeyValue(std::string_view key, std::string_view value) {
  return Append(key, '\t', value, true);
}

Status StreamingCommand::Finish() {
  Status write_st = FlushInput();
  child_->CloseStdin();
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
  auto code = child_->Wait();
  child_.reset();
  if (!code.ok()) return code.status();
  if (*code != 0) {
    std::string tail = StderrTail();
    return Aborted("{} command '{}' exited with code {}{}{}", role_, command_, *code,
                   tail.empty() ? "" : "; stderr: ", tail);
  }
  if (!read_status_.ok()) return read_status_;
  if (!write_st.ok()) return Aborted("{} command '{}' exited before reading all its input", role_, command_);
  return Status::OK();
}

// ---------------------------------------------------------------- mapper

bool StreamingMapper::EnsureStarted(mr::Emitter& out) {
  if (failed_) return false;
  if (cmd_) return true;
  cmd_ = std::make_unique<StreamingCommand>("mapper", command_, env_, context_);
  Status st = cmd_->Start(&out);
  if (!st.ok()) FailWith(st);
  return st.ok();
}

void StreamingMapper::FailWith(const Status& st) {
  failed_ = true;
  if (context_ != nullptr) context_->Fail(st.message());
}

void StreamingMapper::Map(std::string_view, std::string_view value, mr::Emitter& out) {
  if (!EnsureStarted(out)) return;
  Status st = cmd_->WriteValue(value);
  if (!st.ok()) {
    // The command quit early: its exit status says why.
    Status fin = cmd_->Finish();
    FailWith(fin.ok() ? st : fin);
  }
}

void StreamingMapper::Cleanup(mr::Emitter& out) {
  if (!EnsureStarted(out)) return;
  Status st = cmd_->Finish();
  if (!st.ok()) FailWith(st);
}

// ---------------------------------------------------------------- reducer / combiner

bool StreamingReducer::EnsureStarted(mr::Emitter& out) {
  if (failed_) return false;
  if (cmd_) return true;
  cmd_ = std::make_unique<StreamingCommand>(role_, command_, env_, context_);
  Status st = cmd_->Start(&out);
  if (!st.ok()) FailWith(st);
  return st.ok();
}

void StreamingReducer::FailWith(const Status& st) {
  failed_ = true;
  if (context_ != nullptr) context_->Fail(st.message());
}

void StreamingReducer::Reduce(std::string_view key, mr::ValueIterator& values, mr::Emitter& out) {
  if (!EnsureStarted(out)) return;
  std::string_view v;
  while (values.Next(&v)) {
    Status st = cmd_->WriteKeyValue(key, v);
    if (!st.ok()) {
      Status fin = cmd_->Finish();
      FailWith(fin.ok() ? st : fin);
      return;
    }
  }
}

void StreamingReducer::Cleanup(mr::Emitter& out) {
  if (!EnsureStarted(out)) return;
  Status st = cmd_->Finish();
  if (!st.ok()) FailWith(st);
}

// ---------------------------------------------------------------- program

namespace {
// A streaming job without a reducer command passes map output through unchanged.
class PassThroughReducer final : public mr::Reducer {
 public:
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Emitter& out) override {
    std::string_view v;
    while (values.Next(&v)) out.Emit(key, v);
  }
};
}  // namespace

Result<JobProgram> MakeStreamingProgram(const JobSpec& spec, const TaskEnvironment& env) {
  JobProgram p;
  std::string mapper = spec.mapper_command();
  p.mapper = [mapper, env]() -> Result<std::unique_ptr<mr::Mapper>> {
    return std::unique_ptr<mr::Mapper>(new StreamingMapper(mapper, env));
  };
  std::string reducer = spec.reducer_command();
  p.reducer = [reducer, env]() -> Result<std::unique_ptr<mr::Reducer>> {
    if (reducer.empty()) return std::unique_ptr<mr::Reducer>(new PassThroughReducer());
    return std::unique_ptr<mr::Reducer>(new StreamingReducer("reducer", reducer, env));
  };
  if (!spec.combiner_command().empty()) {
    std::string combiner = spec.combiner_command();
    p.combiner = [combiner, env]() -> Result<std::unique_ptr<mr::Reducer>> {
      return std::unique_ptr<mr::Reducer>(new StreamingReducer("combiner", combiner, env));
    };
  }
  return p;
}

}  // namespace cairn::compute
