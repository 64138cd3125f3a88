#include "tests/support/remote_file.h"

#include <vector>

namespace cairn::testing {

Status WriteRemoteFile(client::FileSystem& fs, const std::string& path, const std::string& data,
                       const client::CreateOptions& options) {
  ASSIGN_OR_RETURN(auto out, fs.Create(path, options));
  RETURN_IF_ERROR(out->Write(data.data(), data.size()));
  return out->Close();
}

Result<std::string> ReadToEnd(client::InputStream& in) {
  std::string out;
  std::vector<char> buf(1 << 16);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, in.Read(buf.data(), buf.size()));
    if (n == 0) break;
    out.append(buf.data(), n);
  }
  if (out.size() != in.Length()) return Internal("read {} bytes of {}", out.size(), in.Length());
  return out;
}

Result<std::string> ReadRemoteFile(client::FileSystem& fs, const std::string& path) {
  ASSIGN_OR_RETURN(auto in, fs.Open(path));
  auto out = ReadToEnd(*in);
  if (!out.ok()) return out.status().WithContext(path);
  return out;
}

}  // namespace cairn::testing
