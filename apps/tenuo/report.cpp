// The only place that turns errors into messages and exit codes.
#include "cli.hpp"
#include "output.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace tenuo::cli {

int exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidInput:
    case ErrorCode::InvalidArguments:
    case ErrorCode::Io:
    case ErrorCode::MalformedCbor:
    case ErrorCode::WarrantTooLarge:
    case ErrorCode::ChainTooLarge:
      return kExitInput;
    case ErrorCode::Internal:
      return kExitInternal;
    default:
      return kExitDenied;
  }
}

int report(const Error& e, bool json, bool decode_only) {
  const int rc = decode_only && e.code != ErrorCode::Internal ? kExitInput : exit_code_for(e.code);
  if (json) {
    nlohmann::json err{{"code", static_cast<int>(e.code)},
                       {"name", std::string(name(e.code))},
                       {"message", e.message}};
    if (e.chain_index) err["chain_index"] = *e.chain_index;
    if (e.byte_offset) err["byte_offset"] = *e.byte_offset;
    nlohmann::json doc{{"ok", false}, {"error", err}};
    std::fputs((doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(),
               stdout);
  }
  std::string msg = e.message;
  for (auto& ch : msg)
    if (ch == '\n' || ch == '\r') ch = ' ';
  // Printed also with --quiet: errors are never informational.
  std::fputs(fmt::format("{} {} [{} {}]\n", paint(Stream::Err, Style::StrongBad, "tenuo: error:"), terminal_safe(msg),
                         static_cast<int>(e.code), name(e.code))
                 .c_str(),
             stderr);
  return rc;
}

int report_internal(const std::exception& ex, bool json) {
  Error e{ErrorCode::Internal, fmt::format("internal error (a bug): {}", ex.what())};
  report(e, json);
  return kExitInternal;
}

}  // namespace tenuo::cli
