#include "cli.hpp"

namespace tenuo::cli {

void add_sign(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("sign", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "sign is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
