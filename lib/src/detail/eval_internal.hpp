#pragma once
// Pieces of evaluate.cpp that attenuation.cpp reuses.

#include <tenuo/value.hpp>

#include <string_view>

namespace tenuo::detail {

// "a string", "an integer", … for diagnostics.
[[nodiscard]] std::string_view kind_name(const Value& v) noexcept;
// UrlPattern host rule: `*` any; `*.x` matches x and hosts ending in `.x`; else equality,
// all ASCII-case-insensitive.
[[nodiscard]] bool url_pattern_host_matches(std::string_view pattern_host, std::string_view host);

}  // namespace tenuo::detail
