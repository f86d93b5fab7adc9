#pragma once
// Structure of a UrlPattern constraint's text `scheme://host[:port][/path]` (WIRE.md §11
// UrlPattern, §12.2 UrlPattern→UrlPattern). The reference replaces `*.` and `/*` with
// placeholders and runs a WHATWG URL parser; this parser accepts the subset of patterns whose
// meaning that procedure makes unambiguous and rejects the rest (stricter, see url_pattern.cpp).

#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tenuo::detail {

struct UrlPatternParts {
  std::string scheme;                 // "*" = any scheme, else lowercase
  std::string host;                   // "*" (any), "*.suffix" or an exact host; lowercase;
                                      // an IPv6 literal is kept bracketed in RFC 5952 form
  std::optional<std::uint16_t> port;  // nullopt = any (absent, or the scheme's default port)
  std::optional<std::string> path;    // nullopt = unchecked (pattern path empty or "/")

  bool operator==(const UrlPatternParts&) const = default;
};

// Default port of a WHATWG special scheme (http/ws 80, https/wss 443, ftp 21), else nullopt.
[[nodiscard]] TENUO_EXPORT std::optional<std::uint16_t> default_port(std::string_view scheme) noexcept;

// Parses a UrlPattern text. Errors: InvalidInput with a message naming what is wrong.
[[nodiscard]] TENUO_EXPORT Result<UrlPatternParts> parse_url_pattern(std::string_view text);

}  // namespace tenuo::detail
