// Shlex. Oracle: a command Shlex(["ls"]) accepts has no expansion characters or controls other
// than tab, tokenises, has no operator token, and starts with ls (or a path ending in /ls).
#include "detail/shlex.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view cmd(reinterpret_cast<const char*>(data), size);
  (void)tenuo::detail::shlex_split(cmd);
  const auto v = tenuo::detail::shlex_check({"ls"}, cmd);
  if (!v.ok) return 0;
  for (char ch : cmd) {
    const auto b = static_cast<unsigned char>(ch);
    if (ch == '$' || ch == '`' || b == 0x7F || (b < 0x20 && b != '\t')) std::abort();
  }
  auto tokens = tenuo::detail::shlex_split(cmd);
  if (!tokens || tokens->empty()) std::abort();
  for (const auto& t : *tokens)
    if (t.op) std::abort();
  std::string first = tokens->front().text;
  if (first.find('/') != std::string::npos) first = tenuo::detail::posix_normpath(first);
  const auto slash = first.rfind('/');
  const std::string base = slash == std::string::npos ? first : first.substr(slash + 1);
  if (base != "ls") std::abort();
  return 0;
}
