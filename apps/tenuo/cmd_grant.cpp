#include "cli.hpp"

namespace tenuo::cli {

void add_grant(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("grant", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "grant is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
