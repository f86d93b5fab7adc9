#pragma once
// Captured requests for `tenuo verify`: HTTP header lines and MCP tools/call params.

#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenuo::cli {

// §14.2 bounds, checked before decoding.
inline constexpr std::size_t kMaxMetaWarrantText = 64 * 1024;
inline constexpr std::size_t kMaxMetaSignatureText = 4 * 1024;
inline constexpr std::size_t kMaxMetaTextBytes = 1024 * 1024;
inline constexpr std::size_t kMaxMetaApprovals = 64;
inline constexpr std::size_t kMaxMetaApprovalText = 8 * 1024;

struct Captured {
  std::string warrant;                   // warrant or stack text as carried
  std::optional<std::string> signature;  // PoP text as carried (absent: no proof sent)
  std::vector<std::string> approvals;    // carried approvals, as text (approval.hpp parse_approvals)
  std::optional<std::string> tool;       // MCP params.name
  std::optional<Object> args;            // MCP arguments (carrier removed), strictly parsed
};

// Header lines ("Name: value", names case-insensitive, CRLF tolerated; request/status lines
// and other headers ignored; a blank line after the Tenuo headers ends the block). Needs
// X-Tenuo-Warrant; X-Tenuo-PoP and X-Tenuo-Approvals (each line one value) optional.
// Errors: InvalidInput (missing or repeated header).
[[nodiscard]] Result<Captured> parse_headers(std::string_view text);

// An MCP tools/call `params` object (or a whole JSON-RPC request with "method" and "params"):
// `name`, `arguments`, and `_meta.tenuo` {warrant, signature, approvals} or the
// `arguments._tenuo` carrier (removed from the arguments; both present and different is an
// error). Parsed strictly. Errors: InvalidInput (malformed envelope), InvalidArguments.
[[nodiscard]] Result<Captured> parse_meta(std::string_view text);

}  // namespace tenuo::cli
