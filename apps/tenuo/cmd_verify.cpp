#include "cli.hpp"

namespace tenuo::cli {

void add_verify(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("verify", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "verify is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
