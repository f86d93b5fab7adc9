#include "cli.hpp"

namespace tenuo::cli {

void add_keygen(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("keygen", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> { return fail(ErrorCode::Internal, "keygen is not implemented yet"); };
  });
}

}  // namespace tenuo::cli
