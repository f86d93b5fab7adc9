#pragma once
// Cross-checks through an independent CBOR implementation: cbor2 under the Debian
// /usr/bin/python3 (installed by `scripts/deps.sh --test`). Tests call has_cbor2() first and
// skip with a MESSAGE when it is missing, so a machine without it reports the skip instead of
// failing on an environment problem.

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace tenuo::test {

inline bool has_cbor2() {
  static const bool ok = std::system("/usr/bin/python3 -c 'import cbor2' >/dev/null 2>&1") == 0;
  return ok;
}

// Runs `script` under /usr/bin/python3 with `data` readable on its stdin (both through
// temporary files, so neither needs shell quoting and size is not limited by argv); REQUIREs a
// zero exit status and returns stdout.
inline std::string run_python_with_input(const std::string& script, const std::string& data) {
  auto temp = [](const std::string& content, const char* suffix) {
    std::string path = (std::filesystem::temp_directory_path() / "tenuo-py-XXXXXX").string() + suffix;
    const int fd = ::mkstemps(path.data(), static_cast<int>(std::strlen(suffix)));
    REQUIRE(fd >= 0);
    std::size_t off = 0;
    while (off < content.size()) {
      const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
      REQUIRE(n > 0);
      off += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return path;
  };
  const std::string script_path = temp(script, ".py");
  const std::string data_path = temp(data, ".in");
  const std::string cmd = "/usr/bin/python3 " + script_path + " < " + data_path;
  std::FILE* f = ::popen(cmd.c_str(), "r");
  REQUIRE(f != nullptr);
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, f) != nullptr) out += buf;
  const int status = ::pclose(f);
  std::filesystem::remove(script_path);
  std::filesystem::remove(data_path);
  REQUIRE_MESSAGE(status == 0, "python failed; output: ", out);
  return out;
}

// Python source defining reencode(obj) -> bytes: cbor2's pure-Python encoder with dicts in
// insertion order (struct field order survives) and floats in their shortest lossless width
// (the reference encoder's rule, WIRE.md §1.1).
inline constexpr const char* kPyReencode =
    "import io, cbor2, cbor2.encoder as _e\n"
    "def reencode(obj):\n"
    "    b = io.BytesIO()\n"
    "    enc = _e.CBOREncoder(b)\n"
    "    enc._encoders[float] = _e.CBOREncoder.encode_minimal_float\n"
    "    enc.encode(obj)\n"
    "    return b.getvalue()\n";

}  // namespace tenuo::test
