#include "cli.hpp"

namespace tenuo::cli {

void add_inspect(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("inspect", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> { return fail(ErrorCode::Internal, "inspect is not implemented yet"); };
  });
}

}  // namespace tenuo::cli
