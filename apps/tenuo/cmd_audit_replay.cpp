#include "cli.hpp"

namespace tenuo::cli {

void add_audit_replay(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("audit-replay", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "audit-replay is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
