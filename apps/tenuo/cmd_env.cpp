#include "cli.hpp"

namespace tenuo::cli {

void add_env(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("env", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "env is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
