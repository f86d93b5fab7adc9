#pragma once
// Shlex (WIRE.md §11, the ≈0.3.3 POSIX tokenizer): is a command line one plain invocation of
// an allowed program?

#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tenuo::detail {

struct ShlexToken {
  std::string text;
  bool op = false;  // an unquoted run of ( ) ; < > | &
  bool operator==(const ShlexToken&) const = default;
};

// CPython shlex (POSIX mode, punctuation chars, whitespace split) as WIRE.md §11 describes it.
// Errors (ConstraintViolation): unbalanced quote, trailing backslash.
[[nodiscard]] TENUO_EXPORT Result<std::vector<ShlexToken>> shlex_split(std::string_view s);

// posixpath.normpath.
[[nodiscard]] TENUO_EXPORT std::string posix_normpath(std::string_view p);

struct ShlexVerdict {
  bool ok = false;
  std::string reason;  // names the offending character or token
};

[[nodiscard]] TENUO_EXPORT ShlexVerdict shlex_check(const std::vector<std::string>& allow,
                                                    std::string_view command);

}  // namespace tenuo::detail
