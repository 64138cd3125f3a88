#include "compute/runtime/output_writer.h"

#include <cstring>

namespace cairn::compute {

namespace {
constexpr size_t kBufferBytes = 4 << 20;
}

OutputWriter::OutputWriter(std::unique_ptr<client::OutputStream> out, std::string path, OutputFormat format,
                           TaskCounters* counters)
    : out_(std::move(out)), path_(std::move(path)), format_(format), counters_(counters), buf_(kBufferBytes) {}

OutputWriter::~OutputWriter() {
  if (!closed_ && out_) (void)out_->Close();
}

Result<std::unique_ptr<OutputWriter>> OutputWriter::Create(client::FileSystem& fs, const std::string& path,
                                                           uint32_t replication, OutputFormat format,
                                                           TaskCounters* counters) {
  client::CreateOptions options;
  options.overwrite = true;
  options.replication = replication;
  options.create_parent = true;
  ASSIGN_OR_RETURN(std::unique_ptr<client::OutputStream> out, fs.Create(path, options));
  return std::unique_ptr<OutputWriter>(new OutputWriter(std::move(out), path, format, counters));
}

void OutputWriter::Flush() {
  if (used_ == 0 || !status_.ok()) return;
  status_ = out_->Write(buf_.data(), used_);
  used_ = 0;
}

void OutputWriter::Put(std::string_view bytes) {
  if (used_ + bytes.size() > buf_.size()) {
    Flush();
    if (bytes.size() > buf_.size()) {
      if (status_.ok()) status_ = out_->Write(bytes.data(), bytes.size());
      return;
    }
  }
  std::memcpy(buf_.data() + used_, bytes.data(), bytes.size());
  used_ += bytes.size();
}

void OutputWriter::Emit(std::string_view key, std::string_view value) {
  if (!status_.ok()) return;
  Put(key);
  if (format_ == OutputFormat::kText) {
    if (!value.empty()) {
      Put("\t");
      Put(value);
    }
    Put("\n");
  } else {
    Put(value);
  }
  counters_->output_records.Add(1);
  counters_->output_bytes.Add(key.size() + value.size() + (format_ == OutputFormat::kText ? 1 + !value.empty() : 0));
}

Status OutputWriter::Close() {
  if (closed_) return status_;
  closed_ = true;
  Flush();
  Status st = out_->Close();
  if (status_.ok()) status_ = st;
  return status_.ok() ? status_ : status_.WithContext(path_);
}

}  // namespace cairn::compute
