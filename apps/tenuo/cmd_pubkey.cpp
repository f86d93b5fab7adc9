#include "cli.hpp"

namespace tenuo::cli {

void add_pubkey(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("pubkey", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> { return fail(ErrorCode::Internal, "pubkey is not implemented yet"); };
  });
}

}  // namespace tenuo::cli
