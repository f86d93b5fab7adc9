// The `-c [TOOL.]ARG=TYPE:VALUE` flags shared by mint and grant.
#include "cli.hpp"

#include <tenuo/constraint.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace tenuo::cli {

Result<void> apply_constraint_flags(ToolMap& tools, const std::vector<std::string>& specs) {
  for (const auto& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(ErrorCode::InvalidInput,
                  fmt::format("-c '{}': expected [TOOL.]ARG=TYPE:VALUE, e.g. path=subpath:/data", spec));
    std::string left = spec.substr(0, eq);
    TENUO_TRY_ASSIGN(Constraint c, parse_constraint_spec(std::string_view(spec).substr(eq + 1)));
    std::string tool;
    if (const auto dot = left.find('.'); dot != std::string::npos) {
      const std::string prefix = left.substr(0, dot);
      if (std::any_of(tools.begin(), tools.end(), [&](const auto& t) { return t.first == prefix; })) {
        tool = prefix;
        left = left.substr(dot + 1);
      }
    }
    if (left.empty()) return fail(ErrorCode::InvalidInput, fmt::format("-c '{}': empty argument name", spec));
    if (tools.empty())
      return fail(ErrorCode::InvalidInput, fmt::format("-c '{}': no tool to constrain (add --tool)", spec));
    for (auto& [name, cs] : tools)
      if (tool.empty() || name == tool) cs.set(left, c);
  }
  return {};
}

Result<void> parse_lifetime(const std::string& ttl_flag, const std::string& expires_flag,
                            std::optional<std::uint64_t>& ttl, std::optional<std::uint64_t>& expires_at) {
  if (!ttl_flag.empty() && !expires_flag.empty())
    return fail(ErrorCode::InvalidInput, "use either --ttl or --expires-at, not both");
  if (!ttl_flag.empty()) {
    TENUO_TRY_ASSIGN(std::uint64_t t, parse_duration(ttl_flag));
    ttl = t;
  }
  if (!expires_flag.empty()) {
    TENUO_TRY_ASSIGN(std::int64_t e, parse_time(expires_flag));
    if (e <= 0) return fail(ErrorCode::InvalidInput, "--expires-at must be after 1970");
    expires_at = static_cast<std::uint64_t>(e);
  }
  return {};
}

Result<std::uint8_t> parse_clearance(std::string_view s) {
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  static constexpr std::pair<std::string_view, std::uint8_t> kNames[] = {
      {"untrusted", 0}, {"external", 10}, {"partner", 20}, {"internal", 30}, {"privileged", 40}, {"system", 50}};
  for (const auto& [n, v] : kNames)
    if (l == n) return v;
  unsigned v = 0;
  if (!l.empty() && l.size() <= 3 && std::all_of(l.begin(), l.end(), ::isdigit) && (v = static_cast<unsigned>(std::stoul(l))) <= 255)
    return static_cast<std::uint8_t>(v);
  return fail(ErrorCode::InvalidInput,
              fmt::format("clearance '{}': use untrusted, external, partner, internal, privileged, system or 0..255", s));
}

}  // namespace tenuo::cli
