#pragma once
// Unicode lowercasing as Rust's str::to_lowercase does it (full mappings, final sigma).

#include <tenuo/export.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace tenuo::detail {

// Lowercase of UTF-8 `s`; nullopt when `s` is not valid UTF-8.
[[nodiscard]] TENUO_EXPORT std::optional<std::string> unicode_lower(std::string_view s);

}  // namespace tenuo::detail
