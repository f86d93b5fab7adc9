#include "cli.hpp"

namespace tenuo::cli {

void add_mint(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("mint", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "mint is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
