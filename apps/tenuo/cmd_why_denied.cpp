#include "cli.hpp"

namespace tenuo::cli {

void add_why_denied(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("why-denied", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "why-denied is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
