// Subpath. Oracle: anything Subpath("/data") accepts normalises to /data or a path under it,
// with no NUL, and so do its percent-decoded readings.
#include "detail/subpath.hpp"
#include "detail/url.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
bool inside(std::string_view p, bool allow_equal) {
  auto n = tenuo::detail::normalize_subpath(p);
  if (!n) return false;
  if (*n == "/data") return allow_equal;
  return n->rfind("/data/", 0) == 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool allow_equal = (data[0] & 1) != 0;
  const std::string_view path(reinterpret_cast<const char*>(data) + 1, size - 1);
  const tenuo::c::Subpath sp{"/data", true, allow_equal};
  const auto v = tenuo::detail::subpath_check(sp, path);
  (void)tenuo::detail::normalize_subpath(path);
  if (!v.ok) return 0;
  if (path.find('\0') != std::string_view::npos) std::abort();
  if (!inside(path, allow_equal)) std::abort();
  const std::string d1 = tenuo::detail::percent_decode(path);
  const std::string d2 = tenuo::detail::percent_decode(d1);
  if (!inside(d1, true) || !inside(d2, true)) std::abort();
  return 0;
}
