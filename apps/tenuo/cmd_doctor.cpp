#include "cli.hpp"

namespace tenuo::cli {

void add_doctor(CLI::App& app, Pending& pending) {
  auto* sub = app.add_subcommand("doctor", "(not yet available)");
  sub->callback([&pending] {
    pending.run = []() -> Result<int> {
      return fail(ErrorCode::Internal, "doctor is not implemented yet");
    };
  });
}

}  // namespace tenuo::cli
