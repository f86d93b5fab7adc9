#pragma once
// Subpath (WIRE.md §11): lexical containment of an absolute path under a root, no filesystem.

#include <tenuo/constraint.hpp>
#include <tenuo/export.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace tenuo::detail {

// Lexical normalisation: nullopt when `path` contains NUL or is not absolute (`/…`, `X:\…`,
// `X:/…`). Splits on `/` and `\`, drops empty and `.` segments, `..` pops (never above the
// root), and rejoins with `/` after the prefix (`/` or `X:/`).
[[nodiscard]] TENUO_EXPORT std::optional<std::string> normalize_subpath(std::string_view path);

struct SubpathVerdict {
  bool ok = false;
  std::string reason;      // why not, in plain words; empty when ok
  std::string normalized;  // the normalised form of the value (empty when not absolute)
};

// The Subpath verdict for `path`. Stricter than the reference: the value must also stay under
// the root after percent-decoding (once and twice) and after folding the compatibility forms of
// `.`, `/` and `\` (U+2024, U+FF0E, U+FF0F, …), since a tool downstream may decode either.
[[nodiscard]] TENUO_EXPORT SubpathVerdict subpath_check(const c::Subpath& c, std::string_view path);

}  // namespace tenuo::detail
