#pragma once
// UrlSafe (WIRE.md §11): SSRF screening of a URL argument, without DNS.

#include <tenuo/constraint.hpp>
#include <tenuo/export.hpp>

#include <string>
#include <string_view>

namespace tenuo::detail {

struct UrlSafeVerdict {
  bool ok = false;
  std::string reason;  // the resolved host or IP and the rule that fired; empty when ok
};

// Stricter than the reference where noted in the source (extra loopback names, embedded IPv4
// in NAT64/6to4/Teredo/SIIT addresses, `::`, 0.0.0.0/8, 100.64/10, 240/4, trailing dots,
// numeric-looking hosts that are not valid IPv4, non-ASCII or punycode hosts).
[[nodiscard]] TENUO_EXPORT UrlSafeVerdict url_safe_check(const c::UrlSafe& c, std::string_view url);

// `*.x` matches x and anything ending in `.x`; anything else is an exact match. Both sides are
// compared lowercase.
[[nodiscard]] TENUO_EXPORT bool domain_pattern_matches(std::string_view pattern, std::string_view host);

}  // namespace tenuo::detail
